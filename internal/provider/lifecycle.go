// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// What both resources do in Create, Read, Update and Delete around the
// client's calls: bound the operation, save the object, report a failed
// create, forget an object gone from Rancher, and remove one.

// defaultStopGracePeriod is how long an operation that Rancher has already
// accepted is still waited for after Terraform asks the provider to stop
// (Ctrl-C, a cancelled Terraform Cloud run). Credentials and registries
// settle in well under a second on a healthy server; half a minute leaves
// room for a busy one and stays well inside the time Terraform Cloud gives a
// cancelled run before it kills it.
const defaultStopGracePeriod = 30 * time.Second

// stopGracePeriodEnv overrides defaultStopGracePeriod (a Go duration such as
// "10s"), for CI systems that kill a cancelled run sooner.
const stopGracePeriodEnv = "RANCHER_STOP_GRACE_PERIOD"

// errStopGraceOver ends an operation whose grace period ran out.
var errStopGraceOver = errors.New("the operation did not finish within the grace period after Terraform asked the provider to stop")

// stopGracePeriod is the grace period in force: the environment's, else the default.
func stopGracePeriod() time.Duration {
	if v := os.Getenv(stopGracePeriodEnv); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d >= 0 {
			return d
		}
	}
	return defaultStopGracePeriod
}

// beginOperation starts a create, update or delete, bounded by the
// timeouts block's value for it (timeouts.Value.Create, .Update or .Delete).
//
// Terraform asks a provider to stop by cancelling the context of every
// request in flight; aborting there would leave what Rancher already
// accepted half done, and Terraform would taint it and replace it on the
// next apply. So the returned context is not cancelled by a stop: it ends at
// the timeout, or when the grace period after a stop runs out, with
// errStopGraceOver as its cause. An operation asked to stop before it began
// sends nothing: ok is false and diags say so.
func beginOperation(ctx context.Context, limit func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), what string, diags *diag.Diagnostics) (op context.Context, end func(), ok bool) {
	timeout, d := limit(ctx, defaultTimeout)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, func() {}, false
	}
	if ctx.Err() != nil {
		diags.AddError("Cannot "+what, "Terraform asked the provider to stop before the request was sent: nothing was changed in Rancher.")
		return ctx, func() {}, false
	}
	op, cancelTimeout := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	op, cancel := context.WithCancelCause(op)
	grace := stopGracePeriod()
	stopWatch := context.AfterFunc(ctx, func() {
		select {
		case <-time.After(grace):
			cancel(errStopGraceOver)
		case <-op.Done():
		}
	})
	return op, func() {
		stopWatch()
		cancel(nil)
		cancelTimeout()
	}, true
}

// stoppedOut reports whether an operation ended because its grace period
// after a stop ran out.
func stoppedOut(op context.Context) bool {
	return errors.Is(context.Cause(op), errStopGraceOver)
}

// graceOverError is the error of an operation whose grace period ran out.
func graceOverError(op context.Context, err error) error {
	if stoppedOut(op) {
		return fmt.Errorf("%w (%s, set by %s): %v", errStopGraceOver, stopGracePeriod(), stopGracePeriodEnv, err)
	}
	return err
}

// privateKeyObject is the private state key that holds the object's id,
// for the plans that replace it (see replacedObjectID).
const privateKeyObject = "object"

// privateState is the framework's provider private state of a response.
type privateState interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// recordObject records which object a resource's state holds: its identity,
// and its id in private state, which Terraform passes on to the plan that
// replaces the object even before 1.12, where there are no identities.
func recordObject(ctx context.Context, identity *tfsdk.ResourceIdentity, private privateState, projectID, id types.String) diag.Diagnostics {
	diags := setIdentity(ctx, identity, projectID, id)
	value, err := json.Marshal(map[string]string{"project_id": projectID.ValueString(), "id": id.ValueString()})
	if err != nil {
		diags.AddError("Cannot record the object in private state", err.Error())
		return diags
	}
	diags.Append(private.SetKey(ctx, privateKeyObject, value)...)
	return diags
}

// setIdentity records the object's identity. Terraform before 1.12 has no
// identities, and the framework then hands no identity to set.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, projectID, id types.String) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, objectIdentity{ProjectID: projectID, ID: id})
}

// forgetGone takes an object found gone from Rancher out of state. The
// framework wants an identity after every Read, even one that forgets the
// object: a state without one (written before identities, or by a CLI older
// than 1.12) gets the one it had.
func forgetGone(ctx context.Context, resp *resource.ReadResponse, projectID, id types.String) {
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, projectID, id)...)
	resp.State.RemoveResource(ctx)
}

// activeGoal is what Update must leave the object's active state at: the
// planned value, against what Rancher reported at refresh (in state).
func activeGoal(planned, prior types.Bool, priorState types.String) rancher.ActiveGoal {
	return rancher.ActiveGoal{Want: planned.ValueBool(), Was: prior.ValueBool(), WasState: priorState.ValueString()}
}

// orGone is err or, when there is none because the object was found gone,
// an error that says so.
func orGone(err error, what, id string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s %s no longer exists in any project the API key reaches; run terraform refresh (or plan) to take it out of state", what, id)
}

// removal is how Delete removes one kind of object.
type removal struct {
	what    string // "registry credential", in messages
	project func(c *rancher.Client, ctx context.Context, known, first, id string) (projectID string, gone bool, err error)
	remove  func(c *rancher.Client, ctx context.Context, projectID, id, lastState string) error
}

var (
	registryRemoval   = removal{"registry", (*rancher.Client).RegistryProject, (*rancher.Client).RemoveRegistry}
	credentialRemoval = removal{"registry credential", (*rancher.Client).RegistryCredentialProject, (*rancher.Client).RemoveRegistryCredential}
)

// saveCreated ends a create that Rancher accepted: model (a pointer to the
// resource's model, holding the object as Rancher last reported it) goes to
// the response, with the object's identity, unless err says the object did
// not become ready: its wait failed, timed out, or ran out of grace after a
// stop.
//
// Terraform before 1.16 keeps such an object as tainted, and the next apply
// replaces it. Terraform 1.16 and later crash when several creates fail that
// way at the same time, and can leave an empty state file behind (a race in
// Terraform core, see the README's troubleshooting): there nothing is
// returned, and the object is removed, as its replacement would have done.
// An object whose grace period ran out, or that cannot be removed, is left
// in Rancher for the next plan to name, with the import block that adopts it.
func (d *providerData) saveCreated(ctx, op context.Context, k removal, resp *resource.CreateResponse, model any, projectID, id types.String, err error) {
	save := func() {
		resp.Diagnostics.Append(resp.State.Set(ctx, model)...)
		resp.Diagnostics.Append(recordObject(ctx, resp.Identity, resp.Private, projectID, id)...)
	}
	if err == nil {
		save()
		return
	}
	diags := &resp.Diagnostics
	summary := fmt.Sprintf("%s %s did not become ready", capitalized(k.what), id.ValueString())
	addAPIError(diags, summary, graceOverError(op, err), projectID.ValueString(), fieldAttribute)
	if d.keepsFailedCreates() {
		save()
		return
	}
	object := fmt.Sprintf("%s %s/%s", k.what, projectID.ValueString(), id.ValueString())
	why := "Terraform " + d.terraformVersion + " cannot keep an object whose create failed as tainted without risking its state file when several creates fail at once"
	if !stoppedOut(op) {
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(op), failedCreateCleanupTimeout)
		defer cancel()
		removeErr := k.remove(d.client, cleanup, projectID.ValueString(), id.ValueString(), "")
		if removeErr == nil {
			diags.AddWarning(fmt.Sprintf("%s removed", capitalized(object)),
				why+", so the provider removed it from Rancher, as replacing it would have done. The next apply creates it again.")
			return
		}
		why += fmt.Sprintf(", and removing it failed (%s)", removeErr)
	}
	diags.AddWarning(fmt.Sprintf("%s left in Rancher", capitalized(object)),
		why+". It is left in Rancher as it is, and not in the state: the next plan names it on this resource, "+
			"with the import block that adopts it.")
}

// failedCreateCleanupTimeout bounds the removal of an object whose create failed.
const failedCreateCleanupTimeout = time.Minute

// capitalized is s with its first letter upper case: "Registry credential".
func capitalized(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// deleteObject removes the object a resource's state names, within the
// delete timeout. Its project is found first when the state holds none (a
// state upgraded from the archived provider); an object that is already
// gone is a success. lastState, the state the refresh saw, lets an active
// object be deactivated without reading it first.
func (d *providerData) deleteObject(ctx context.Context, k removal, projectID, id, lastState types.String, limits timeouts.Value, diags *diag.Diagnostics) {
	if !d.ready(diags) {
		return
	}
	op, end, ok := beginOperation(ctx, limits.Delete, "delete the "+k.what, diags)
	defer end()
	if !ok {
		return
	}
	project, gone, err := k.project(d.client, op, projectID.ValueString(), d.project(op, "", nil), id.ValueString())
	if gone {
		return
	}
	if err == nil {
		err = k.remove(d.client, op, project, id.ValueString(), lastState.ValueString())
	}
	if err != nil {
		addAPIError(diags, "Cannot delete the "+k.what, graceOverError(op, err), project, fieldAttribute)
	}
}
