// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const authRealm = `Basic realm="Enter API access key and secret key as username and password"`

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

func (s *Server) projectVisible(a auth, p *account) bool {
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

type keyKind string

const (
	kindProject keyKind = "project"
	kindUser    keyKind = "user"
	kindAdmin   keyKind = "admin"
)

// apiKey is an API key, stored under its access key (README §10).
type apiKey struct {
	secret      string
	kind        keyKind
	accountID   string // the key's own account: the project for environment keys
	accountName string
	memberships map[string]string // project id → role
}

// account is a Cattle account "1a<N>": a project (an environment), a user
// account or the admin account.
type account struct {
	base
	user bool // a user or admin account, not a project
	name string
}

// isProject tells projects from user accounts and the admin account.
func (s *Server) isProject(p *account) bool {
	return !p.user
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

func (s *Server) addAccount(id, name, state string) *account {
	id = strings.ToLower(id)
	if p, ok := s.accounts[id]; ok {
		return p
	}
	n := accountNum(id)
	if n > s.nextAccount {
		s.nextAccount = n
	}
	p := &account{base: base{num: n, id: id, state: state, uuid: newUUID(), created: s.nowSec()}, name: name}
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
	s.keys[access] = &apiKey{secret: secret, kind: kindProject,
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
	s.keys[access] = &apiKey{secret: secret, kind: kind, accountID: id,
		accountName: access, memberships: m}
}
