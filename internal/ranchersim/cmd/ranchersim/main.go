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

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, nil))
}

// run is the whole command; it returns the exit code. When stop is not nil,
// closing it stops the server as a signal would.
func run(args []string, stdout, stderr io.Writer, stop <-chan struct{}) int {
	fs := flag.NewFlagSet("ranchersim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ranchersim [flags]\n\n"+
			"Serves an in-memory Rancher 1.x (Cattle) v1 API for the provider's tests and demo.\n"+
			"Prints RANCHER_URL, RANCHER_ACCESS_KEY, RANCHER_SECRET_KEY and RANCHER_PROJECT_ID on\n"+
			"stdout, one per line, then serves until SIGINT/SIGTERM. GET /_sim/stats gives request counts.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:8080", `address to listen on (":0" or "127.0.0.1:0" picks a free port)`)
	accessKey := fs.String("access-key", ranchersim.DefaultAccessKey, "access key of an environment key bound to -project")
	secretKey := fs.String("secret-key", ranchersim.DefaultSecretKey, "secret key of that environment key")
	projectID := fs.String("project", ranchersim.DefaultProjectID, `id of a pre-made active project named "Default"`)
	var extra envKeys
	fs.Var(&extra, "env-key", "`PID:AK:SK` another environment key bound to project PID (made if new); repeatable")
	noAuth := fs.Bool("no-auth", false, "access control off: every request is the admin account")
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
	logger := log.New(stderr, "ranchersim: ", log.LstdFlags)

	sim := ranchersim.New(ranchersim.Options{
		ProjectID: *projectID, AccessKey: *accessKey, SecretKey: *secretKey,
		AccessControlOff: *noAuth, TransitionDelay: *delay, Latency: *latency,
		FaultRate: *faultRate, Seed: *seed, MaxReceived: 1000,
	})
	for _, k := range extra {
		p := strings.SplitN(k, ":", 3)
		sim.AddEnvironmentKey(p[0], p[1], p[2])
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
