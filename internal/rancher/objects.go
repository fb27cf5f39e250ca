// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"strconv"
	"time"
)

// Cattle states of credentials and registries (both use the default process
// set: create, activate, deactivate, remove, purge, update).
const (
	StateRequested        = "requested"
	StateRegistering      = "registering"
	StateActivating       = "activating"
	StateActive           = "active"
	StateDeactivating     = "deactivating"
	StateInactive         = "inactive"
	StateUpdatingActive   = "updating-active"
	StateUpdatingInactive = "updating-inactive"
	StateRemoving         = "removing"
	StateRemoved          = "removed"
	StatePurging          = "purging"
	StatePurged           = "purged"
)

// pendingStates are the states a waiter polls through.
var pendingStates = map[string]bool{
	StateRequested:        true,
	StateRegistering:      true,
	StateActivating:       true,
	StateDeactivating:     true,
	StateUpdatingActive:   true,
	StateUpdatingInactive: true,
	StateRemoving:         true,
	StatePurging:          true,
}

// IsPendingState reports whether state is a transitional state that settles
// by itself.
func IsPendingState(state string) bool { return pendingStates[state] }

// IsActiveState says which side of active/inactive a Cattle state is on,
// transitional states counting for the state they move to.
func IsActiveState(state string) bool {
	switch state {
	case StateInactive, StateDeactivating, StateUpdatingInactive, StateRemoving, StateRemoved, StatePurging, StatePurged:
		return false
	}
	return true
}

// Status holds the fields Cattle puts on every object.
type Status struct {
	State                string
	Transitioning        string // "yes", "no" or "error"
	TransitioningMessage string
	Actions              map[string]string // action name → URL, for the current state
	Created              time.Time
	Removed              *time.Time
}

// Gone reports whether the object is deleted or being deleted: Cattle keeps
// such objects readable by id, but for Terraform they no longer exist.
func (s Status) Gone() bool {
	switch s.State {
	case StateRemoving, StateRemoved, StatePurging, StatePurged:
		return true
	}
	return false
}

// HasAction reports whether the server offers the action in the current state.
func (s Status) HasAction(name string) bool {
	_, ok := s.Actions[name]
	return ok
}

// Project is a Rancher environment.
type Project struct {
	ID          string
	Name        string
	Description *string // nil = JSON null
	State       string
}

// Gone reports whether the project is deleted or being deleted.
func (p Project) Gone() bool { return Status{State: p.State}.Gone() }

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

// wireObject is the JSON of either kind of object; each kind reads its fields.
type wireObject struct {
	ID                   string            `json:"id"`
	Type                 string            `json:"type"`
	Actions              map[string]string `json:"actions"`
	AccountID            *string           `json:"accountId"`
	State                string            `json:"state"`
	Transitioning        *string           `json:"transitioning"`
	TransitioningMessage *string           `json:"transitioningMessage"`
	Created              *string           `json:"created"`
	CreatedTS            *int64            `json:"createdTS"`
	Removed              *string           `json:"removed"`
	RemovedTS            *int64            `json:"removedTS"`

	Name        *string `json:"name"`
	Description *string `json:"description"`

	RegistryID  *string `json:"registryId"`
	Email       *string `json:"email"`
	PublicValue *string `json:"publicValue"`
	SecretValue *string `json:"secretValue"`

	ServerAddress *string `json:"serverAddress"`
}

func (w *wireObject) status() Status {
	s := Status{
		State:                w.State,
		Transitioning:        deref(w.Transitioning),
		TransitioningMessage: deref(w.TransitioningMessage),
		Actions:              w.Actions,
	}
	if t, ok := parseDate(w.Created, w.CreatedTS); ok {
		s.Created = t
	}
	if t, ok := parseDate(w.Removed, w.RemovedTS); ok {
		s.Removed = &t
	}
	return s
}

func (w *wireObject) failed() bool { return deref(w.Transitioning) == "error" }

func (w *wireObject) credential() *RegistryCredential {
	return &RegistryCredential{
		ID:          w.ID,
		ProjectID:   deref(w.AccountID),
		RegistryID:  deref(w.RegistryID),
		Email:       deref(w.Email),
		Name:        w.Name,
		Description: w.Description,
		PublicValue: w.PublicValue,
		SecretValue: w.SecretValue,
		Status:      w.status(),
	}
}

func (w *wireObject) registry() *Registry {
	return &Registry{
		ID:            w.ID,
		ProjectID:     deref(w.AccountID),
		ServerAddress: deref(w.ServerAddress),
		Name:          w.Name,
		Description:   w.Description,
		Status:        w.status(),
	}
}

func (w *wireObject) project() Project {
	return Project{ID: w.ID, Name: deref(w.Name), Description: w.Description, State: w.State}
}

// parseDate reads a Cattle date ("2017-02-01T10:11:12Z"), falling back to the
// epoch-milliseconds twin field.
func parseDate(s *string, ms *int64) (time.Time, bool) {
	if s != nil && *s != "" {
		if t, err := time.Parse(time.RFC3339, *s); err == nil {
			return t.UTC(), true
		}
	}
	if ms != nil {
		return time.UnixMilli(*ms).UTC(), true
	}
	return time.Time{}, false
}

// idNumber is the numeric part of a Cattle id ("1c42" → 42), used to order
// objects created in the same second.
func idNumber(id string) int64 {
	i := len(id)
	for i > 0 && id[i-1] >= '0' && id[i-1] <= '9' {
		i--
	}
	n, _ := strconv.ParseInt(id[i:], 10, 64)
	return n
}
