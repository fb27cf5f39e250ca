// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type requestPayloadKey struct{}

// requestContextCollected serves one request whose context carries a large
// value, and reports whether that value is garbage once the request is over.
func requestContextCollected(t *testing.T, server tfprotov6.ProviderServer) bool {
	t.Helper()
	collected := make(chan struct{})
	func() {
		payload := &[1 << 20]byte{}
		runtime.SetFinalizer(payload, func(*[1 << 20]byte) { close(collected) })
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), requestPayloadKey{}, payload))
		defer cancel()
		// The request's content does not matter: the framework registers
		// the context before it looks at it.
		_, _ = server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "rancher_registry"})
	}()
	// The server lives on, as it does in the provider's process.
	defer runtime.KeepAlive(server)
	for range 20 {
		runtime.GC()
		select {
		case <-collected:
			return true
		case <-time.After(5 * time.Millisecond):
		}
	}
	return false
}

func TestServerReleasesRequestContexts(t *testing.T) {
	// The framework alone keeps the request's context: if this ever
	// changes, the wrapper can go.
	if requestContextCollected(t, providerserver.NewProtocol6(New("test")())()) {
		t.Log("the framework no longer keeps request contexts; releasingServer may be unnecessary")
	}
	if !requestContextCollected(t, NewProtocol6Server("test")()) {
		t.Fatal("the request's context is still reachable after the request returned")
	}
}

func TestReleasableContext(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), requestPayloadKey{}, "v"))
	defer cancel()
	ctx, release := releasable(parent)
	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()
	if ctx.Value(requestPayloadKey{}) != "v" || ctx.Err() != nil {
		t.Fatal("before release the context must be the request's")
	}
	release()
	if ctx.Value(requestPayloadKey{}) != nil || ctx.Err() != context.Canceled {
		t.Fatal("after release the context must hold nothing and read as cancelled")
	}
	// A context derived during the request still follows the request's
	// cancellation, as StopProvider needs.
	cancel()
	select {
	case <-child.Done():
	case <-time.After(time.Second):
		t.Fatal("a derived context was not cancelled with the request")
	}
}
