// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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

func (s *Server) find(a auth, typ, id string) *object {
	o := s.objects[id]
	if o == nil || o.typ != typ || o.deleted {
		return nil
	}
	if a.role != "admin" && o.projectID != a.accountID {
		return nil
	}
	return o
}

// resolveRegistry finds the registry a registryId value names in a
// project, in any state (README §6).
func (s *Server) resolveRegistry(projectID, value string) *object {
	n := parseID(value)
	if n <= 0 {
		return nil
	}
	for _, o := range s.regs {
		if o.num == n && o.projectID == projectID {
			return o
		}
	}
	return nil
}

func (s *Server) serverAddressUsed(projectID, addr string) bool {
	for _, r := range s.regs {
		if r.projectID == projectID && r.state != "purged" && strings.EqualFold(r.serverAddress, addr) {
			return true
		}
	}
	return false
}

// convert reads the string fields of a request body: numbers and booleans
// are stringified, objects and arrays give InvalidFormat. A key present with
// JSON null gives a nil value.
func convert(body map[string]any, fields []string) (map[string]*string, *APIError) {
	out := map[string]*string{}
	for _, f := range fields {
		raw, ok := body[f]
		if !ok {
			continue
		}
		switch x := raw.(type) {
		case nil:
			out[f] = nil
		case string:
			out[f] = &x
		case json.Number:
			str := x.String()
			out[f] = &str
		case bool:
			str := "false"
			if x {
				str = "true"
			}
			out[f] = &str
		default:
			return nil, validationError("InvalidFormat", f)
		}
	}
	return out, nil
}

type lengthRule struct {
	field string
	max   int
}

var credentialMax = []lengthRule{{"name", 255}, {"description", 1024}, {"publicValue", 4096}, {"secretValue", 4096}}

var registryMax = []lengthRule{{"name", 255}, {"description", 1024}}

func checkMax(vals map[string]*string, rules []lengthRule) *APIError {
	for _, rule := range rules {
		if v, ok := vals[rule.field]; ok && v != nil && utf8.RuneCountInString(*v) > rule.max {
			return validationError("MaxLengthExceeded", rule.field)
		}
	}
	return nil
}

// notNull checks, in order, that the present keys among fields are not
// null (NotNullable).
func notNull(vals map[string]*string, fields ...string) *APIError {
	for _, f := range fields {
		if v, ok := vals[f]; ok && v == nil {
			return validationError("NotNullable", f)
		}
	}
	return nil
}

// minLength checks, in order, that the present keys among fields are not
// empty (MinLengthExceeded, for minLength 1).
func minLength(vals map[string]*string, fields ...string) *APIError {
	for _, f := range fields {
		if v, ok := vals[f]; ok && v != nil && *v == "" {
			return validationError("MinLengthExceeded", f)
		}
	}
	return nil
}

// notEmpty is notNull, then minLength, of one field.
func notEmpty(vals map[string]*string, field string) *APIError {
	if err := notNull(vals, field); err != nil {
		return err
	}
	return minLength(vals, field)
}

// createCredential validates in the order of README §6 and creates.
func (s *Server) createCredential(tx *txn, a auth, body map[string]any) (*object, *APIError) {
	vals, err := convert(body, []string{"registryId", "email", "name", "description", "publicValue", "secretValue"})
	if err != nil {
		return nil, err
	}
	if err := notNull(vals, "registryId", "email"); err != nil {
		return nil, err
	}
	var reg *object
	if v, ok := vals["registryId"]; ok {
		if reg = s.resolveRegistry(a.accountID, *v); reg == nil {
			return nil, validationError("InvalidReference", "registryId")
		}
	}
	if err := minLength(vals, "email"); err != nil {
		return nil, err
	}
	if err := checkMax(vals, credentialMax); err != nil {
		return nil, err
	}
	for _, f := range []string{"registryId", "email"} {
		if _, ok := vals[f]; !ok {
			return nil, validationError("MissingRequired", f)
		}
	}
	o := s.newObject(typeCredential, a.accountID)
	o.registryID = reg.id
	o.email = *vals["email"]
	o.name, o.description = vals["name"], vals["description"]
	o.publicValue, o.secretValue = vals["publicValue"], vals["secretValue"]
	s.begin(tx, o, true, "registering", "activating", "active")
	return o, nil
}

func (s *Server) createRegistry(tx *txn, a auth, body map[string]any) (*object, *APIError) {
	vals, err := convert(body, []string{"serverAddress", "name", "description"})
	if err != nil {
		return nil, err
	}
	if err := notEmpty(vals, "serverAddress"); err != nil {
		return nil, err
	}
	if err := checkMax(vals, registryMax); err != nil {
		return nil, err
	}
	if _, ok := vals["serverAddress"]; !ok {
		return nil, validationError("MissingRequired", "serverAddress")
	}
	if s.serverAddressUsed(a.accountID, *vals["serverAddress"]) {
		return nil, errServerAddress
	}
	o := s.newObject(typeRegistry, a.accountID)
	o.serverAddress = *vals["serverAddress"]
	o.name, o.description = vals["name"], vals["description"]
	s.begin(tx, o, true, "registering", "activating", "active")
	return o, nil
}

// update applies PUT (README §7): field checks, then 404, then a
// synchronous write of the updatable fields, whatever the state.
func (s *Server) update(a auth, typ, id string, body map[string]any) (*object, *APIError) {
	fields := []string{"email", "name", "description", "publicValue", "secretValue"}
	rules := credentialMax
	if typ == typeRegistry {
		fields, rules = []string{"name", "description"}, registryMax
	}
	vals, err := convert(body, fields)
	if err != nil {
		return nil, err
	}
	if typ == typeCredential {
		if err := notEmpty(vals, "email"); err != nil {
			return nil, err
		}
	}
	if err := checkMax(vals, rules); err != nil {
		return nil, err
	}
	o := s.find(a, typ, id)
	if o == nil {
		return nil, errNotFound
	}
	for f, v := range vals {
		if f == "email" {
			o.email = *v
		} else if p := o.nullable(f); p != nil {
			*p = v
		}
	}
	return o, nil
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
