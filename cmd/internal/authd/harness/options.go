package harness

import (
	"encoding/json"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/stretchr/testify/require"
)

// KeysFile writes the private JWK Set of the keys, in order, to a file and
// returns its path.
func KeysFile(t *testing.T, keys ...*jwx.Keys) string {
	t.Helper()
	var all []json.RawMessage
	for _, k := range keys {
		raw, err := k.PrivateJWKS()
		require.NoError(t, err)
		var set struct{ Keys []json.RawMessage }
		require.NoError(t, json.Unmarshal(raw, &set))
		all = append(all, set.Keys...)
	}
	data, err := json.Marshal(map[string]any{"keys": all})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

// WithKeys signs with the keys in the JWK Set file path, of algorithm alg.
func WithKeys(alg, path string) func(*authd.Config) {
	return func(c *authd.Config) { c.JWTAlg, c.JWTKeysFile = alg, path }
}

// JWKS fetches and decodes the JWKS endpoint.
func (e *Env) JWKS() []map[string]any {
	e.T.Helper()
	r := e.Do("GET", "/.well-known/jwks.json", "")
	require.Equal(e.T, 200, r.Status, r.Raw)
	require.Equal(e.T, "public, max-age=300", r.Header.Get("Cache-Control"))
	var set struct{ Keys []map[string]any }
	require.NoError(e.T, json.Unmarshal([]byte(r.Raw), &set))
	return set.Keys
}

// WithPostgres puts users and sessions in the database; one instance with a
// fresh key per test, so it opts in to ephemeral keys, and to the demo
// users the tests log in as.
func WithPostgres(url string) func(*authd.Config) {
	return func(c *authd.Config) {
		c.Store, c.DatabaseURL, c.EphemeralKeys, c.DemoUsers = "postgres", url, true, true
	}
}

// WithGrace sets the reuse grace window of refresh tokens.
func WithGrace(d time.Duration) func(*authd.Config) {
	return func(c *authd.Config) { c.Policy.ReuseGrace = d }
}

// BehindProxy trusts the test's own loopback address as a proxy, so
// X-Forwarded-For names the client.
func BehindProxy(c *authd.Config) {
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
}

// EnvOf returns a getenv that reads kv (an empty string for the rest).
func EnvOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// FreeAddr returns a loopback address that was free a moment ago.
func FreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// MetricsText returns the /metrics page.
func (e *Env) MetricsText() string {
	e.T.Helper()
	res, err := e.Server.Client().Get(e.Server.URL + "/metrics")
	require.NoError(e.T, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(e.T, err)
	return string(b)
}

// OAuthPair is a successful OAuth token response.
func (r Response) OAuthPair(t *testing.T) Pair {
	t.Helper()
	require.Equal(t, 200, r.Status, r.Raw)
	return Pair{Access: r.Body["access_token"].(string), Refresh: r.Body["refresh_token"].(string)}
}
