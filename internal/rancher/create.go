// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// createClockSlack is subtracted from the (server-clock) start of a create
// when looking for what it made, to allow for clock error and the whole
// seconds of Cattle's dates.
const createClockSlack = time.Minute

// cattleDate is the format of Cattle's date fields and date filters.
const cattleDate = "2006-01-02T15:04:05Z"

// createSpec describes one create for the shared create-and-reconcile code.
type createSpec struct {
	kind      kind
	projectID string
	body      map[string]any
	// lockKey groups creates that a lookup could confuse with each other
	// (same project and same identifying fields).
	lockKey string
	// lookup holds the collection filters that find what this create made.
	lookup url.Values
	// matches checks a candidate on the client too: the filters are exact
	// matches, but a server may ignore an unknown filter.
	matches func(*wireObject) bool
	// taken reports an error that, after an ambiguous attempt, can mean our
	// own earlier attempt made the object (a registry's ServerAddressUsed).
	taken func(error) bool
}

// create POSTs a new object without ever making two.
//
// A POST is retried (inside do) only when the server cannot have acted: a
// failed dial, 429 or 503. After an ambiguous failure (timeout, broken
// connection, 502, 504) the collection is searched for the object the
// attempt may have made, using spec.lookup plus created_gte set a minute
// before the first attempt by the server's clock. Candidates must also pass
// spec.matches and must not be an object this Client already returned from
// a create. One candidate is adopted; of several, the newest (latest
// created, then highest id) is adopted. Only when none is found is the POST
// sent again, at most MaxRetries times.
//
// Creates with the same lockKey share a read-write lock: POSTs hold it
// shared, a lookup holds it exclusively, so a lookup runs only once every
// concurrent twin create has recorded its id, and cannot adopt a twin's
// object in this process.
func (c *Client) create(ctx context.Context, spec createSpec) (*wireObject, error) {
	coll, err := c.collectionURL(spec.kind, spec.projectID)
	if err != nil {
		return nil, err
	}
	since := c.serverNow().Add(-createClockSlack).UTC().Truncate(time.Second)
	lock := c.createLock(spec.lockKey)
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("creating %s: %w", spec.kind.name, err)
		}
		lock.RLock()
		var obj wireObject
		// A POST once sent is seen through even if the caller's deadline
		// passes or it is cancelled meanwhile: abandoning it could leave an
		// object that nobody records. It is still bounded, by the request
		// timeout and its retries.
		postCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Duration(c.maxRetries+1)*(c.http.HTTPClient.Timeout+c.retryWaitMax))
		_, err := c.do(postCtx, http.MethodPost, coll, spec.body, create, &obj)
		cancel()
		if err == nil && obj.ID == "" {
			err = &BadAnswerError{Method: http.MethodPost, Path: urlPath(coll), Status: http.StatusCreated, Err: errors.New("it has no id")}
		}
		if err == nil {
			c.remember(spec.kind, spec.projectID, obj.ID)
			c.observe(spec.kind, spec.projectID, &obj)
			lock.RUnlock()
			return &obj, nil
		}
		lock.RUnlock()

		takenByUs := attempt > 0 && spec.taken != nil && spec.taken(err)
		if !ambiguous(err) && !takenByUs {
			return nil, err
		}
		tflog.Warn(ctx, "Rancher create failed without a clear answer; looking for the object it may have made", map[string]any{
			"kind":  spec.kind.name,
			"error": err.Error(),
		})
		found, lookupErr := c.findCreated(ctx, spec, since, lock)
		if lookupErr != nil {
			return nil, fmt.Errorf("%w; looking for the %s it may have made failed too: %v", err, spec.kind.name, lookupErr)
		}
		if found != nil {
			tflog.Info(ctx, "Adopted the object an interrupted create made", map[string]any{"kind": spec.kind.name, "id": found.ID})
			return found, nil
		}
		if takenByUs || attempt >= c.maxRetries {
			return nil, err
		}
		wait := jitter(c.retryWaitMin, c.retryWaitMax, attempt)
		tflog.Debug(ctx, "Retrying Rancher create: nothing was made", map[string]any{"kind": spec.kind.name, "retry": attempt + 1, "wait_ms": wait.Milliseconds()})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("creating %s: %w (after: %v)", spec.kind.name, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// ambiguous reports a create failure after which the server may or may not
// have made the object: a timeout or broken connection after the request was
// sent, or a 502/504 from a proxy in front of Rancher.
func ambiguous(err error) bool {
	var bad *BadAnswerError
	if errors.As(err, &bad) {
		// A create the server accepted, with an answer we cannot read.
		return true
	}
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr.Status == http.StatusBadGateway || apiErr.Status == http.StatusGatewayTimeout
	}
	var connErr *ConnectionError
	if errors.As(err, &connErr) {
		return transientError(connErr.Err) && !isDialError(connErr.Err)
	}
	return false
}

// findCreated looks for the object an ambiguous create may have made; see
// create for the rule.
func (c *Client) findCreated(ctx context.Context, spec createSpec, since time.Time, lock *sync.RWMutex) (*wireObject, error) {
	lock.Lock()
	defer lock.Unlock()
	q := url.Values{}
	for k, v := range spec.lookup {
		q[k] = append([]string(nil), v...)
	}
	q.Set("created_gte", since.Format(cattleDate))
	candidates, err := c.list(ctx, spec.kind, spec.projectID, q)
	if err != nil {
		return nil, err
	}
	var (
		best        *wireObject
		bestCreated time.Time
	)
	for i := range candidates {
		cand := &candidates[i]
		created := cand.status().Created
		if !spec.matches(cand) || c.isKnown(spec.kind, spec.projectID, cand.ID) {
			continue
		}
		if !created.IsZero() && created.Before(since) {
			continue
		}
		if best == nil || newer(created, cand.ID, bestCreated, best.ID) {
			best, bestCreated = cand, created
		}
	}
	if best != nil {
		c.remember(spec.kind, spec.projectID, best.ID)
		c.observe(spec.kind, spec.projectID, best)
	}
	return best, nil
}

// newer says whether object a, created at ac, is newer than b, created at
// bc: created later, or in the same second with a higher id.
func newer(ac time.Time, a string, bc time.Time, b string) bool {
	if !ac.Equal(bc) {
		return ac.After(bc)
	}
	return idNumber(a) > idNumber(b)
}

// idNumber is the numeric part of a Cattle id ("1c42" → 42), used to order
// objects created in the same second.
func idNumber(id string) int64 {
	i := len(id)
	for i > 0 && id[i-1] >= '0' && id[i-1] <= '9' {
		i--
	}
	n, _ := strconv.ParseInt(id[i:], 10, 64)
	return n
}

func (c *Client) createLock(key string) *sync.RWMutex {
	c.createMu.Lock()
	defer c.createMu.Unlock()
	l, ok := c.createLocks[key]
	if !ok {
		l = &sync.RWMutex{}
		c.createLocks[key] = l
	}
	return l
}

func (c *Client) remember(k kind, projectID, id string) {
	c.createMu.Lock()
	defer c.createMu.Unlock()
	c.known[objectKey(k, projectID, id)] = true
}

func (c *Client) isKnown(k kind, projectID, id string) bool {
	c.createMu.Lock()
	defer c.createMu.Unlock()
	return c.known[objectKey(k, projectID, id)]
}

// sameOptional compares an optional field leniently: null and "" are the
// same, as a server may store either for an empty value.
func sameOptional(a, b *string) bool {
	return deref(a) == deref(b)
}
