// SPDX-License-Identifier: MPL-2.0

// Package ranchersim is an in-memory server of the Rancher 1.x (Cattle) v1
// HTTP API for projects (read), registries, registry credentials and the
// schema documents, answering as a real Cattle server answers any v1 client.
//
// README.md in this folder is its specification: the behaviour it follows,
// in numbered sections with the Cattle sources of each, which comments and
// tests cite as "README §N". In short:
//   - the JSON of resources, collections and errors (README §3, §8, §9);
//   - collection filters, sorting and pagination (§8);
//   - the state machine of credentials and registries, with asynchronous
//     transitions, actions and DELETE rules (§4, §5, §7);
//   - creation and update with Cattle's validation (§6, §7, §13);
//   - HTTP Basic authentication with environment, account and admin keys,
//     project scope and roles, readOnCreateOnly secretValue (§10, §11);
//   - the schema documents of each role (§12);
//   - request counts (GET /_sim/stats, §14), injected faults and latency
//     (§15).
//
// A Server is an http.Handler and is safe for concurrent use. Its Go API
// (CreateRegistry, CreateCredential, Act, Delete, AddProject, AddAccountKey, FailNextTransition,
// Received, Stats, …) sets up and inspects its state out of band.
//
// Defaults (Options zero values):
//
//	ProjectID   "1a5"           an active project named "Default"
//	AccessKey   "simaccesskey"  an environment key bound to ProjectID
//	SecretKey   "simsecretkey"
//
// Ids: projects and accounts "1a<N>" (1a1 is the admin account), registries
// "1sp<N>", credentials "1c<N>", each from its own counter starting at 1.
//
// Where Cattle leaves room the simulator makes the choices listed in
// README §16 (no 409 Conflict, no auto-purge, a fixed validation order, …).
package ranchersim

import (
	"fmt"
	"math/rand"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Default keys and project of a Server built from zero Options.
const (
	DefaultProjectID = "1a5"
	DefaultAccessKey = "simaccesskey"
	DefaultSecretKey = "simsecretkey"
	// AdminAccountID is the id of the admin account: the identity of every
	// request when access control is off.
	AdminAccountID = "1a1"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// ProjectID is a pre-made active project named "Default"; default "1a5".
	ProjectID string
	// AccessKey and SecretKey form an environment key bound to ProjectID;
	// defaults "simaccesskey" / "simsecretkey".
	AccessKey string
	SecretKey string
	// AccessControlOff turns access control off (README §10): a request
	// with a valid key still acts as that key's own account, as in Cattle,
	// where the key lookup runs before the admin fallback; a request without
	// a key, with an unknown access key or a wrong secret is the admin
	// account, unless it sends "X-ENFORCE-AUTHENTICATION: true" (then 401).
	AccessControlOff bool
	// TransitionDelay is how long each transitional state (registering,
	// activating, deactivating, removing, purging, updating-*) lasts.
	// 0 means the transition completes right after the response is written.
	TransitionDelay time.Duration
	// Latency is added before every reply of the API (not /_sim).
	Latency time.Duration
	// FaultRate is the share (0..1) of API requests answered by an injected
	// fault: 503 or 429 with Retry-After: 1 (request not acted on), or 502 or
	// a dropped connection (request acted on first).
	FaultRate float64
	// Seed seeds the fault injection: with the same seed, the n-th API
	// request always gets the same fault decision.
	Seed int64
	// Now is the clock used for created/removed timestamps; nil = time.Now.
	Now func() time.Time
	// MaxReceived bounds how many requests Received keeps (the latest ones);
	// 0 keeps them all.
	MaxReceived int
}

// Server is the simulator. It implements http.Handler.
type Server struct {
	mu    sync.Mutex
	now   func() time.Time
	delay time.Duration
	acOff bool

	accounts map[string]*account // projects and user accounts, by id
	keys     map[string]*apiKey
	objects  map[string]*object
	creds    []*object // id order
	regs     []*object // id order

	nextAccount, nextCred, nextReg int64

	failNext        map[string]string
	failNextCreates []string
	hangNext        map[string]bool
	hangNextCreate  bool

	meta      sync.Mutex
	rng       *rand.Rand
	faultRate float64
	latency   time.Duration
	received  []Request
	maxRecv   int
	stats     Stats
}

// New builds a Server from opts (see Options for the defaults).
func New(opts Options) *Server {
	if opts.ProjectID == "" {
		opts.ProjectID = DefaultProjectID
	}
	if opts.AccessKey == "" {
		opts.AccessKey = DefaultAccessKey
	}
	if opts.SecretKey == "" {
		opts.SecretKey = DefaultSecretKey
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{
		now:       now,
		delay:     opts.TransitionDelay,
		acOff:     opts.AccessControlOff,
		accounts:  map[string]*account{},
		keys:      map[string]*apiKey{},
		objects:   map[string]*object{},
		failNext:  map[string]string{},
		hangNext:  map[string]bool{},
		rng:       rand.New(rand.NewSource(opts.Seed)),
		faultRate: opts.FaultRate,
		latency:   opts.Latency,
		maxRecv:   opts.MaxReceived,
		stats:     Stats{Routes: map[string]int{}},
	}
	s.addAccount(AdminAccountID, "admin", "active").user = true
	s.AddProject(opts.ProjectID, "Default")
	s.AddEnvironmentKey(opts.ProjectID, opts.AccessKey, opts.SecretKey)
	return s
}

// NewTestServer starts an httptest.Server running a new Server, closes it
// through t.Cleanup, and returns the Server and the base URL without /v1
// (e.g. "http://127.0.0.1:41234").
func NewTestServer(t testing.TB, opts Options) (*Server, string) {
	t.Helper()
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts.URL
}

func (s *Server) nowSec() time.Time {
	return s.now().UTC().Truncate(time.Second)
}

// Credential is a snapshot of a registry credential. Nullable API fields are
// *string (nil = JSON null).
type Credential struct {
	ID                   string
	ProjectID            string
	RegistryID           string
	Email                string
	Name                 *string
	Description          *string
	PublicValue          *string
	SecretValue          *string
	UUID                 string
	State                string
	Transitioning        string // "yes", "no" or "error"
	TransitioningMessage *string
	Created              time.Time
	Removed              *time.Time
}

// Registry is a snapshot of a registry. Nullable API fields are *string.
type Registry struct {
	ID                   string
	ProjectID            string
	ServerAddress        string
	Name                 *string
	Description          *string
	UUID                 string
	State                string
	Transitioning        string
	TransitioningMessage *string
	Created              time.Time
	Removed              *time.Time
}

// APIError is the error returned by the out-of-band methods (Act, Delete,
// CreateRegistry, CreateCredential); it carries what the API would have answered.
type APIError struct {
	Status    int
	Code      string
	FieldName string
}

func (e *APIError) Error() string {
	if e.FieldName != "" {
		return fmt.Sprintf("%d %s (fieldName %s)", e.Status, e.Code, e.FieldName)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Code)
}

var (
	errNotFound      = &APIError{Status: 404, Code: "Not Found"}
	errUnauthorized  = &APIError{Status: 401, Code: "Unauthorized"}
	errForbidden     = &APIError{Status: 403, Code: "Forbidden"}
	errNotAllowed    = &APIError{Status: 405, Code: "Method not allowed"}
	errInvalidBody   = &APIError{Status: 400, Code: "InvalidBodyContent"}
	errServerAddress = &APIError{Status: 400, Code: "ServerAddressUsed"}
)

func validationError(code, field string) *APIError {
	return &APIError{Status: 422, Code: code, FieldName: field}
}

// RegistryFields are the optional fields of a registry made out of band;
// an empty string leaves the field null.
type RegistryFields struct {
	Name, Description string
}

// CreateRegistry creates a registry out of band, immediately active, and
// returns its id. A duplicate serverAddress gives the API's error; at most
// one RegistryFields names and describes it.
func (s *Server) CreateRegistry(projectID, serverAddress string, fields ...RegistryFields) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	projectID = strings.ToLower(projectID)
	if p, ok := s.accounts[projectID]; !ok || p.state != "active" {
		return "", errForbidden
	}
	if serverAddress == "" {
		return "", validationError("MissingRequired", "serverAddress")
	}
	var f RegistryFields
	if len(fields) > 0 {
		f = fields[0]
	}
	vals := map[string]*string{"name": orNull(f.Name), "description": orNull(f.Description)}
	if err := checkMax(vals, registryMax); err != nil {
		return "", err
	}
	if s.serverAddressUsed(projectID, serverAddress) {
		return "", errServerAddress
	}
	o := s.newObject(typeRegistry, projectID)
	o.serverAddress = serverAddress
	o.name, o.description = vals["name"], vals["description"]
	o.state = "active"
	return o.id, nil
}

// CredentialFields are the fields of a credential made out of band; an
// empty string leaves a nullable field null. Email is required.
type CredentialFields struct {
	Email, Name, Description, PublicValue, SecretValue string
}

// CreateCredential creates a credential out of band on a registry of the
// project, immediately active, as someone in the Rancher UI would, and
// returns its id. A registry not in the project, an empty Email or a field
// over its length gives the API's error (README §6).
func (s *Server) CreateCredential(projectID, registryID string, f CredentialFields) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	projectID = strings.ToLower(projectID)
	if p, ok := s.accounts[projectID]; !ok || p.state != "active" {
		return "", errForbidden
	}
	reg := s.resolveRegistry(projectID, registryID)
	if reg == nil {
		return "", validationError("InvalidReference", "registryId")
	}
	if f.Email == "" {
		return "", validationError("MissingRequired", "email")
	}
	vals := map[string]*string{"name": orNull(f.Name), "description": orNull(f.Description),
		"publicValue": orNull(f.PublicValue), "secretValue": orNull(f.SecretValue)}
	if err := checkMax(vals, credentialMax); err != nil {
		return "", err
	}
	o := s.newObject(typeCredential, projectID)
	o.registryID = reg.id
	o.email = f.Email
	o.name, o.description = vals["name"], vals["description"]
	o.publicValue, o.secretValue = vals["publicValue"], vals["secretValue"]
	o.state = "active"
	return o.id, nil
}

// orNull is v, or nil (JSON null) for "".
func orNull(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// Credential returns a snapshot of a credential, whatever its state.
func (s *Server) Credential(id string) (Credential, bool) {
	return snapshot(s, typeCredential, id, (*object).credential)
}

// Credentials returns every credential of a project, removed ones included,
// in id order.
func (s *Server) Credentials(projectID string) []Credential {
	return snapshots(s, typeCredential, projectID, (*object).credential)
}

// Registry returns a snapshot of a registry, whatever its state.
func (s *Server) Registry(id string) (Registry, bool) {
	return snapshot(s, typeRegistry, id, (*object).registry)
}

// Registries returns every registry of a project, removed ones included, in
// id order.
func (s *Server) Registries(projectID string) []Registry {
	return snapshots(s, typeRegistry, projectID, (*object).registry)
}

// snapshot is the object of type typ with the id, as as makes it.
func snapshot[T any](s *Server, typ, id string, as func(*object) T) (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[strings.ToLower(id)]
	if !ok || o.typ != typ {
		var none T
		return none, false
	}
	return as(o), true
}

// snapshots are the objects of type typ in the project, in id order, as as
// makes them.
func snapshots[T any](s *Server, typ, projectID string, as func(*object) T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []T
	for _, o := range s.ofType(typ) {
		if o.projectID == strings.ToLower(projectID) {
			out = append(out, as(o))
		}
	}
	return out
}

// Act runs an action (create, update, activate, deactivate, remove, purge)
// on a credential or registry out of band, exactly as the API would. The
// returned error is an *APIError (404, 422 InvalidAction or
// ActionNotAvailable). With a TransitionDelay of 0 the transition has
// completed when Act returns.
func (s *Server) Act(id, action string) error {
	tx := &txn{}
	s.mu.Lock()
	o, ok := s.objects[strings.ToLower(id)]
	var err *APIError
	if !ok {
		err = errNotFound
	} else {
		err = s.doAction(tx, o, action)
	}
	s.mu.Unlock()
	s.finish(tx)
	if err != nil {
		return err
	}
	return nil
}

// Delete removes an object (credential, registry or project) out of band,
// for good: the API then answers 404 for it.
func (s *Server) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	id = strings.ToLower(id)
	if o, ok := s.objects[id]; ok {
		o.deleted = true
		o.gen++
		delete(s.objects, id)
		if o.typ == typeCredential {
			s.creds = removeObj(s.creds, o)
		} else {
			s.regs = removeObj(s.regs, o)
		}
		return nil
	}
	if _, ok := s.accounts[id]; ok && id != AdminAccountID {
		delete(s.accounts, id)
		return nil
	}
	return errNotFound
}

func removeObj(list []*object, o *object) []*object {
	i := sort.Search(len(list), func(i int) bool { return list[i].num >= o.num })
	if i < len(list) && list[i] == o {
		return append(list[:i:i], list[i+1:]...)
	}
	return list
}

// FailNextTransition makes the next transition of object id stop in its
// transitioning state with transitioning "error" and transitioningMessage
// message. id "" means the next object created (its create transition);
// called n times with "", the next n objects created fail.
func (s *Server) FailNextTransition(id, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "" {
		s.failNextCreates = append(s.failNextCreates, message)
		return
	}
	s.failNext[strings.ToLower(id)] = message
}

// HangNextTransition makes the next transition of object id never complete
// (it stays transitioning "yes"). id "" means the next object created.
func (s *Server) HangNextTransition(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "" {
		s.hangNextCreate = true
		return
	}
	s.hangNext[strings.ToLower(id)] = true
}

// SetTransitionDelay changes the transition delay for transitions started
// from now on.
func (s *Server) SetTransitionDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}
