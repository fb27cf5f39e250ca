package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// lifecycle is what the resources share of a Cattle object's life: the
// wait after create, active/inactive, the read that notices it is gone and
// removal. O is the client's type of the object.
type lifecycle[O any] struct {
	what      string // "registry credential", for messages
	get       func(ctx context.Context, projectID, id string) (*O, error)
	locate    func(ctx context.Context, projectID, id string) (*O, error)
	projectOf func(*O) string
	wait      func(ctx context.Context, projectID, id string, targets ...string) (*O, error)
	setActive func(ctx context.Context, projectID, id string, active bool) (*O, error)
	remove    func(ctx context.Context, projectID, id string) error
	status    func(*O) rancher.Status
}

// withTimeout bounds an operation by the timeouts block's value for it
// (timeouts.Value.Create, .Update or .Delete).
func withTimeout(ctx context.Context, limit func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), diags *diag.Diagnostics) (context.Context, context.CancelFunc, bool) {
	timeout, d := limit(ctx, defaultTimeout)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, func() {}, false
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, cancel, true
}

// settleCreated waits for a new object to become active, as Cattle
// activates every new object, then deactivates it when so configured.
func (l lifecycle[O]) settleCreated(ctx context.Context, projectID, id string, active bool) (*O, error) {
	obj, err := l.wait(ctx, projectID, id, rancher.StateActive)
	if err == nil && !active {
		obj, err = l.setActive(ctx, projectID, id, false)
	}
	return obj, err
}

// settleUpdated brings the object to the planned active value after its
// fields were updated (updated is nil when none were). active is compared
// with what Rancher reported at refresh, so an object deactivated outside
// Terraform is activated again; a transition seen at refresh is waited out.
func (l lifecycle[O]) settleUpdated(ctx context.Context, projectID, id string, updated *O, planned, prior bool, priorState string) (*O, error) {
	if planned != prior || rancher.IsPendingState(priorState) {
		return l.setActive(ctx, projectID, id, planned)
	}
	if updated != nil {
		return updated, nil
	}
	return l.get(ctx, projectID, id)
}

// read fetches the object for Read, in projectID first ("" when state
// holds no project) and then wherever the API key reaches. gone is true only
// when the object no longer exists for Terraform: no project the key
// reaches holds it, or it is removed (Cattle keeps removed objects readable
// by id for a while), so that plan creates it again. Any other error, 401
// and 403 included, is returned: the object may still exist.
func (l lifecycle[O]) read(ctx context.Context, projectID, id string) (obj *O, gone bool, err error) {
	obj, err = l.locate(ctx, projectID, id)
	if rancher.IsNotFound(err) || (err == nil && l.status(obj).Gone()) {
		tflog.Warn(ctx, l.what+" is gone from Rancher; removing it from state", map[string]any{"id": id})
		return nil, true, nil
	}
	return obj, false, err
}

// where returns the project of the object for Update and Delete: the one
// in state or, when state holds none (a state upgraded from the archived
// provider, which never recorded a credential's project, and not refreshed
// since), the one the key finds it in, trying first first. gone is as for
// read.
func (l lifecycle[O]) where(ctx context.Context, stateProject, first, id string) (projectID string, gone bool, err error) {
	if stateProject != "" {
		return stateProject, false, nil
	}
	obj, gone, err := l.read(ctx, first, id)
	if gone || err != nil {
		return "", gone, err
	}
	return l.projectOf(obj), false, nil
}

// orGone is err or, when there is none because the object was found gone,
// an error that says so.
func orGone(err error, what, id string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s %s no longer exists in any project the API key reaches; run terraform refresh (or plan) to take it out of state", what, id)
}
