// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// Account kinds, as Cattle names the account of an API key in the
// X-API-Account-Kind header of a request made without a project.
const (
	// AccountKindProject is an environment key: its account is its project,
	// and it sees nothing else.
	AccountKindProject = "project"
	// AccountKindAdmin is an admin account key: it reads any object by id
	// without a project.
	AccountKindAdmin = "admin"
)

// Account is the account an API key belongs to. Account keys of users have
// kind "user"; they reach the projects they are members of.
type Account struct {
	ID   string
	Kind string
}

// keyAccount holds what the server said of the key's account, asked once.
type keyAccount struct {
	mu       sync.Mutex
	account  *Account
	projects []Project // the projects the key reaches, once listed
}

// WhoAmI returns the account of the API key, from one GET of the API root
// without a project; the answer is kept for the client's life.
func (c *Client) WhoAmI(ctx context.Context) (Account, error) {
	c.key.mu.Lock()
	defer c.key.mu.Unlock()
	if c.key.account != nil {
		return *c.key.account, nil
	}
	resp, err := c.do(ctx, http.MethodGet, c.baseURL, nil, idempotent, nil)
	if err != nil {
		return Account{}, err
	}
	a := Account{ID: resp.header.Get("X-API-Account-Id"), Kind: resp.header.Get("X-API-Account-Kind")}
	c.key.account = &a
	return a, nil
}

// ReachableProjects lists the projects the API key can reach (GET
// /v1/projects: an environment key's own, an account key's memberships,
// every project for an admin), all pages; the list is kept for the client's
// life.
func (c *Client) ReachableProjects(ctx context.Context) ([]Project, error) {
	c.key.mu.Lock()
	defer c.key.mu.Unlock()
	if c.key.projects != nil {
		return c.key.projects, nil
	}
	objs, err := c.listAt(ctx, c.baseURL+"/projects", "projects", nil)
	if err != nil {
		return nil, err
	}
	projects := make([]Project, 0, len(objs))
	for _, o := range objs {
		projects = append(projects, o.project())
	}
	c.key.projects = projects
	return projects, nil
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
	who, err := c.WhoAmI(ctx)
	if err != nil {
		return nil, err
	}
	switch who.Kind {
	case AccountKindProject:
		// An environment key sees its own project and nothing else.
		if who.ID == projectID || !validID(who.ID) {
			return nil, orNotFound(notFound, k, id)
		}
		obj, err := c.get(ctx, k, who.ID, id)
		return withProject(obj, who.ID), err
	case AccountKindAdmin:
		if !validID(id) {
			return nil, fmt.Errorf("invalid %s id %q", k.name, id)
		}
		var obj wireObject
		if _, err := c.do(ctx, http.MethodGet, c.baseURL+"/"+k.collection+"/"+id, nil, idempotent, &obj); err != nil {
			return nil, err
		}
		if obj.AccountID != nil {
			c.observe(k, *obj.AccountID, &obj)
		}
		return &obj, nil
	}
	projects, err := c.ReachableProjects(ctx)
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
	if obj != nil && (obj.AccountID == nil || *obj.AccountID == "") {
		obj.AccountID = &projectID
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
