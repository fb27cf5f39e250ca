package ranchersim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

const authRealm = `Basic realm="Enter API access key and secret key as username and password"`

var typeNames = map[string]string{
	"registrycredential": typeCredential, "registrycredentials": typeCredential,
	"registry": typeRegistry, "registries": typeRegistry,
	"schema": typeSchema, "schemas": typeSchema,
	"project": typeProject, "projects": typeProject,
}

var pluralOf = map[string]string{
	typeCredential: "registrycredentials", typeRegistry: "registries",
	typeSchema: "schemas", typeProject: "projects",
}

// knownLinks are the link names used verbatim in route patterns.
var knownLinks = map[string]bool{"account": true, "registry": true, "images": true,
	"instances": true, "credentials": true}

// route is a parsed API path.
type route struct {
	ok      bool   // under /v1
	unknown bool   // an unknown type or too many segments
	root    bool   // /v1 itself
	scoped  bool   // /v1/projects/<pid>/<something>
	pid     string // project id from the path when scoped
	typ     string // canonical type name
	id      string
	link    string
}

func parseRoute(path string) route {
	if path != "/v1" && !strings.HasPrefix(path, "/v1/") {
		return route{}
	}
	var segs []string
	for _, s := range strings.Split(path[3:], "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	rt := route{ok: true}
	if len(segs) == 0 {
		rt.root = true
		return rt
	}
	if typeNames[strings.ToLower(segs[0])] == typeProject && len(segs) >= 3 {
		if strings.EqualFold(segs[2], "projectmembers") {
			rt.unknown = true
			return rt
		}
		rt.scoped, rt.pid, segs = true, strings.ToLower(segs[1]), segs[2:]
	}
	t, ok := typeNames[strings.ToLower(segs[0])]
	if !ok || len(segs) > 3 {
		rt.unknown = true
		return rt
	}
	rt.typ = t
	if len(segs) > 1 {
		rt.id = strings.ToLower(segs[1])
	}
	if len(segs) > 2 {
		rt.link = strings.ToLower(segs[2])
	}
	return rt
}

func (rt route) pattern(method, rawQuery string) string {
	if !rt.ok || rt.unknown {
		return method + " other"
	}
	if rt.root {
		return method + " /v1"
	}
	p := "/v1"
	if rt.scoped {
		p += "/projects/{pid}"
	}
	p += "/" + pluralOf[rt.typ]
	if rt.id != "" {
		if rt.typ == typeProject && !rt.scoped {
			p += "/{pid}"
		} else {
			p += "/{id}"
		}
	}
	if rt.link != "" {
		if knownLinks[rt.link] {
			p += "/" + rt.link
		} else {
			p += "/{link}"
		}
	}
	if method == http.MethodPost {
		if q, err := url.ParseQuery(rawQuery); err == nil {
			if a, ok := q["action"]; ok {
				if len(a) > 0 && isResourceAction(a[0]) {
					p += "?action=" + a[0]
				} else {
					p += "?action={action}"
				}
			}
		}
	}
	return method + " " + p
}

type faultKind int

const (
	faultNone faultKind = iota
	fault503
	fault429
	fault502
	faultDrop
)

// ServeHTTP serves the v1 API and GET /_sim/stats.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_sim" || strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveSim(w, r)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	rt := parseRoute(r.URL.Path)
	fault, latency := s.admit(r, body, rt.pattern(r.Method, r.URL.RawQuery))
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	switch fault {
	case fault503, fault429:
		status, code := http.StatusServiceUnavailable, "Service Unavailable"
		if fault == fault429 {
			status, code = http.StatusTooManyRequests, "Too Many Requests"
		}
		w.Header().Set("Retry-After", "1")
		writeResponse(w, response{status: status, body: errorBody(&APIError{Status: status, Code: code})})
	case fault502, faultDrop:
		_, tx := s.handle(r, rt, body)
		s.finish(tx)
		if fault == fault502 {
			writeResponse(w, response{status: http.StatusBadGateway,
				body: errorBody(&APIError{Status: http.StatusBadGateway, Code: "Bad Gateway"})})
			return
		}
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	default:
		resp, tx := s.handle(r, rt, body)
		writeResponse(w, resp)
		s.finish(tx)
	}
}

// admit records the request, counts it and draws its fault decision.
func (s *Server) admit(r *http.Request, body []byte, pattern string) (faultKind, time.Duration) {
	s.meta.Lock()
	defer s.meta.Unlock()
	s.received = append(s.received, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Body: body, Header: r.Header.Clone()})
	if s.maxRecv > 0 && len(s.received) >= 2*s.maxRecv {
		s.received = append([]Request(nil), s.received[len(s.received)-s.maxRecv:]...)
	}
	s.stats.Total++
	s.stats.Routes[pattern]++
	// two draws per request whatever the rate, so the n-th request's decision
	// depends only on the seed
	x, k := s.rng.Float64(), s.rng.Intn(4)
	if x < s.faultRate {
		return faultKind(k + 1), s.latency
	}
	return faultNone, s.latency
}

func (s *Server) serveSim(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/_sim/stats" {
		writeResponse(w, response{status: 404, body: errorBody(errNotFound)})
		return
	}
	if r.Method != http.MethodGet {
		writeResponse(w, response{status: 405, body: errorBody(errNotAllowed)})
		return
	}
	writeResponse(w, response{status: 200, body: s.Stats()})
}

type response struct {
	status int
	header http.Header
	body   any
}

func writeResponse(w http.ResponseWriter, resp response) {
	for k, vs := range resp.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	b, err := marshal(resp.body)
	if err != nil {
		b = []byte(`{"type":"error","status":500,"code":"Internal Server Error"}`)
		resp.status = 500
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(b)
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.ToLower(scheme + "://" + r.Host)
}

// auth is the outcome of authentication and project selection.
type auth struct {
	kind      keyKind
	userID    string // the key's own account
	userName  string
	accountID string // the effective account: the project, or the key's account without one
	project   string // the effective project, "" without one
	role      string // project, owner, member, restricted, readonly, projectadmin, user, admin
}

func (s *Server) authenticate(r *http.Request, rt route) (auth, *APIError) {
	// The key lookup comes first, the admin fallback of access control off
	// last (README §10: BasicAuthImpl has a lower priority number than
	// AdminAuthLookUp), so a valid key acts as its own account either way.
	k := s.keyFor(r)
	if k == nil {
		if !s.acOff || strings.EqualFold(r.Header.Get("X-ENFORCE-AUTHENTICATION"), "true") {
			return auth{}, errUnauthorized
		}
		k = &apiKey{kind: kindAdmin, accountID: AdminAccountID, accountName: "admin"}
	}
	a := auth{kind: k.kind, userID: k.accountID, userName: k.accountName}
	pid, given := "", false
	if rt.scoped {
		pid, given = rt.pid, true
	} else if vs, ok := r.Header["X-Api-Project-Id"]; ok && len(vs) > 0 {
		pid, given = vs[0], true
	} else if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
		if vs, ok := q["projectId"]; ok && len(vs) > 0 {
			pid, given = vs[0], true
		}
	}
	pid = strings.ToLower(strings.TrimSpace(pid))
	if !given {
		switch k.kind {
		case kindProject:
			if p := s.accounts[k.accountID]; p == nil || p.state != "active" {
				return auth{}, errForbidden
			}
			a.accountID, a.project, a.role = k.accountID, k.accountID, "project"
		case kindUser:
			a.accountID, a.role = k.accountID, "user"
		default:
			a.accountID, a.role = k.accountID, "admin"
		}
		return a, nil
	}
	if accountNum(pid) < 0 {
		return auth{}, errForbidden
	}
	if k.kind != kindProject && pid == k.accountID {
		a.accountID, a.role = k.accountID, "user"
		if k.kind == kindAdmin {
			a.role = "admin"
		}
		return a, nil
	}
	p := s.accounts[pid]
	if p == nil || p.state != "active" || !s.isProject(p) {
		return auth{}, errForbidden
	}
	switch k.kind {
	case kindProject:
		if pid != k.accountID {
			return auth{}, errForbidden
		}
		a.role = "project"
	case kindAdmin:
		a.role = "owner"
		if r, ok := k.memberships[pid]; ok {
			a.role = r
		}
	default:
		r, ok := k.memberships[pid]
		if !ok {
			return auth{}, errForbidden
		}
		a.role = r
	}
	a.accountID, a.project = pid, pid
	return a, nil
}

// keyFor returns the API key a request's HTTP Basic credentials name, or nil
// when there are none, the access key is unknown, the secret is wrong or the
// key's user account is not active. An environment key whose project was
// removed is still returned (its requests then get 403).
func (s *Server) keyFor(r *http.Request) *apiKey {
	access, secret, ok := r.BasicAuth()
	if !ok {
		return nil
	}
	key := s.keys[access]
	if key == nil || subtle.ConstantTimeCompare([]byte(secret), []byte(key.secret)) != 1 {
		return nil
	}
	if acc := s.accounts[key.accountID]; acc == nil || (key.kind != kindProject && acc.state != "active") {
		return nil
	}
	return key
}

// isProject tells projects from user accounts and the admin account.
func (s *Server) isProject(p *project) bool {
	return !p.user
}

func (s *Server) projectVisible(a auth, p *project) bool {
	if !s.isProject(p) {
		return false
	}
	switch a.kind {
	case kindAdmin:
		return true
	case kindProject:
		return p.id == a.userID
	}
	k := s.keyOf(a.userID)
	if k == nil {
		return false
	}
	_, ok := k.memberships[p.id]
	return ok
}

func (s *Server) keyOf(accountID string) *apiKey {
	for _, k := range s.keys {
		if k.accountID == accountID && k.kind != kindProject {
			return k
		}
	}
	return nil
}

func parseBody(body []byte) (map[string]any, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	if v == nil {
		return map[string]any{}, true
	}
	m, ok := v.(map[string]any)
	return m, ok
}

// handle answers one API request. It returns the response and the
// transition steps to run once the response is written.
func (s *Server) handle(r *http.Request, rt route, body []byte) (response, *txn) {
	tx := &txn{}
	base := baseURL(r)
	resp := response{header: http.Header{}}
	schemasURL := base + "/v1/schemas"
	if rt.scoped {
		schemasURL = base + "/v1/projects/" + rt.pid + "/schemas"
	}
	resp.header.Set("X-API-Schemas", strings.ToLower(schemasURL))
	fail := func(e *APIError) (response, *txn) {
		resp.status, resp.body = e.Status, errorBody(e)
		if e.Status == 401 && !strings.EqualFold(r.Header.Get("X-API-No-Challenge"), "true") {
			resp.header.Set("WWW-Authenticate", authRealm)
		}
		return resp, tx
	}
	if !rt.ok {
		return fail(errNotFound)
	}
	var m map[string]any
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		var ok bool
		if m, ok = parseBody(body); !ok {
			return fail(errInvalidBody)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.authenticate(r, rt)
	if err != nil {
		return fail(err)
	}
	resp.header.Set("X-API-Account-Id", a.accountID)
	resp.header.Set("X-API-User-Id", a.userID)
	resp.header.Set("X-API-Account-Kind", string(a.kind))
	resp.header.Set("X-API-Account-Name", a.userName)
	v := view{base: base, role: a.role, post: r.Method == http.MethodPost,
		actionLinks: r.Header.Get("X-API-Action-Links") != ""}
	if rt.scoped {
		v.sub = "/projects/" + rt.pid
	}
	status, out, err := s.dispatch(tx, r, rt, a, v, m)
	if err != nil {
		return fail(err)
	}
	resp.status, resp.body = status, out
	return resp, tx
}

func (s *Server) dispatch(tx *txn, r *http.Request, rt route, a auth, v view, body map[string]any) (int, any, *APIError) {
	action, hasAction := "", false
	if r.Method == http.MethodPost {
		if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
			if vs, ok := q["action"]; ok {
				hasAction = true
				if len(vs) > 0 {
					action = vs[0]
				}
			}
		}
	}
	path := strings.TrimRight(v.base+r.URL.Path, "/")
	switch {
	case rt.unknown:
		return 0, nil, errNotFound
	case rt.root:
		if hasAction {
			return 0, nil, validationError("InvalidAction", "action")
		}
		if r.Method != http.MethodGet {
			return 0, nil, errNotAllowed
		}
		return 200, v.apiVersion(), nil
	}
	// Schemas and projects are read-only here, and have no links.
	readOnly := rt.typ == typeSchema || rt.typ == typeProject
	if hasAction && (rt.id == "" || readOnly) {
		return 0, nil, validationError("InvalidAction", "action")
	}
	if readOnly && r.Method != http.MethodGet {
		return 0, nil, errNotAllowed
	}
	if readOnly && rt.link != "" {
		return 0, nil, errNotFound
	}
	switch rt.typ {
	case typeSchema:
		if rt.id == "" {
			return 200, v.schemaCollection(), nil
		}
		d := findSchema(rt.id)
		if d == nil {
			return 0, nil, errNotFound
		}
		return 200, v.renderSchema(d), nil
	case typeProject:
		if rt.id == "" {
			return 200, s.listProjects(a, v, path, r.URL.RawQuery), nil
		}
		p := s.accounts[rt.id]
		if p == nil || !s.projectVisible(a, p) {
			return 0, nil, errNotFound
		}
		return 200, v.renderProject(p), nil
	}
	return s.dispatchObjects(tx, r, rt, a, v, body, path, action, hasAction)
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

func (s *Server) dispatchObjects(tx *txn, r *http.Request, rt route, a auth, v view, body map[string]any,
	path, action string, hasAction bool) (int, any, *APIError) {
	if rt.id == "" {
		switch r.Method {
		case http.MethodGet:
			return 200, s.listObjects(a, v, rt.typ, path, r.URL.RawQuery, nil), nil
		case http.MethodPost:
			if !canWrite(a.role) {
				return 0, nil, errNotAllowed
			}
			var o *object
			var err *APIError
			if rt.typ == typeCredential {
				o, err = s.createCredential(tx, a, body)
			} else {
				o, err = s.createRegistry(tx, a, body)
			}
			if err != nil {
				return 0, nil, err
			}
			return 201, v.renderObject(o), nil
		}
		return 0, nil, errNotAllowed
	}
	if rt.link != "" {
		if r.Method != http.MethodGet {
			return 0, nil, errNotAllowed
		}
		o := s.find(a, rt.typ, rt.id)
		if o == nil {
			return 0, nil, errNotFound
		}
		return s.link(a, v, o, rt.link, path, r.URL.RawQuery)
	}
	if hasAction {
		if !canWrite(a.role) || !isResourceAction(action) {
			return 0, nil, validationError("InvalidAction", "action")
		}
		o := s.find(a, rt.typ, rt.id)
		if o == nil {
			return 0, nil, errNotFound
		}
		if err := s.doAction(tx, o, action); err != nil {
			return 0, nil, err
		}
		return 202, v.renderObject(o), nil
	}
	switch r.Method {
	case http.MethodGet:
		o := s.find(a, rt.typ, rt.id)
		if o == nil {
			return 0, nil, errNotFound
		}
		return 200, v.renderObject(o), nil
	case http.MethodPut:
		if !canWrite(a.role) {
			return 0, nil, errNotAllowed
		}
		o, err := s.update(a, rt.typ, rt.id, body)
		if err != nil {
			return 0, nil, err
		}
		return 200, v.renderObject(o), nil
	case http.MethodDelete:
		if !canWrite(a.role) {
			return 0, nil, errNotAllowed
		}
		o := s.find(a, rt.typ, rt.id)
		if o == nil {
			return 0, nil, errNotFound
		}
		if err := s.doDelete(tx, o); err != nil {
			return 0, nil, err
		}
		return 200, v.renderObject(o), nil
	}
	return 0, nil, errNotAllowed
}

func (s *Server) link(a auth, v view, o *object, link, path, rawQuery string) (int, any, *APIError) {
	switch {
	case link == "account":
		p := s.accounts[o.projectID]
		if p == nil {
			return 0, nil, errNotFound
		}
		return 200, v.renderProject(p), nil
	case o.typ == typeCredential && link == "registry":
		reg := s.find(a, typeRegistry, o.registryID)
		if reg == nil {
			return 0, nil, errNotFound
		}
		return 200, v.renderRegistry(reg), nil
	case o.typ == typeCredential && (link == "images" || link == "instances"):
		kind := strings.TrimSuffix(link, "s")
		p := parseList(rawQuery, nil)
		return 200, collection(kind, nil, path, p, nil, false), nil
	case o.typ == typeRegistry && link == "credentials":
		return 200, s.listObjects(a, v, typeCredential, path, rawQuery, o), nil
	}
	return 0, nil, errNotFound
}

func (s *Server) listObjects(a auth, v view, typ, path, rawQuery string, ofRegistry *object) jobj {
	fields := filtersFor(typ)
	p := parseList(rawQuery, fields)
	src := s.ofType(typ)
	rows := make([]row, 0, len(src))
	for _, o := range src {
		if a.role != "admin" && o.projectID != a.accountID {
			continue
		}
		if ofRegistry != nil && o.registryID != ofRegistry.id {
			continue
		}
		rows = append(rows, o)
	}
	page, more := p.apply(rows)
	data := make([]any, len(page))
	for i, x := range page {
		data[i] = v.renderObject(x.(*object)) //nolint:forcetypeassert // rows holds only *object
	}
	return collection(typ, fields, path, p, data, more)
}

func (s *Server) listProjects(a auth, v view, path, rawQuery string) jobj {
	p := parseList(rawQuery, projectFilters)
	var all []*project
	for _, x := range s.accounts {
		if s.projectVisible(a, x) {
			all = append(all, x)
		}
	}
	sortProjects(all)
	rows := make([]row, len(all))
	for i, x := range all {
		rows[i] = x
	}
	page, more := p.apply(rows)
	data := make([]any, len(page))
	for i, x := range page {
		data[i] = v.renderProject(x.(*project)) //nolint:forcetypeassert // rows holds only *project
	}
	return collection(typeProject, projectFilters, path, p, data, more)
}

func sortProjects(ps []*project) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].num < ps[j-1].num; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
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
		switch f {
		case "email":
			o.email = *v
		case "name":
			o.name = v
		case "description":
			o.description = v
		case "publicValue":
			o.publicValue = v
		case "secretValue":
			o.secretValue = v
		}
	}
	return o, nil
}
