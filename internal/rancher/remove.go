// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
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
			return obj.transitionError(k, id)
		case isPendingState(obj.State) && !failed && !removableWhilePending(obj.State):
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

// purge moves a removed object to purged and waits for it.
func (c *Client) purge(ctx context.Context, k kind, projectID, id string) error {
	obj, err := c.get(ctx, k, projectID, id)
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
