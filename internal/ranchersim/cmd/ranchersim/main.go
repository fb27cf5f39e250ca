// SPDX-License-Identifier: MPL-2.0

// Command ranchersim serves the in-memory Rancher 1.x (Cattle) v1 API
// simulator of package ranchersim on a local port.
//
// On start it prints exactly four lines to stdout, ready for
// eval "$(ranchersim … | sed 's/^/export /')":
//
//	RANCHER_URL=http://127.0.0.1:8080
//	RANCHER_ACCESS_KEY=simaccesskey
//	RANCHER_SECRET_KEY=simsecretkey
//	RANCHER_PROJECT_ID=1a5
//
// then serves until SIGINT or SIGTERM and exits 0. Logs go to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

type envKeys []string

func (e *envKeys) String() string { return strings.Join(*e, ",") }

func (e *envKeys) Set(v string) error {
	parts := strings.Split(v, ":")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return errors.New("want PID:ACCESS_KEY:SECRET_KEY, e.g. 1a7:otherkey:othersecret")
	}
	*e = append(*e, v)
	return nil
}

// accountKey is one -account-key value: an account key, owner of projects.
type accountKey struct {
	access, secret string
	projects       []string
}

type accountKeys []accountKey

func (a *accountKeys) String() string {
	var out []string
	for _, k := range *a {
		out = append(out, k.access+":…:"+strings.Join(k.projects, ","))
	}
	return strings.Join(out, " ")
}

func (a *accountKeys) Set(v string) error {
	parts := strings.Split(v, ":")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return errors.New("want ACCESS_KEY:SECRET_KEY:PID[,PID…], e.g. acctkey:acctsecret:1a5,1a7")
	}
	k := accountKey{access: parts[0], secret: parts[1]}
	seen := map[string]bool{}
	for _, pid := range strings.Split(parts[2], ",") {
		pid = strings.ToLower(strings.TrimSpace(pid))
		if !projectIDPattern.MatchString(pid) || pid == ranchersim.AdminAccountID {
			return fmt.Errorf("%q is not a project id: project ids look like 1a5 (1a1 is the admin account)", pid)
		}
		if !seen[pid] {
			seen[pid] = true
			k.projects = append(k.projects, pid)
		}
	}
	*a = append(*a, k)
	return nil
}

// adminKeys are the -admin-key values, each "ACCESS_KEY:SECRET_KEY".
type adminKeys [][2]string

func (a *adminKeys) String() string {
	var out []string
	for _, k := range *a {
		out = append(out, k[0]+":…")
	}
	return strings.Join(out, " ")
}

func (a *adminKeys) Set(v string) error {
	parts := strings.Split(v, ":")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return errors.New("want ACCESS_KEY:SECRET_KEY, e.g. adminkey:adminsecret")
	}
	*a = append(*a, [2]string{parts[0], parts[1]})
	return nil
}

var projectIDPattern = regexp.MustCompile(`^1a[1-9][0-9]*$`)

const usageText = `Usage: ranchersim [flags]

Serves an in-memory Rancher 1.x (Cattle) v1 API for the provider's tests and demo.
Prints RANCHER_URL, RANCHER_ACCESS_KEY, RANCHER_SECRET_KEY and RANCHER_PROJECT_ID on
stdout, one per line, then serves until SIGINT/SIGTERM. GET /_sim/stats gives request counts.

API keys (HTTP Basic: access key as user name, secret key as password), as in Cattle:
  environment key (-access-key/-secret-key, -env-key)
      bound to one project: /v1/... and /v1/projects/<its project>/... are the same;
      any other project is 403.
  account key (-account-key)
      a user account that is an owner member of the listed projects. With a project
      (path /v1/projects/<pid>/..., header X-API-Project-Id or ?projectId=) it acts in
      that project like an environment key; a project it is no member of is 403.
      Without a project it is its own user account: lists are empty, GET by id is 404,
      creates are 405. GET /v1/projects lists exactly its projects.
  admin key (-admin-key)
      an admin account. With any project it acts in that project as an owner. Without
      a project it can GET any object by id and list across projects, but cannot create
      (405), update or delete. GET /v1/projects lists every project.
  -no-auth turns access control off: a request with a valid key still acts as that
      key's account; no key, or an unknown key or wrong secret, is the admin account.

Flags:
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, nil))
}

// run is the whole command; it returns the exit code. When stop is not nil,
// closing it stops the server as a signal would.
func run(args []string, stdout, stderr io.Writer, stop <-chan struct{}) int {
	fs := flag.NewFlagSet("ranchersim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:8080", `address to listen on (":0" or "127.0.0.1:0" picks a free port)`)
	accessKey := fs.String("access-key", ranchersim.DefaultAccessKey, "access key of an environment key bound to -project")
	secretKey := fs.String("secret-key", ranchersim.DefaultSecretKey, "secret key of that environment key")
	projectID := fs.String("project", ranchersim.DefaultProjectID, `id of a pre-made active project named "Default"`)
	var extra envKeys
	fs.Var(&extra, "env-key", "`PID:AK:SK` another environment key bound to project PID (made if new); repeatable")
	var accounts accountKeys
	fs.Var(&accounts, "account-key", "`AK:SK:PID[,PID…]` an account key whose user account is an owner member of each listed project\n"+
		"(made if new); needs a project in the request, lists its projects; repeatable")
	var admins adminKeys
	fs.Var(&admins, "admin-key", "`AK:SK` an admin account key: acts in any project; without one, reads any object by id\n"+
		"but cannot create; repeatable")
	noAuth := fs.Bool("no-auth", false, "access control off: a valid key still acts as its own account;\n"+
		"no key or an unknown key is the admin account (as Cattle does)")
	delay := fs.Duration("transition-delay", 50*time.Millisecond, "how long each transitional state lasts (0: done right after the reply)")
	latency := fs.Duration("latency", 0, "added before every reply")
	faultRate := fs.Float64("fault-rate", 0, "share (0..1) of requests answered by an injected fault: 502, 503, 429 with Retry-After, or a dropped connection")
	seed := fs.Int64("seed", 1, "seed of the fault injection")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ranchersim: unexpected arguments: %v\n", fs.Args())
		return 2
	}
	if *faultRate < 0 || *faultRate > 1 {
		fmt.Fprintln(stderr, "ranchersim: -fault-rate must be between 0 and 1")
		return 2
	}
	if dup := duplicateKey(*accessKey, extra, accounts, admins); dup != "" {
		fmt.Fprintf(stderr, "ranchersim: access key %q is given more than once\n", dup)
		return 2
	}
	logger := log.New(stderr, "ranchersim: ", log.LstdFlags)

	sim := ranchersim.New(ranchersim.Options{
		ProjectID: *projectID, AccessKey: *accessKey, SecretKey: *secretKey,
		AccessControlOff: *noAuth, TransitionDelay: *delay, Latency: *latency,
		FaultRate: *faultRate, Seed: *seed, MaxReceived: 1000,
	})
	known := map[string]bool{strings.ToLower(*projectID): true}
	for _, k := range extra {
		p := strings.SplitN(k, ":", 3)
		sim.AddEnvironmentKey(p[0], p[1], p[2])
		known[strings.ToLower(p[0])] = true
	}
	// Every project first, so that no user account takes the id of a project
	// a later -account-key names.
	for _, k := range accounts {
		for _, pid := range k.projects {
			if !known[pid] {
				sim.AddProject(pid, pid)
				known[pid] = true
			}
		}
	}
	for _, k := range accounts {
		m := map[string]string{}
		for _, pid := range k.projects {
			m[pid] = "owner"
		}
		sim.AddAccountKey(k.access, k.secret, false, m)
		logger.Printf("account key %s: owner of %s", k.access, strings.Join(k.projects, ", "))
	}
	for _, k := range admins {
		sim.AddAccountKey(k[0], k[1], true, nil)
		logger.Printf("admin key %s", k[0])
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "ranchersim: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger}
	addr := ln.Addr().(*net.TCPAddr) //nolint:forcetypeassert // a "tcp" listener always has a *net.TCPAddr
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	fmt.Fprintf(stdout, "RANCHER_URL=%s\nRANCHER_ACCESS_KEY=%s\nRANCHER_SECRET_KEY=%s\nRANCHER_PROJECT_ID=%s\n",
		url, *accessKey, *secretKey, *projectID)
	logger.Printf("serving the Rancher v1 API at %s/v1 (transition delay %s, latency %s, fault rate %g, seed %d, access control %s)",
		url, *delay, *latency, *faultRate, *seed, map[bool]string{true: "off", false: "on"}[*noAuth])

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		logger.Printf("serve: %v", err)
		return 1
	case s := <-sigs:
		logger.Printf("%s: shutting down", s)
	case <-stop:
		logger.Printf("stop: shutting down")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		logger.Printf("shutdown: %v", err)
		return 1
	}
	return 0
}

// duplicateKey returns an access key given by more than one key flag, or "".
func duplicateKey(envAccess string, extra envKeys, accounts accountKeys, admins adminKeys) string {
	seen := map[string]bool{envAccess: true}
	all := make([]string, 0, len(extra)+len(accounts)+len(admins))
	for _, k := range extra {
		all = append(all, strings.SplitN(k, ":", 3)[1])
	}
	for _, k := range accounts {
		all = append(all, k.access)
	}
	for _, k := range admins {
		all = append(all, k[0])
	}
	for _, a := range all {
		if seen[a] {
			return a
		}
		seen[a] = true
	}
	return ""
}
