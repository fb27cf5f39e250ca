// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"iter"
	"net/url"
	"strings"
)

// RegistryCredential is a registryCredential object. SecretValue is only
// returned by create (and to project-admin keys); other reads give nil.
type RegistryCredential struct {
	ID          string
	ProjectID   string // accountId
	RegistryID  string
	Email       string
	Name        *string // nil = JSON null
	Description *string
	PublicValue *string
	SecretValue *string
	Status
}

// RegistryCredentialCreate is the body of a create. Nil fields are omitted.
type RegistryCredentialCreate struct {
	RegistryID  string
	Email       string
	Name        *string
	Description *string
	PublicValue *string
	SecretValue *string
}

// Field is one field of an update: only Set fields are sent, and a Set field
// with a nil Value sends JSON null.
type Field struct {
	Set   bool
	Value *string
}

// SetField returns a Field that sends v.
func SetField(v *string) Field { return Field{Set: true, Value: v} }

// RegistryCredentialUpdate lists the updatable fields of a credential.
// registryId cannot be changed in place.
type RegistryCredentialUpdate struct {
	Email       Field
	Name        Field
	Description Field
	PublicValue Field
	SecretValue Field
}

// RegistryCredentialFilter narrows a list; "" means no filter on that field.
// Filters are exact ("eq") matches.
type RegistryCredentialFilter struct {
	RegistryID     string
	Name           string
	PublicValue    string
	State          string
	IncludeRemoved bool // also list removed and purged credentials
}

func (w *wireObject) credential() *RegistryCredential {
	return &RegistryCredential{
		ID:          w.ID,
		ProjectID:   w.AccountID,
		RegistryID:  w.RegistryID,
		Email:       w.Email,
		Name:        w.Name,
		Description: w.Description,
		PublicValue: w.PublicValue,
		SecretValue: w.SecretValue,
		Status:      w.status(),
	}
}

// credentialOf converts what a generic operation returned, keeping the
// object that comes with some errors (a failed transition).
func credentialOf(obj *wireObject, err error) (*RegistryCredential, error) {
	if obj == nil {
		return nil, err
	}
	return obj.credential(), err
}

// CreateRegistryCredential creates a credential. The answer is in state
// registering; WaitRegistryCredential waits for it to become active. An
// interrupted create is reconciled, never duplicated (see create).
func (c *Client) CreateRegistryCredential(ctx context.Context, projectID string, in RegistryCredentialCreate) (*RegistryCredential, error) {
	body := map[string]any{
		"registryId": in.RegistryID,
		"email":      in.Email,
	}
	putOptional(body, "name", in.Name)
	putOptional(body, "description", in.Description)
	putOptional(body, "publicValue", in.PublicValue)
	putOptional(body, "secretValue", in.SecretValue)

	lookup := url.Values{"registryId": {in.RegistryID}}
	if in.Name != nil && *in.Name != "" {
		lookup.Set("name", *in.Name)
	}
	if in.PublicValue != nil && *in.PublicValue != "" {
		lookup.Set("publicValue", *in.PublicValue)
	}
	obj, err := c.create(ctx, createSpec{
		kind:      credentialKind,
		projectID: projectID,
		body:      body,
		lockKey:   strings.Join([]string{"registrycredentials", projectID, in.RegistryID, deref(in.Name), deref(in.PublicValue)}, "\x00"),
		lookup:    lookup,
		matches: func(o *wireObject) bool {
			return o.RegistryID == in.RegistryID &&
				o.Email == in.Email &&
				sameOptional(o.Name, in.Name) &&
				sameOptional(o.PublicValue, in.PublicValue) &&
				sameOptional(o.Description, in.Description)
		},
	})
	return credentialOf(obj, err)
}

// GetRegistryCredential reads a credential by id, in any state (Cattle keeps
// removed credentials readable). A missing one gives an error for which
// IsNotFound is true.
func (c *Client) GetRegistryCredential(ctx context.Context, projectID, id string) (*RegistryCredential, error) {
	return credentialOf(c.get(ctx, credentialKind, projectID, id))
}

// ListRegistryCredentials lists a project's credentials, all pages.
func (c *Client) ListRegistryCredentials(ctx context.Context, projectID string, f RegistryCredentialFilter) ([]RegistryCredential, error) {
	objs, err := c.list(ctx, credentialKind, projectID, withRemoved(f.query(), f.IncludeRemoved))
	return listed(objs, err, (*wireObject).credential)
}

// ScanRegistryCredentials yields a project's credentials in id order, reading
// one page (Cattle's default, 100) at a time, until the list ends or yield
// returns false. Removed and purged credentials are never listed (IncludeRemoved is
// ignored). An error ends the scan.
func (c *Client) ScanRegistryCredentials(ctx context.Context, projectID string, f RegistryCredentialFilter) iter.Seq2[*RegistryCredential, error] {
	return scan(ctx, c, credentialKind, projectID, f.query(), (*wireObject).credential)
}

// query is the filter as the collection's query parameters.
func (f RegistryCredentialFilter) query() url.Values {
	q := url.Values{}
	setFilter(q, "registryId", f.RegistryID)
	setFilter(q, "name", f.Name)
	setFilter(q, "publicValue", f.PublicValue)
	setFilter(q, "state", f.State)
	return q
}

// UpdateRegistryCredential sends the Set fields of u in one PUT. Cattle
// applies a PUT at once in any state and leaves the state alone.
func (c *Client) UpdateRegistryCredential(ctx context.Context, projectID, id string, u RegistryCredentialUpdate) (*RegistryCredential, error) {
	fields := map[string]any{}
	putField(fields, "email", u.Email)
	putField(fields, "name", u.Name)
	putField(fields, "description", u.Description)
	putField(fields, "publicValue", u.PublicValue)
	putField(fields, "secretValue", u.SecretValue)
	return credentialOf(c.update(ctx, credentialKind, projectID, id, fields))
}

// WaitRegistryCredential polls until the credential is in one of targets
// (with no targets: until it settles in any stable state).
func (c *Client) WaitRegistryCredential(ctx context.Context, projectID, id string, targets ...string) (*RegistryCredential, error) {
	return credentialOf(c.wait(ctx, credentialKind, projectID, id, targets))
}

// RemoveRegistryCredential deletes the credential from any state, until it
// is removing (see remove; lastState is the state it was last seen in, ""
// when unknown). A credential that is already gone is a success.
func (c *Client) RemoveRegistryCredential(ctx context.Context, projectID, id, lastState string) error {
	return c.remove(ctx, credentialKind, projectID, id, lastState)
}

// SettleCreatedRegistryCredential waits for a new credential to become
// active, then deactivates it unless active.
func (c *Client) SettleCreatedRegistryCredential(ctx context.Context, projectID, id string, active bool) (*RegistryCredential, error) {
	return credentialOf(c.settleCreated(ctx, credentialKind, projectID, id, active))
}

// SettleUpdatedRegistryCredential brings the credential to goal after its
// fields were updated (updated is nil when none were): it activates or
// deactivates it, waits out a transition seen at the last read, or else
// returns updated (read again when nil).
func (c *Client) SettleUpdatedRegistryCredential(ctx context.Context, projectID, id string, updated *RegistryCredential, goal ActiveGoal) (*RegistryCredential, error) {
	if updated != nil && !goal.needsAction() {
		return updated, nil // nothing left to do: the update's answer is the credential, no read
	}
	return credentialOf(c.settleUpdated(ctx, credentialKind, projectID, id, goal))
}

// ReadLiveRegistryCredential reads the credential in projectID or, when it is
// not there (or projectID is ""), wherever the key can see it; ProjectID of
// the result is the credential's project. gone is true, with no error, when it no
// longer exists for Terraform: no project the key reaches holds it, or it is
// removed or being removed. Any other error (401 and 403 included) leaves
// gone false: the credential may still exist.
func (c *Client) ReadLiveRegistryCredential(ctx context.Context, projectID, id string) (cred *RegistryCredential, gone bool, err error) {
	obj, gone, err := c.readLive(ctx, credentialKind, projectID, id)
	cred, err = credentialOf(obj, err)
	return cred, gone, err
}

// RegistryCredentialProject is known when set, else the project the key finds
// the credential in, looking in first first; gone is as for
// ReadLiveRegistryCredential.
func (c *Client) RegistryCredentialProject(ctx context.Context, known, first, id string) (projectID string, gone bool, err error) {
	return c.projectOf(ctx, credentialKind, known, first, id)
}

func putOptional(m map[string]any, key string, v *string) {
	if v != nil {
		m[key] = *v
	}
}

func putField(m map[string]any, key string, f Field) {
	if !f.Set {
		return
	}
	if f.Value == nil {
		m[key] = nil
		return
	}
	m[key] = *f.Value
}

func setFilter(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}
