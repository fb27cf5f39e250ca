// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
)

// listPageSize is the page size asked for when listing (Cattle's default is
// 100, its maximum 3000).
const listPageSize = 1000

// scanPageSize is the page size of a scan: Cattle's default page. A scan
// holds one page at a time, so its memory stays the same for ten objects or
// ten thousand, and a caller that stops early reads no further page.
const scanPageSize = 100

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

// listed converts the objects a list returned.
func listed[T any](objs []wireObject, err error, convert func(*wireObject) *T) ([]T, error) {
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(objs))
	for i := range objs {
		out = append(out, *convert(&objs[i]))
	}
	return out, nil
}

// withRemoved asks a list for removed and purged objects too when
// includeRemoved is set.
func withRemoved(query url.Values, includeRemoved bool) url.Values {
	if includeRemoved {
		query.Set("_removed", "true")
	}
	return query
}

// scan yields the objects of kind k in a project's collection that match
// query, converted by convert, reading a page at a time.
func scan[T any](ctx context.Context, c *Client, k kind, projectID string, query url.Values, convert func(*wireObject) *T) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		coll, err := c.collectionURL(k, projectID)
		if err != nil {
			yield(nil, err)
			return
		}
		for page, err := range c.pages(ctx, coll, k.collection, query, scanPageSize) {
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range page {
				if !yield(convert(&page[i]), nil) {
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
