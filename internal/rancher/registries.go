package rancher

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// CreateRegistry creates a registry. Cattle refuses a second registry with
// the same server address in a project (400 ServerAddressUsed).
func (c *Client) CreateRegistry(ctx context.Context, projectID string, in RegistryCreate) (*Registry, error) {
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
			return strings.EqualFold(deref(o.ServerAddress), in.ServerAddress) &&
				sameOptional(o.Name, in.Name) &&
				sameOptional(o.Description, in.Description)
		},
		taken: func(err error) bool {
			var apiErr *Error
			return errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest && apiErr.Code == "ServerAddressUsed"
		},
	})
	if err != nil {
		return nil, err
	}
	return obj.registry(), nil
}

// GetRegistry reads a registry by id, in any state.
func (c *Client) GetRegistry(ctx context.Context, projectID, id string) (*Registry, error) {
	obj, err := c.get(ctx, registryKind, projectID, id)
	if err != nil {
		return nil, err
	}
	return obj.registry(), nil
}

// ListRegistries lists a project's registries, all pages.
func (c *Client) ListRegistries(ctx context.Context, projectID string, f RegistryFilter) ([]Registry, error) {
	q := url.Values{}
	setFilter(q, "serverAddress", f.ServerAddress)
	setFilter(q, "name", f.Name)
	if f.IncludeRemoved {
		q.Set("_removed", "true")
	}
	objs, err := c.list(ctx, registryKind, projectID, q)
	if err != nil {
		return nil, err
	}
	out := make([]Registry, 0, len(objs))
	for i := range objs {
		out = append(out, *objs[i].registry())
	}
	return out, nil
}

// UpdateRegistry sends the Set fields of u in one PUT.
func (c *Client) UpdateRegistry(ctx context.Context, projectID, id string, u RegistryUpdate) (*Registry, error) {
	fields := map[string]any{}
	putField(fields, "name", u.Name)
	putField(fields, "description", u.Description)
	obj, err := c.update(ctx, registryKind, projectID, id, fields)
	if err != nil {
		return nil, err
	}
	return obj.registry(), nil
}

// WaitRegistry polls until the registry is in one of targets (with no
// targets: until it settles).
func (c *Client) WaitRegistry(ctx context.Context, projectID, id string, targets ...string) (*Registry, error) {
	obj, err := c.wait(ctx, registryKind, projectID, id, targets)
	if obj == nil {
		return nil, err
	}
	return obj.registry(), err
}

// SetRegistryActive makes the registry active or inactive and waits for it.
func (c *Client) SetRegistryActive(ctx context.Context, projectID, id string, active bool) (*Registry, error) {
	obj, err := c.setActive(ctx, registryKind, projectID, id, active)
	if obj == nil {
		return nil, err
	}
	return obj.registry(), err
}

// RemoveRegistry deletes the registry from any state and waits until it is
// removed. A registry that is already gone is a success.
func (c *Client) RemoveRegistry(ctx context.Context, projectID, id string) error {
	return c.remove(ctx, registryKind, projectID, id)
}
