package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/cmd/authctl/cli"
	"github.com/authd/authd/cmd/authdtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run authctl against a real authd started by the test kit.

// T is a whole second.
var T = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// authctl runs the CLI against the server with a token file of the test's.
func authctl(t *testing.T, srv *authdtest.Server, tokens string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	getenv := func(k string) string {
		return map[string]string{"AUTHCTL_SERVER": srv.URL, "AUTHCTL_TOKENS": tokens}[k]
	}
	err := cli.Run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &out)
	return out.String(), err
}

func TestAuthctlCommands(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithRealTime())
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	out, err := authctl(t, srv, tokens, "1229\n", "login", "--username", "minsu")
	require.NoError(t, err, out)
	assert.Contains(t, out, "logged in as minsu")
	assert.Contains(t, out, "access token expires in")

	out, err = authctl(t, srv, tokens, "", "protected")
	require.NoError(t, err, out)
	assert.Contains(t, out, "GET /protected/ 200")
	assert.Contains(t, out, "minsu 의 토큰을 사용해서 로그인된 상태입니다.")

	out, err = authctl(t, srv, tokens, "", "decode")
	require.NoError(t, err, out)
	for _, want := range []string{"access token (at+jwt)", "refresh token (rt+jwt)", `"EdDSA"`, "preferred_username", "expires:"} {
		assert.Contains(t, out, want)
	}

	out, err = authctl(t, srv, tokens, "", "refresh")
	require.NoError(t, err, out)
	assert.Contains(t, out, "refresh token in")

	out, err = authctl(t, srv, tokens, "", "logout")
	require.NoError(t, err, out)
	_, err = authctl(t, srv, tokens, "", "protected")
	assert.ErrorContains(t, err, "logged out")

	_, err = authctl(t, srv, tokens, "wrong\n", "login", "--username", "minsu")
	assert.ErrorContains(t, err, "invalid_credentials")
	_, err = authctl(t, srv, tokens, "", "nonsense")
	assert.Error(t, err)
}

// TestAuthctlWatch is authctl's acceptance run: with 2-second access tokens,
// ten seconds of calls every 500 ms succeed, refreshing at least three
// times. The ten seconds are moved, not waited: watch paces itself by a
// clock the test moves, and each of its steps sets the server's dev clock
// to the same instant, so client and server agree on the time as they do
// on real time.
func TestAuthctlWatch(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithRealTime(), authdtest.WithAccessTTL(2*time.Second))
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	_, err := authctl(t, srv, tokens, "1229\n", "login", "--username", "minsu")
	require.NoError(t, err)
	clk := &movedClock{local: clock.NewFrozen(srv.Now()), srv: srv}
	var b strings.Builder
	getenv := func(k string) string {
		return map[string]string{"AUTHCTL_SERVER": srv.URL, "AUTHCTL_TOKENS": tokens}[k]
	}
	err = cli.RunOn(context.Background(), clk, []string{"watch", "--duration", "10s", "--interval", "500ms"}, getenv, strings.NewReader(""), &b, &b)
	out := b.String()
	require.NoError(t, err, out)
	refreshes := strings.Count(out, " refresh: ")
	assert.GreaterOrEqual(t, refreshes, 3, out)
	assert.Contains(t, out, "20 calls, 0 failed", "a call every 500 ms for 10 s")
	assert.NotContains(t, out, "call failed")
	assert.Equal(t, 10*time.Second, clk.moved, "the watch lasts its duration")
	t.Logf("%d refreshes; last lines:\n%s", refreshes, lastLines(out, 3))
}

// movedClock is this machine's clock for authctl, moved only by Sleep,
// which moves the server's dev clock to the same instant.
type movedClock struct {
	local *clock.Frozen
	srv   *authdtest.Server
	moved time.Duration
}

func (c *movedClock) Now() time.Time { return c.local.Now() }

func (c *movedClock) Sleep(ctx context.Context, d time.Duration) error {
	c.local.Advance(d)
	c.moved += d
	c.srv.Set(c.local.Now())
	return ctx.Err()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestAuthctlGlobalFlagsAnywhere: --server and --tokens work before or after
// the command, as kubectl and gh users expect, and each command's -h shows
// them.
func TestAuthctlGlobalFlagsAnywhere(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithRealTime())
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	run := func(stdin string, args ...string) (string, error) {
		var out strings.Builder
		err := cli.Run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &out)
		return out.String(), err
	}
	out, err := run("1229\n", "--server", srv.URL, "--tokens", tokens, "login", "--username", "minsu")
	require.NoError(t, err, out)
	out, err = run("", "protected", "--server", srv.URL, "--tokens", tokens)
	require.NoError(t, err, out)
	assert.Contains(t, out, "GET /protected/ 200")
	out, err = run("", "--tokens", tokens, "watch", "--server", srv.URL, "--duration", "300ms", "--interval", "100ms")
	require.NoError(t, err, out)
	assert.Contains(t, out, ", 0 failed")
	out, err = run("", "--server", "http://127.0.0.1:1", "protected", "--server", srv.URL, "--tokens", tokens)
	require.NoError(t, err, "the later --server wins: %s", out)

	for _, cmd := range []string{"login", "protected", "watch", "logout", "decode", "refresh"} {
		out, err := run("", cmd, "-h")
		require.NoError(t, err, cmd)
		assert.Contains(t, out, "-server", cmd)
		assert.Contains(t, out, "-tokens", cmd)
	}
}

// TestAuthctlUsesTheServersClock: against a server whose dev clock moved a
// minute, authctl shows the access token as expired, not as a minute left
// by this machine's clock.
func TestAuthctlUsesTheServersClock(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	out, err := authctl(t, srv, tokens, "1229\n", "login", "--username", "minsu")
	require.NoError(t, err, out)
	assert.Contains(t, out, "by the server's dev clock")
	srv.Advance(time.Minute)
	out, err = authctl(t, srv, tokens, "", "decode")
	require.NoError(t, err, out)
	assert.Regexp(t, `expires: .* \(expired 0s ago by the server's dev clock\)`, out)
	assert.Regexp(t, `expires: .* \(4m0s by the server's dev clock\)`, out)
}

// TestAuthctlDPoP: login --dpop keeps the key in the token file; every
// later command proves it, and the stored access token alone is refused.
func TestAuthctlDPoP(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithRealTime())
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	out, err := authctl(t, srv, tokens, "1229\n", "login", "--username", "minsu", "--dpop")
	require.NoError(t, err, out)
	assert.Contains(t, out, "tokens bound to DPoP key")
	assert.Contains(t, out, "token_type DPoP")

	data, err := os.ReadFile(tokens)
	require.NoError(t, err)
	var file struct {
		Access  string         `json:"access"`
		DPoPKey map[string]any `json:"dpop_key"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	assert.Equal(t, "EC", file.DPoPKey["kty"])
	assert.Contains(t, file.DPoPKey, "d", "the private key, in a file only its owner reads")

	out, err = authctl(t, srv, tokens, "", "protected")
	require.NoError(t, err, out)
	assert.Contains(t, out, "GET /protected/ 200")
	out, err = authctl(t, srv, tokens, "", "refresh")
	require.NoError(t, err, out)
	out, err = authctl(t, srv, tokens, "", "decode")
	require.NoError(t, err, out)
	assert.Contains(t, out, "cnf")

	status, _, err := srv.Do("GET", "/protected/", "", file.Access)
	require.NoError(t, err)
	assert.Equal(t, 401, status, "the stored access token without the key")
	out, err = authctl(t, srv, tokens, "", "logout")
	require.NoError(t, err, out)
}
