package rancher

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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

// GetProject reads a project (environment) by id.
func (c *Client) GetProject(ctx context.Context, id string) (*Project, error) {
	if !validID(id) {
		return nil, fmt.Errorf("invalid project id %q: a project id looks like 1a5", id)
	}
	var p struct {
		ID    string  `json:"id"`
		Name  *string `json:"name"`
		State string  `json:"state"`
	}
	if _, err := c.do(ctx, http.MethodGet, c.baseURL+"/projects/"+id, nil, idempotent, &p); err != nil {
		return nil, err
	}
	return &Project{ID: p.ID, Name: deref(p.Name), State: p.State}, nil
}
