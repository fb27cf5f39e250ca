// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"io"
	"net/http"
	"net/url"
	"strings"
)

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

// ServeHTTP serves the v1 API and the /_sim endpoints (README §2, §14). An
// API request is admitted (recorded, counted, delayed, drawn a fault; see
// faults.go), then handled (handlers.go).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_sim" || strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveSim(w, r)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	rt := parseRoute(r.URL.Path)
	fault, latency := s.admit(r, body, rt.pattern(r.Method, r.URL.RawQuery))
	if !wait(r, latency) {
		return
	}
	s.serve(w, r, rt, body, fault)
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
