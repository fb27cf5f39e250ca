// SPDX-License-Identifier: MPL-2.0

// Package ranchersim is an in-memory simulator of the Rancher 1.x (Cattle) v1
// HTTP API, limited to what the Terraform provider uses: projects (read),
// registries, registry credentials and the schema documents.
//
// It reproduces what the provider relies on in a real Cattle server: the
// exact JSON shapes of resources, collections and
// errors; collection filters, sorting and pagination; the credential state
// machine with asynchronous transitions; HTTP Basic authentication with
// environment keys and account keys; and the readOnCreateOnly rule for
// secretValue.
//
// A Server is an http.Handler and is safe for concurrent use. Besides the API
// (everything under /v1) it serves one extra route, GET /_sim/stats, which
// returns request counts per route pattern (see Stats and RoutePatterns).
//
// Defaults (Options zero values):
//
//	ProjectID   "1a5"           an active project named "Default"
//	AccessKey   "simaccesskey"  an environment key bound to ProjectID
//	SecretKey   "simsecretkey"
//
// Ids: projects and accounts "1a<N>" (1a1 is the admin account), registries
// "1sp<N>", credentials "1c<N>", each from its own monotonic counter
// starting at 1.
//
// Roles: an environment key acts with the "project" role in its project. An
// account key needs a project (path, X-API-Project-Id header or ?projectId=)
// it is a member of (else 403), and acts with its membership role: owner,
// member and restricted behave like an environment key; projectadmin also
// sees secretValue on every read; readonly may only read (POST, PUT, DELETE
// give 405, actions give 422 InvalidAction because its schema has none).
// Without a project an account key is its own user account (role "user":
// empty lists, 404 by id, 405 on create); an admin key (role "admin") reads
// any object by id and lists across projects, and may not write. An admin
// key with a project acts as an owner of it. GET /v1/projects lists the
// projects a key reaches: its own, its memberships, or all for an admin.
//
// Access control off (Options.AccessControlOff): the key lookup runs first,
// so a valid key acts as above; only requests without a key, with an
// unknown access key, a wrong secret or a key of an inactive user account
// become the admin account 1a1, and those get 401 instead when they send
// "X-ENFORCE-AUTHENTICATION: true".
//
// Faults: each API request draws its fault decision from a random sequence
// seeded by Options.Seed (two draws per request whatever the rate, so the
// n-th request always gets the same decision). 503 and 429 (with
// Retry-After: 1) are answered without acting on the request; 502 and a
// dropped connection are answered after the request was processed. Latency
// is waited before the request is processed. /_sim/stats is never faulted,
// delayed or counted.
//
// Simplifications and choices, where Cattle leaves room (README §16):
//   - no 409 Conflict and no auto-purge of removed objects: a removed
//     object stays removed until purged by an action;
//   - environment keys of a project removed by RemoveProject get 403;
//   - query-string parameters are not merged into create bodies;
//   - string filters (eq, ne, prefix, like) are case-sensitive; dates are
//     stored to the second, as in the database; an unparsable date in a
//     filter matches nothing;
//   - body values that are objects or arrays give 422 InvalidFormat; numbers
//     and booleans are taken as strings;
//   - PUT checks its fields before looking the object up (422 before 404);
//   - the project resource has a reduced field set and no actions; the
//     images and instances links of a credential are empty collections;
//   - GET /v1/projects/{pid} of a project the key cannot see is 404.
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

	accounts map[string]*project // projects and user accounts, by id
	keys     map[string]*apiKey
	objects  map[string]*object
	creds    []*object // id order
	regs     []*object // id order

	nextAccount, nextCred, nextReg int64

	failNext       map[string]string
	failNextCreate *string
	hangNext       map[string]bool
	hangNextCreate bool

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
		accounts:  map[string]*project{},
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
// CreateRegistry); it carries what the API would have answered.
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

// CreateRegistry creates a registry out of band, immediately active, and
// returns its id. A duplicate serverAddress gives the API's error.
func (s *Server) CreateRegistry(projectID, serverAddress string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	projectID = strings.ToLower(projectID)
	if p, ok := s.accounts[projectID]; !ok || p.state != "active" {
		return "", errForbidden
	}
	if serverAddress == "" {
		return "", validationError("MissingRequired", "serverAddress")
	}
	if s.serverAddressUsed(projectID, serverAddress) {
		return "", errServerAddress
	}
	o := s.newObject(typeRegistry, projectID)
	o.serverAddress = serverAddress
	o.state = "active"
	return o.id, nil
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
// message. id "" means the next object created (its create transition).
func (s *Server) FailNextTransition(id, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "" {
		s.failNextCreate = &message
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
