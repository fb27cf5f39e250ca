// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"net/url"
)

// objectType is a kind together with the conversion of its wire objects to
// the kind's own Go type. The typed operations below serve both kinds; the
// exported methods of each kind call them.
type objectType[T any] struct {
	kind
	convert func(*wireObject) *T
}

var (
	credentials = objectType[RegistryCredential]{credentialKind, (*wireObject).credential}
	registries  = objectType[Registry]{registryKind, (*wireObject).registry}
)

// as converts what a generic operation returned, keeping the object that
// comes with some errors (a failed transition).
func (t objectType[T]) as(obj *wireObject, err error) (*T, error) {
	if obj == nil {
		return nil, err
	}
	return t.convert(obj), err
}

func (t objectType[T]) get(ctx context.Context, c *Client, projectID, id string) (*T, error) {
	return t.as(c.get(ctx, t.kind, projectID, id))
}

// list lists a project's objects that match query, all pages, removed ones
// too when includeRemoved is set.
func (t objectType[T]) list(ctx context.Context, c *Client, projectID string, query url.Values, includeRemoved bool) ([]T, error) {
	if includeRemoved {
		query.Set("_removed", "true")
	}
	objs, err := c.list(ctx, t.kind, projectID, query)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(objs))
	for i := range objs {
		out = append(out, *t.convert(&objs[i]))
	}
	return out, nil
}

func (t objectType[T]) update(ctx context.Context, c *Client, projectID, id string, fields map[string]any) (*T, error) {
	return t.as(c.update(ctx, t.kind, projectID, id, fields))
}

func (t objectType[T]) wait(ctx context.Context, c *Client, projectID, id string, targets []string) (*T, error) {
	return t.as(c.wait(ctx, t.kind, projectID, id, targets))
}

func (t objectType[T]) setActive(ctx context.Context, c *Client, projectID, id string, active bool) (*T, error) {
	return t.as(c.setActive(ctx, t.kind, projectID, id, active))
}

func (t objectType[T]) locate(ctx context.Context, c *Client, projectID, id string) (*T, error) {
	return t.as(c.locate(ctx, t.kind, projectID, id))
}

func (t objectType[T]) settleCreated(ctx context.Context, c *Client, projectID, id string, active bool) (*T, error) {
	return t.as(c.settleCreated(ctx, t.kind, projectID, id, active))
}

// settleUpdated returns updated as it is when there is nothing left to do,
// sparing a read.
func (t objectType[T]) settleUpdated(ctx context.Context, c *Client, projectID, id string, updated *T, goal ActiveGoal) (*T, error) {
	if updated != nil && !goal.needsAction() {
		return updated, nil
	}
	return t.as(c.settleUpdated(ctx, t.kind, projectID, id, goal))
}

func (t objectType[T]) readLive(ctx context.Context, c *Client, projectID, id string) (*T, bool, error) {
	obj, gone, err := c.readLive(ctx, t.kind, projectID, id)
	typed, err := t.as(obj, err)
	return typed, gone, err
}
