// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Cattle states of credentials and registries (both use the default process
// set: create, activate, deactivate, remove, purge, update).
const (
	StateRequested        = "requested"
	StateRegistering      = "registering"
	StateActivating       = "activating"
	StateActive           = "active"
	StateDeactivating     = "deactivating"
	StateInactive         = "inactive"
	StateUpdatingActive   = "updating-active"
	StateUpdatingInactive = "updating-inactive"
	StateRemoving         = "removing"
	StateRemoved          = "removed"
	StatePurging          = "purging"
	StatePurged           = "purged"
)

// pendingStates are the states a waiter polls through.
var pendingStates = map[string]bool{
	StateRequested:        true,
	StateRegistering:      true,
	StateActivating:       true,
	StateDeactivating:     true,
	StateUpdatingActive:   true,
	StateUpdatingInactive: true,
	StateRemoving:         true,
	StatePurging:          true,
}

// isPendingState reports whether state is a transitional state that settles
// by itself.
func isPendingState(state string) bool { return pendingStates[state] }

// IsActiveState says which side of active/inactive a Cattle state is on,
// transitional states counting for the state they move to.
func IsActiveState(state string) bool {
	switch state {
	case StateInactive, StateDeactivating, StateUpdatingInactive, StateRemoving, StateRemoved, StatePurging, StatePurged:
		return false
	}
	return true
}

// Status holds the fields Cattle puts on every object.
type Status struct {
	State                string
	Transitioning        string // "yes", "no" or "error"
	TransitioningMessage string
	Actions              map[string]string // action name → URL, for the current state
	Created              time.Time
	Removed              *time.Time
}

// Gone reports whether the object is deleted or being deleted: Cattle keeps
// such objects readable by id, but for Terraform they no longer exist.
func (s Status) Gone() bool {
	switch s.State {
	case StateRemoving, StateRemoved, StatePurging, StatePurged:
		return true
	}
	return false
}

// hasAction reports whether the server offers the action in the current state.
func (s Status) hasAction(name string) bool {
	_, ok := s.Actions[name]
	return ok
}

// failed reports a transition that failed on the server.
func (w *wireObject) failed() bool { return w.Transitioning == "error" }

// transitionError reports the failed transition of object id, in the server's
// words.
func (w *wireObject) transitionError(k kind, id string) *TransitionError {
	return &TransitionError{Kind: k.name, ID: id, State: w.State, Message: w.TransitioningMessage}
}

var stableStates = []string{StateActive, StateInactive, StateRemoved, StatePurged}

func (c *Client) objectURL(k kind, projectID, id string) (string, error) {
	coll, err := c.collectionURL(k, projectID)
	if err != nil {
		return "", err
	}
	if !validID(id) {
		return "", fmt.Errorf("invalid %s id %q", k.name, id)
	}
	return coll + "/" + id, nil
}

// validID reports whether s can be used as one path segment of an object URL.
// Cattle ids are short alphanumeric strings such as "1a5", "1c7" or "1sp3".
func validID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !idRune(r) {
			return false
		}
	}
	return true
}

// idRune reports whether r may appear in an object id.
func idRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// send sends one request to the object's URL (with suffix) and observes the
// object the answer holds.
func (c *Client) send(ctx context.Context, method string, k kind, projectID, id, suffix string, body any) (*wireObject, error) {
	u, err := c.objectURL(k, projectID, id)
	if err != nil {
		return nil, err
	}
	var obj wireObject
	if _, err := c.do(ctx, method, u+suffix, body, idempotent, &obj); err != nil {
		return nil, err
	}
	c.observe(k, projectID, &obj)
	return &obj, nil
}

func (c *Client) get(ctx context.Context, k kind, projectID, id string) (*wireObject, error) {
	return c.send(ctx, http.MethodGet, k, projectID, id, "", nil)
}

func (c *Client) update(ctx context.Context, k kind, projectID, id string, fields map[string]any) (*wireObject, error) {
	if len(fields) == 0 {
		return c.get(ctx, k, projectID, id)
	}
	return c.send(ctx, http.MethodPut, k, projectID, id, "", fields)
}

// action runs POST <self>/?action=<name>. The object it returns is only
// observed; callers wait for the transition to finish.
func (c *Client) action(ctx context.Context, k kind, projectID, id, name string) error {
	_, err := c.send(ctx, http.MethodPost, k, projectID, id, "/?action="+url.QueryEscape(name), nil)
	return err
}

// pendingSince records the start of a transition seen in an answer.
type pendingSince struct {
	at    time.Time
	state string
}

// observe remembers whether obj is mid-transition, for the next wait. The
// first sighting of a transition is kept: it is when the transition began.
func (c *Client) observe(k kind, projectID string, obj *wireObject) {
	key := objectKey(k, projectID, obj.ID)
	if !isPendingState(obj.State) {
		c.pending.Delete(key)
		return
	}
	if v, ok := c.pending.Load(key); ok {
		if prev, ok := v.(pendingSince); ok && (prev.state == obj.State || slices.Contains(transitionChains[prev.state], obj.State)) {
			return
		}
	}
	c.pending.Store(key, pendingSince{at: time.Now(), state: obj.State})
}

// transitionChains lists the states a transition passes through after its
// first one, so that a later sighting does not restart its clock.
var transitionChains = map[string][]string{
	StateRequested:   {StateRequested, StateRegistering, StateActivating},
	StateRegistering: {StateRegistering, StateActivating},
}

// Waiter timings: the first read comes soon (Cattle finishes a credential's
// transition in milliseconds to a second), later reads back off to a cap.
const (
	pollFirst  = 50 * time.Millisecond
	pollFactor = 2
	pollMax    = 2 * time.Second
)

// wait polls until the object reaches one of targets. An empty targets list
// means "any settled state". A read that fails in a way that may pass is
// tolerated until ctx ends. It fails fast with *TransitionError when the
// server reports a failed transition and with *WaitError when the object
// settles elsewhere or ctx ends.
func (c *Client) wait(ctx context.Context, k kind, projectID, id string, targets []string) (*wireObject, error) {
	if len(targets) == 0 {
		targets = stableStates
	}
	if _, err := c.objectURL(k, projectID, id); err != nil {
		return nil, err
	}
	// Right after a transition began (a create or an action), a read would
	// only see it still running: sleep until it has probably finished, as
	// learnt from earlier transitions of the same kind, else pollFirst.
	// Without such knowledge, read at once.
	var (
		delay    time.Duration
		interval = pollFirst
		start    pendingSince
		known    bool // this wait began while the transition was fresh: it measures it
		obs      settleObservation
		reads    int
	)
	if v, ok := c.pending.Load(objectKey(k, projectID, id)); ok {
		start, _ = v.(pendingSince) // c.pending holds only pendingSince values
		var first time.Duration
		first, interval = c.pollSchedule(k, start.state)
		delay = first - time.Since(start.at)
		known = delay > 0
		delay = max(delay, 0)
	}
	last := ""
	var lastErr error // of the last read, when it failed
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		if delay > 0 {
			timer.Reset(delay)
			select {
			case <-ctx.Done():
				return nil, &WaitError{Kind: k.name, ID: id, Targets: targets, LastState: last, Err: ctx.Err(), LastErr: lastErr}
			case <-timer.C:
			}
		}
		sent := time.Since(start.at)
		reads++
		obj, err := c.get(ctx, k, projectID, id)
		if err != nil {
			if ctx.Err() != nil {
				return nil, &WaitError{Kind: k.name, ID: id, Targets: targets, LastState: last, Err: ctx.Err(), LastErr: lastErr}
			}
			if !retryable(err) {
				return nil, err
			}
			// One read failing after its retries says nothing of the
			// object: the wait goes on until its timeout.
			tflog.Warn(ctx, "A read of the "+k.name+" failed; waiting on", map[string]any{"id": id, "error": err.Error()})
			lastErr = err
			delay = interval
			interval = min(interval*pollFactor, pollMax)
			continue
		}
		last, lastErr = obj.State, nil
		if obj.failed() {
			return obj, obj.transitionError(k, id)
		}
		if slices.Contains(targets, obj.State) {
			if known && obj.State != start.state {
				obs.firstHit, obs.done = reads == 1, sent
				c.learn(k, start.state, obs)
			}
			return obj, nil
		}
		if !isPendingState(obj.State) {
			return obj, &WaitError{Kind: k.name, ID: id, Targets: targets, LastState: obj.State}
		}
		obs.pending = sent
		delay = interval
		interval = min(interval*pollFactor, pollMax)
	}
}

// Cattle finishes a transition of a given kind in a fairly steady time on a
// given server (milliseconds to about a second). The client learns it, so a
// wait's first read usually finds the object settled just after it did:
// fewer requests and less latency than any fixed schedule.
//
// What is learnt is the delay from the sighting of a transition (the answer
// that showed it begin) to the sending of the first read that finds it done.
// Waits run side by side (Terraform applies ten resources at a time) and
// finish in batches, so a first read that found the transition done lowers
// the estimate only a little, and reads too early raise it to about what
// they saw, no higher however many of them say so.
const (
	settleMinFirst = 10 * time.Millisecond
	// A first read that found the transition done lowers the estimate by a
	// fraction: it probes for a shorter time. The fraction starts small,
	// grows while first reads keep finding it done (so a coarse first
	// estimate comes down quickly) and starts again after one that did not.
	settleProbeMin    = 0.001
	settleProbeMax    = 0.02
	settleProbeGrowth = 1.1
	// A read too early raises the estimate by at most this fraction, so one
	// slow answer (a retried read, a pause) does not undo what was learnt.
	settleMaxRise = 0.125
	// After a first read too early, read again after estimate/settleRepoll
	// (at least settleRepollMin), then back off: the transition is
	// probably just about done.
	settleRepoll    = 16
	settleRepollMin = 5 * time.Millisecond
)

// settleTimes holds the estimates, per kind and starting state.
type settleTimes struct {
	mu  sync.Mutex
	est map[string]settleEstimate
}

type settleEstimate struct {
	delay time.Duration
	probe float64 // the fraction the next first-read hit takes off
}

func settleKey(k kind, startState string) string { return k.collection + "/" + startState }

// estimate is the learnt delay for a transition of kind k that began in
// startState, or 0 when none is known yet.
func (c *Client) estimate(k kind, startState string) time.Duration {
	c.settle.mu.Lock()
	defer c.settle.mu.Unlock()
	return c.settle.est[settleKey(k, startState)].delay
}

// pollSchedule gives, for a wait on a transition that began in startState,
// when to send the first read (counted from the sighting of the
// transition) and the interval before the next read after a read that
// found it still running; later intervals double up to pollMax.
func (c *Client) pollSchedule(k kind, startState string) (first, repoll time.Duration) {
	est := c.estimate(k, startState)
	if est == 0 {
		return pollFirst, pollFirst
	}
	return min(max(est, settleMinFirst), pollMax), min(max(est/settleRepoll, settleRepollMin), pollMax)
}

// settleObservation is what one wait saw, as delays from the sighting of
// the transition to the sending of a read.
type settleObservation struct {
	firstHit bool          // the first read found it done
	pending  time.Duration // the last read that found it running (when !firstHit)
	done     time.Duration // the read that found it done
}

// learn records one finished wait. The first one sets the estimate to when
// the transition was seen done. After that, a first read that found it done
// nudges the estimate down; otherwise the transition ended between the last
// read that saw it running and the one that saw it done, and the estimate
// rises towards the middle of that span if it is below it.
func (c *Client) learn(k kind, startState string, o settleObservation) {
	if o.done <= 0 {
		return
	}
	key := settleKey(k, startState)
	c.settle.mu.Lock()
	defer c.settle.mu.Unlock()
	if c.settle.est == nil {
		c.settle.est = map[string]settleEstimate{}
	}
	e, known := c.settle.est[key]
	switch {
	case !known:
		e = settleEstimate{delay: o.done, probe: settleProbeMin}
	case o.firstHit:
		e.delay = time.Duration(float64(e.delay) * (1 - e.probe))
		e.probe = min(e.probe*settleProbeGrowth, settleProbeMax)
	default:
		mid := (o.pending + o.done) / 2
		e.delay = max(e.delay, min(mid, time.Duration(float64(e.delay)*(1+settleMaxRise))))
		e.probe = settleProbeMin
	}
	e.delay = min(max(e.delay, settleMinFirst), pollMax)
	c.settle.est[key] = e
}

// ActiveGoal is what an update must leave an object's active state at: Want
// is the planned value; Was and WasState are what Rancher reported when the
// object was last read.
type ActiveGoal struct {
	Want     bool
	Was      bool
	WasState string
}

// needsAction says whether the object must be activated or deactivated (or a
// transition seen at the last read waited out) after its fields are updated.
// Was is what Rancher reported, so an object deactivated outside Terraform is
// activated again.
func (g ActiveGoal) needsAction() bool {
	return g.Want != g.Was || isPendingState(g.WasState)
}

// settleCreated waits for a new object to become active, as Cattle activates
// every new object, then deactivates it unless active.
func (c *Client) settleCreated(ctx context.Context, k kind, projectID, id string, active bool) (*wireObject, error) {
	obj, err := c.wait(ctx, k, projectID, id, []string{StateActive})
	if err == nil && !active {
		obj, err = c.setActive(ctx, k, projectID, id, false)
	}
	return obj, err
}

// settleUpdated brings the object to goal.Want after an update, or reads it
// when nothing is left to do. The typed SettleUpdated… functions do not call
// it, and so skip that read, when they hold the update's answer and nothing
// is left to do.
func (c *Client) settleUpdated(ctx context.Context, k kind, projectID, id string, goal ActiveGoal) (*wireObject, error) {
	if goal.needsAction() {
		return c.setActive(ctx, k, projectID, id, goal.Want)
	}
	return c.get(ctx, k, projectID, id)
}

// maxLifecycleSteps bounds the read-act loops of SetActive and Remove, which
// normally finish in one or two steps.
const maxLifecycleSteps = 8

// headingTo lists, per target, the transitional states that end in it
// without help.
var headingTo = map[string][]string{
	StateActive:   {StateRequested, StateRegistering, StateActivating, StateUpdatingActive},
	StateInactive: {StateDeactivating, StateUpdatingInactive},
}

// setActive brings the object to active or inactive: it lets a transition
// in flight finish, runs activate/deactivate only when needed, and waits.
func (c *Client) setActive(ctx context.Context, k kind, projectID, id string, active bool) (*wireObject, error) {
	target, action := StateInactive, "deactivate"
	if active {
		target, action = StateActive, "activate"
	}
	obj, err := c.get(ctx, k, projectID, id)
	for step := 0; step < maxLifecycleSteps; step++ {
		if err != nil {
			return nil, err
		}
		switch {
		case obj.failed():
			return obj, obj.transitionError(k, id)
		case obj.State == target:
			return obj, nil
		case obj.status().Gone():
			return obj, fmt.Errorf("cannot %s %s %s: it is %s", action, k.name, id, obj.State)
		case slices.Contains(headingTo[target], obj.State):
			return c.wait(ctx, k, projectID, id, []string{target})
		case isPendingState(obj.State) && !obj.status().hasAction(action):
			obj, err = c.wait(ctx, k, projectID, id, nil)
			continue
		}
		err = c.action(ctx, k, projectID, id, action)
		if isActionNotAvailable(err) {
			// The state moved under us (or a retried action already ran):
			// read it again and decide afresh.
			obj, err = c.get(ctx, k, projectID, id)
			continue
		}
		if err != nil {
			return nil, err
		}
		return c.wait(ctx, k, projectID, id, []string{target})
	}
	return obj, fmt.Errorf("could not %s %s %s: its state keeps changing (last %q)", action, k.name, id, obj.State)
}
