// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
)

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
	var all []*account
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
		data[i] = v.renderProject(x.(*account)) //nolint:forcetypeassert // rows holds only *account
	}
	return collection(typeProject, projectFilters, path, p, data, more)
}

func sortProjects(ps []*account) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].num < ps[j-1].num; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}
