// SPDX-License-Identifier: MPL-2.0

// Package rancher is a client for the Rancher 1.x (Cattle) v1 API: registry
// credentials and registries inside a project, with the retries, waits and
// error parsing a Terraform provider needs.
//
// The typed API of each kind is in credentials.go and registries.go; what
// it calls follows one call from the top down:
//   - client.go: the configuration and the api_url a Client is built from;
//   - request.go: sending one request (basic auth, decoding the answer, the
//     kinds of object and their collections), with retry.go (which failures
//     are tried again, and how long to wait before) and errors.go (what a
//     failure says);
//   - create.go: a create, and the adoption of what an ambiguous one made;
//   - wait.go: an object's states, reading it and running its actions,
//     waiting for a transition to end, what the waits learn of how long
//     transitions take, and bringing an object to active or inactive;
//   - remove.go: removal from any state;
//   - lists.go: lists of a collection, page by page;
//   - projects.go: /v1/projects, the API key's account, and locating an
//     object in whichever project holds it.
package rancher

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
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
	defaultRetryWaitMin   = 250 * time.Millisecond
	defaultRetryWaitMax   = 5 * time.Second
	defaultUserAgent      = "terraform-provider-rancher"
)

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

	key keyAccount // the key's account and projects, see whoAmI
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
		cfg.RetryWaitMin = defaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = defaultRetryWaitMax
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = cfg.RetryWaitMin
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = defaultUserAgent
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

// APIURL is an api_url after NormalizeURL.
type APIURL struct {
	// Base is the v1 API root; it always ends in "/v1".
	Base string
	// ProjectID is the project the URL names ("…/v1/projects/1a5"), or "".
	ProjectID string
	// FromV2Beta is set when the URL named the v2-beta API, which Rancher
	// 1.5 and 1.6 serve beside v1 and the archived hashicorp/rancher
	// provider used; Base is then the same server's v1 API.
	FromV2Beta bool
}

// NormalizeURL turns the api_url a user wrote into the v1 API root and, when
// the URL names a project ("…/v1/projects/1a5"), that project's id.
//
// Accepted forms: "http://host:8080", "http://host:8080/v1" and
// "http://host:8080/v1/projects/1a5", optionally below a path prefix of a
// reverse proxy ("https://host/rancher/v1"), and the same with "v2-beta" in
// place of "v1". A trailing "/" or "/schemas" (as the Rancher CLI writes
// the URL in cli.json) is ignored. Rancher 2 URLs ("/v3") are refused.
func NormalizeURL(raw string) (APIURL, error) {
	var none APIURL
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return none, fmt.Errorf("the Rancher API URL is empty; set it to the server's address, e.g. http://rancher.example.com:8080")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return none, fmt.Errorf("the Rancher API URL is not a valid URL: %w", redactURLError(err))
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return none, fmt.Errorf("the Rancher API URL %q has no scheme; write it as http://host:8080 or https://host", u.Redacted())
	default:
		return none, fmt.Errorf("the Rancher API URL %q has scheme %q; only http and https are supported", u.Redacted(), u.Scheme)
	}
	if u.Host == "" {
		return none, fmt.Errorf("the Rancher API URL %q has no host; write it as http://host:8080", u.Redacted())
	}
	if u.User != nil {
		// Keys belong in access_key/secret_key, and echoing them back in an
		// error would leak them.
		return none, fmt.Errorf("the Rancher API URL must not contain credentials; set access_key and secret_key instead")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return none, fmt.Errorf("the Rancher API URL %q must not have a query or fragment", u.Redacted())
	}

	segments := splitPath(u.Path)
	for _, s := range segments {
		if strings.EqualFold(s, "v3") {
			return none, fmt.Errorf("the Rancher API URL %q points at the Rancher 2 (v3) API; this provider speaks the Rancher 1.x v1 API: "+
				"the URL should end in /v1 or have no path", u.Redacted())
		}
	}
	if n := len(segments); n > 0 && strings.EqualFold(segments[n-1], "schemas") {
		segments = segments[:n-1]
	}

	var out APIURL
	isVersion := func(s string) bool {
		if strings.EqualFold(s, "v2-beta") {
			out.FromV2Beta = true
			return true
		}
		return strings.EqualFold(s, "v1")
	}
	var prefix []string
	switch n := len(segments); {
	case n == 0:
	case isVersion(segments[n-1]):
		prefix = segments[:n-1]
	case n >= 3 && strings.EqualFold(segments[n-2], "projects") && isVersion(segments[n-3]):
		prefix = segments[:n-3]
		out.ProjectID = segments[n-1]
		if !validID(out.ProjectID) {
			return none, fmt.Errorf("the Rancher API URL %q names an invalid project id %q; a project id looks like 1a5", u.Redacted(), out.ProjectID)
		}
	default:
		return none, fmt.Errorf("the Rancher API URL %q has an unexpected path %q; it should end in /v1, /v1/projects/<project id>, or have no path", u.Redacted(), u.Path)
	}

	base := url.URL{Scheme: u.Scheme, Host: u.Host}
	base.Path = "/" + strings.Join(append(prefix, "v1"), "/")
	out.Base = base.String()
	return out, nil
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// redactURLError drops the URL from a *url.Error so that a URL holding
// credentials is not repeated in a message.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
