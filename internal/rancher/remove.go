// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

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

// remove deletes the object from any state, in as few requests as Cattle
// allows. DELETE answers 405 while an object is active, so an active one is
// deactivated first and the deactivation waited for; DELETE then answers
// with the object removing, which is the end: a removing object no longer
// exists for Terraform (Read counts it gone, lists drop it once removed) and
// Cattle finishes the removal by itself. A missing, removing, removed or
// purged object is already gone. Other transitions are waited out. An
// object whose transition failed is not waited for: DELETE (or deactivate,
// then DELETE) is tried on it as it is, since that is how a user gets rid
// of it.
//
// lastState is the state the object was last seen in, "" when unknown: an
// object last seen active is deactivated at once, without reading it first.
func (c *Client) remove(ctx context.Context, k kind, projectID, id, lastState string) error {
	var obj *wireObject
	var err error
	if lastState == StateActive {
		obj, err = c.deactivateForRemoval(ctx, k, projectID, id)
	} else {
		obj, err = c.get(ctx, k, projectID, id)
	}
	deleteFailed := false
	for step := 0; step < maxLifecycleSteps; step++ {
		if IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		failed := obj.failed()
		switch {
		case obj.status().Gone() && !failed:
			return nil
		case failed && deleteFailed:
			return obj.transitionError(k, id)
		case isPendingState(obj.State) && !failed && !removableWhilePending(obj.State):
			obj, err = c.wait(ctx, k, projectID, id, nil)
			continue
		case obj.State == StateActive || obj.State == StateActivating:
			obj, err = c.deactivateForRemoval(ctx, k, projectID, id)
			continue
		}

		err = c.delete(ctx, k, projectID, id)
		var apiErr *Error
		switch {
		case err == nil, IsNotFound(err):
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

// deactivateForRemoval deactivates the object and waits until it is
// inactive; an object that cannot be deactivated (it is not active) is read
// instead, for remove to decide what comes next.
func (c *Client) deactivateForRemoval(ctx context.Context, k kind, projectID, id string) (*wireObject, error) {
	err := c.action(ctx, k, projectID, id, "deactivate")
	switch {
	case err == nil:
		return c.wait(ctx, k, projectID, id, []string{StateInactive})
	case isActionNotAvailable(err):
		return c.get(ctx, k, projectID, id)
	default:
		return nil, err
	}
}

// delete sends DELETE. Cattle answers 200 with the object, which the
// client observes (what waits learn); a proxy in front of it may answer 204
// with no body.
func (c *Client) delete(ctx context.Context, k kind, projectID, id string) error {
	u, err := c.objectURL(k, projectID, id)
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, http.MethodDelete, u, nil, idempotent, nil)
	if err != nil {
		return err
	}
	if resp.status == http.StatusNoContent || len(strings.TrimSpace(string(resp.body))) == 0 {
		return nil
	}
	var obj wireObject
	if err := json.Unmarshal(resp.body, &obj); err != nil {
		return &BadAnswerError{Method: http.MethodDelete, Path: urlPath(u), Status: resp.status, Err: err}
	}
	c.observe(k, projectID, &obj)
	return nil
}

// purge moves a removed (or removing) object to purged and waits for it.
func (c *Client) purge(ctx context.Context, k kind, projectID, id string) error {
	obj, err := c.wait(ctx, k, projectID, id, []string{StateRemoved, StatePurging, StatePurged})
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if obj.State == StateRemoved {
		err = c.action(ctx, k, projectID, id, "purge")
		if err != nil && !isActionNotAvailable(err) {
			return err
		}
	}
	_, err = c.wait(ctx, k, projectID, id, []string{StatePurged})
	if IsNotFound(err) {
		return nil
	}
	return err
}
