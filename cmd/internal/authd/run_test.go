package authd_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun starts authd as main does, on a free port, waits for /healthz,
// logs in, and shuts it down by cancelling its context.
func TestRun(t *testing.T) {
	t.Parallel()
	addr := harness.FreeAddr(t)
	env := map[string]string{"AUTH_ADDR": addr, "AUTH_SHUTDOWN_TIMEOUT": "2s"}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &harness.SyncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- authd.Run(ctx, nil, func(k string) string { return env[k] }, strings.NewReader(""), logs, io.Discard)
	}()

	base := "http://" + addr
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 10*time.Second, 20*time.Millisecond)

	res, err := http.Post(base+"/login/", "application/json", strings.NewReader(`{"username":"minsu","password":"1229"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode, string(body))

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	out := logs.String()
	assert.Contains(t, out, "authd listening")
	assert.Contains(t, out, "authd stopped")
	assert.NotContains(t, out, "1229", "the password is never logged")
	assert.NotContains(t, out, "eyJ", "no token is ever logged")
}

func TestConfig(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	assert.Equal(t, "127.0.0.1:5000", cfg.Addr)
	assert.Equal(t, time.Minute, cfg.Policy.AccessTTL)
	assert.Equal(t, 5*time.Minute, cfg.Policy.RefreshTTL)
	assert.Equal(t, 24*time.Hour, cfg.Policy.SessionMaxAge)
	assert.Equal(t, time.Duration(0), cfg.Policy.ReuseGrace)
	assert.Equal(t, "EdDSA", cfg.JWTAlg)
	assert.Equal(t, 10*time.Second, cfg.ShutdownTimeout)

	env := map[string]string{"AUTH_ACCESS_TTL": "2s", "AUTH_REFRESH_TTL": "1m", "AUTH_LOG_FORMAT": "console"}
	cfg, err := authd.LoadConfig([]string{"--refresh-ttl", "90s"}, func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 2*time.Second, cfg.Policy.AccessTTL, "from the environment")
	assert.Equal(t, 90*time.Second, cfg.Policy.RefreshTTL, "the flag wins over the environment")
	assert.Equal(t, "console", cfg.LogFormat)
}

// TestVerifySettings: AUTH_VERIFY_HEADERS defaults to nginx, the gateway
// the repository's tests run for real; AUTH_VERIFY_ORIGINS is a list of
// origins in the form they are compared in.
func TestVerifySettings(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	assert.Equal(t, "nginx", cfg.VerifyHeaders)
	assert.Empty(t, cfg.VerifyOrigins, "unset: the origin of the public URL")
	cfg, err := authd.LoadConfig(nil, harness.EnvOf(map[string]string{
		"AUTH_VERIFY_HEADERS": "traefik", "AUTH_VERIFY_ORIGINS": "https://API.example:443/, http://shop.example:8080",
		"AUTH_PUBLIC_URL": "https://auth.example/",
	}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "traefik", cfg.VerifyHeaders)
	assert.Equal(t, []string{"https://api.example", "http://shop.example:8080"}, cfg.VerifyOrigins)
	assert.Equal(t, "https://auth.example", cfg.PublicURL)
}

// TestPublicURLIsDecidedOnce: the command and the kit both listen through
// Listen, which decides the public URL from AUTH_PUBLIC_URL or the address
// the listener got; Build refuses a configuration nobody decided it for,
// so no handler falls back to a request's Host.
func TestPublicURLIsDecidedOnce(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	cfg.Addr = "127.0.0.1:0"
	ln, admin, err := authd.Listen(&cfg)
	require.NoError(t, err)
	defer ln.Close()
	assert.Nil(t, admin)
	assert.Equal(t, "http://"+ln.Addr().String(), cfg.PublicURL, "the port :0 got")

	set := harness.DefaultConfig(t)
	set.Addr, set.PublicURL = "127.0.0.1:0", "https://auth.example"
	ln2, _, err := authd.Listen(&set)
	require.NoError(t, err)
	defer ln2.Close()
	assert.Equal(t, "https://auth.example", set.PublicURL)

	_, err = authd.Build(harness.DefaultConfig(t), clock.NewFrozen(harness.T), io.Discard)
	assert.ErrorContains(t, err, "AUTH_PUBLIC_URL")
}

// TestConfigErrorsNameTheVariable checks that each bad value stops start-up
// with a message naming its variable.
func TestConfigErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"AUTH_ACCESS_TTL": "soon"}, nil, "AUTH_ACCESS_TTL"},
		{map[string]string{"AUTH_ACCESS_TTL": "0s"}, nil, "AUTH_ACCESS_TTL"},
		{map[string]string{"AUTH_REFRESH_TTL": "1.5s"}, nil, "AUTH_REFRESH_TTL"},
		{map[string]string{"AUTH_SESSION_MAX_AGE": "-1h"}, nil, "AUTH_SESSION_MAX_AGE"},
		{map[string]string{"AUTH_LEEWAY": "-1s"}, nil, "AUTH_LEEWAY"},
		{map[string]string{"AUTH_REFRESH_REUSE_GRACE": "-1s"}, nil, "AUTH_REFRESH_REUSE_GRACE"},
		{map[string]string{"AUTH_JWT_ALG": "none"}, nil, "AUTH_JWT_ALG"},
		{map[string]string{"AUTH_JWT_ALG": "HS256", "AUTH_JWT_SECRET": "short"}, nil, "AUTH_JWT_SECRET"},
		{map[string]string{"AUTH_JWT_ALG": "HS256"}, nil, "AUTH_JWT_SECRET"},
		{map[string]string{"AUTH_STORE": "redis"}, nil, "AUTH_STORE"},
		{map[string]string{"AUTH_LOG_LEVEL": "loud"}, nil, "AUTH_LOG_LEVEL"},
		{map[string]string{"AUTH_DEV_CLOCK": "maybe"}, nil, "AUTH_DEV_CLOCK"},
		{map[string]string{"AUTH_SHUTDOWN_TIMEOUT": "0s"}, nil, "AUTH_SHUTDOWN_TIMEOUT"},
		{map[string]string{"AUTH_DPOP": "sometimes"}, nil, "AUTH_DPOP"},
		{map[string]string{"AUTH_DPOP_ALGS": "ES256,HS256"}, nil, "AUTH_DPOP_ALGS"},
		{map[string]string{"AUTH_DPOP_ALGS": ","}, nil, "AUTH_DPOP_ALGS"},
		{map[string]string{"AUTH_DPOP_WINDOW": "500ms"}, nil, "AUTH_DPOP_WINDOW"},
		{map[string]string{"AUTH_DPOP_NONCE_KEY": "short"}, nil, "AUTH_DPOP_NONCE_KEY"},
		{map[string]string{"AUTH_DPOP_NONCE": "true", "AUTH_STORE": "postgres", "AUTH_DATABASE_URL": "postgres://x"}, nil, "AUTH_DPOP_NONCE_KEY"},
		{map[string]string{"AUTH_VERIFY_HEADERS": "haproxy"}, nil, "AUTH_VERIFY_HEADERS"},
		{map[string]string{"AUTH_VERIFY_HEADERS": "nginx,traefik"}, nil, "AUTH_VERIFY_HEADERS"},
		{map[string]string{"AUTH_VERIFY_ORIGINS": "api.example"}, nil, "AUTH_VERIFY_ORIGINS"},
		{map[string]string{"AUTH_VERIFY_ORIGINS": "https://api.example/app"}, nil, "AUTH_VERIFY_ORIGINS"},
		{map[string]string{"AUTH_VERIFY_ORIGINS": "https://api.example,*"}, nil, "AUTH_VERIFY_ORIGINS"},
		{map[string]string{"AUTH_PUBLIC_URL": "https://auth.example/?x=1"}, nil, "AUTH_PUBLIC_URL"},
		{map[string]string{"AUTH_PUBLIC_URL": "https://"}, nil, "AUTH_PUBLIC_URL"},
		{nil, []string{"--access-ttl", "x"}, "--access-ttl (AUTH_ACCESS_TTL)"},
		{nil, []string{"--no-such-flag"}, "no-such-flag"},
		{nil, []string{"serve"}, "serve"},
	} {
		_, err := authd.LoadConfig(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
		require.Error(t, err, "%v %v", tc.env, tc.args)
		assert.Contains(t, err.Error(), tc.want)
	}
	err := authd.Run(context.Background(), nil, func(k string) string {
		return map[string]string{"AUTH_ACCESS_TTL": "x"}[k]
	}, strings.NewReader(""), io.Discard, io.Discard)
	assert.ErrorContains(t, err, "AUTH_ACCESS_TTL")
}

func TestHelpIsNotAnError(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	err := authd.Run(context.Background(), []string{"-h"}, func(string) string { return "" }, strings.NewReader(""), io.Discard, &out)
	assert.NoError(t, err)
	assert.Contains(t, out.String(), "AUTH_ACCESS_TTL")
}

func TestHS256Config(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, func(c *authd.Config) { c.JWTAlg, c.JWTSecret = "HS256", strings.Repeat("s", 32) })
	p := e.Login("minsu", "1229")
	assert.Equal(t, 200, e.Protected(p.Access).Status)
	assert.Equal(t, 200, e.Refresh(p.Refresh).Status)
}

// TestSIGTERMShutsDownGracefully runs authd as a process of its own and
// stops it the way an orchestrator does: it must exit 0 after saying so.
func TestSIGTERMShutsDownGracefully(t *testing.T) {
	t.Parallel()
	p := harness.StartProcess(t, map[string]string{"AUTH_SHUTDOWN_TIMEOUT": "3s"})
	status, _ := p.Call(t, "GET", "/healthz", "", "")
	require.Equal(t, 200, status)
	p.Terminate(t)
	logs := p.Logs.String()
	assert.Contains(t, logs, "authd shutting down")
	assert.Contains(t, logs, "authd stopped")
	assert.Contains(t, logs, "no AUTH_JWT_KEYS_FILE", "without a keys file authd warns that instances cannot share its key")
}

// TestBooleanSettingsAreBooleanFlags: --dev-clock alone turns it on, as a
// boolean flag does.
func TestBooleanSettingsAreBooleanFlags(t *testing.T) {
	t.Parallel()
	cfg, err := authd.LoadConfig([]string{"--dev-clock"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	assert.True(t, cfg.DevClock)
	cfg, err = authd.LoadConfig([]string{"--playground=false", "--dev-clock=true"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	assert.False(t, cfg.Playground)
	assert.True(t, cfg.DevClock)
	_, err = authd.LoadConfig([]string{"--dev-clock=maybe"}, func(string) string { return "" }, io.Discard)
	assert.ErrorContains(t, err, "--dev-clock (AUTH_DEV_CLOCK)")
	cfg, err = authd.LoadConfig([]string{"--access-ttl", "2s"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err, "other settings still take a value")
	assert.Equal(t, 2*time.Second, cfg.Policy.AccessTTL)
}

// TestHelpListsTheCommands: authd -h shows the subcommands and the settings.
func TestHelpListsTheCommands(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	require.NoError(t, authd.Run(t.Context(), []string{"-h"}, func(string) string { return "" }, nil, io.Discard, &out))
	for _, want := range []string{"keygen", "hash-password", "migrate", "client-secret", "healthcheck", "-access-ttl", "AUTH_ACCESS_TTL"} {
		assert.Contains(t, out.String(), want)
	}
}
