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
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
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

// Request is one API request as received.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Body     []byte
	Header   http.Header
}

// Stats counts API requests (never /_sim ones) per route pattern.
//
// A route pattern is "<METHOD> <path>" where <path> is one of
//
//	/v1                               the API root
//	[/v1/projects/{pid}]/<type>       a collection; <type> is registrycredentials,
//	                                  registries, schemas or projects
//	[/v1/projects/{pid}]/<type>/{id}  a resource (/v1/projects/{pid} for a project)
//	…/<type>/{id}/<link>              a link: account, registry, images, instances,
//	                                  credentials, or {link} for any other name
//	…?action=<name>                   POST with ?action=: create, update, activate,
//	                                  deactivate, remove, purge, or {action} for any
//	                                  other name
//
// "[/v1/projects/{pid}]" stands for "/v1/projects/{pid}" when the URL names
// the project and "/v1" when it does not. Anything else (an unknown type, a
// path outside /v1) counts as "<METHOD> other". Examples:
// "GET /v1/projects/{pid}/registrycredentials/{id}",
// "POST /v1/projects/{pid}/registrycredentials/{id}?action=deactivate",
// "GET /v1/registries".
type Stats struct {
	Total  int            `json:"total"`
	Routes map[string]int `json:"routes"`
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

type project struct {
	base
	user bool // a user or admin account, not a project
	name string
}

type keyKind string

const (
	kindProject keyKind = "project"
	kindUser    keyKind = "user"
	kindAdmin   keyKind = "admin"
)

type apiKey struct {
	access, secret string
	kind           keyKind
	accountID      string // the key's own account: the project for environment keys
	accountName    string
	memberships    map[string]string
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

// accountNum returns N of "1a<N>", or -1.
func accountNum(id string) int64 {
	if !strings.HasPrefix(id, "1a") {
		return -1
	}
	n, err := strconv.ParseInt(id[2:], 10, 64)
	if err != nil || n <= 0 {
		return -1
	}
	return n
}

func (s *Server) addAccount(id, name, state string) *project {
	id = strings.ToLower(id)
	if p, ok := s.accounts[id]; ok {
		return p
	}
	n := accountNum(id)
	if n > s.nextAccount {
		s.nextAccount = n
	}
	p := &project{base: base{num: n, id: id, state: state, uuid: newUUID(), created: s.nowSec()}, name: name}
	s.accounts[id] = p
	return p
}

func (s *Server) newAccountID() string {
	for {
		s.nextAccount++
		id := "1a" + strconv.FormatInt(s.nextAccount, 10)
		if _, ok := s.accounts[id]; !ok {
			return id
		}
	}
}

// AddProject adds an active project (an "environment"), or renames and
// reactivates an existing one. Ids should look like "1a<N>".
func (s *Server) AddProject(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addProjectLocked(id, name)
}

func (s *Server) addProjectLocked(id, name string) {
	p := s.addAccount(id, name, "active")
	p.name = name
	p.state = "active"
	p.removed = nil
}

// RemoveProject marks a project removed: every later request for it (by path,
// header, query or through one of its environment keys) gets 403.
func (s *Server) RemoveProject(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.accounts[strings.ToLower(id)]; ok {
		t := s.nowSec()
		p.state = "removed"
		p.removed = &t
	}
}

// AddEnvironmentKey adds an environment (project) API key bound to
// projectID; the project is created (named after its id) if new.
func (s *Server) AddEnvironmentKey(projectID, access, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	projectID = strings.ToLower(projectID)
	if _, ok := s.accounts[projectID]; !ok {
		s.addProjectLocked(projectID, projectID)
	}
	s.keys[access] = &apiKey{access: access, secret: secret, kind: kindProject,
		accountID: projectID, accountName: s.accounts[projectID].name}
}

// AddAccountKey adds an account (user) API key with its own new user account
// "1a<N>". memberships maps project id → role: "owner", "member",
// "restricted", "readonly" or "projectadmin"; a member project that does not
// exist yet is created (active, named after its id) before the user account
// takes its id. admin makes it an admin key (access to every project).
func (s *Server) AddAccountKey(access, secret string, admin bool, memberships map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]string{}
	for k, v := range memberships {
		k = strings.ToLower(k)
		m[k] = v
		if _, ok := s.accounts[k]; !ok {
			s.addProjectLocked(k, k)
		}
	}
	id := s.newAccountID()
	s.addAccount(id, access, "active").user = true
	kind := kindUser
	if admin {
		kind = kindAdmin
	}
	s.keys[access] = &apiKey{access: access, secret: secret, kind: kind, accountID: id,
		accountName: access, memberships: m}
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

// SetFaultRate changes the fault rate at run time; the seeded random
// sequence carries on.
func (s *Server) SetFaultRate(rate float64) {
	s.meta.Lock()
	defer s.meta.Unlock()
	s.faultRate = rate
}

// SetLatency changes the latency added before every reply.
func (s *Server) SetLatency(d time.Duration) {
	s.meta.Lock()
	defer s.meta.Unlock()
	s.latency = d
}

// Received returns a copy of every API request received (including those
// answered by an injected fault), in arrival order; only the latest
// MaxReceived ones when that option is set.
func (s *Server) Received() []Request {
	s.meta.Lock()
	defer s.meta.Unlock()
	recv := s.received
	if s.maxRecv > 0 && len(recv) > s.maxRecv {
		recv = recv[len(recv)-s.maxRecv:]
	}
	out := make([]Request, len(recv))
	for i, r := range recv {
		out[i] = Request{Method: r.Method, Path: r.Path, RawQuery: r.RawQuery,
			Body: append([]byte(nil), r.Body...), Header: r.Header.Clone()}
	}
	return out
}

// ResetReceived forgets the requests received so far.
func (s *Server) ResetReceived() {
	s.meta.Lock()
	defer s.meta.Unlock()
	s.received = nil
}

// Stats returns the request counts, the same numbers as GET /_sim/stats.
func (s *Server) Stats() Stats {
	s.meta.Lock()
	defer s.meta.Unlock()
	out := Stats{Total: s.stats.Total, Routes: make(map[string]int, len(s.stats.Routes))}
	for k, v := range s.stats.Routes {
		out.Routes[k] = v
	}
	return out
}

// ResetStats sets every count back to zero.
func (s *Server) ResetStats() {
	s.meta.Lock()
	defer s.meta.Unlock()
	s.stats = Stats{Routes: map[string]int{}}
}
