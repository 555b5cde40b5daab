package harness

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// T is a whole second; every test's clock starts there.
var T = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// SyncBuffer is a log sink safe for the server's goroutines.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Env is authd's real HTTP stack on a frozen clock.
type Env struct {
	T      *testing.T
	Clock  *clock.Frozen
	Server *httptest.Server
	App    *authd.App
	Logs   *SyncBuffer
}

// DefaultConfig returns the configuration of an empty environment.
func DefaultConfig(t *testing.T) authd.Config {
	t.Helper()
	cfg, err := authd.LoadConfig(nil, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	return cfg
}

// HashQueueWait is how long a login of an Env made by NewEnv waits for a
// hashing slot before 503, unless an option says otherwise. Production
// waits one hash's time, measured at start; under -race on a loaded 2-core
// machine that bound is a matter of speed, and a test's verdict must not
// be. Tests of the queue itself set their own (0: the production default).
const HashQueueWait = time.Minute

// NewEnv starts authd on a clock frozen at T with the defaults, changed by
// the options; logins wait up to HashQueueWait for a hashing slot.
func NewEnv(t *testing.T, options ...func(*authd.Config)) *Env {
	t.Helper()
	cfg := DefaultConfig(t)
	cfg.HashQueueWait = HashQueueWait
	for _, o := range options {
		o(&cfg)
	}
	frozen := clock.NewFrozen(T)
	e := StartEnv(t, cfg, frozen)
	e.Clock = frozen
	return e
}

// StartEnv wires authd with the configuration and clock and serves it on
// a loopback port, listening first as Run does, so the public URL is the
// server's own (unless the configuration sets AUTH_PUBLIC_URL).
func StartEnv(t *testing.T, cfg authd.Config, clk ports.Clock) *Env {
	t.Helper()
	e := &Env{T: t, Logs: &SyncBuffer{}}
	cfg.Addr = "127.0.0.1:0"
	ln, admin, err := authd.Listen(&cfg)
	require.NoError(t, err)
	if admin != nil {
		admin.Close() // the env serves the public handler only
	}
	a, err := authd.Build(cfg, clk, e.Logs)
	if err != nil {
		ln.Close()
	}
	require.NoError(t, err)
	t.Cleanup(a.Close)
	e.App = a
	e.Server = httptest.NewUnstartedServer(a.Handler())
	e.Server.Listener.Close()
	e.Server.Listener = ln
	e.Server.Start()
	t.Cleanup(e.Server.Close)
	return e
}

// Response is what a request got back.
type Response struct {
	Status int
	Header http.Header
	Raw    string
	Body   map[string]any
}

// Code is the body's error member.
func (r Response) Code() string { s, _ := r.Body["error"].(string); return s }

// Do sends a request; headers come as "Name: value" strings.
func (e *Env) Do(method, path, body string, headers ...string) Response {
	e.T.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.Server.URL+path, rd)
	require.NoError(e.T, err)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Add(k, v)
	}
	res, err := e.Server.Client().Do(req)
	require.NoError(e.T, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(e.T, err)
	CheckAgainstSpec(e.T, req, res, raw)
	r := Response{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.Body)
	}
	return r
}

// JSONHeader is the Content-Type header of a JSON body, as Env.Do takes
// headers.
const JSONHeader = "Content-Type: application/json"

// Bearer is the Authorization header of a bearer token.
func Bearer(token string) string { return "Authorization: Bearer " + token }

// Pair is a token response.
type Pair struct{ Access, Refresh string }

// Login logs in and requires success.
func (e *Env) Login(username, password string) Pair {
	e.T.Helper()
	r := e.Do("POST", "/login/", `{"username":"`+username+`","password":"`+password+`"}`, JSONHeader)
	require.Equal(e.T, 200, r.Status, r.Raw)
	return Pair{Access: r.Body["access"].(string), Refresh: r.Body["refresh"].(string)}
}

// Refresh presents a refresh token the seed's way.
func (e *Env) Refresh(token string) Response {
	e.T.Helper()
	return e.Do("POST", "/refresh/", "", Bearer(token))
}

// Pair requires a 200 token response and returns its pair.
func (r Response) Pair(t *testing.T) Pair {
	t.Helper()
	require.Equal(t, 200, r.Status, r.Raw)
	return Pair{Access: r.Body["access"].(string), Refresh: r.Body["refresh"].(string)}
}

// Protected sends GET /protected/ with the access token.
func (e *Env) Protected(access string) Response {
	e.T.Helper()
	return e.Do("GET", "/protected/", "", Bearer(access))
}

// AssertError checks a contract error response.
func AssertError(t *testing.T, r Response, status int, code string) {
	t.Helper()
	assert.Equal(t, status, r.Status, r.Raw)
	assert.Equal(t, code, r.Code(), r.Raw)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.NotEmpty(t, r.Body["message"])
	if status == 401 {
		challenge := r.Header.Get("WWW-Authenticate")
		assert.True(t, strings.HasPrefix(challenge, `Bearer realm="authd"`) || strings.HasPrefix(challenge, `DPoP realm="authd"`), challenge)
	}
}

// NewDevEnv starts authd on the operator-movable dev clock, as
// AUTH_DEV_CLOCK=true does.
func NewDevEnv(t *testing.T, cfg authd.Config) *Env {
	t.Helper()
	return StartEnv(t, cfg, clock.NewDev())
}

// HeapPeak samples the heap in use while a test runs.
type HeapPeak struct {
	mu  sync.Mutex
	Max uint64
}

// Watch samples every millisecond until the returned stop is called.
func (h *HeapPeak) Watch() (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			h.mu.Lock()
			h.Max = max(h.Max, ms.HeapInuse)
			h.mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}

// HashCapacity is how many argon2id hashes authd runs at once.
func HashCapacity() int { return authd.HashConcurrency() }

// Process is an authd started as a child process of the test binary.
type Process struct {
	URL  string
	Cmd  *exec.Cmd
	Logs *SyncBuffer
}

// StartProcess runs authd in a process of its own with the environment.
func StartProcess(t *testing.T, env map[string]string) *Process {
	t.Helper()
	addr := FreeAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "AUTH_ADDR="+addr)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &Process{URL: "http://" + addr, Cmd: cmd, Logs: &SyncBuffer{}}
	cmd.Stdout, cmd.Stderr = p.Logs, p.Logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState != nil {
			return // the test waited for it already
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	require.Eventually(t, func() bool {
		res, err := http.Get(p.URL + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 20*time.Second, 25*time.Millisecond, "authd did not start: %s", p.Logs)
	return p
}

// Call sends a request to the process, with token as a bearer token, and
// returns status and body.
func (p *Process) Call(t *testing.T, method, path, body, token string) (int, map[string]any) {
	t.Helper()
	var headers []string
	if token != "" {
		headers = append(headers, "Authorization: Bearer "+token)
	}
	return p.Send(t, method, path, body, headers...)
}

// Send sends a request with headers given as "Name: value" (a JSON
// Content-Type with a body) and returns status and body.
func (p *Process) Send(t *testing.T, method, path, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, p.URL+path, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Add(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

// Login logs minsu in and requires success.
func (p *Process) Login(t *testing.T) Pair {
	t.Helper()
	status, m := p.Call(t, "POST", "/login/", `{"username":"minsu","password":"1229"}`, "")
	require.Equal(t, 200, status, "%v", m)
	return Pair{m["access"].(string), m["refresh"].(string)}
}

// Terminate sends SIGTERM, the way an orchestrator stops a pod, and
// requires the process to exit 0 within 10 s.
func (p *Process) Terminate(t *testing.T) {
	t.Helper()
	require.NoError(t, p.Cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- p.Cmd.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err, "exit status 0")
	case <-time.After(10 * time.Second):
		t.Fatal("authd did not stop within 10 s of SIGTERM")
	}
}
