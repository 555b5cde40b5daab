package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// server is the authd under test; cmd is set when authbench started it.
type server struct {
	url string
	cmd *exec.Cmd
	dir string
}

// startServer builds ./cmd/authd and starts it on a free loopback port,
// logging to nowhere (the access log would measure the disk), and waits for
// /healthz.
//
// With databaseURL set the server keeps its stores in that PostgreSQL
// database (which should be empty: the demo users are created only in an
// empty users table), with a key of its own, as one instance of several
// would.
func startServer(ctx context.Context, cacheSize int, databaseURL string, stderr io.Writer) (*server, error) {
	dir, err := os.MkdirTemp("", "authbench")
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "authd")
	fmt.Fprintln(stderr, "authbench: building ./cmd/authd")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/authd")
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("build authd (run authbench from the module root): %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(bin)
	// The generator is one client address: without lifting the DPoP
	// address budget its proofs would be refused with 429 after the first
	// row's few seconds.
	cmd.Env = append(os.Environ(), "AUTH_ADDR="+addr, "AUTH_LOG_LEVEL=error",
		"AUTH_TOKEN_CACHE_SIZE="+strconv.Itoa(cacheSize), "AUTH_DPOP_ADDRESS_BUDGET=0")
	if databaseURL != "" {
		cmd.Env = append(cmd.Env, "AUTH_STORE=postgres", "AUTH_DATABASE_URL="+databaseURL,
			"AUTH_DEMO_USERS=true", "AUTH_JWT_EPHEMERAL_KEYS=true")
	}
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{url: "http://" + addr, cmd: cmd, dir: dir}
	for range 200 {
		if res, err := http.Get(s.url + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s, nil
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("authd did not become healthy at %s", s.url)
}

// peakRSS returns the server's peak resident set (VmHWM) in bytes, or 0 when
// authbench did not start it.
func (s *server) peakRSS() int64 {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
		}
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}
