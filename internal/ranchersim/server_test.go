// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestGoAPI(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		s, base := NewTestServer(t, Options{})
		c := newClient(t, base)
		r := c.get("/v1/projects/1a5")
		if r.status != 200 || r.body["name"] != "Default" {
			t.Fatalf("%s", r.raw)
		}
		if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, "/v1") {
			t.Fatalf("base %q", base)
		}
		_ = s
	})
	t.Run("options: project and keys", func(t *testing.T) {
		_, base := NewTestServer(t, Options{ProjectID: "1a9", AccessKey: "ak", SecretKey: "sk"})
		c := newClient(t, base).as("ak", "sk")
		r := c.get("/v1")
		if r.status != 200 || r.header.Get("X-API-Account-Id") != "1a9" {
			t.Fatalf("%v %s", r.header, r.raw)
		}
		expectError(t, newClient(t, base).get("/v1"), 401, "Unauthorized", "")
	})
	t.Run("CreateRegistry and CreateCredential", func(t *testing.T) {
		s, base := NewTestServer(t, Options{TransitionDelay: time.Hour})
		c := newClient(t, base).as(DefaultAccessKey, DefaultSecretKey)
		reg, err := s.CreateRegistry("1a5", "r.example.com", RegistryFields{Name: "r"})
		if err != nil {
			t.Fatal(err)
		}
		id, err := s.CreateCredential("1a5", reg, CredentialFields{Email: "me@example.com", PublicValue: "me", SecretValue: "pw"})
		if err != nil {
			t.Fatal(err)
		}
		// Active at once, whatever the transition delay, and served as any.
		r := c.get(cred + "/" + id)
		if r.status != 200 || r.body["state"] != "active" || r.body["registryId"] != reg || r.body["email"] != "me@example.com" ||
			r.body["publicValue"] != "me" || r.body["name"] != nil {
			t.Fatalf("%s", r.raw)
		}
		if got, _ := s.Registry(reg); got.State != "active" || got.Name == nil || *got.Name != "r" || got.Description != nil {
			t.Fatalf("%+v", got)
		}
		var ae *APIError
		if _, err := s.CreateCredential("1a5", "1sp999", CredentialFields{Email: "x"}); !errors.As(err, &ae) || ae.Code != "InvalidReference" {
			t.Fatalf("%v", err)
		}
		if _, err := s.CreateCredential("1a5", reg, CredentialFields{}); !errors.As(err, &ae) || ae.Code != "MissingRequired" || ae.FieldName != "email" {
			t.Fatalf("%v", err)
		}
		if _, err := s.CreateCredential("1a9", reg, CredentialFields{Email: "x"}); !errors.As(err, &ae) || ae.Status != 403 {
			t.Fatalf("%v", err)
		}
		if _, err := s.CreateRegistry("1a5", "R.example.com"); !errors.As(err, &ae) || ae.Code != "ServerAddressUsed" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("FailNextTransition on create", func(t *testing.T) {
		s, c := fixture(t, Options{})
		s.FailNextTransition("", "registry unreachable")
		id := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x"}`), 201).body["id"].(string)
		waitFor(t, "error", func() bool { got, _ := s.Credential(id); return got.Transitioning == "error" })
		r := c.get(cred + "/" + id)
		if r.body["state"] != "registering" || r.body["transitioning"] != "error" || r.body["transitioningMessage"] != "registry unreachable" {
			t.Fatalf("%s", r.raw)
		}
		time.Sleep(10 * time.Millisecond)
		if got, _ := s.Credential(id); got.State != "registering" || got.Transitioning != "error" ||
			got.TransitioningMessage == nil || *got.TransitioningMessage != "registry unreachable" {
			t.Fatalf("%+v", got)
		}
		// the next object is not affected; the failed one can be deleted
		newCred(t, s, c, "")
		c.mustStatus(c.del(cred+"/"+id), 200)
		waitState(t, s, id, "removed")
	})
	t.Run("FailNextTransition on an id", func(t *testing.T) {
		s, c := fixture(t, Options{})
		id := newCred(t, s, c, "")
		s.FailNextTransition(id, "boom")
		if err := s.Act(id, "deactivate"); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Credential(id)
		if got.State != "deactivating" || got.Transitioning != "error" || *got.TransitioningMessage != "boom" {
			t.Fatalf("%+v", got)
		}
		expectError(t, c.del(cred+"/"+id), 405, "Method not allowed", "")
	})
	t.Run("HangNextTransition", func(t *testing.T) {
		s, c := fixture(t, Options{TransitionDelay: time.Millisecond})
		s.HangNextTransition("")
		id := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x"}`), 201).body["id"].(string)
		time.Sleep(20 * time.Millisecond)
		if got, _ := s.Credential(id); got.State != "registering" || got.Transitioning != "yes" {
			t.Fatalf("%+v", got)
		}
		// a new transition replaces the hung one
		_ = s.Act(id, "deactivate")
		waitState(t, s, id, "inactive")
	})
	t.Run("Act errors", func(t *testing.T) {
		s, c := fixture(t, Options{})
		id := newCred(t, s, c, "")
		var ae *APIError
		if err := s.Act(id, "activate"); !errors.As(err, &ae) || ae.Status != 422 || ae.Code != "ActionNotAvailable" {
			t.Fatalf("%v", err)
		}
		if err := s.Act(id, "restore"); !errors.As(err, &ae) || ae.Code != "InvalidAction" {
			t.Fatalf("%v", err)
		}
		if err := s.Act("1c999", "deactivate"); !errors.As(err, &ae) || ae.Status != 404 {
			t.Fatalf("%v", err)
		}
		if err := s.Act("1sp1", "deactivate"); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.Registry("1sp1"); r.State != "inactive" {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("Delete is a hard delete", func(t *testing.T) {
		s, c := fixture(t, Options{})
		id := newCred(t, s, c, "")
		keep := newCred(t, s, c, "")
		if err := s.Delete(id); err != nil {
			t.Fatal(err)
		}
		expectError(t, c.get(cred+"/"+id), 404, "Not Found", "")
		if got := idsOf(t, c.get(cred+"?_removed")); !reflect.DeepEqual(got, []string{keep}) {
			t.Fatalf("%v", got)
		}
		if _, ok := s.Credential(id); ok {
			t.Fatal("still there")
		}
		if err := s.Delete(id); err == nil {
			t.Fatal("second Delete succeeded")
		}
		if len(s.Credentials("1a5")) != 1 {
			t.Fatal("Credentials")
		}
	})
	t.Run("snapshots", func(t *testing.T) {
		now := time.Date(2017, 2, 1, 10, 11, 12, 345e6, time.UTC)
		s, c := fixture(t, Options{Now: func() time.Time { return now }})
		id := newCred(t, s, c, `{"registryId":"1sp1","email":"e","name":"n","secretValue":"sv"}`)
		got, _ := s.Credential(id)
		want := Credential{ID: id, ProjectID: "1a5", RegistryID: "1sp1", Email: "e", Name: ptr("n"), SecretValue: ptr("sv"),
			UUID: got.UUID, State: "active", Transitioning: "no", Created: now.Truncate(time.Second)}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%+v\nwant %+v", got, want)
		}
		r := c.get(cred + "/" + id)
		if r.body["created"] != "2017-02-01T10:11:12Z" || r.body["createdTS"] != float64(1485943872000) {
			t.Fatalf("%s", r.raw)
		}
		regs := s.Registries("1a5")
		if len(regs) != 1 || regs[0].ServerAddress != "registry.example.com" || regs[0].State != "active" {
			t.Fatalf("%+v", regs)
		}
	})
	t.Run("Received and Stats", func(t *testing.T) {
		s, c := fixture(t, Options{})
		id := newCred(t, s, c, `{"registryId":"1sp1","email":"x"}`)
		c.get(cred + "/" + id)
		c.get("/v1/registrycredentials/" + id)
		c.action(cred+"/"+id, "deactivate")
		c.action(cred+"/"+id, "bogus")
		c.put(cred+"/"+id, `{"name":"x"}`)
		c.get("/v1/projects/1a5")
		c.get("/v1/projects")
		c.get("/v1/widgets")
		c.get(cred + "/" + id + "/registry")
		rec := s.Received()
		if len(rec) != 10 || rec[0].Method != "POST" || rec[0].Path != cred || string(rec[0].Body) != `{"registryId":"1sp1","email":"x"}` ||
			!strings.HasPrefix(rec[0].Header.Get("Authorization"), "Basic ") || rec[4].RawQuery != "action=bogus" {
			t.Fatalf("%+v", rec)
		}
		want := map[string]int{
			"POST /v1/projects/{pid}/registrycredentials":                        1,
			"GET /v1/projects/{pid}/registrycredentials/{id}":                    1,
			"GET /v1/registrycredentials/{id}":                                   1,
			"POST /v1/projects/{pid}/registrycredentials/{id}?action=deactivate": 1,
			"POST /v1/projects/{pid}/registrycredentials/{id}?action={action}":   1,
			"PUT /v1/projects/{pid}/registrycredentials/{id}":                    1,
			"GET /v1/projects/{pid}":                                             1,
			"GET /v1/projects":                                                   1,
			"GET other":                                                          1,
			"GET /v1/projects/{pid}/registrycredentials/{id}/registry":           1,
		}
		st := s.Stats()
		if st.Total != 10 || !reflect.DeepEqual(st.Routes, want) {
			t.Fatalf("%+v", st)
		}
		// /_sim/stats gives the same numbers and does not count itself
		for i := 0; i < 2; i++ {
			res, err := http.Get(c.base + "/_sim/stats")
			if err != nil {
				t.Fatal(err)
			}
			var got Stats
			if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if !reflect.DeepEqual(got, st) {
				t.Fatalf("/_sim/stats %+v, want %+v", got, st)
			}
		}
		s.ResetStats()
		if st := s.Stats(); st.Total != 0 || len(st.Routes) != 0 {
			t.Fatalf("%+v", st)
		}
		s.ResetReceived()
		if len(s.Received()) != 0 {
			t.Fatal("ResetReceived")
		}
		res, _ := http.Get(c.base + "/_sim/other")
		res.Body.Close()
		if res.StatusCode != 404 {
			t.Fatalf("/_sim/other: %d", res.StatusCode)
		}
	})
	t.Run("latency", func(t *testing.T) {
		s, base := NewTestServer(t, Options{Latency: 200 * time.Millisecond})
		c := newClient(t, base)
		start := time.Now()
		c.get("/v1")
		if d := time.Since(start); d < 200*time.Millisecond {
			t.Fatalf("took %s", d)
		}
		s.SetLatency(0)
		start = time.Now()
		res, _ := http.Get(base + "/_sim/stats")
		res.Body.Close()
		c.get("/v1")
		if d := time.Since(start); d > 150*time.Millisecond {
			t.Fatalf("took %s after SetLatency(0)", d)
		}
	})
}

// outcome sends one request over a fresh connection and names what came
// back: the status code, or "drop".
func outcome(t *testing.T, method, url, body string) (string, *http.Response) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.SetBasicAuth(DefaultAccessKey, DefaultSecretKey)
	res, err := client.Do(req)
	if err != nil {
		return "drop", nil
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return fmt.Sprint(res.StatusCode), res
}

func TestFaults(t *testing.T) {
	t.Run("seeded and reproducible", func(t *testing.T) {
		run := func(seed int64) []string {
			_, base := NewTestServer(t, Options{FaultRate: 0.5, Seed: seed})
			var out []string
			for i := 0; i < 60; i++ {
				o, _ := outcome(t, "GET", base+"/v1/projects/1a5/registrycredentials", "")
				out = append(out, o)
			}
			return out
		}
		a, b, other := run(42), run(42), run(7)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
		}
		if reflect.DeepEqual(a, other) {
			t.Fatal("different seeds, same faults")
		}
		kinds := map[string]int{}
		for _, o := range a {
			kinds[o]++
		}
		for _, k := range []string{"200", "502", "503", "429", "drop"} {
			if kinds[k] == 0 {
				t.Fatalf("no %s in %v", k, kinds)
			}
		}
	})
	t.Run("503 and 429 do not act; 502 and drop do", func(t *testing.T) {
		s, base := NewTestServer(t, Options{FaultRate: 1, Seed: 3})
		if _, err := s.CreateRegistry("1a5", "r"); err != nil {
			t.Fatal(err)
		}
		acted := 0
		seen := map[string]int{}
		for i := 0; i < 40; i++ {
			before := len(s.Credentials("1a5"))
			o, res := outcome(t, "POST", base+cred, fmt.Sprintf(`{"registryId":"1sp1","email":"x","name":"c%d"}`, i))
			seen[o]++
			created := len(s.Credentials("1a5")) - before
			switch o {
			case "503", "429":
				if created != 0 {
					t.Fatalf("%s created a credential", o)
				}
				if res.Header.Get("Retry-After") != "1" {
					t.Fatalf("%s without Retry-After: %v", o, res.Header)
				}
			case "502", "drop":
				if created != 1 {
					t.Fatalf("%s created %d credentials", o, created)
				}
				acted++
			default:
				t.Fatalf("unexpected outcome %s at rate 1", o)
			}
		}
		if len(seen) != 4 {
			t.Fatalf("outcomes %v", seen)
		}
		// faults never touch /_sim
		res, err := http.Get(base + "/_sim/stats")
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%v %v", res, err)
		}
		res.Body.Close()
		if st := s.Stats(); st.Total != 40 {
			t.Fatalf("total %d", st.Total)
		}
		// and a rate change at run time takes effect
		s.SetFaultRate(0)
		if o, _ := outcome(t, "GET", base+cred, ""); o != "200" {
			t.Fatalf("rate 0: %s", o)
		}
		if len(s.Credentials("1a5")) != acted {
			t.Fatalf("%d credentials, %d acted", len(s.Credentials("1a5")), acted)
		}
	})
}

func TestConcurrency(t *testing.T) {
	s, c := fixture(t, Options{TransitionDelay: time.Millisecond})
	const n = 50
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make(chan error, n*4)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cl := newClient(t, c.base)
			fail := func(format string, args ...any) {
				errs <- fmt.Errorf("worker %d: "+format, append([]any{i}, args...)...)
			}
			r := cl.post(cred, fmt.Sprintf(`{"registryId":"1sp1","email":"w%d@x","name":"w%d"}`, i, i))
			if r.status != 201 {
				fail("create %d %s", r.status, r.raw)
				return
			}
			id := r.body["id"].(string)
			ids[i] = id
			poll := func(state string) bool {
				deadline := time.Now().Add(5 * time.Second)
				for time.Now().Before(deadline) {
					if g := cl.get(cred + "/" + id); g.body["state"] == state {
						return true
					}
					time.Sleep(time.Millisecond)
				}
				fail("never %s", state)
				return false
			}
			if !poll("active") {
				return
			}
			// two writers race on one object: each writes name and description together
			var inner sync.WaitGroup
			for k := 0; k < 2; k++ {
				inner.Add(1)
				go func(k int) {
					defer inner.Done()
					tok := fmt.Sprintf("w%d-%d", i, k)
					if r := cl.put(cred+"/"+id, fmt.Sprintf(`{"name":%q,"description":%q}`, tok, tok)); r.status != 200 {
						fail("put %d", r.status)
					}
				}(k)
			}
			cl.get(cred + "?limit=10")
			inner.Wait()
			if i%2 == 0 {
				if r := cl.action(cred+"/"+id, "deactivate"); r.status != 202 {
					fail("deactivate %d %s", r.status, r.raw)
					return
				}
			} else if err := s.Act(id, "deactivate"); err != nil {
				fail("Act %v", err)
				return
			}
			if !poll("inactive") {
				return
			}
			if r := cl.del(cred + "/" + id); r.status != 200 {
				fail("delete %d %s", r.status, r.raw)
				return
			}
			poll("removed")
		}(i)
	}
	// readers alongside
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for k := 0; k < 3; k++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = s.Credentials("1a5")
				_ = s.Stats()
				c.get(cred + "?_removed&sort=name")
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all := s.Credentials("1a5")
	if len(all) != n {
		t.Fatalf("%d credentials, want %d", len(all), n)
	}
	seen := map[string]bool{}
	for i, cr := range all {
		if seen[cr.ID] {
			t.Fatalf("duplicate id %s", cr.ID)
		}
		seen[cr.ID] = true
		if cr.ID != fmt.Sprintf("1c%d", i+1) {
			t.Fatalf("ids not dense: %s at %d", cr.ID, i)
		}
		if cr.State != "removed" || cr.Removed == nil || cr.Transitioning != "no" {
			t.Fatalf("%+v", cr)
		}
		if cr.Name == nil || cr.Description == nil || *cr.Name != *cr.Description {
			t.Fatalf("half-changed %s: name %v description %v", cr.ID, cr.Name, cr.Description)
		}
	}
	for i, id := range ids {
		cr, _ := s.Credential(id)
		if cr.Email != fmt.Sprintf("w%d@x", i) || !strings.HasPrefix(*cr.Name, fmt.Sprintf("w%d-", i)) {
			t.Fatalf("%+v", cr)
		}
	}
}

func TestMaxReceived(t *testing.T) {
	s, base := NewTestServer(t, Options{MaxReceived: 3})
	c := newClient(t, base)
	for i := 0; i < 10; i++ {
		c.get(fmt.Sprintf("/v1?i=%d", i))
	}
	rec := s.Received()
	if len(rec) != 3 || rec[0].RawQuery != "i=7" || rec[2].RawQuery != "i=9" {
		t.Fatalf("%+v", rec)
	}
	if s.Stats().Total != 10 {
		t.Fatal("stats")
	}
}
