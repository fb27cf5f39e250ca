// SPDX-License-Identifier: MPL-2.0

// Command peakrss runs a command and appends its peak resident set size in
// KiB (getrusage's ru_maxrss, the kernel's VmHWM) to a file when it exits.
// scripts/bench.sh puts it between Terraform and the provider, so that the
// provider can be measured while Terraform starts and stops it as usual.
//
// Usage: peakrss FILE COMMAND [ARG...]
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: peakrss FILE COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	// *os.File streams are handed over as they are: the child talks to
	// Terraform directly.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		if f, ferr := os.OpenFile(os.Args[1], os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); ferr == nil {
			fmt.Fprintln(f, usage.Maxrss)
			_ = f.Close()
		}
	}
	if err != nil && cmd.ProcessState.ExitCode() < 0 {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
