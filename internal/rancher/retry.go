// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxRetryAfter bounds how long a Retry-After header can make us wait for one
// retry; the caller's context bounds the whole call anyway.
const maxRetryAfter = 2 * time.Minute

type callStateKey struct{}

// callState follows one API call through its attempts. Attempts of a call
// run one after another, so it needs no lock.
type callState struct {
	method  string
	path    string
	action  string
	policy  policy
	attempt int // 0 for the first try
	started time.Time
}

func stateOf(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	if st == nil {
		st = &callState{}
	}
	return st
}

// beforeAttempt is retryablehttp's RequestLogHook: it runs before each try.
func (c *Client) beforeAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	st := stateOf(req.Context())
	st.attempt = attempt
	st.started = time.Now()
}

// checkRetry is retryablehttp's CheckRetry: it logs the attempt and decides
// whether to try again. It runs once an answer's headers are in, and again
// when its body cannot be used (cut short, or a success that is not JSON).
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateOf(ctx)
	fields := map[string]any{
		"method":      st.method,
		"path":        st.path,
		"duration_ms": time.Since(st.started).Milliseconds(),
		"attempt":     st.attempt + 1,
	}
	if st.action != "" {
		fields["action"] = st.action
	}
	if resp != nil {
		fields["status"] = resp.StatusCode
	}
	if err != nil {
		fields["error"] = unwrapURLError(err).Error()
	}
	message := "Rancher API request"
	if resp != nil && err != nil {
		message = "Rancher API answer unusable"
	}
	tflog.Debug(ctx, message, fields)

	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	retry := shouldRetry(st.policy, resp, err)
	if retry && st.attempt < c.maxRetries {
		reason := ""
		if err != nil {
			reason = unwrapURLError(err).Error()
		} else if resp != nil {
			reason = strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
		}
		tflog.Debug(ctx, "Retrying Rancher API request", map[string]any{
			"method":  st.method,
			"path":    st.path,
			"reason":  reason,
			"retry":   st.attempt + 1,
			"retries": c.maxRetries,
		})
	}
	return retry, nil
}

// shouldRetry is the retry rule. Idempotent requests retry connection
// failures (an answer cut short included), 409, 429, 502, 503, 504 and a
// success whose body is not JSON. A create retries only what proves the
// server did not act: a failed dial, 429 and 503.
func shouldRetry(pol policy, resp *http.Response, err error) bool {
	var bad *BadAnswerError
	switch {
	case errors.As(err, &bad):
		return pol == idempotent
	case err != nil:
		return transientError(err) && (pol == idempotent || isDialError(err))
	case resp == nil:
		return false
	}
	return retryableStatus(pol, resp.StatusCode)
}

func retryableStatus(pol policy, status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	case http.StatusConflict, http.StatusBadGateway, http.StatusGatewayTimeout:
		return pol == idempotent
	}
	return false
}

// retryable reports whether an idempotent call that failed after its own
// retries may still succeed later: a wait goes on after such a failure.
func retryable(err error) bool {
	var (
		apiErr  *Error
		bad     *BadAnswerError
		connErr *ConnectionError
	)
	switch {
	case errors.As(err, &apiErr):
		return retryableStatus(idempotent, apiErr.Status)
	case errors.As(err, &bad):
		return true
	case errors.As(err, &connErr):
		return transientError(connErr.Err)
	}
	return false
}

// transientError tells apart errors worth a retry from mistakes that will
// not go away: bad certificates, bad URLs, a plain-HTTP server behind https.
func transientError(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostnameErr      x509.HostnameError
		invalidCert      x509.CertificateInvalidError
		recordHeader     tls.RecordHeaderError
		verifyErr        *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr), errors.As(err, &invalidCert),
		errors.As(err, &recordHeader), errors.As(err, &verifyErr):
		return false
	}
	msg := err.Error()
	if strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "invalid header") {
		return false
	}
	return true
}

// isDialError reports a failure to open the connection (refused, DNS, no
// route): the request never reached the server.
func isDialError(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// backoff is exponential with jitter ("equal jitter": half fixed, half
// random), and honours Retry-After on 429 and 503.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return d
		}
	}
	return jitter(minWait, maxWait, attempt)
}

func jitter(minWait, maxWait time.Duration, attempt int) time.Duration {
	d := minWait
	for i := 0; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	half := d / 2
	return half + rand.N(half+1)
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		d = time.Duration(secs * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(time.Until(t), 0)
	} else {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}
