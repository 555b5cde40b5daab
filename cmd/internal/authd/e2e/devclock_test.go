package e2e

import (
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDevClockToken(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	cfg.DevClock = true
	cfg.DevClockToken = "a-long-ci-secret-0123"
	e := harness.NewDevEnv(t, cfg)
	harness.AssertError(t, e.Do("GET", "/dev/clock/", ""), 401, "token_missing")
	harness.AssertError(t, e.Do("POST", "/dev/clock/", `{"advance":"25h"}`, harness.JSONHeader), 401, "token_missing")
	harness.AssertError(t, e.Do("POST", "/dev/clock/", `{"advance":"25h"}`, harness.JSONHeader, harness.Bearer("a-long-ci-secret-0124")), 401, "invalid_token")
	assert.Equal(t, 200, e.Do("GET", "/dev/clock/", "", harness.Bearer(cfg.DevClockToken)).Status)
	r := e.Do("POST", "/dev/clock/", `{"set":"2026-11-27T12:00:00Z"}`, harness.JSONHeader, harness.Bearer(cfg.DevClockToken))
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "2026-11-27T12:00:00Z", r.Body["now"])
	// The token opens only the clock: /protected/ still wants an access token.
	harness.AssertError(t, e.Do("GET", "/protected/", "", harness.Bearer(cfg.DevClockToken)), 401, "invalid_token")
}

// TestTokenlessDevClockIsFirstHandOnly: without AUTH_DEV_CLOCK_TOKEN the
// clock answers only what a program on this machine sends it itself, as
// the README's curl session and the playground do; a request a reverse
// proxy forwarded, one naming another host, or one another site's page
// sent is 404, as if there were no clock, and moves nothing.
func TestTokenlessDevClockIsFirstHandOnly(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	cfg.DevClock = true
	e := harness.NewDevEnv(t, cfg)
	require.Equal(t, 200, e.Do("POST", "/dev/clock/", `{"set":"2026-11-27T12:00:00Z"}`, harness.JSONHeader).Status, "curl, first hand")
	for _, h := range []string{
		"X-Forwarded-For: 192.0.2.7", "X-Forwarded-Proto: https", "X-Forwarded-Host: app.example", "Forwarded: for=192.0.2.7",
		"X-Real-IP: 192.0.2.7", "Via: 1.1 proxy", "Host: app.example", "Host: 10.0.0.5:5000",
		"Sec-Fetch-Site: cross-site", "Sec-Fetch-Site: same-site",
	} {
		harness.AssertError(t, e.Do("POST", "/dev/clock/", `{"advance":"25h"}`, harness.JSONHeader, h), 404, "not_found")
		harness.AssertError(t, e.Do("GET", "/dev/clock/", "", h), 404, "not_found")
	}
	r := e.Do("GET", "/dev/clock/", "")
	require.Equal(t, 200, r.Status)
	assert.Equal(t, "2026-11-27T12:00:00Z", r.Body["now"], "no refused request moved the clock")
	for _, h := range []string{"Sec-Fetch-Site: same-origin", "Sec-Fetch-Site: none", "Host: localhost", "Host: [::1]:5000"} {
		assert.Equal(t, 200, e.Do("GET", "/dev/clock/", "", h).Status, h)
	}

	// With the token, the token is the guard: proxies may carry it.
	cfg.DevClockToken = "a-long-ci-secret-0123"
	guarded := harness.NewDevEnv(t, cfg)
	assert.Equal(t, 200, guarded.Do("GET", "/dev/clock/", "", harness.Bearer(cfg.DevClockToken), "X-Forwarded-For: 192.0.2.7", "Host: ci.example").Status)
}
