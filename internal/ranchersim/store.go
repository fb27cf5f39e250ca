package ranchersim

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	typeCredential = "registryCredential"
	typeRegistry   = "registry"
	typeProject    = "project"
	typeSchema     = "schema"
)

// base holds the fields of every Cattle resource, objects and projects alike.
type base struct {
	num     int64
	id      string
	uuid    string
	state   string
	created time.Time
	removed *time.Time
}

// object is a registry credential or a registry.
type object struct {
	base
	typ       string
	projectID string

	name, description *string

	// registryCredential
	registryID  string
	email       string
	publicValue *string
	secretValue *string

	// registry
	serverAddress string

	steps      []string // states still to pass through in the running transition
	gen        int      // bumped by each new transition; stale timers check it
	transErr   *string  // set when the transition failed (transitioning "error")
	hung       bool     // the running transition never completes
	failMsg    *string  // the running transition will fail with this message
	thenRemove bool     // start "remove" once the running transition is done (cascade)
	deleted    bool
}

// transitional states: the "from" side of every process (README §4).
var transitional = map[string]bool{
	"registering": true, "activating": true, "deactivating": true, "removing": true,
	"purging": true, "updating-active": true, "updating-inactive": true,
}

// resourceActions in schema order.
var resourceActions = []string{"update", "activate", "remove", "deactivate", "create", "purge"}

// actionsByState is the table of README §5: the actions shown, in order.
var actionsByState = map[string][]string{
	"requested":         {"create", "deactivate", "remove"},
	"registering":       {"activate", "deactivate", "remove"},
	"activating":        {"deactivate"},
	"active":            {"update", "deactivate"},
	"inactive":          {"update", "activate", "remove"},
	"updating-active":   {"deactivate", "remove"},
	"updating-inactive": {"deactivate", "remove"},
	"removed":           {"purge"},
}

func isResourceAction(name string) bool {
	for _, a := range resourceActions {
		if a == name {
			return true
		}
	}
	return false
}

func actionAllowed(state, action string) bool {
	for _, a := range actionsByState[state] {
		if a == action {
			return true
		}
	}
	return false
}

func (o *object) transitioning() (string, *string) {
	if o.transErr != nil {
		m := *o.transErr
		return "error", &m
	}
	if transitional[o.state] {
		m := "In Progress"
		return "yes", &m
	}
	return "no", nil
}

func cp(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cpTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := *t
	return &v
}

func (o *object) credential() Credential {
	tr, msg := o.transitioning()
	return Credential{ID: o.id, ProjectID: o.projectID, RegistryID: o.registryID, Email: o.email,
		Name: cp(o.name), Description: cp(o.description), PublicValue: cp(o.publicValue),
		SecretValue: cp(o.secretValue), UUID: o.uuid, State: o.state, Transitioning: tr,
		TransitioningMessage: msg, Created: o.created, Removed: cpTime(o.removed)}
}

func (o *object) registry() Registry {
	tr, msg := o.transitioning()
	return Registry{ID: o.id, ProjectID: o.projectID, ServerAddress: o.serverAddress,
		Name: cp(o.name), Description: cp(o.description), UUID: o.uuid, State: o.state,
		Transitioning: tr, TransitioningMessage: msg, Created: o.created, Removed: cpTime(o.removed)}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// parseID reads the number of a formatted id: the type prefix ("1c", "1sp",
// "1a", …) is dropped as Cattle's parseId does; a plain number is accepted;
// anything else gives -1.
func parseID(s string) int64 {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return -1
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if s[0] != '1' {
		return -1
	}
	i := 1
	for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	if i == 1 || i == len(s) {
		return -1
	}
	n, err := strconv.ParseInt(s[i:], 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// ofType is every credential or every registry, in id order. Must hold s.mu.
func (s *Server) ofType(typ string) []*object {
	if typ == typeRegistry {
		return s.regs
	}
	return s.creds
}

// newObject makes an object with a fresh id; state is left to the caller.
// Must hold s.mu.
func (s *Server) newObject(typ, projectID string) *object {
	o := &object{base: base{uuid: newUUID(), created: s.nowSec()}, typ: typ, projectID: projectID}
	if typ == typeCredential {
		s.nextCred++
		o.num = s.nextCred
		o.id = "1c" + strconv.FormatInt(o.num, 10)
		s.creds = append(s.creds, o)
	} else {
		s.nextReg++
		o.num = s.nextReg
		o.id = "1sp" + strconv.FormatInt(o.num, 10)
		s.regs = append(s.regs, o)
	}
	s.objects[o.id] = o
	return o
}

// txn collects the transition steps due "right after the response is
// written" (TransitionDelay 0).
type txn struct {
	pending []func()
}

// finish runs the steps collected in tx.
func (s *Server) finish(tx *txn) {
	if tx == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(tx.pending) > 0 {
		f := tx.pending[0]
		tx.pending = tx.pending[1:]
		f()
	}
}

// begin starts a transition: the object enters the transitional state
// `through` and will then pass through `steps` one by one. created marks
// the create transition (FailNextTransition("") / HangNextTransition("")).
// Must hold s.mu.
func (s *Server) begin(tx *txn, o *object, created bool, through string, steps ...string) {
	o.state = through
	o.steps = steps
	o.gen++
	o.transErr, o.failMsg, o.hung, o.thenRemove = nil, nil, false, false
	if created {
		if s.failNextCreate != nil {
			o.failMsg, s.failNextCreate = s.failNextCreate, nil
		}
		if s.hangNextCreate {
			o.hung, s.hangNextCreate = true, false
		}
	} else {
		if m, ok := s.failNext[o.id]; ok {
			o.failMsg = &m
			delete(s.failNext, o.id)
		}
		if s.hangNext[o.id] {
			o.hung = true
			delete(s.hangNext, o.id)
		}
	}
	s.schedule(tx, o)
}

func (s *Server) schedule(tx *txn, o *object) {
	gen := o.gen
	step := func() { s.advance(tx, o, gen) }
	if s.delay <= 0 {
		tx.pending = append(tx.pending, step)
		return
	}
	time.AfterFunc(s.delay, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		// timers have no request: steps they start are timers too, unless the
		// delay was set to 0 meanwhile, so run those at once.
		t := &txn{}
		s.advance(t, o, gen)
		for len(t.pending) > 0 {
			f := t.pending[0]
			t.pending = t.pending[1:]
			f()
		}
	})
}

// advance moves o one step on in its transition. Must hold s.mu.
func (s *Server) advance(tx *txn, o *object, gen int) {
	if o.deleted || o.gen != gen || len(o.steps) == 0 || o.hung {
		return
	}
	if o.failMsg != nil {
		o.transErr, o.failMsg = o.failMsg, nil
		return
	}
	o.state, o.steps = o.steps[0], o.steps[1:]
	if len(o.steps) > 0 {
		s.schedule(tx, o)
		return
	}
	// done
	switch o.state {
	case "removed":
		t := s.nowSec()
		o.removed = &t
	case "purged":
		if o.typ == typeRegistry {
			s.cascadePurge(tx, o)
		}
	}
	if o.thenRemove {
		o.thenRemove = false
		s.deactivateThenRemove(tx, o)
	}
}

// cascadePurge moves each non-removed credential of a purged registry
// through deactivate (if possible) and remove (README §13).
func (s *Server) cascadePurge(tx *txn, reg *object) {
	for _, c := range s.creds {
		if c.registryID == reg.id && c.projectID == reg.projectID && c.removed == nil {
			s.deactivateThenRemove(tx, c)
		}
	}
}

func (s *Server) deactivateThenRemove(tx *txn, o *object) {
	switch {
	case actionAllowed(o.state, "deactivate"):
		s.begin(tx, o, false, "deactivating", "inactive")
		o.thenRemove = true
	case actionAllowed(o.state, "remove"):
		s.begin(tx, o, false, "removing", "removed")
	case o.state == "deactivating":
		o.thenRemove = true
	}
}

// doAction runs action on o as POST ?action= would, after the checks of
// README §5 (InvalidAction, ActionNotAvailable). Must hold s.mu.
func (s *Server) doAction(tx *txn, o *object, action string) *APIError {
	if !isResourceAction(action) {
		return validationError("InvalidAction", "action")
	}
	if !actionAllowed(o.state, action) {
		return validationError("ActionNotAvailable", "action")
	}
	switch action {
	case "create":
		s.begin(tx, o, false, "registering", "activating", "active")
	case "activate":
		s.begin(tx, o, false, "activating", "active")
	case "deactivate":
		s.begin(tx, o, false, "deactivating", "inactive")
	case "remove":
		s.begin(tx, o, false, "removing", "removed")
	case "purge":
		s.begin(tx, o, false, "purging", "purged")
	case "update":
		s.begin(tx, o, false, "updating-"+o.state, o.state)
	}
	return nil
}

// doDelete applies DELETE to o (README §7). Must hold s.mu.
func (s *Server) doDelete(tx *txn, o *object) *APIError {
	switch o.state {
	case "requested", "registering", "inactive", "updating-active", "updating-inactive":
		s.begin(tx, o, false, "removing", "removed")
		return nil
	case "removed", "removing":
		return nil
	default:
		return errNotAllowed
	}
}

func (s *Server) serverAddressUsed(projectID, addr string) bool {
	for _, r := range s.regs {
		if r.projectID == projectID && r.state != "purged" && strings.EqualFold(r.serverAddress, addr) {
			return true
		}
	}
	return false
}
