package authd

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// TestDevClockOffLoopbackNeedsAToken: a dev clock reachable from other
// machines must be guarded by AUTH_DEV_CLOCK_TOKEN, or authd refuses to
// start and says how to fix it.
func TestDevClockOffLoopbackNeedsAToken(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:5000", ":5000", "192.0.2.7:5000", "[::]:5000", "auth.example:5000"} {
		_, err := LoadConfig(nil, envOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADDR": addr}), io.Discard)
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "AUTH_DEV_CLOCK_TOKEN", addr)
		assert.Contains(t, err.Error(), "not a loopback address", addr)

		_, err = LoadConfig(nil, envOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADDR": addr, "AUTH_DEV_CLOCK_TOKEN": "0123456789abcdef"}), io.Discard)
		assert.NoError(t, err, addr)
	}
	for _, addr := range []string{"127.0.0.1:5000", "127.0.0.2:0", "localhost:5000", "[::1]:5000"} {
		_, err := LoadConfig(nil, envOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADDR": addr}), io.Discard)
		assert.NoError(t, err, addr)
	}
	// With an admin listener the clock is served there, so that address counts.
	_, err := LoadConfig(nil, envOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADMIN_ADDR": "0.0.0.0:9090"}), io.Discard)
	assert.ErrorContains(t, err, "0.0.0.0:9090 is not a loopback address")
	_, err = LoadConfig(nil, envOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADDR": "0.0.0.0:5000", "AUTH_ADMIN_ADDR": "127.0.0.1:9090"}), io.Discard)
	assert.NoError(t, err, "the public port does not serve the clock then")
	// Off, the address does not matter.
	_, err = LoadConfig(nil, envOf(map[string]string{"AUTH_ADDR": "0.0.0.0:5000"}), io.Discard)
	assert.NoError(t, err)
	_, err = LoadConfig(nil, envOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_DEV_CLOCK_TOKEN": "short"}), io.Discard)
	assert.ErrorContains(t, err, "at least 16")
	_, err = LoadConfig(nil, envOf(map[string]string{"AUTH_DEV_SEED": "golden"}), io.Discard)
	assert.ErrorContains(t, err, "AUTH_DEV_CLOCK=true")
}

// TestDevClockRunRefusesToStart goes through Run, as the binary would.
func TestDevClockRunRefusesToStart(t *testing.T) {
	err := Run(t.Context(), nil, envOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADDR": "0.0.0.0:0"}), nil, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AUTH_DEV_CLOCK_TOKEN")
}

func TestDevClockToken(t *testing.T) {
	cfg := defaultConfig(t)
	cfg.DevClock = true
	cfg.DevClockToken = "a-long-ci-secret-0123"
	e := newDevEnv(t, cfg)
	assertError(t, e.do("GET", "/dev/clock/", ""), 401, "token_missing")
	assertError(t, e.do("POST", "/dev/clock/", `{"advance":"25h"}`, jsonCT), 401, "token_missing")
	assertError(t, e.do("POST", "/dev/clock/", `{"advance":"25h"}`, jsonCT, bearer("a-long-ci-secret-0124")), 401, "invalid_token")
	assert.Equal(t, 200, e.do("GET", "/dev/clock/", "", bearer(cfg.DevClockToken)).status)
	r := e.do("POST", "/dev/clock/", `{"set":"2026-11-27T12:00:00Z"}`, jsonCT, bearer(cfg.DevClockToken))
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, "2026-11-27T12:00:00Z", r.body["now"])
	// The token opens only the clock: /protected/ still wants an access token.
	assertError(t, e.do("GET", "/protected/", "", bearer(cfg.DevClockToken)), 401, "invalid_token")
}

// TestTokenlessDevClockIsFirstHandOnly: without AUTH_DEV_CLOCK_TOKEN the
// clock answers only what a program on this machine sends it itself, as
// the README's curl session and the playground do; a request a reverse
// proxy forwarded, one naming another host, or one another site's page
// sent is 404, as if there were no clock, and moves nothing.
func TestTokenlessDevClockIsFirstHandOnly(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig(t)
	cfg.DevClock = true
	e := newDevEnv(t, cfg)
	require.Equal(t, 200, e.do("POST", "/dev/clock/", `{"set":"2026-11-27T12:00:00Z"}`, jsonCT).status, "curl, first hand")
	for _, h := range []string{
		"X-Forwarded-For: 192.0.2.7", "X-Forwarded-Proto: https", "X-Forwarded-Host: app.example", "Forwarded: for=192.0.2.7",
		"X-Real-IP: 192.0.2.7", "Via: 1.1 proxy", "Host: app.example", "Host: 10.0.0.5:5000",
		"Sec-Fetch-Site: cross-site", "Sec-Fetch-Site: same-site",
	} {
		assertError(t, e.do("POST", "/dev/clock/", `{"advance":"25h"}`, jsonCT, h), 404, "not_found")
		assertError(t, e.do("GET", "/dev/clock/", "", h), 404, "not_found")
	}
	r := e.do("GET", "/dev/clock/", "")
	require.Equal(t, 200, r.status)
	assert.Equal(t, "2026-11-27T12:00:00Z", r.body["now"], "no refused request moved the clock")
	for _, h := range []string{"Sec-Fetch-Site: same-origin", "Sec-Fetch-Site: none", "Host: localhost", "Host: [::1]:5000"} {
		assert.Equal(t, 200, e.do("GET", "/dev/clock/", "", h).status, h)
	}

	// With the token, the token is the guard: proxies may carry it.
	cfg.DevClockToken = "a-long-ci-secret-0123"
	guarded := newDevEnv(t, cfg)
	assert.Equal(t, 200, guarded.do("GET", "/dev/clock/", "", bearer(cfg.DevClockToken), "X-Forwarded-For: 192.0.2.7", "Host: ci.example").status)
}

// TestTokenlessDevClockBehindRealNginx is the red team's finding through a
// real reverse proxy on the same host, nginx's plainest proxy_pass: the
// clock is not moved through it, so a user's session survives; the same
// request sent first hand still works.
func TestTokenlessDevClockBehindRealNginx(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig(t)
	cfg.DevClock = true
	e := newDevEnv(t, cfg)
	gw := startNginx(t, "server {\n    listen LISTEN;\n    location / { proxy_pass "+e.srv.URL+"; }\n}\n")
	p := e.login("minsu", "1229")
	req, err := http.NewRequest("POST", gw+"/dev/clock/", strings.NewReader(`{"advance":"25h"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	assert.Equal(t, 404, res.StatusCode, "the clock through the proxy")
	r := e.do("POST", "/refresh/", "", bearer(p.refresh))
	assert.Equal(t, 200, r.status, "the session was not ended through the proxy: %s", r.raw)
	assert.Equal(t, 200, e.do("POST", "/dev/clock/", `{"advance":"1s"}`, jsonCT).status, "first hand")
}
