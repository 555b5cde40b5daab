package authd_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPurgeLoopBoundsMemory runs the purge loop as run does and checks that
// ended and revoked sessions leave the store once none of their tokens can
// be accepted, while live ones stay.
func TestPurgeLoopBoundsMemory(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	e.Login("minsu", "1229")
	gone := e.Login("chulsu", "1234")
	require.Equal(t, 204, e.Do("POST", "/logout/", "", harness.Bearer(gone.Refresh)).Status)
	e.Clock.Advance(4 * time.Minute)
	live := e.Login("satangsusu", "4321")
	stored := e.App.Sessions().(*memory.Sessions)
	require.Equal(t, 3, stored.Len())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.App.PurgeLoop(ctx, time.Millisecond)
	e.Clock.Advance(time.Minute + time.Second) // the first two are past PurgeAt
	require.Eventually(t, func() bool { return stored.Len() == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, 200, e.Refresh(live.Refresh).Status)
}

// TestClockJumpCannotPurgeLiveSessions: moving the development clock 25
// hours ahead makes every token look expired, but the purge, which cannot
// be undone, judges at real time: once the clock is back, the sessions are
// still there.
func TestClockJumpCannotPurgeLiveSessions(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	cfg.DevClock = true
	e := harness.NewDevEnv(t, cfg)
	p := e.Login("minsu", "1229")
	require.Equal(t, 200, e.Do("POST", "/dev/clock/", `{"advance":"25h"}`, harness.JSONHeader).Status)
	harness.AssertError(t, e.Refresh(p.Refresh), 401, "token_expired")

	n, err := e.App.Purge(context.Background(), clock.System{}.Now())
	require.NoError(t, err)
	assert.Zero(t, n, "nothing is purged on a jumped clock")

	require.Equal(t, 200, e.Do("POST", "/dev/clock/", `{"release":true}`, harness.JSONHeader).Status)
	assert.Equal(t, 200, e.Refresh(p.Refresh).Status, "the session survived the jump")

	// Once real time has passed the session's end too, it is forgotten.
	require.Equal(t, 200, e.Do("POST", "/dev/clock/", `{"advance":"25h"}`, harness.JSONHeader).Status)
	n, err = e.App.Purge(context.Background(), clock.System{}.Now().Add(26*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// TestAdminListener: with AUTH_ADMIN_ADDR, /metrics and /dev/clock/ leave
// the public port for the admin one; health checks are on both; both stop
// together when the server does.
func TestAdminListener(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	cfg.AdminAddr = "127.0.0.1:0"
	cfg.DevClock = true
	cfg.Addr = "127.0.0.1:0"
	pub, adm, err := authd.Listen(&cfg)
	require.NoError(t, err)
	a, err := authd.Build(cfg, clock.NewDev(), io.Discard)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, pub, adm) }()
	public, admin := "http://"+pub.Addr().String(), "http://"+adm.Addr().String()

	routes := map[string][2]int{
		"/metrics":      {404, 200},
		"/dev/clock/":   {404, 200},
		"/healthz":      {200, 200},
		"/readyz":       {200, 200},
		"/unprotected/": {200, 404},
	}
	for _, path := range harness.PlaygroundPaths() {
		routes[path] = [2]int{200, 404}
	}
	for path, want := range routes {
		assert.Equal(t, want[0], statusOf(t, public+path), "public %s", path)
		assert.Equal(t, want[1], statusOf(t, admin+path), "admin %s", path)
	}

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err, "both listeners shut down gracefully")
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	for _, addr := range []string{pub.Addr().String(), adm.Addr().String()} {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		assert.Error(t, err, "%s is closed", addr)
	}
}

// TestAdminListenerNeedsItsListener: the two go together.
func TestAdminListenerNeedsItsListener(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	cfg.AdminAddr = "127.0.0.1:0"
	cfg.PublicURL = "http://authd.test"
	a, err := authd.Build(cfg, clock.NewFrozen(harness.T), io.Discard)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	assert.ErrorContains(t, a.Serve(context.Background(), ln, nil), "AUTH_ADMIN_ADDR")
	_, err = authd.LoadConfig(nil, harness.EnvOf(map[string]string{"AUTH_ADMIN_ADDR": "127.0.0.1:5000"}), io.Discard)
	assert.ErrorContains(t, err, "must differ")
}

// TestSIGTERMStopsBothListeners: the process with an admin listener exits 0
// on SIGTERM after both servers stopped.
func TestSIGTERMStopsBothListeners(t *testing.T) {
	t.Parallel()
	admin := harness.FreeAddr(t)
	p := harness.StartProcess(t, map[string]string{"AUTH_ADMIN_ADDR": admin, "AUTH_SHUTDOWN_TIMEOUT": "3s"})
	assert.Equal(t, 200, statusOf(t, "http://"+admin+"/metrics"))
	status, _ := p.Call(t, "GET", "/metrics", "", "")
	assert.Equal(t, 404, status)
	p.Terminate(t)
	assert.Contains(t, p.Logs.String(), "authd admin listening")
	assert.Contains(t, p.Logs.String(), "authd stopped")
}

// TestAdminListenerConnectionCap: the admin listener caps its open
// connections (adminMaxConnections), as AUTH_MAX_CONNECTIONS caps the
// public one's, so a flood of unfinished requests on it holds no more than
// that; once one closes, a probe is served again.
func TestAdminListenerConnectionCap(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	cfg.Addr, cfg.AdminAddr = "127.0.0.1:0", "127.0.0.1:0"
	pub, adm, err := authd.Listen(&cfg)
	require.NoError(t, err)
	a, err := authd.Build(cfg, clock.NewFrozen(harness.T), io.Discard)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, pub, adm) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	addr := adm.Addr().String()

	var idle []net.Conn
	for range authd.AdminMaxConnections {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n")) // headers never finished
		require.NoError(t, err)
		idle = append(idle, c)
	}
	time.Sleep(50 * time.Millisecond) // let the server accept them all: a pause, not a wait for expiry
	// A transport of its own, so no kept-alive connection slips past the cap.
	client := &http.Client{Transport: &http.Transport{}, Timeout: 300 * time.Millisecond}
	_, err = client.Get("http://" + addr + "/healthz")
	require.Error(t, err, "one connection more than the cap is not served")
	assert.Equal(t, 200, statusOf(t, "http://"+pub.Addr().String()+"/healthz"), "the public listener has its own cap")

	idle[0].Close()
	client.Timeout = 5 * time.Second
	res, err := client.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	for _, c := range idle[1:] {
		c.Close()
	}
}

// get returns the status of a GET.
func statusOf(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestPlaygroundWired: while the playground's files are in the repository,
// the build serves them, so harness.NeedPlayground skips only when a team
// deleted the playground as docs/template.md §6 offers (its directory and
// playground.go), never because playground.go alone went missing.
func TestPlaygroundWired(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("../../../adapters/httpapi/playground"); err != nil {
		t.Skip("adapters/httpapi/playground deleted: no playground to wire")
	}
	assert.True(t, authd.PlaygroundBuiltIn(), "adapters/httpapi/playground is there but cmd/internal/authd/playground.go does not wire it")
}
