// SPDX-License-Identifier: MPL-2.0

package ranchersim

import "time"

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
		if len(s.failNextCreates) > 0 {
			o.failMsg, s.failNextCreates = &s.failNextCreates[0], s.failNextCreates[1:]
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
