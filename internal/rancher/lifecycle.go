// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Waiter timings: the first read comes soon (Cattle finishes a credential's
// transition in milliseconds to a second), later reads back off to a cap.
const (
	pollFirst  = 50 * time.Millisecond
	pollFactor = 2
	pollMax    = 2 * time.Second
)

// listPageSize is the page size asked for when listing (Cattle's default is
// 100, its maximum 3000).
const listPageSize = 1000

// maxLifecycleSteps bounds the read-act loops of SetActive and Remove, which
// normally finish in one or two steps.
const maxLifecycleSteps = 8

// kind describes one type of object; the lifecycle code is shared.
type kind struct {
	name       string // for messages: "registry credential"
	collection string // URL segment, lower-case as the server emits it
}

var (
	credentialKind = kind{name: "registry credential", collection: "registrycredentials"}
	registryKind   = kind{name: "registry", collection: "registries"}
)

var stableStates = []string{StateActive, StateInactive, StateRemoved, StatePurged}

func (c *Client) collectionURL(k kind, projectID string) (string, error) {
	if !validID(projectID) {
		return "", fmt.Errorf("invalid project id %q: a project id looks like 1a5", projectID)
	}
	return c.baseURL + "/projects/" + projectID + "/" + k.collection, nil
}

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

func objectKey(k kind, projectID, id string) string {
	return k.collection + "/" + projectID + "/" + id
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
	if !IsPendingState(obj.State) {
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

type wireCollection struct {
	Data       []wireObject `json:"data"`
	Pagination *struct {
		Next    *string `json:"next"`
		Partial bool    `json:"partial"`
	} `json:"pagination"`
}

// list reads a collection of a project to its end, following pagination.next.
func (c *Client) list(ctx context.Context, k kind, projectID string, query url.Values) ([]wireObject, error) {
	coll, err := c.collectionURL(k, projectID)
	if err != nil {
		return nil, err
	}
	return c.listAt(ctx, coll, k.collection, query)
}

// listAt reads the collection at coll to its end; what names it in errors.
func (c *Client) listAt(ctx context.Context, coll, what string, query url.Values) ([]wireObject, error) {
	var all []wireObject
	for page, err := range c.pages(ctx, coll, what, query, listPageSize) {
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
	}
	return all, nil
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

func (c *Client) delete(ctx context.Context, k kind, projectID, id string) (*wireObject, error) {
	u, err := c.objectURL(k, projectID, id)
	if err != nil {
		return nil, err
	}
	// Cattle answers 200 with the object; a proxy in front of it may answer
	// 204 with no body, which says nothing of the state: nil, and the caller
	// waits.
	resp, err := c.do(ctx, http.MethodDelete, u, nil, idempotent, nil)
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusNoContent || len(strings.TrimSpace(string(resp.body))) == 0 {
		return nil, nil
	}
	var obj wireObject
	if err := json.Unmarshal(resp.body, &obj); err != nil {
		return nil, &BadAnswerError{Method: http.MethodDelete, Path: urlPath(u), Status: resp.status, Err: err}
	}
	c.observe(k, projectID, &obj)
	return &obj, nil
}

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
			return obj, &TransitionError{Kind: k.name, ID: id, State: obj.State, Message: deref(obj.TransitioningMessage)}
		}
		if slices.Contains(targets, obj.State) {
			if known && obj.State != start.state {
				obs.firstHit, obs.done = reads == 1, sent
				c.learn(k, start.state, obs)
			}
			return obj, nil
		}
		if !IsPendingState(obj.State) {
			return obj, &WaitError{Kind: k.name, ID: id, Targets: targets, LastState: obj.State}
		}
		obs.pending = sent
		delay = interval
		interval = min(interval*pollFactor, pollMax)
	}
}

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
			return obj, &TransitionError{Kind: k.name, ID: id, State: obj.State, Message: deref(obj.TransitioningMessage)}
		case obj.State == target:
			return obj, nil
		case obj.status().Gone():
			return obj, fmt.Errorf("cannot %s %s %s: it is %s", action, k.name, id, obj.State)
		case slices.Contains(headingTo[target], obj.State):
			return c.wait(ctx, k, projectID, id, []string{target})
		case IsPendingState(obj.State) && !obj.status().HasAction(action):
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

// removableWhilePending says whether Cattle accepts the next step of a
// removal in this transitional state (DELETE, or deactivate from
// activating), so there is no need to wait for a transition that may be
// stuck: a create that never finishes can still be deleted.
func removableWhilePending(state string) bool {
	switch state {
	case StateRequested, StateRegistering, StateActivating, StateUpdatingActive, StateUpdatingInactive:
		return true
	}
	return false
}

// remove deletes the object from any state: a missing, removed or purged
// object is already gone; transitions are waited out; an active object is
// deactivated first (a 405 from DELETE means it still is); then DELETE and
// wait for removed. An object whose transition failed is not waited for:
// DELETE (or deactivate, then DELETE) is tried on it as it is, since that is
// how a user gets rid of it.
func (c *Client) remove(ctx context.Context, k kind, projectID, id string) error {
	gone := []string{StateRemoved, StatePurged}
	waitGone := func() error {
		_, err := c.wait(ctx, k, projectID, id, gone)
		if IsNotFound(err) {
			return nil
		}
		return err
	}
	deleteFailed := false
	obj, err := c.get(ctx, k, projectID, id)
	for step := 0; step < maxLifecycleSteps; step++ {
		if IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		failed := obj.failed()
		switch {
		case obj.State == StateRemoved || obj.State == StatePurged:
			return nil
		case (obj.State == StateRemoving || obj.State == StatePurging) && !failed:
			return waitGone()
		case failed && deleteFailed:
			return &TransitionError{Kind: k.name, ID: id, State: obj.State, Message: deref(obj.TransitioningMessage)}
		case IsPendingState(obj.State) && !failed && !removableWhilePending(obj.State):
			obj, err = c.wait(ctx, k, projectID, id, nil)
			continue
		case obj.State == StateActive || obj.State == StateActivating:
			if err = c.action(ctx, k, projectID, id, "deactivate"); err != nil && !isActionNotAvailable(err) {
				return err
			}
			if err == nil {
				obj, err = c.wait(ctx, k, projectID, id, []string{StateInactive})
			} else {
				obj, err = c.get(ctx, k, projectID, id)
			}
			continue
		}

		var deleted *wireObject
		deleted, err = c.delete(ctx, k, projectID, id)
		var apiErr *Error
		switch {
		case err == nil:
			if deleted != nil && slices.Contains(gone, deleted.State) {
				return nil
			}
			return waitGone()
		case IsNotFound(err):
			return nil
		case errors.As(err, &apiErr) && apiErr.Status == http.StatusMethodNotAllowed:
			// Still active (someone activated it meanwhile) or stuck: read
			// and decide again.
			deleteFailed = failed
			obj, err = c.get(ctx, k, projectID, id)
		default:
			return err
		}
	}
	return fmt.Errorf("could not remove %s %s: its state keeps changing", k.name, id)
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
	return g.Want != g.Was || IsPendingState(g.WasState)
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
// when nothing is left to do.
func (c *Client) settleUpdated(ctx context.Context, k kind, projectID, id string, goal ActiveGoal) (*wireObject, error) {
	if goal.needsAction() {
		return c.setActive(ctx, k, projectID, id, goal.Want)
	}
	return c.get(ctx, k, projectID, id)
}

// readLive locates the object (see locate). gone is true only when the object
// no longer exists for Terraform: no project the key reaches holds it (404),
// or it is removed or being removed (Cattle keeps such objects readable by id
// for a while). Any other error, 401 and 403 included, is returned with gone
// false: the object may still exist.
func (c *Client) readLive(ctx context.Context, k kind, projectID, id string) (obj *wireObject, gone bool, err error) {
	obj, err = c.locate(ctx, k, projectID, id)
	if IsNotFound(err) || (err == nil && obj.status().Gone()) {
		tflog.Warn(ctx, k.name+" is gone from Rancher", map[string]any{"id": id})
		return nil, true, nil
	}
	return obj, false, err
}

// projectOf returns known when it is set, else the project the key finds the
// object in (trying first first); gone is as for readLive. It serves a state
// that holds no project (upgraded from the archived provider, which never
// recorded a credential's project, and not refreshed since).
func (c *Client) projectOf(ctx context.Context, k kind, known, first, id string) (projectID string, gone bool, err error) {
	if known != "" {
		return known, false, nil
	}
	obj, gone, err := c.readLive(ctx, k, first, id)
	if gone || err != nil {
		return "", gone, err
	}
	return deref(obj.AccountID), false, nil
}
