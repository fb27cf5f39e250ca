// SPDX-License-Identifier: MPL-2.0

// Package rancher is a client for the Rancher 1.x (Cattle) v1 API: registry
// credentials and registries inside a project, with the retries, waits and
// error parsing a Terraform provider needs.
package rancher

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Defaults of Config.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxRetries     = 4
	DefaultRetryWaitMin   = 250 * time.Millisecond
	DefaultRetryWaitMax   = 5 * time.Second
	DefaultUserAgent      = "terraform-provider-rancher"
)

// maxResponseBytes bounds what is read of one response.
const maxResponseBytes = 32 << 20

// Config configures a Client.
type Config struct {
	URL            string // as the user wrote it; NewClient normalises it
	AccessKey      string
	SecretKey      string
	Insecure       bool          // skip TLS verification
	CACertsPEM     []byte        // extra trusted roots
	RequestTimeout time.Duration // one request (one attempt); 0 means DefaultRequestTimeout
	MaxRetries     int           // retries of a retryable failure; 0 means none, negative is invalid
	RetryWaitMin   time.Duration // backoff bounds; 0 means the defaults
	RetryWaitMax   time.Duration
	UserAgent      string
}

// Client talks to one Rancher server. It is safe for concurrent use; one
// Client serves all resources of a provider instance.
type Client struct {
	baseURL      string
	accessKey    string
	secretKey    string
	userAgent    string
	maxRetries   int
	retryWaitMin time.Duration
	retryWaitMax time.Duration

	http *retryablehttp.Client

	// clockOffset is the server clock minus ours, from Date headers, in ns.
	clockOffset atomic.Int64

	// pending remembers when an object was last seen in a transitional
	// state, so a wait that follows can sleep before its first read.
	pending sync.Map // objectKey → pendingSince
	settle  settleTimes

	createMu    sync.Mutex
	known       map[string]bool          // objectKey of every object Create returned
	createLocks map[string]*sync.RWMutex // lookup key → lock, see create

	key keyAccount // the key's account and projects, see WhoAmI
}

// NewClient checks cfg and builds a Client. It makes no request.
func NewClient(cfg Config) (*Client, error) {
	apiURL, err := NormalizeURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("max_retries must not be negative, got %d", cfg.MaxRetries)
	}
	if cfg.RequestTimeout < 0 {
		return nil, fmt.Errorf("request_timeout must not be negative, got %s", cfg.RequestTimeout)
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = cfg.RetryWaitMin
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}

	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // the user asked for it with insecure = true
	if len(bytes.TrimSpace(cfg.CACertsPEM)) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(cfg.CACertsPEM) {
			return nil, errors.New("ca_certs holds no PEM certificate")
		}
		tlsConfig.RootCAs = pool
	}

	// One keep-alive transport per client, with room for Terraform's
	// default parallelism (10) and more.
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   min(cfg.RequestTimeout, 30*time.Second),
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       tlsConfig,
	}

	c := &Client{
		baseURL:      apiURL.Base,
		accessKey:    cfg.AccessKey,
		secretKey:    cfg.SecretKey,
		userAgent:    cfg.UserAgent,
		maxRetries:   cfg.MaxRetries,
		retryWaitMin: cfg.RetryWaitMin,
		retryWaitMax: cfg.RetryWaitMax,
		known:        map[string]bool{},
		createLocks:  map[string]*sync.RWMutex{},
	}
	c.http = &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport: transport,
			Timeout:   cfg.RequestTimeout,
			// The v1 API does not redirect; following one could send the
			// basic-auth header to another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Logger:         nil, // every line goes through tflog on the request's context
		RetryWaitMin:   cfg.RetryWaitMin,
		RetryWaitMax:   cfg.RetryWaitMax,
		RetryMax:       cfg.MaxRetries,
		RequestLogHook: c.beforeAttempt,
		CheckRetry:     c.checkRetry,
		Backoff:        backoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

// BaseURL is the normalised API root, ending in "/v1".
func (c *Client) BaseURL() string { return c.baseURL }

// serverNow estimates the server's clock from the Date headers seen so far.
func (c *Client) serverNow() time.Time {
	return time.Now().Add(time.Duration(c.clockOffset.Load()))
}

// policy says which failures of a request may be retried.
type policy int

const (
	// idempotent requests (GET, PUT, DELETE, actions) retry every
	// transient failure.
	idempotent policy = iota
	// create requests (POST to a collection) retry only failures after
	// which the server cannot have acted.
	create
)

// response is a read and closed HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one API call, with retries, and decodes a 2xx JSON answer into
// out (when out is not nil). Failures come back as *Error, *ConnectionError
// or a wrapped ctx.Err().
func (c *Client) do(ctx context.Context, method, rawURL string, in any, pol policy, out any) (*response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("building request URL: %w", err)
	}
	path := u.Path
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}

	var body any
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encoding %s %s: %w", method, path, err)
		}
		body = b
	}

	st := &callState{method: method, path: path, action: u.Query().Get("action"), policy: pol}
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, callStateKey{}, st), method, rawURL, body)
	if err != nil {
		return nil, fmt.Errorf("building %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.accessKey != "" || c.secretKey != "" {
		req.SetBasicAuth(c.accessKey, c.secretKey)
	}

	// The body is read inside the attempt, so that an answer cut short (or a
	// success that is not JSON) is retried under the same rule and backoff
	// as a dropped connection.
	var (
		data []byte
		read *http.Response // the answer data was read from
	)
	req.SetResponseHandler(func(r *http.Response) (err error) {
		read = r
		data, err = readAnswer(r, method, path, out != nil)
		return err
	})

	httpResp, err := c.http.Do(req)
	if httpResp != nil {
		defer drain(httpResp.Body)
	}
	if err == nil && httpResp != read {
		// The retries were spent on a retryable status: the handler, which
		// runs only on answers that end the retries, did not read this one.
		data, err = readAnswer(httpResp, method, path, out != nil)
	}
	var bad *BadAnswerError
	switch {
	case errors.As(err, &bad):
		return &response{status: httpResp.StatusCode, header: httpResp.Header, body: data}, bad
	case err != nil:
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, ctxErr)
		}
		return nil, &ConnectionError{URL: c.baseURL, Err: fmt.Errorf("%s %s: %w", method, path, unwrapURLError(err))}
	}

	c.noteServerDate(httpResp.Header.Get("Date"))
	resp := &response{status: httpResp.StatusCode, header: httpResp.Header, body: data}
	if httpResp.StatusCode < 200 || httpResp.StatusCode > 299 {
		return resp, parseError(method, c.baseURL, u, httpResp, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp, &BadAnswerError{Method: method, Path: path, Status: httpResp.StatusCode, Err: err}
		}
	}
	return resp, nil
}

// readAnswer reads a response to its end. A body cut short, or a success
// whose body is not JSON (a truncated document, a proxy's page; an empty
// one too when an object is expected), is an error, for the retry rule to
// judge.
func readAnswer(r *http.Response, method, path string, wantBody bool) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes))
	_ = r.Body.Close()
	r.Body = http.NoBody
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	success, empty := r.StatusCode >= 200 && r.StatusCode <= 299, len(bytes.TrimSpace(data)) == 0
	if success && (wantBody || !empty) && !json.Valid(data) {
		return data, badAnswer(method, path, r.StatusCode, r.Header.Get("Content-Type"), data)
	}
	return data, nil
}

func (c *Client) noteServerDate(date string) {
	if date == "" {
		return
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return
	}
	// The header has whole seconds; half a second centres the error.
	c.clockOffset.Store(int64(time.Until(t.Add(500 * time.Millisecond))))
}

func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 1<<20))
	_ = body.Close()
}

// unwrapURLError drops net/http's `Get "url": ` prefix, which repeats the
// query (filter values) of the request.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() && !strings.Contains(ue.Err.Error(), "timeout") && !strings.Contains(ue.Err.Error(), "deadline") {
			return fmt.Errorf("timeout: %w", ue.Err)
		}
		return ue.Err
	}
	return err
}
