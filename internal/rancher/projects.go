// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Project is a Rancher environment.
type Project struct {
	ID          string
	Name        string
	Description *string // nil = JSON null
	State       string
}

// Gone reports whether the project is deleted or being deleted.
func (p Project) Gone() bool { return Status{State: p.State}.Gone() }

func (w *wireObject) project() Project {
	return Project{ID: w.ID, Name: deref(w.Name), Description: w.Description, State: w.State}
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
// pages: an environment key's own, an account key's memberships, every
// project for an admin) whose name is exactly name; "" lists them all. It is
// the one reader of /v1/projects. The name goes to the
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
		if p := o.project(); name == "" || p.Name == name {
			projects = append(projects, p)
		}
	}
	return projects, nil
}

// DiscoverProject finds the project of an environment API key: such a key's
// account is the project itself, and Cattle names it in the
// X-API-Account-Id header when X-API-Account-Kind is "project".
func (c *Client) DiscoverProject(ctx context.Context) (string, error) {
	who, err := c.whoAmI(ctx)
	if err != nil {
		return "", err
	}
	if who.Kind == accountKindProject && validID(who.ID) {
		return who.ID, nil
	}
	if who.Kind == "" {
		return "", errors.New("cannot tell which project to use: the server did not say which account the API key belongs to; set project_id")
	}
	return "", fmt.Errorf("cannot tell which project to use: the API key belongs to a %q account, not to one environment; set project_id (or use an environment API key)", who.Kind)
}

// Account kinds, as Cattle names the account of an API key in the
// X-API-Account-Kind header of a request made without a project.
const (
	// accountKindProject is an environment key: its account is its project,
	// and it sees nothing else.
	accountKindProject = "project"
	// accountKindAdmin is an admin account key: it reads any object by id
	// without a project.
	accountKindAdmin = "admin"
)

// keyOwner is the account an API key belongs to. Account keys of users have
// kind "user"; they reach the projects they are members of.
type keyOwner struct {
	ID   string
	Kind string
}

// keyAccount holds what the server said of the key's account, asked once.
type keyAccount struct {
	mu       sync.Mutex
	account  *keyOwner
	projects []Project // the projects the key reaches, once listed
}

// whoAmI returns the account of the API key, from one GET of the API root
// without a project; the answer is kept for the client's life.
func (c *Client) whoAmI(ctx context.Context) (keyOwner, error) {
	c.key.mu.Lock()
	defer c.key.mu.Unlock()
	if c.key.account != nil {
		return *c.key.account, nil
	}
	resp, err := c.do(ctx, http.MethodGet, c.baseURL, nil, idempotent, nil)
	if err != nil {
		return keyOwner{}, err
	}
	a := keyOwner{ID: resp.header.Get("X-API-Account-Id"), Kind: resp.header.Get("X-API-Account-Kind")}
	c.key.account = &a
	return a, nil
}

// reachableProjects is ListProjects(ctx, ""), kept for the client's life.
func (c *Client) reachableProjects(ctx context.Context) ([]Project, error) {
	c.key.mu.Lock()
	defer c.key.mu.Unlock()
	if c.key.projects != nil {
		return c.key.projects, nil
	}
	projects, err := c.ListProjects(ctx, "")
	if err != nil {
		return nil, err
	}
	c.key.projects = projects
	return projects, nil
}

// readLive locates the object (see locate). gone is true only when the object
// no longer exists for Terraform: no project the key reaches holds it (404),
// or it is removed or being removed (Cattle keeps such objects readable by id
// for a while). Any other error, 401 and 403 included, is returned with gone
// false: the object may still exist.
func (c *Client) readLive(ctx context.Context, k kind, projectID, id string) (obj *wireObject, gone bool, err error) {
	obj, err = c.locate(ctx, k, projectID, id)
	if IsNotFound(err) || (err == nil && obj.status().Gone()) {
		tflog.Warn(ctx, k.name+" is gone from Rancher", map[string]any{"id": id})
		return nil, true, nil
	}
	return obj, false, err
}

// projectOf returns known when it is set, else the project the key finds the
// object in (trying first first); gone is as for readLive. It serves a state
// that holds no project (upgraded from the archived provider, which never
// recorded a credential's project, and not refreshed since).
func (c *Client) projectOf(ctx context.Context, k kind, known, first, id string) (projectID string, gone bool, err error) {
	if known != "" {
		return known, false, nil
	}
	obj, gone, err := c.readLive(ctx, k, first, id)
	if gone || err != nil {
		return "", gone, err
	}
	return obj.AccountID, false, nil
}

// locate reads an object wherever the API key can see it: in projectID
// first when it is given, and when the object is not there, in the other
// places the key reaches, with as few requests as the key's kind allows.
// The object's project is its accountId. A 404 comes back only when no
// project the key reaches holds the object; any other error is returned as
// it is, so that a 401 or 403 is never taken for "gone".
func (c *Client) locate(ctx context.Context, k kind, projectID, id string) (*wireObject, error) {
	var notFound error
	if projectID != "" {
		obj, err := c.get(ctx, k, projectID, id)
		if !IsNotFound(err) {
			return withProject(obj, projectID), err
		}
		notFound = err
	}
	who, err := c.whoAmI(ctx)
	if err != nil {
		return nil, err
	}
	switch who.Kind {
	case accountKindProject:
		// An environment key sees its own project and nothing else.
		if who.ID == projectID || !validID(who.ID) {
			return nil, orNotFound(notFound, k, id)
		}
		obj, err := c.get(ctx, k, who.ID, id)
		return withProject(obj, who.ID), err
	case accountKindAdmin:
		if !validID(id) {
			return nil, fmt.Errorf("invalid %s id %q", k.name, id)
		}
		var obj wireObject
		if _, err := c.do(ctx, http.MethodGet, c.baseURL+"/"+k.collection+"/"+id, nil, idempotent, &obj); err != nil {
			return nil, err
		}
		if obj.AccountID != "" {
			c.observe(k, obj.AccountID, &obj)
		}
		return &obj, nil
	}
	projects, err := c.reachableProjects(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range projects {
		if p.ID == projectID {
			continue
		}
		obj, err := c.get(ctx, k, p.ID, id)
		if IsNotFound(err) {
			notFound = err
			continue
		}
		return withProject(obj, p.ID), err
	}
	return nil, orNotFound(notFound, k, id)
}

// withProject fills in the project an object was read from when the server
// did not name it.
func withProject(obj *wireObject, projectID string) *wireObject {
	if obj != nil && obj.AccountID == "" {
		obj.AccountID = projectID
	}
	return obj
}

// orNotFound is the 404 seen last, or one made up when the key reaches no
// project to look in.
func orNotFound(err error, k kind, id string) error {
	if err != nil {
		return err
	}
	return &Error{Status: http.StatusNotFound, Code: "NotFound",
		Message: fmt.Sprintf("no project the API key reaches holds %s %s", k.name, id)}
}
