// SPDX-License-Identifier: MPL-2.0

package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cattle-ops/terraform-provider-rancher/internal/testutil"
)

func get(t *testing.T, url, user, pass string) (int, http.Header, map[string]any) {
	t.Helper()
	return do(t, "GET", url, user, pass, "")
}

func do(t *testing.T, method, url, user, pass, reqBody string) (int, http.Header, map[string]any) {
	t.Helper()
	var rd io.Reader
	if reqBody != "" {
		rd = strings.NewReader(reqBody)
	}
	req, _ := http.NewRequest(method, url, rd)
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
	var stderr testutil.SyncBuffer
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
	var out, errOut testutil.SyncBuffer
	if code := run([]string{"-help"}, &out, &errOut, nil); code != 0 || out.String() != "" ||
		!strings.Contains(errOut.String(), "simaccesskey") || !strings.Contains(errOut.String(), "-transition-delay") {
		t.Fatalf("-help: %d %q %q", code, out.String(), errOut.String())
	}
	// -help says what each key kind can do
	for _, want := range []string{"-account-key AK:SK:PID[,PID…]", "-admin-key AK:SK", "-env-key PID:AK:SK",
		"environment key", "account key", "admin key", "lists are empty", "creates are 405",
		"lists exactly its projects", "GET any object by id", "lists every project",
		"a valid key still acts as"} {
		if !strings.Contains(errOut.String(), want) {
			t.Fatalf("-help lacks %q:\n%s", want, errOut.String())
		}
	}
	for _, args := range [][]string{{"-env-key", "bad"}, {"-fault-rate", "2"}, {"extra"}, {"-nope"}} {
		var o, e testutil.SyncBuffer
		if code := run(args, &o, &e, nil); code != 2 || o.String() != "" {
			t.Fatalf("%v: exit %d, stdout %q", args, code, o.String())
		}
	}
	var o, e testutil.SyncBuffer
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

// startCommand runs the command with args on a free port and returns its
// URL, its stderr and a function that stops it and checks it exited 0.
func startCommand(t *testing.T, args ...string) (string, *testutil.SyncBuffer, func()) {
	t.Helper()
	stop := make(chan struct{})
	pr, pw := io.Pipe()
	stderr := &testutil.SyncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(append([]string{"-listen", "127.0.0.1:0", "-transition-delay", "0"}, args...), pw, stderr, stop)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no output; stderr: %s", stderr.String())
	}
	url := strings.TrimPrefix(sc.Text(), "RANCHER_URL=")
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return url, stderr, func() {
		t.Helper()
		close(stop)
		if code := <-done; code != 0 {
			t.Fatalf("exit %d; stderr: %s", code, stderr.String())
		}
	}
}

func projectIDs(t *testing.T, url, user, pass string) []string {
	t.Helper()
	status, _, body := get(t, url+"/v1/projects", user, pass)
	if status != 200 {
		t.Fatalf("GET /v1/projects as %s: %d", user, status)
	}
	var ids []string
	for _, d := range body["data"].([]any) {
		ids = append(ids, d.(map[string]any)["id"].(string))
	}
	return ids
}

func TestCommandAccountAndAdminKeys(t *testing.T) {
	const acctSecret, otherSecret, adminSecret = "acct-secret-4f1", "other-secret-8c2", "admin-secret-3d9"
	url, stderr, stop := startCommand(t,
		"-env-key", "1a9:envkey:env-secret-77",
		"-account-key", "acct:"+acctSecret+":1a5,1a7",
		"-account-key", "other:"+otherSecret+":1A8",
		"-admin-key", "adm:"+adminSecret)
	defer stop()

	// the listed projects exist, and each key sees what its kind may see
	if got := strings.Join(projectIDs(t, url, "acct", acctSecret), ","); got != "1a5,1a7" {
		t.Fatalf("account key's projects %s", got)
	}
	if got := strings.Join(projectIDs(t, url, "other", otherSecret), ","); got != "1a8" {
		t.Fatalf("second account key's projects %s", got)
	}
	if got := strings.Join(projectIDs(t, url, "adm", adminSecret), ","); got != "1a5,1a7,1a8,1a9" {
		t.Fatalf("admin key's projects %s", got)
	}
	status, hdr, _ := get(t, url+"/v1/projects/1a7/registrycredentials", "acct", acctSecret)
	if status != 200 || hdr.Get("X-API-Account-Kind") != "user" || hdr.Get("X-API-Account-Id") != "1a7" {
		t.Fatalf("account key in its project: %d %v", status, hdr)
	}
	for _, pid := range []string{"1a5", "1a7", "1a8", "1a9"} {
		if u := hdr.Get("X-API-User-Id"); u == pid {
			t.Fatalf("user account %s is also project %s", u, pid)
		}
	}
	if status, _, _ := get(t, url+"/v1/projects/1a8/registrycredentials", "acct", acctSecret); status != 403 {
		t.Fatalf("account key, not a member: %d", status)
	}
	if status, _, _ := do(t, "POST", url+"/v1/registries", "acct", acctSecret, `{"serverAddress":"a.example.com"}`); status != 405 {
		t.Fatalf("account key without a project, create: %d", status)
	}
	if status, _, _ := do(t, "POST", url+"/v1/projects/1a7/registries", "acct", acctSecret, `{"serverAddress":"a.example.com"}`); status != 201 {
		t.Fatalf("account key in its project, create: %d", status)
	}
	status, _, reg := do(t, "POST", url+"/v1/projects/1a8/registries", "adm", adminSecret, `{"serverAddress":"b.example.com"}`)
	if status != 201 {
		t.Fatalf("admin key in a project, create: %d", status)
	}
	if status, _, _ := get(t, url+"/v1/registries/"+reg["id"].(string), "adm", adminSecret); status != 200 {
		t.Fatalf("admin key without a project, GET by id: %d", status)
	}
	if status, _, _ := do(t, "POST", url+"/v1/registries", "adm", adminSecret, `{"serverAddress":"c.example.com"}`); status != 405 {
		t.Fatalf("admin key without a project, create: %d", status)
	}
	if status, hdr, _ := get(t, url+"/v1", "envkey", "env-secret-77"); status != 200 || hdr.Get("X-API-Account-Id") != "1a9" {
		t.Fatalf("-env-key: %d %v", status, hdr)
	}

	log := stderr.String()
	if !strings.Contains(log, "account key acct: owner of 1a5, 1a7") || !strings.Contains(log, "admin key adm") {
		t.Fatalf("stderr: %s", log)
	}
	for _, secret := range []string{acctSecret, otherSecret, adminSecret, "env-secret-77"} {
		if strings.Contains(log, secret) {
			t.Fatal("a secret key is in the log")
		}
	}
}

func TestCommandNoAuthKeepsValidKeys(t *testing.T) {
	url, _, stop := startCommand(t, "-no-auth", "-account-key", "acct:acct-secret:1a5", "-env-key", "1a7:k7:s7")
	defer stop()
	if status, hdr, _ := get(t, url+"/v1", "simaccesskey", "simsecretkey"); status != 200 ||
		hdr.Get("X-API-Account-Kind") != "project" || hdr.Get("X-API-Account-Id") != "1a5" {
		t.Fatalf("environment key: %d %v", status, hdr)
	}
	if status, _, _ := get(t, url+"/v1/projects/1a7/registrycredentials", "simaccesskey", "simsecretkey"); status != 403 {
		t.Fatalf("environment key, other project: %d", status)
	}
	if status, hdr, _ := get(t, url+"/v1/registrycredentials", "acct", "acct-secret"); status != 200 ||
		hdr.Get("X-API-Account-Kind") != "user" {
		t.Fatalf("account key: %d %v", status, hdr)
	}
	for _, user := range []string{"", "nokey"} {
		if status, hdr, _ := get(t, url+"/v1/projects/1a7/registrycredentials", user, "x"); status != 200 ||
			hdr.Get("X-API-Account-Kind") != "admin" || hdr.Get("X-API-User-Id") != "1a1" {
			t.Fatalf("key %q: %d %v", user, status, hdr)
		}
	}
}

func TestCommandKeyFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-account-key", "bad"},
		{"-account-key", "ak:sk"},
		{"-account-key", "ak:sk:"},
		{"-account-key", ":sk:1a5"},
		{"-account-key", "ak:sk:1a5,x"},
		{"-account-key", "ak:sk:1a1"},
		{"-account-key", "ak:sk:1a0"},
		{"-admin-key", "bad"},
		{"-admin-key", "ak:"},
		{"-admin-key", "ak:sk:1a5"},
		{"-admin-key", "simaccesskey:x"},
		{"-account-key", "ak:sk:1a5", "-admin-key", "ak:sk2"},
		{"-env-key", "1a7:ak:sk", "-account-key", "ak:sk:1a5"},
	} {
		var o, e testutil.SyncBuffer
		if code := run(args, &o, &e, nil); code != 2 || o.String() != "" || e.String() == "" {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q", args, code, o.String(), e.String())
		}
	}
}
