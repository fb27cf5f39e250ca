// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewProtocol6Server returns the factory of the provider's protocol 6 server, as
// providerserver.NewProtocol6 does, with one difference: the context of each
// per-resource request is let go of when the request returns.
//
// The framework (v1.19) keeps the cancel function of every request's
// context until StopProvider, which Terraform calls only on interrupt, so
// that it can cancel requests in flight. Each of those keeps the whole
// request context reachable, with its loggers: about 10 KB per request, so
// over 150 MiB for an apply of 1000 credentials. Handing the framework a
// context that drops its parent once the request is over keeps what it
// retains to a few hundred bytes, and StopProvider still cancels requests
// in flight.
//
// Upstream behaviour worked around: terraform-plugin-framework v1.19 keeps
// each request's context cancel func until StopProvider (the mechanism that
// made StopProvider cancel requests in flight, after
// hashicorp/terraform-plugin-framework#781), and never lets go of it when
// the request returns. This wrapper can go when the framework releases
// request contexts itself: after a framework upgrade, serve
// providerserver.NewProtocol6 directly and compare the provider's peak
// memory in `make bench` at N=1000 (BENCH_SIZES=1000) with this wrapper's;
// if it stays at the wrapper's figure, delete this file and server_test.go.
func NewProtocol6Server(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		// The framework's server has the list resource calls too; the
		// wrapper must keep them visible to terraform-plugin-go.
		inState := &stateObjects{}
		server, ok := providerserver.NewProtocol6(&rancherProvider{version: version, inState: inState})().(listingServer)
		if !ok {
			panic("the framework's protocol 6 server has no list resource calls")
		}
		return releasingServer{listingServer: server, inState: inState}
	}
}

// releasingServer wraps the requests made once or more per resource
// instance; the others are few and pass through as they are. Streaming
// requests (list resources, actions) must not be wrapped: their results use
// the context after the call returns.
type releasingServer struct {
	listingServer
	inState *stateObjects
}

// listingServer is a protocol 6 server with the list resource calls, which
// terraform-plugin-go v0.31 keeps out of ProviderServer.
type listingServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return released(ctx, req, s.listingServer.ValidateResourceConfig)
}

// UpgradeResourceState also notes the id of each object of the state: see
// stateObjects.
func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	s.inState.noteRaw(req.RawState)
	return released(ctx, req, s.listingServer.UpgradeResourceState)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return released(ctx, req, s.listingServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return released(ctx, req, s.listingServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return released(ctx, req, s.listingServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return released(ctx, req, s.listingServer.ImportResourceState)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return released(ctx, req, s.listingServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return released(ctx, req, s.listingServer.ReadDataSource)
}

// released makes one call with a context released when it returns.
func released[Req, Resp any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
	ctx, release := releasable(ctx)
	defer release()
	return call(ctx, req)
}

// releasableContext is the request's context until release; afterwards it
// holds nothing and reads as cancelled.
type releasableContext struct {
	mu     sync.RWMutex
	parent context.Context
}

func releasable(parent context.Context) (context.Context, func()) {
	c := &releasableContext{parent: parent}
	return c, func() {
		c.mu.Lock()
		c.parent = nil
		c.mu.Unlock()
	}
}

func (c *releasableContext) current() context.Context {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.parent
}

// closedDone is the Done channel of a released context.
var closedDone = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

func (c *releasableContext) Deadline() (time.Time, bool) {
	if p := c.current(); p != nil {
		return p.Deadline()
	}
	return time.Time{}, false
}

// Done returns the request's own channel while it lasts, so that contexts
// derived from this one hang on the request's cancellation directly.
func (c *releasableContext) Done() <-chan struct{} {
	if p := c.current(); p != nil {
		return p.Done()
	}
	return closedDone
}

func (c *releasableContext) Err() error {
	if p := c.current(); p != nil {
		return p.Err()
	}
	return context.Canceled
}

func (c *releasableContext) Value(key any) any {
	if p := c.current(); p != nil {
		return p.Value(key)
	}
	return nil
}

// stateObjects are the ids of the objects a state holds, as this provider
// process has seen them: Terraform passes every object of the state through
// UpgradeResourceState before it plans it, tainted ones and plans with
// -refresh=false included. An object in Rancher that a state holds is not
// left behind, even when its plan creates a new one (a tainted object, for
// which Terraform passes neither prior state, identity nor private state).
type stateObjects struct {
	ids sync.Map
}

// noteRaw notes the id of a raw state (nil: nothing to note).
func (o *stateObjects) noteRaw(raw *tfprotov6.RawState) {
	if o == nil || raw == nil {
		return
	}
	if id := raw.Flatmap["id"]; id != "" {
		o.ids.Store(id, true)
		return
	}
	var object struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw.JSON, &object) == nil && object.ID != "" {
		o.ids.Store(object.ID, true)
	}
}

// has says whether a state holds the object id.
func (o *stateObjects) has(id string) bool {
	if o == nil {
		return false
	}
	_, ok := o.ids.Load(id)
	return ok
}
