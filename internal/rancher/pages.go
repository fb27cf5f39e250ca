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

// ScanRegistryCredentials yields a project's credentials in id order, reading
// one page of ScanPageSize at a time, until the list ends or yield returns
// false. Removed and purged credentials are not listed (Cattle drops them
// from lists); IncludeRemoved is ignored. An error ends the scan.
func (c *Client) ScanRegistryCredentials(ctx context.Context, projectID string, f RegistryCredentialFilter) iter.Seq2[*RegistryCredential, error] {
	q := url.Values{}
	setFilter(q, "registryId", f.RegistryID)
	setFilter(q, "name", f.Name)
	setFilter(q, "publicValue", f.PublicValue)
	setFilter(q, "state", f.State)
	return scanAs(c.scan(ctx, credentialKind, projectID, q), (*wireObject).credential)
}

// ScanRegistries is ScanRegistryCredentials for registries.
func (c *Client) ScanRegistries(ctx context.Context, projectID string, f RegistryFilter) iter.Seq2[*Registry, error] {
	q := url.Values{}
	setFilter(q, "serverAddress", f.ServerAddress)
	setFilter(q, "name", f.Name)
	setFilter(q, "state", f.State)
	return scanAs(c.scan(ctx, registryKind, projectID, q), (*wireObject).registry)
}

// scanAs converts the objects of a scan.
func scanAs[T any](objs iter.Seq2[*wireObject, error], as func(*wireObject) *T) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for obj, err := range objs {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(as(obj), nil) {
				return
			}
		}
	}
}

// scan yields the objects of a project's collection page by page.
func (c *Client) scan(ctx context.Context, k kind, projectID string, query url.Values) iter.Seq2[*wireObject, error] {
	return func(yield func(*wireObject, error) bool) {
		coll, err := c.collectionURL(k, projectID)
		if err != nil {
			yield(nil, err)
			return
		}
		for page, err := range c.pages(ctx, coll, k.collection, query, ScanPageSize) {
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range page {
				if !yield(&page[i], nil) {
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
