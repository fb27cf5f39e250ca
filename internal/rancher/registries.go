// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// Registry is a registry object (a storage pool of kind registry).
type Registry struct {
	ID            string
	ProjectID     string
	ServerAddress string
	Name          *string
	Description   *string
	Status
}

// RegistryCreate is the body of a registry create. Nil fields are omitted.
type RegistryCreate struct {
	ServerAddress string
	Name          *string
	Description   *string
}

// RegistryUpdate lists the updatable fields of a registry.
type RegistryUpdate struct {
	Name        Field
	Description Field
}

// RegistryFilter narrows a list of registries; "" means no filter.
type RegistryFilter struct {
	ServerAddress  string
	Name           string
	State          string
	IncludeRemoved bool
}

func (w *wireObject) registry() *Registry {
	return &Registry{
		ID:            w.ID,
		ProjectID:     w.AccountID,
		ServerAddress: w.ServerAddress,
		Name:          w.Name,
		Description:   w.Description,
		Status:        w.status(),
	}
}

// registryOf is credentialOf for registries.
func registryOf(obj *wireObject, err error) (*Registry, error) {
	if obj == nil {
		return nil, err
	}
	return obj.registry(), err
}

// CreateRegistry creates a registry. Cattle refuses a second registry with
// the same server address in a project (400 ServerAddressUsed).
//
// A removed (not yet purged) registry that still holds the address is purged
// and the create tried again: to a user, a removed registry is gone.
func (c *Client) CreateRegistry(ctx context.Context, projectID string, in RegistryCreate) (*Registry, error) {
	reg, err := c.createRegistry(ctx, projectID, in)
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.Code == "ServerAddressUsed" {
		freed, freeErr := c.freeServerAddress(ctx, projectID, in.ServerAddress)
		if freeErr != nil {
			return nil, fmt.Errorf("%w; freeing the address held by a removed registry failed: %v", err, freeErr)
		}
		if freed {
			return c.createRegistry(ctx, projectID, in)
		}
	}
	return reg, err
}

func (c *Client) createRegistry(ctx context.Context, projectID string, in RegistryCreate) (*Registry, error) {
	body := map[string]any{"serverAddress": in.ServerAddress}
	putOptional(body, "name", in.Name)
	putOptional(body, "description", in.Description)
	obj, err := c.create(ctx, createSpec{
		kind:      registryKind,
		projectID: projectID,
		body:      body,
		lockKey:   strings.Join([]string{"registries", projectID, strings.ToLower(in.ServerAddress)}, "\x00"),
		lookup:    url.Values{"serverAddress": {in.ServerAddress}},
		matches: func(o *wireObject) bool {
			return strings.EqualFold(o.ServerAddress, in.ServerAddress) &&
				sameOptional(o.Name, in.Name) &&
				sameOptional(o.Description, in.Description)
		},
		taken: func(err error) bool {
			var apiErr *Error
			return errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest && apiErr.Code == "ServerAddressUsed"
		},
	})
	return registryOf(obj, err)
}

// GetRegistry reads a registry by id, in any state.
func (c *Client) GetRegistry(ctx context.Context, projectID, id string) (*Registry, error) {
	return registryOf(c.get(ctx, registryKind, projectID, id))
}

// ListRegistries lists a project's registries, all pages.
func (c *Client) ListRegistries(ctx context.Context, projectID string, f RegistryFilter) ([]Registry, error) {
	objs, err := c.list(ctx, registryKind, projectID, withRemoved(f.query(), f.IncludeRemoved))
	return listed(objs, err, (*wireObject).registry)
}

// ScanRegistries is ScanRegistryCredentials for registries.
func (c *Client) ScanRegistries(ctx context.Context, projectID string, f RegistryFilter) iter.Seq2[*Registry, error] {
	return scan(ctx, c, registryKind, projectID, f.query(), (*wireObject).registry)
}

// query is the filter as the collection's query parameters.
func (f RegistryFilter) query() url.Values {
	q := url.Values{}
	setFilter(q, "serverAddress", f.ServerAddress)
	setFilter(q, "name", f.Name)
	setFilter(q, "state", f.State)
	return q
}

// UpdateRegistry sends the Set fields of u in one PUT.
func (c *Client) UpdateRegistry(ctx context.Context, projectID, id string, u RegistryUpdate) (*Registry, error) {
	fields := map[string]any{}
	putField(fields, "name", u.Name)
	putField(fields, "description", u.Description)
	return registryOf(c.update(ctx, registryKind, projectID, id, fields))
}

// SettleCreatedRegistry is SettleCreatedRegistryCredential for registries.
func (c *Client) SettleCreatedRegistry(ctx context.Context, projectID, id string, active bool) (*Registry, error) {
	return registryOf(c.settleCreated(ctx, registryKind, projectID, id, active))
}

// SettleUpdatedRegistry is SettleUpdatedRegistryCredential for registries.
func (c *Client) SettleUpdatedRegistry(ctx context.Context, projectID, id string, updated *Registry, goal ActiveGoal) (*Registry, error) {
	if updated != nil && !goal.needsAction() {
		return updated, nil // nothing left to do: the update's answer is the registry, no read
	}
	return registryOf(c.settleUpdated(ctx, registryKind, projectID, id, goal))
}

// ReadLiveRegistry is ReadLiveRegistryCredential for registries.
func (c *Client) ReadLiveRegistry(ctx context.Context, projectID, id string) (reg *Registry, gone bool, err error) {
	obj, gone, err := c.readLive(ctx, registryKind, projectID, id)
	reg, err = registryOf(obj, err)
	return reg, gone, err
}

// RegistryProject is RegistryCredentialProject for registries.
func (c *Client) RegistryProject(ctx context.Context, known, first, id string) (projectID string, gone bool, err error) {
	return c.projectOf(ctx, registryKind, known, first, id)
}

// RemoveRegistry deletes the registry from any state, until it is removing
// (see remove; lastState is the state it was last seen in, "" when
// unknown). A registry that is already gone is a success. Cattle keeps the
// server address of a removed registry taken until it is purged (0 to 10
// minutes later on its own): CreateRegistry purges it when it needs the
// address, so that a destroy followed at once by an apply of the same
// registry works.
func (c *Client) RemoveRegistry(ctx context.Context, projectID, id, lastState string) error {
	return c.remove(ctx, registryKind, projectID, id, lastState)
}

// freeServerAddress purges a registry of the project that is removed, or
// being removed, and still holds address, so that a new registry can take
// it. It reports whether it freed one.
func (c *Client) freeServerAddress(ctx context.Context, projectID, address string) (bool, error) {
	all, err := c.ListRegistries(ctx, projectID, RegistryFilter{IncludeRemoved: true})
	if err != nil {
		return false, err
	}
	freed := false
	for _, r := range all {
		if (r.State == StateRemoving || r.State == StateRemoved) && strings.EqualFold(r.ServerAddress, address) {
			if err := c.purge(ctx, registryKind, projectID, r.ID); err != nil {
				return freed, err
			}
			freed = true
		}
	}
	return freed, nil
}
