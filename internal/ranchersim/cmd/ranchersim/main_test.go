package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func get(t *testing.T, url, user, pass string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, res.Header, body
}

func TestCommandServesAndStopsOnSIGTERM(t *testing.T) {
	outR, outW := io.Pipe()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"-listen", "127.0.0.1:0", "-transition-delay", "1ms", "-env-key", "1a7:otherkey:othersecret"}, outW, &stderr, nil)
		outW.Close()
	}()
	sc := bufio.NewScanner(outR)
	env := map[string]string{}
	var order []string
	for i := 0; i < 4; i++ {
		if !sc.Scan() {
			t.Fatalf("stdout ended after %d lines; stderr: %s", i, stderr.String())
		}
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			t.Fatalf("line %q", sc.Text())
		}
		env[k] = v
		order = append(order, k)
	}
	if strings.Join(order, ",") != "RANCHER_URL,RANCHER_ACCESS_KEY,RANCHER_SECRET_KEY,RANCHER_PROJECT_ID" {
		t.Fatalf("order %v", order)
	}
	if env["RANCHER_ACCESS_KEY"] != "simaccesskey" || env["RANCHER_SECRET_KEY"] != "simsecretkey" ||
		env["RANCHER_PROJECT_ID"] != "1a5" || !strings.HasPrefix(env["RANCHER_URL"], "http://127.0.0.1:") ||
		strings.HasSuffix(env["RANCHER_URL"], ":0") {
		t.Fatalf("%v", env)
	}
	url := env["RANCHER_URL"]
	status, hdr, body := get(t, url+"/v1", env["RANCHER_ACCESS_KEY"], env["RANCHER_SECRET_KEY"])
	if status != 200 || hdr.Get("X-API-Account-Id") != "1a5" || body["type"] != "apiVersion" {
		t.Fatalf("%d %v %v", status, hdr, body)
	}
	if status, _, _ := get(t, url+"/v1/projects/1a7/registrycredentials", "otherkey", "othersecret"); status != 200 {
		t.Fatalf("-env-key: %d", status)
	}
	if status, _, _ := get(t, url+"/v1/projects/1a5/registrycredentials", "otherkey", "othersecret"); status != 403 {
		t.Fatalf("-env-key other project: %d", status)
	}
	if status, _, _ := get(t, url+"/v1", "", ""); status != 401 {
		t.Fatalf("no auth: %d", status)
	}
	status, _, stats := get(t, url+"/_sim/stats", "", "")
	if status != 200 || stats["total"] != float64(4) {
		t.Fatalf("stats %d %v", status, stats)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d; stderr: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	rest, _ := io.ReadAll(outR)
	if len(rest) != 0 {
		t.Fatalf("more on stdout: %q", rest)
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Fatalf("stderr: %s", stderr.String())
	}
}

func TestCommandFlags(t *testing.T) {
	var out, errOut syncBuffer
	if code := run([]string{"-help"}, &out, &errOut, nil); code != 0 || out.String() != "" ||
		!strings.Contains(errOut.String(), "simaccesskey") || !strings.Contains(errOut.String(), "-transition-delay") {
		t.Fatalf("-help: %d %q %q", code, out.String(), errOut.String())
	}
	for _, args := range [][]string{{"-env-key", "bad"}, {"-fault-rate", "2"}, {"extra"}, {"-nope"}} {
		var o, e syncBuffer
		if code := run(args, &o, &e, nil); code != 2 || o.String() != "" {
			t.Fatalf("%v: exit %d, stdout %q", args, code, o.String())
		}
	}
	var o, e syncBuffer
	if code := run([]string{"-listen", "256.0.0.1:bad"}, &o, &e, nil); code != 1 || o.String() != "" {
		t.Fatalf("bad listen: %d %q", code, o.String())
	}
	// -no-auth and the stop channel
	stop := make(chan struct{})
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"-listen", ":0", "-no-auth", "-project", "1a3"}, pw, &e, stop)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	sc.Scan()
	url := strings.TrimPrefix(sc.Text(), "RANCHER_URL=")
	for i := 0; i < 3; i++ {
		sc.Scan()
	}
	if sc.Text() != "RANCHER_PROJECT_ID=1a3" {
		t.Fatalf("%q", sc.Text())
	}
	if status, hdr, _ := get(t, url+"/v1/projects/1a3/registrycredentials", "", ""); status != 200 || hdr.Get("X-API-Account-Kind") != "admin" {
		t.Fatalf("-no-auth: %d %v", status, hdr)
	}
	close(stop)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
	_, _ = io.ReadAll(pr)
}
