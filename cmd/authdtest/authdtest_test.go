package authdtest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/cmd/authdtest"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// T is a whole second; the tests freeze the clock there.
var T = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// errorOf returns the "error" field of a JSON error body.
func errorOf(t *testing.T, raw []byte) string {
	t.Helper()
	var body struct{ Error string }
	require.NoError(t, json.Unmarshal(raw, &body), "%s", raw)
	return body.Error
}

func status(t *testing.T, srv *authdtest.Server, method, path, token string) (int, []byte) {
	t.Helper()
	code, raw, err := srv.Do(method, path, "", token)
	require.NoError(t, err)
	return code, raw
}

func TestAccessTokenExpiresAtSixtySeconds(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	p := srv.Login(t, "minsu", "1229")
	assert.EqualValues(t, 60, p.ExpiresIn)
	assert.EqualValues(t, 300, p.RefreshExpiresIn)

	srv.Advance(time.Minute - time.Millisecond)
	code, _ := status(t, srv, "GET", "/protected/", p.Access)
	assert.Equal(t, 200, code, "T+59.999s")
	srv.Advance(time.Millisecond)
	code, raw := status(t, srv, "GET", "/protected/", p.Access)
	assert.Equal(t, 401, code, "T+60s")
	assert.Equal(t, "token_expired", errorOf(t, raw))
	assert.Equal(t, T.Add(time.Minute), srv.Now())
}

func TestRefreshTokenExpiresAtFiveMinutes(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	early, late := srv.Login(t, "minsu", "1229"), srv.Login(t, "chulsu", "1234")
	srv.Set(T.Add(5*time.Minute - time.Millisecond))
	next := srv.Refresh(t, early.Refresh)
	code, _ := status(t, srv, "GET", "/protected/", next.Access)
	assert.Equal(t, 200, code, "the refreshed pair works at T+299.999s")
	srv.Set(T.Add(5 * time.Minute))
	code, raw, err := srv.Do("POST", "/refresh/", "", late.Refresh)
	require.NoError(t, err)
	assert.Equal(t, 401, code, "T+300s")
	assert.Equal(t, "token_expired", errorOf(t, raw))
}

func TestRefreshAndReuse(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	p := srv.Login(t, "minsu", "1229")
	srv.Advance(90 * time.Second)
	next := srv.Refresh(t, p.Refresh)
	code, _ := status(t, srv, "GET", "/protected/", next.Access)
	assert.Equal(t, 200, code)
	code, raw, err := srv.Do("POST", "/refresh/", "", p.Refresh)
	require.NoError(t, err)
	assert.Equal(t, 401, code)
	assert.Equal(t, "refresh_token_reused", errorOf(t, raw))
	code, raw = status(t, srv, "GET", "/protected/", next.Access)
	assert.Equal(t, 401, code)
	assert.Equal(t, "session_revoked", errorOf(t, raw))
}

func TestOptions(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T),
		authdtest.WithUsers(authdtest.User{ID: "42", Username: "ci", Password: "pw"}),
		authdtest.WithAccessTTL(10*time.Second), authdtest.WithRefreshTTL(30*time.Second),
		authdtest.WithSessionMaxAge(time.Minute), authdtest.WithReuseGrace(2*time.Second),
		authdtest.WithAlgorithm("ES256"))
	p := srv.Login(t, "ci", "pw")
	assert.EqualValues(t, 10, p.ExpiresIn)
	assert.EqualValues(t, 30, p.RefreshExpiresIn)
	hdr, _, _ := strings.Cut(p.Access, ".")
	assert.Contains(t, decodeSegment(t, hdr), `"alg":"ES256"`)
	code, _, err := srv.Do("POST", "/login/", `{"username":"minsu","password":"1229"}`, "")
	require.NoError(t, err)
	assert.Equal(t, 401, code, "the demo users are gone")

	next := srv.Refresh(t, p.Refresh)
	assert.Equal(t, next, srv.Refresh(t, p.Refresh), "inside the grace window the predecessor gets the same pair")
	srv.Advance(time.Minute)
	code, raw, err := srv.Do("POST", "/refresh/", "", next.Refresh)
	require.NoError(t, err)
	assert.Equal(t, 401, code)
	assert.Contains(t, []string{"session_expired", "token_expired"}, errorOf(t, raw))

	hs := authdtest.Start(t, authdtest.WithHMACSecret(strings.Repeat("s", 32)))
	hdr, _, _ = strings.Cut(hs.Login(t, "minsu", "1229").Access, ".")
	assert.Contains(t, decodeSegment(t, hdr), `"alg":"HS256"`)
}

func decodeSegment(t *testing.T, seg string) string {
	t.Helper()
	b, err := jsonSegment(seg)
	require.NoError(t, err)
	return b
}

// TestParallelServersAreIndependent: each server has its own clock, store
// and keys.
func TestParallelServersAreIndependent(t *testing.T) {
	t.Parallel()
	a := authdtest.Start(t, authdtest.WithStart(T))
	b := authdtest.Start(t, authdtest.WithStart(T))
	pa, pb := a.Login(t, "minsu", "1229"), b.Login(t, "minsu", "1229")
	a.Advance(time.Hour)
	assert.Equal(t, T, b.Now(), "moving one clock leaves the other")
	code, _ := status(t, a, "GET", "/protected/", pa.Access)
	assert.Equal(t, 401, code)
	code, _ = status(t, b, "GET", "/protected/", pb.Access)
	assert.Equal(t, 200, code)
	code, _ = status(t, b, "GET", "/protected/", pa.Access)
	assert.Equal(t, 401, code, "another server's token is not accepted: other keys")

	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			srv := authdtest.Start(t, authdtest.WithStart(T.Add(time.Duration(i)*time.Hour)))
			p := srv.Login(t, "satangsusu", "4321")
			srv.Advance(time.Duration(i+1) * 30 * time.Second)
			code, _ := status(t, srv, "GET", "/protected/", p.Access)
			if i == 0 {
				assert.Equal(t, 200, code, "30 s after login")
			} else {
				assert.Equal(t, 401, code, "%d s after login", (i+1)*30)
			}
		})
	}
}

// TestCleanupLeavesNothingBehind: after the test, no goroutine of the
// server is left and its port is closed. Not in parallel: goleak counts
// the whole test binary's goroutines, other tests' servers included.
func TestCleanupLeavesNothingBehind(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var addr string
	t.Run("server", func(t *testing.T) {
		srv := authdtest.Start(t)
		addr = strings.TrimPrefix(srv.URL, "http://")
		p := srv.Login(t, "minsu", "1229")
		code, _ := status(t, srv, "GET", "/protected/", p.Access)
		require.Equal(t, 200, code)
	})
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	assert.Error(t, err, "the port is closed after the test")
}

// step is one request of a scripted sequence; body and token may refer to
// earlier answers.
type exchange struct {
	status int
	header string
	body   string
}

// script sends the same sequence of requests to a server and records what
// it got: the status, the headers a client reads (not Date or the random
// X-Request-Id) and the body. Tokens in later requests come from earlier
// answers, so two servers that answer alike are asked alike.
func script(t *testing.T, base string, clockToken string) []exchange {
	t.Helper()
	var out []exchange
	var last map[string]any
	do := func(method, path, body, token string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, base+path, rd)
		require.NoError(t, err)
		if strings.HasPrefix(body, "{") {
			req.Header.Set("Content-Type", "application/json")
		} else if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		var h []string
		for _, name := range []string{"Content-Type", "Cache-Control", "Pragma", "WWW-Authenticate", "Retry-After", "X-Auth-Subject", "X-Auth-Username", "X-Auth-Session"} {
			h = append(h, name+": "+res.Header.Get(name))
		}
		out = append(out, exchange{res.StatusCode, strings.Join(h, "\n"), string(raw)})
		last = nil
		_ = json.Unmarshal(raw, &last)
	}
	str := func(k string) string { s, _ := last[k].(string); return s }

	do("POST", "/dev/clock/", `{"set":"`+T.Format(time.RFC3339)+`"}`, clockToken)
	do("POST", "/login/", `{"username":"minsu","password":"1229"}`, "")
	a0, r0 := str("access"), str("refresh")
	do("GET", "/protected/", "", a0)
	do("GET", "/auth/verify", "", a0)
	do("POST", "/oauth/token", "grant_type=password&username=chulsu&password=1234&client_id=authd", "")
	oauthRefresh := str("refresh_token")
	do("POST", "/refresh/", "", r0)
	a1, r1 := str("access"), str("refresh")
	do("POST", "/dev/clock/", `{"advance":"60s"}`, clockToken)
	do("GET", "/protected/", "", a1)
	do("POST", "/refresh/", "", r1)
	a2 := str("access")
	do("GET", "/sessions/", "", a2)
	do("POST", "/oauth/token", "grant_type=refresh_token&client_id=authd&refresh_token="+oauthRefresh, "")
	do("POST", "/refresh/", "", r0)
	do("GET", "/protected/", "", a2)
	do("GET", "/.well-known/jwks.json", "", "")
	do("POST", "/login/", `{"username":"minsu","password":"nope"}`, "")
	return out
}

// keysFile writes a JWK Set of a fresh key of alg.
func keysFile(t *testing.T, alg string) string {
	t.Helper()
	var k *jwx.Keys
	var err error
	if alg == jwx.HS256 {
		k, err = jwx.GenerateHMAC("ci")
	} else {
		k, err = jwx.Generate(alg)
	}
	require.NoError(t, err)
	data, err := k.PrivateJWKS()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

// startCommand runs authd as cmd/authd does, through Run, with the
// environment, and returns its URL.
func startCommand(t *testing.T, env map[string]string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	env["AUTH_ADDR"] = addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- authd.Run(ctx, nil, func(k string) string { return env[k] }, nil, io.Discard, io.Discard)
	}()
	t.Cleanup(func() { cancel(); assert.NoError(t, <-done) })
	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 10*time.Second, 10*time.Millisecond)
	return "http://" + addr
}

// TestReproducibleResponses: with the same keys file, seed and frozen
// instant, two fresh authd processes' worth of servers answer the same
// request sequence byte for byte, tokens included, for every algorithm
// authd signs with (ES256 too: authd signs ECDSA with RFC 6979's
// deterministic nonces). And the kit serves exactly what the command
// serves, since both are built by the one composition root.
func TestReproducibleResponses(t *testing.T) {
	t.Parallel()
	for _, alg := range jwx.Algorithms {
		t.Run(alg, func(t *testing.T) {
			keys := keysFile(t, alg)
			env := func() map[string]string {
				return map[string]string{
					"AUTH_DEV_CLOCK": "true", "AUTH_DEV_SEED": "golden", "AUTH_JWT_KEYS_FILE": keys,
					"AUTH_JWT_ALG": alg, "AUTH_LOG_LEVEL": "warn", "AUTH_HASH_QUEUE_WAIT": "10s",
				}
			}
			first := script(t, startCommand(t, env()), "")
			second := script(t, startCommand(t, env()), "")
			require.Len(t, first, 15)
			for i := range first {
				assert.Equal(t, first[i], second[i], "exchange %d differs between two fresh servers", i)
			}
			assert.Contains(t, first[1].body, `"access":"ey`, "the login succeeded and carried tokens")

			kit := authdtest.Start(t, authdtest.WithKeysFile(keys, alg), authdtest.WithSeed("golden"))
			fromKit := script(t, kit.URL, "")
			for i := range first {
				assert.Equal(t, first[i], fromKit[i], "exchange %d differs between cmd/authd and the kit", i)
			}
		})
	}
}

// TestSeedChangesTokens: the seed is what makes them repeat.
func TestSeedChangesTokens(t *testing.T) {
	t.Parallel()
	keys := keysFile(t, jwx.EdDSA)
	a := authdtest.Start(t, authdtest.WithKeysFile(keys, jwx.EdDSA), authdtest.WithStart(T), authdtest.WithSeed("one"))
	b := authdtest.Start(t, authdtest.WithKeysFile(keys, jwx.EdDSA), authdtest.WithStart(T), authdtest.WithSeed("two"))
	c := authdtest.Start(t, authdtest.WithKeysFile(keys, jwx.EdDSA), authdtest.WithStart(T))
	d := authdtest.Start(t, authdtest.WithKeysFile(keys, jwx.EdDSA), authdtest.WithStart(T))
	assert.NotEqual(t, a.Login(t, "minsu", "1229"), b.Login(t, "minsu", "1229"))
	assert.NotEqual(t, c.Login(t, "minsu", "1229"), d.Login(t, "minsu", "1229"), "without a seed ids are random")
}

func jsonSegment(seg string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	return string(b), err
}
