// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"iter"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// Terraform reads every object of a state one by one before it plans (the
// refresh), and never in batches. With one GET each, a plan of 1,000
// credentials behind a slow link spends seconds on reads alone. So the
// Reads that start at about the same time are served from one list: the
// credentials of a registry, or the registries of a project, read in pages
// of 100 by the first Read that needs it and shared by every Read that
// starts while it is fresh.
//
// A list never decides that an object is gone: an object it lacks, or lists
// as being removed, is read by id as before. It is not used for Reads that
// start after this provider process wrote to the objects it covers, so a
// plan never sees less than the process itself did. A list that fails
// leaves each Read to its own GET.

// listFreshness is how long after it was read a list still serves the Reads
// that start. A refresh of 1,000 objects starts all its Reads well within it;
// a change made in Rancher during those few seconds may be missed until the
// next plan, as it may be by a Read that ran just before the change.
const listFreshness = 5 * time.Second

// refreshLists are the lists of one provider process, by what they cover.
type refreshLists struct {
	mu     sync.Mutex
	lists  map[string]any // scope → *refreshList[T]
	writes map[string]int // scope → writes by this process, counted
}

// refreshList is one list: in flight until done is closed, then its objects
// by id, or the error that ended it.
type refreshList[T any] struct {
	writes int // the scope's writes when it started
	done   chan struct{}
	read   time.Time
	byID   map[string]*T
	err    error
}

// credentialsScope and registriesScope name what a list covers, and what a
// write invalidates.
func credentialsScope(projectID, registryID string) string {
	if projectID == "" {
		return anyScope
	}
	return "credentials " + projectID + " " + registryID
}

func registriesScope(projectID string) string {
	if projectID == "" {
		return anyScope
	}
	return "registries " + projectID
}

// anyScope is every scope: a write whose project is not known yet.
const anyScope = ""

// writing records that this process writes to the objects of scopes, now
// and when the returned function is called, once the write is over: no list
// read before either is used for the Reads that start after it. A scope
// whose project is not known yet ("") stands for every scope.
func (d *providerData) writing(scopes ...string) func() {
	bump := func() {
		r := &d.refresh
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.writes == nil {
			r.writes = map[string]int{}
		}
		for _, scope := range scopes {
			r.writes[scope]++
		}
	}
	bump()
	return bump
}

// writesTo counts the writes to scope, those to every scope included.
// Must hold r.mu.
func (r *refreshLists) writesTo(scope string) int {
	return r.writes[scope] + r.writes[anyScope]
}

// listed returns the list of scope that a Read starting now may use, reading
// it (scan yields its objects) when there is none fresh; nil when the list
// failed.
func listed[T any](ctx context.Context, r *refreshLists, scope string, id func(*T) string, scan func(context.Context) iter.Seq2[*T, error]) *refreshList[T] {
	r.mu.Lock()
	if r.lists == nil {
		r.lists = map[string]any{}
	}
	l, ok := r.lists[scope].(*refreshList[T])
	usable := ok && l.writes == r.writesTo(scope)
	if usable {
		select {
		case <-l.done:
			usable = time.Since(l.read) < listFreshness
		default: // in flight: wait for it
		}
	}
	load := !usable
	if load {
		l = &refreshList[T]{writes: r.writesTo(scope), done: make(chan struct{})}
		r.lists[scope] = l
	}
	r.mu.Unlock()

	if load {
		byID := map[string]*T{}
		for obj, err := range scan(ctx) {
			if err != nil {
				l.err = err
				break
			}
			byID[id(obj)] = obj
		}
		if l.err == nil {
			l.byID = byID
		} else {
			tflog.Debug(ctx, "the list for the refresh failed; each object is read by itself", map[string]any{"list": scope, "error": l.err.Error()})
		}
		l.read = time.Now()
		close(l.done)
	}
	select {
	case <-l.done:
	case <-ctx.Done():
		return nil
	}
	if l.err != nil {
		return nil
	}
	return l
}

// credentialList is the list of a registry's live credentials for a Read
// that starts now (nil: read by id).
func (d *providerData) credentialList(ctx context.Context, projectID, registryID string) *refreshList[rancher.RegistryCredential] {
	if projectID == "" || registryID == "" {
		return nil // a state upgraded from the archived provider: no project yet
	}
	return listed(ctx, &d.refresh, credentialsScope(projectID, registryID),
		func(c *rancher.RegistryCredential) string { return c.ID },
		func(ctx context.Context) iter.Seq2[*rancher.RegistryCredential, error] {
			return d.client.ScanRegistryCredentials(ctx, projectID, rancher.RegistryCredentialFilter{RegistryID: registryID})
		})
}

// registryList is the list of a project's live registries for a Read that
// starts now (nil: read by id).
func (d *providerData) registryList(ctx context.Context, projectID string) *refreshList[rancher.Registry] {
	if projectID == "" {
		return nil
	}
	return listed(ctx, &d.refresh, registriesScope(projectID),
		func(r *rancher.Registry) string { return r.ID },
		func(ctx context.Context) iter.Seq2[*rancher.Registry, error] {
			return d.client.ScanRegistries(ctx, projectID, rancher.RegistryFilter{})
		})
}

// readCredential reads a credential for Read: from its registry's list when
// that holds it live, else by id (see rancher.Client.ReadLiveRegistryCredential).
// list is the list it came from, or nil.
func (d *providerData) readCredential(ctx context.Context, projectID, registryID, id string) (cred *rancher.RegistryCredential, list *refreshList[rancher.RegistryCredential], gone bool, err error) {
	if list = d.credentialList(ctx, projectID, registryID); list != nil {
		if c := list.byID[id]; c != nil && !c.Gone() {
			return c, list, false, nil
		}
	}
	cred, gone, err = d.client.ReadLiveRegistryCredential(ctx, d.project(ctx, projectID, nil), id)
	return cred, nil, gone, err
}

// readRegistry is readCredential for registries.
func (d *providerData) readRegistry(ctx context.Context, projectID, id string) (reg *rancher.Registry, gone bool, err error) {
	if list := d.registryList(ctx, projectID); list != nil {
		if r := list.byID[id]; r != nil && !r.Gone() {
			return r, false, nil
		}
	}
	return d.client.ReadLiveRegistry(ctx, d.project(ctx, projectID, nil), id)
}

// pulledWith is the credential Rancher pulls with for the registry of a
// list: its active credential of lowest id (nil: none, or no list).
func pulledWith(list *refreshList[rancher.RegistryCredential]) *rancher.RegistryCredential {
	if list == nil {
		return nil
	}
	var lowest *rancher.RegistryCredential
	for _, c := range list.byID {
		if c.State == rancher.StateActive && (lowest == nil || idLess(c.ID, lowest.ID)) {
			lowest = c
		}
	}
	return lowest
}
