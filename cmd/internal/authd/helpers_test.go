package authd

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
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// T is a whole second; every test's clock starts there.
var T = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// syncBuffer is a log sink safe for the server's goroutines.
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

// env is authd's real HTTP stack on a frozen clock.
type env struct {
	t     *testing.T
	clock *clock.Frozen
	srv   *httptest.Server
	app   *App
	logs  *syncBuffer
}

// defaultConfig returns the configuration of an empty environment.
func defaultConfig(t *testing.T) Config {
	t.Helper()
	cfg, err := LoadConfig(nil, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	return cfg
}

// newEnv starts authd on a clock frozen at T with the defaults, changed by
// the options.
func newEnv(t *testing.T, options ...func(*Config)) *env {
	t.Helper()
	cfg := defaultConfig(t)
	for _, o := range options {
		o(&cfg)
	}
	frozen := clock.NewFrozen(T)
	e := startEnv(t, cfg, frozen)
	e.clock = frozen
	return e
}

// startEnv wires authd with the configuration and clock and serves it on
// a loopback port, listening first as Run does, so the public URL is the
// server's own (unless the configuration sets AUTH_PUBLIC_URL).
func startEnv(t *testing.T, cfg Config, clk ports.Clock) *env {
	t.Helper()
	e := &env{t: t, logs: &syncBuffer{}}
	cfg.Addr = "127.0.0.1:0"
	ln, admin, err := Listen(&cfg)
	require.NoError(t, err)
	if admin != nil {
		admin.Close() // the env serves the public handler only
	}
	a, err := Build(cfg, clk, e.logs)
	if err != nil {
		ln.Close()
	}
	require.NoError(t, err)
	t.Cleanup(a.close)
	e.app = a
	e.srv = httptest.NewUnstartedServer(a.handler)
	e.srv.Listener.Close()
	e.srv.Listener = ln
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

func (r response) code() string { s, _ := r.body["error"].(string); return s }

// do sends a request; headers come as "Name: value" strings.
func (e *env) do(method, path, body string, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	require.NoError(e.t, err)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Add(k, v)
	}
	res, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	checkAgainstSpec(e.t, req, res, raw)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.body)
	}
	return r
}

const jsonCT = "Content-Type: application/json"

func bearer(token string) string { return "Authorization: Bearer " + token }

// pair is a token response.
type pair struct{ access, refresh string }

// login logs in and requires success.
func (e *env) login(username, password string) pair {
	e.t.Helper()
	r := e.do("POST", "/login/", `{"username":"`+username+`","password":"`+password+`"}`, jsonCT)
	require.Equal(e.t, 200, r.status, r.raw)
	return pair{r.body["access"].(string), r.body["refresh"].(string)}
}

// refresh presents a refresh token the seed's way.
func (e *env) refresh(token string) response {
	e.t.Helper()
	return e.do("POST", "/refresh/", "", bearer(token))
}

func (r response) pair(t *testing.T) pair {
	t.Helper()
	require.Equal(t, 200, r.status, r.raw)
	return pair{r.body["access"].(string), r.body["refresh"].(string)}
}

func (e *env) protected(access string) response {
	e.t.Helper()
	return e.do("GET", "/protected/", "", bearer(access))
}

// assertError checks a contract error response.
func assertError(t *testing.T, r response, status int, code string) {
	t.Helper()
	assert.Equal(t, status, r.status, r.raw)
	assert.Equal(t, code, r.code(), r.raw)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.NotEmpty(t, r.body["message"])
	if status == 401 {
		challenge := r.header.Get("WWW-Authenticate")
		assert.True(t, strings.HasPrefix(challenge, `Bearer realm="authd"`) || strings.HasPrefix(challenge, `DPoP realm="authd"`), challenge)
	}
}

// newDevEnv starts authd on the operator-movable dev clock, as
// AUTH_DEV_CLOCK=true does.
func newDevEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	return startEnv(t, cfg, clock.NewDev())
}

// heapPeak samples the heap in use while a test runs.
type heapPeak struct {
	mu  sync.Mutex
	max uint64
}

// watch samples every millisecond until the returned stop is called.
func (h *heapPeak) watch() (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			h.mu.Lock()
			h.max = max(h.max, ms.HeapInuse)
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

// hashCapacity is how many argon2id hashes authd runs at once.
func hashCapacity() int { return hashConcurrency() }

// process is an authd started as a child process of the test binary.
type process struct {
	url  string
	cmd  *exec.Cmd
	logs *syncBuffer
}

// startProcess runs authd in a process of its own with the environment.
func startProcess(t *testing.T, env map[string]string) *process {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "AUTH_ADDR="+addr)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &process{url: "http://" + addr, cmd: cmd, logs: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
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
		res, err := http.Get(p.url + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 20*time.Second, 25*time.Millisecond, "authd did not start: %s", p.logs)
	return p
}

// call sends a request to the process, with token as a bearer token, and
// returns status and body.
func (p *process) call(t *testing.T, method, path, body, token string) (int, map[string]any) {
	t.Helper()
	var headers []string
	if token != "" {
		headers = append(headers, "Authorization: Bearer "+token)
	}
	return p.send(t, method, path, body, headers...)
}

// send sends a request with headers given as "Name: value" (a JSON
// Content-Type with a body) and returns status and body.
func (p *process) send(t *testing.T, method, path, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, p.url+path, rd)
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

func (p *process) login(t *testing.T) pair {
	t.Helper()
	status, m := p.call(t, "POST", "/login/", `{"username":"minsu","password":"1229"}`, "")
	require.Equal(t, 200, status, "%v", m)
	return pair{m["access"].(string), m["refresh"].(string)}
}

// terminate sends SIGTERM, the way an orchestrator stops a pod, and
// requires the process to exit 0 within 10 s.
func (p *process) terminate(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err, "exit status 0")
	case <-time.After(10 * time.Second):
		t.Fatal("authd did not stop within 10 s of SIGTERM")
	}
}
