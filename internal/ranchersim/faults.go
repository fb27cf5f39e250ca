// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"net/http"
	"time"
)

type faultKind int

const (
	faultNone faultKind = iota
	fault503
	fault429
	fault502
	faultDrop
)

// admit records the request, counts it and draws its fault decision.
func (s *Server) admit(r *http.Request, body []byte, pattern string) (faultKind, time.Duration) {
	s.meta.Lock()
	defer s.meta.Unlock()
	s.received = append(s.received, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Body: body, Header: r.Header.Clone()})
	if s.maxRecv > 0 && len(s.received) >= 2*s.maxRecv {
		s.received = append([]Request(nil), s.received[len(s.received)-s.maxRecv:]...)
	}
	s.stats.Total++
	s.stats.Routes[pattern]++
	// two draws per request whatever the rate, so the n-th request's decision
	// depends only on the seed
	x, k := s.rng.Float64(), s.rng.Intn(4)
	if x < s.faultRate {
		return faultKind(k + 1), s.latency
	}
	return faultNone, s.latency
}

// wait waits out the latency before a request is acted on; false when the
// client went away meanwhile (the request is then dropped unanswered).
func wait(r *http.Request, latency time.Duration) bool {
	if latency <= 0 {
		return true
	}
	t := time.NewTimer(latency)
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		t.Stop()
		return false
	}
}

// serve answers an admitted request with its fault: 503 and 429 without
// acting on it, 502 and a dropped connection after acting on it, or the
// handler's answer (README §15).
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt route, body []byte, fault faultKind) {
	switch fault {
	case fault503, fault429:
		status, code := http.StatusServiceUnavailable, "Service Unavailable"
		if fault == fault429 {
			status, code = http.StatusTooManyRequests, "Too Many Requests"
		}
		w.Header().Set("Retry-After", "1")
		writeResponse(w, response{status: status, body: errorBody(&APIError{Status: status, Code: code})})
	case fault502, faultDrop:
		_, tx := s.handle(r, rt, body)
		s.finish(tx)
		if fault == fault502 {
			writeResponse(w, response{status: http.StatusBadGateway,
				body: errorBody(&APIError{Status: http.StatusBadGateway, Code: "Bad Gateway"})})
			return
		}
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	default:
		resp, tx := s.handle(r, rt, body)
		writeResponse(w, resp)
		s.finish(tx)
	}
}

// Request is one API request as received.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Body     []byte
	Header   http.Header
}

// Received returns a copy of every API request received (including those
// answered by an injected fault), in arrival order; only the latest
// MaxReceived ones when that option is set.
func (s *Server) Received() []Request {
	s.meta.Lock()
	defer s.meta.Unlock()
	recv := s.received
	if s.maxRecv > 0 && len(recv) > s.maxRecv {
		recv = recv[len(recv)-s.maxRecv:]
	}
	out := make([]Request, len(recv))
	for i, r := range recv {
		out[i] = Request{Method: r.Method, Path: r.Path, RawQuery: r.RawQuery,
			Body: append([]byte(nil), r.Body...), Header: r.Header.Clone()}
	}
	return out
}

// ResetReceived forgets the requests received so far.
func (s *Server) ResetReceived() {
	s.meta.Lock()
	defer s.meta.Unlock()
	s.received = nil
}

// SetFaultRate changes the fault rate at run time; the seeded random
// sequence carries on.
func (s *Server) SetFaultRate(rate float64) {
	s.meta.Lock()
	defer s.meta.Unlock()
	s.faultRate = rate
}

// SetLatency changes the latency added before every reply.
func (s *Server) SetLatency(d time.Duration) {
	s.meta.Lock()
	defer s.meta.Unlock()
	s.latency = d
}
