// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
)

// ScanPageSize is the page size of a scan: Cattle's default page. A scan
// holds one page at a time, so its memory stays the same for ten objects or
// ten thousand, and a caller that stops early reads no further page.
const ScanPageSize = 100

// scan yields the objects of a project's collection that match query, a
// page at a time.
func (t objectType[T]) scan(ctx context.Context, c *Client, projectID string, query url.Values) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		coll, err := c.collectionURL(t.kind, projectID)
		if err != nil {
			yield(nil, err)
			return
		}
		for page, err := range c.pages(ctx, coll, t.collection, query, ScanPageSize) {
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range page {
				if !yield(t.convert(&page[i]), nil) {
					return
				}
			}
		}
	}
}

// pages yields the pages of the collection at coll, pageSize objects each,
// following pagination.next; what names the collection in errors.
func (c *Client) pages(ctx context.Context, coll, what string, query url.Values, pageSize int) iter.Seq2[[]wireObject, error] {
	return func(yield func([]wireObject, error) bool) {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("limit", fmt.Sprint(pageSize))
		next := coll + "?" + q.Encode()
		seen := map[string]bool{}
		for next != "" {
			if seen[next] {
				yield(nil, fmt.Errorf("listing %s: the server's pagination repeats itself", what))
				return
			}
			seen[next] = true
			var page wireCollection
			if _, err := c.do(ctx, http.MethodGet, next, nil, idempotent, &page); err != nil {
				yield(nil, err)
				return
			}
			next = ""
			if p := page.Pagination; p != nil && p.Next != nil && *p.Next != "" {
				// Keep the server's query (its marker) but our own scheme, host
				// and path: behind a proxy the server may not know its address.
				nu, err := url.Parse(*p.Next)
				if err != nil {
					yield(nil, fmt.Errorf("listing %s: bad next page link: %w", what, err))
					return
				}
				next = coll + "?" + nu.RawQuery
			}
			if !yield(page.Data, nil) {
				return
			}
		}
	}
}

// RegistryAddresses maps the ids of a project's registries to their server
// addresses, in one request: all of them, or only registryID when it is set
// (an unknown one maps to nothing).
func (c *Client) RegistryAddresses(ctx context.Context, projectID, registryID string) (map[string]string, error) {
	if registryID != "" {
		reg, err := c.GetRegistry(ctx, projectID, registryID)
		if IsNotFound(err) {
			return map[string]string{}, nil
		}
		if err != nil {
			return nil, err
		}
		return map[string]string{reg.ID: reg.ServerAddress}, nil
	}
	regs, err := c.ListRegistries(ctx, projectID, RegistryFilter{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(regs))
	for _, reg := range regs {
		out[reg.ID] = reg.ServerAddress
	}
	return out, nil
}
