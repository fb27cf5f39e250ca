package rancher

import (
	"context"
	"net/http"
)

// Operations of the client that only the tests use: the provider goes
// through ReadLive*, Settle* and Remove*.

// SetRegistryCredentialActive makes the credential active or inactive and
// waits for it.
func (c *Client) SetRegistryCredentialActive(ctx context.Context, projectID, id string, active bool) (*RegistryCredential, error) {
	obj, err := c.setActive(ctx, credentialKind, projectID, id, active)
	return typed(obj, err, (*wireObject).credential)
}

// WaitRegistry polls until the registry is in one of targets (with no
// targets: until it settles).
func (c *Client) WaitRegistry(ctx context.Context, projectID, id string, targets ...string) (*Registry, error) {
	obj, err := c.wait(ctx, registryKind, projectID, id, targets)
	return typed(obj, err, (*wireObject).registry)
}

// SetRegistryActive makes the registry active or inactive and waits for it.
func (c *Client) SetRegistryActive(ctx context.Context, projectID, id string, active bool) (*Registry, error) {
	obj, err := c.setActive(ctx, registryKind, projectID, id, active)
	return typed(obj, err, (*wireObject).registry)
}

// LocateRegistryCredential reads a credential in projectID or, when it is
// not there (or projectID is ""), wherever the key can see it; ProjectID of
// the result is the credential's project. IsNotFound is true of the error
// only when no project the key reaches holds it.
func (c *Client) LocateRegistryCredential(ctx context.Context, projectID, id string) (*RegistryCredential, error) {
	obj, err := c.locate(ctx, credentialKind, projectID, id)
	if err != nil {
		return nil, err
	}
	return obj.credential(), nil
}

// LocateRegistry is LocateRegistryCredential for registries.
func (c *Client) LocateRegistry(ctx context.Context, projectID, id string) (*Registry, error) {
	obj, err := c.locate(ctx, registryKind, projectID, id)
	if err != nil {
		return nil, err
	}
	return obj.registry(), nil
}

// IsUnauthorized reports whether err is a 401 answer: the access key or the
// secret key is wrong, or the key is not active.
func IsUnauthorized(err error) bool {
	return hasStatus(err, http.StatusUnauthorized)
}
