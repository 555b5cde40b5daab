package authd

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlaygroundSwitch(t *testing.T) {
	on := newEnv(t)
	assert.Equal(t, 200, on.do("GET", "/", "").status)
	assert.Equal(t, 200, on.do("GET", "/playground/app.js", "").status)

	off := newEnv(t, func(c *Config) { c.Playground = false })
	assertError(t, off.do("GET", "/", ""), 404, "not_found")
	assertError(t, off.do("GET", "/playground/app.js", ""), 404, "not_found")
	assertError(t, off.do("GET", "/playground/index.html", ""), 404, "not_found")
	assert.Equal(t, 200, off.do("GET", "/unprotected/", "").status, "the API is unchanged")
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

// TestAdminListener: with AUTH_ADMIN_ADDR, /metrics and /dev/clock/ leave
// the public port for the admin one; health checks are on both; both stop
// together when the server does.
func TestAdminListener(t *testing.T) {
	cfg := defaultConfig(t)
	cfg.AdminAddr = "127.0.0.1:0"
	cfg.DevClock = true
	cfg.Addr = "127.0.0.1:0"
	pub, adm, err := Listen(&cfg)
	require.NoError(t, err)
	a, err := Build(cfg, clock.NewDev(), io.Discard)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, pub, adm) }()
	public, admin := "http://"+pub.Addr().String(), "http://"+adm.Addr().String()

	for path, want := range map[string][2]int{
		"/metrics":      {404, 200},
		"/dev/clock/":   {404, 200},
		"/healthz":      {200, 200},
		"/readyz":       {200, 200},
		"/unprotected/": {200, 404},
		"/":             {200, 404},
	} {
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
	cfg := defaultConfig(t)
	cfg.AdminAddr = "127.0.0.1:0"
	cfg.PublicURL = "http://authd.test"
	a, err := Build(cfg, clock.NewFrozen(T), io.Discard)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	assert.ErrorContains(t, a.Serve(context.Background(), ln, nil), "AUTH_ADMIN_ADDR")
	_, err = LoadConfig(nil, envOf(map[string]string{"AUTH_ADMIN_ADDR": "127.0.0.1:5000"}), io.Discard)
	assert.ErrorContains(t, err, "must differ")
}

// TestSIGTERMStopsBothListeners: the process with an admin listener exits 0
// on SIGTERM after both servers stopped.
func TestSIGTERMStopsBothListeners(t *testing.T) {
	admin := freeAddr(t)
	p := startProcess(t, map[string]string{"AUTH_ADMIN_ADDR": admin, "AUTH_SHUTDOWN_TIMEOUT": "3s"})
	assert.Equal(t, 200, statusOf(t, "http://"+admin+"/metrics"))
	status, _ := p.call(t, "GET", "/metrics", "", "")
	assert.Equal(t, 404, status)
	p.terminate(t)
	assert.Contains(t, p.logs.String(), "authd admin listening")
	assert.Contains(t, p.logs.String(), "authd stopped")
}

// TestHealthcheckCommand is the container health check: 0 against a
// serving authd (on the admin port when there is one), an error otherwise.
func TestHealthcheckCommand(t *testing.T) {
	admin := freeAddr(t)
	p := startProcess(t, map[string]string{"AUTH_ADMIN_ADDR": admin})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(p.url, "http://"))
	var out strings.Builder
	env := map[string]string{"AUTH_ADDR": "0.0.0.0:" + port}
	require.NoError(t, Run(t.Context(), []string{"healthcheck"}, envOf(env), nil, &out, io.Discard), "the public port, asked on loopback")
	assert.Contains(t, out.String(), "healthy")
	env["AUTH_ADMIN_ADDR"] = admin
	require.NoError(t, Run(t.Context(), []string{"healthcheck"}, envOf(env), nil, &out, io.Discard), "the admin port")
	env = map[string]string{"AUTH_ADDR": freeAddr(t)}
	assert.Error(t, Run(t.Context(), []string{"healthcheck"}, envOf(env), nil, &out, io.Discard), "nothing listens there")
}

// TestAdminListenerConnectionCap: the admin listener caps its open
// connections (adminMaxConnections), as AUTH_MAX_CONNECTIONS caps the
// public one's, so a flood of unfinished requests on it holds no more than
// that; once one closes, a probe is served again.
func TestAdminListenerConnectionCap(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig(t)
	cfg.Addr, cfg.AdminAddr = "127.0.0.1:0", "127.0.0.1:0"
	pub, adm, err := Listen(&cfg)
	require.NoError(t, err)
	a, err := Build(cfg, clock.NewFrozen(T), io.Discard)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, pub, adm) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	addr := adm.Addr().String()

	var idle []net.Conn
	for range adminMaxConnections {
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
