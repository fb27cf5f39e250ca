// SPDX-License-Identifier: MPL-2.0

package testutil

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Middlebox is a misbehaving proxy in front of an API handler, as a load
// balancer, a gateway or an authenticating proxy can be: it passes requests
// on, except every Every-th request that Select picks, which Answer answers
// in its own way. It counts what it saw.
type Middlebox struct {
	Next   http.Handler
	Select func(*http.Request) bool // nil: every request
	Every  int                      // 0 or 1: every selected request
	Answer func(w http.ResponseWriter, r *http.Request, next http.Handler)

	mu       sync.Mutex
	requests int
	selected int
	faults   int
}

func (m *Middlebox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.requests++
	misbehave := false
	if m.Select == nil || m.Select(r) {
		m.selected++
		misbehave = m.Every <= 1 || m.selected%m.Every == 0
	}
	if misbehave {
		m.faults++
	}
	m.mu.Unlock()
	if misbehave {
		m.Answer(w, r, m.Next)
		return
	}
	m.Next.ServeHTTP(w, r)
}

// Counts returns how many requests the middlebox received and how many of
// them it answered in its own way.
func (m *Middlebox) Counts() (requests, faults int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.requests, m.faults
}

// credentialPath is the URL path of one registry credential.
var credentialPath = regexp.MustCompile(`^/v1/projects/[^/]+/registrycredentials/[^/]+$`)

// CredentialGET selects the reads of one registry credential by id.
func CredentialGET(r *http.Request) bool {
	return r.Method == http.MethodGet && credentialPath.MatchString(r.URL.Path)
}

// CreatePOST selects creates: a POST to a collection, not an action.
func CreatePOST(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Query().Get("action") == ""
}

// forward lets next answer r and returns that answer.
func forward(r *http.Request, next http.Handler) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return rec
}

// BadGatewayPage answers 502 with nginx's HTML page, without passing the
// request on.
func BadGatewayPage(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = fmt.Fprint(w, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"+
		"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n")
}

// Stall passes the request on, then holds the answer for d or until the
// client gives up: the server acted, the client never learns it.
func Stall(d time.Duration) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(_ http.ResponseWriter, r *http.Request, next http.Handler) {
		forward(r, next)
		select {
		case <-r.Context().Done():
		case <-time.After(d):
		}
	}
}

// CollectionInsteadOfObject passes a create on, then answers 201 with an
// empty collection document instead of the object made.
func CollectionInsteadOfObject(w http.ResponseWriter, r *http.Request, next http.Handler) {
	forward(r, next)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = fmt.Fprint(w, `{"type":"collection","resourceType":"registryCredential","links":{},"data":[]}`)
}

// HalfBodyThenClose passes the request on and sends the answer's headers,
// with its full Content-Length, and half its body; then the connection
// closes: the client reads an unexpected EOF.
func HalfBodyThenClose(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := forward(r, next)
	body := rec.Body.Bytes()
	writeRaw(w, rec, len(body), body[:len(body)/2])
}

// JSONCutInHalf passes the request on and sends a complete answer whose
// body is the first half of the JSON document.
func JSONCutInHalf(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := forward(r, next)
	half := rec.Body.Bytes()[:rec.Body.Len()/2]
	writeRaw(w, rec, len(half), half)
}

// writeRaw writes rec's status and headers with contentLength, then body,
// on the bare connection, and closes it.
func writeRaw(w http.ResponseWriter, rec *httptest.ResponseRecorder, contentLength int, body []byte) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
	h := rec.Header().Clone()
	h.Set("Content-Length", fmt.Sprint(contentLength))
	h.Set("Connection", "close")
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(body)
	_ = buf.Flush()
}

// Alternate answers with each of answers in turn.
func Alternate(answers ...func(http.ResponseWriter, *http.Request, http.Handler)) func(http.ResponseWriter, *http.Request, http.Handler) {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		mu.Lock()
		answer := answers[n%len(answers)]
		n++
		mu.Unlock()
		answer(w, r, next)
	}
}

// RedirectTo answers status with a Location that target makes of the
// request, without passing it on.
func RedirectTo(status int, target func(*http.Request) string) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Location", target(r))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, "<html><head><title>%d %s</title></head></html>\n", status, http.StatusText(status))
	}
}

// SameHostHTTPS is where a load balancer that forces TLS sends a request.
func SameHostHTTPS(r *http.Request) string {
	return "https://" + r.Host + r.URL.RequestURI()
}

// LoginPage is where an authenticating proxy at loginURL sends a request.
func LoginPage(loginURL string) func(*http.Request) string {
	return func(r *http.Request) string {
		return strings.TrimSuffix(loginURL, "/") + "/oauth2/start?rd=" + r.URL.EscapedPath() + "&state=opaque-proxy-state"
	}
}
