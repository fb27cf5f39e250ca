// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// DiscoverProject finds the project of an environment API key: such a key's
// account is the project itself, and Cattle names it in the
// X-API-Account-Id header when X-API-Account-Kind is "project".
func (c *Client) DiscoverProject(ctx context.Context) (string, error) {
	who, err := c.WhoAmI(ctx)
	if err != nil {
		return "", err
	}
	if who.Kind == AccountKindProject && validID(who.ID) {
		return who.ID, nil
	}
	if who.Kind == "" {
		return "", errors.New("cannot tell which project to use: the server did not say which account the API key belongs to; set project_id")
	}
	return "", fmt.Errorf("cannot tell which project to use: the API key belongs to a %q account, not to one environment; set project_id (or use an environment API key)", who.Kind)
}

// GetProject reads a project (environment) by id: GET /v1/projects/<id>,
// which Cattle answers with 404 for a project the key does not reach.
func (c *Client) GetProject(ctx context.Context, id string) (*Project, error) {
	if !validID(id) {
		return nil, fmt.Errorf("invalid project id %q: a project id looks like 1a5", id)
	}
	var obj wireObject
	if _, err := c.do(ctx, http.MethodGet, c.baseURL+"/projects/"+id, nil, idempotent, &obj); err != nil {
		return nil, err
	}
	p := obj.project()
	return &p, nil
}

// ListProjects lists the projects the API key reaches (GET /v1/projects, all
// pages) whose name is exactly name; "" lists them all. The name goes to the
// server as the collection's name filter, and the answer is checked here
// again: a database may compare names without regard to case, while the
// match asked for is exact. Removed projects are not listed, as Cattle
// leaves them out of lists.
func (c *Client) ListProjects(ctx context.Context, name string) ([]Project, error) {
	var query url.Values
	if name != "" {
		query = url.Values{"name": {name}}
	}
	objs, err := c.listAt(ctx, c.baseURL+"/projects", "projects", query)
	if err != nil {
		return nil, err
	}
	projects := make([]Project, 0, len(objs))
	for _, o := range objs {
		if name != "" && deref(o.Name) != name {
			continue
		}
		projects = append(projects, o.project())
	}
	return projects, nil
}
