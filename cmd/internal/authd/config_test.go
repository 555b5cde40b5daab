package authd_test

import (
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeysFileErrors(t *testing.T) {
	t.Parallel()
	ed, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	pub, err := ed.PublicJWKS()
	require.NoError(t, err)
	for name, tc := range map[string]struct{ alg, path string }{
		"missing file":      {jwx.EdDSA, filepath.Join(dir, "nope.json")},
		"not JSON":          {jwx.EdDSA, write("bad.json", "{")},
		"empty set":         {jwx.EdDSA, write("empty.json", `{"keys":[]}`)},
		"public keys only":  {jwx.EdDSA, write("pub.json", string(pub))},
		"signer of another": {jwx.ES256, harness.KeysFile(t, ed)},
		"duplicate kid":     {jwx.EdDSA, harness.KeysFile(t, ed, ed)},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := harness.DefaultConfig(t)
			cfg.JWTAlg, cfg.JWTKeysFile = tc.alg, tc.path
			_, err := authd.Build(cfg, clock.NewFrozen(harness.T), &harness.SyncBuffer{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "AUTH_JWT_KEYS_FILE")
		})
	}
}

func TestUsersFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not JSON":      `{`,
		"empty":         `[]`,
		"no id":         `[{"username":"a","password_hash":"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"}]`,
		"plain text pw": `[{"id":"1","username":"a","password_hash":"1234"}]`,
		"duplicate":     `[{"id":"1","username":"a","password_hash":"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"},{"id":"1","username":"b","password_hash":"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"}]`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		cfg := harness.DefaultConfig(t)
		cfg.UsersFile = path
		_, err := authd.Build(cfg, clock.NewFrozen(harness.T), &harness.SyncBuffer{})
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "AUTH_USERS_FILE", name)
	}
}

// TestPostgresNeedsSharedKeys: several instances on one database must share
// their keys; a fresh key per process is refused unless asked for.
func TestPostgresNeedsSharedKeys(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	cfg.Store, cfg.DatabaseURL = "postgres", pgtest.Database(t)
	cfg.PublicURL = "http://authd.test" // built, never served
	_, err := authd.Build(cfg, clock.NewFrozen(harness.T), &harness.SyncBuffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AUTH_JWT_KEYS_FILE")
	assert.Contains(t, err.Error(), "AUTH_JWT_EPHEMERAL_KEYS=true")

	cfg.EphemeralKeys = true
	a, err := authd.Build(cfg, clock.NewFrozen(harness.T), &harness.SyncBuffer{})
	require.NoError(t, err)
	a.Close()
	cfg.EphemeralKeys, cfg.JWTAlg, cfg.JWTSecret = false, "HS256", strings.Repeat("s", 32)
	a, err = authd.Build(cfg, clock.NewFrozen(harness.T), &harness.SyncBuffer{})
	require.NoError(t, err, "an HS256 secret is shared by configuration")
	a.Close()
}

// TestDevClockOffLoopbackNeedsAToken: a dev clock reachable from other
// machines must be guarded by AUTH_DEV_CLOCK_TOKEN, or authd refuses to
// start and says how to fix it.
func TestDevClockOffLoopbackNeedsAToken(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:5000", ":5000", "192.0.2.7:5000", "[::]:5000", "auth.example:5000"} {
		_, err := authd.LoadConfig(nil, harness.EnvOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADDR": addr}), io.Discard)
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "AUTH_DEV_CLOCK_TOKEN", addr)
		assert.Contains(t, err.Error(), "not a loopback address", addr)

		_, err = authd.LoadConfig(nil, harness.EnvOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADDR": addr, "AUTH_DEV_CLOCK_TOKEN": "0123456789abcdef"}), io.Discard)
		assert.NoError(t, err, addr)
	}
	for _, addr := range []string{"127.0.0.1:5000", "127.0.0.2:0", "localhost:5000", "[::1]:5000"} {
		_, err := authd.LoadConfig(nil, harness.EnvOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADDR": addr}), io.Discard)
		assert.NoError(t, err, addr)
	}
	// With an admin listener the clock is served there, so that address counts.
	_, err := authd.LoadConfig(nil, harness.EnvOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADMIN_ADDR": "0.0.0.0:9090"}), io.Discard)
	assert.ErrorContains(t, err, "0.0.0.0:9090 is not a loopback address")
	_, err = authd.LoadConfig(nil, harness.EnvOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADDR": "0.0.0.0:5000", "AUTH_ADMIN_ADDR": "127.0.0.1:9090"}), io.Discard)
	assert.NoError(t, err, "the public port does not serve the clock then")
	// Off, the address does not matter.
	_, err = authd.LoadConfig(nil, harness.EnvOf(map[string]string{"AUTH_ADDR": "0.0.0.0:5000"}), io.Discard)
	assert.NoError(t, err)
	_, err = authd.LoadConfig(nil, harness.EnvOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_DEV_CLOCK_TOKEN": "short"}), io.Discard)
	assert.ErrorContains(t, err, "at least 16")
	_, err = authd.LoadConfig(nil, harness.EnvOf(map[string]string{"AUTH_DEV_SEED": "golden"}), io.Discard)
	assert.ErrorContains(t, err, "AUTH_DEV_CLOCK=true")
}

// TestDevClockRunRefusesToStart goes through Run, as the binary would.
func TestDevClockRunRefusesToStart(t *testing.T) {
	t.Parallel()
	err := authd.Run(t.Context(), nil, harness.EnvOf(map[string]string{"AUTH_DEV_CLOCK": "true", "AUTH_ADDR": "0.0.0.0:0"}), nil, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AUTH_DEV_CLOCK_TOKEN")
}

func TestTrustingEveryAddressIsWarnedAbout(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, func(c *authd.Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")} })
	assert.Contains(t, e.Logs.String(), "AUTH_TRUSTED_PROXIES trusts every address")
	quiet := harness.NewEnv(t, func(c *authd.Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	assert.NotContains(t, quiet.Logs.String(), "AUTH_TRUSTED_PROXIES")
}

// TestClientsFileWithAnIntrospectingPublicClient: authd refuses to start
// with it, naming the setting and the client.
func TestClientsFileWithAnIntrospectingPublicClient(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "clients.json")
	require.NoError(t, os.WriteFile(path, []byte(`[{"client_id": "spa", "grant_types": ["password"], "introspect": true}]`), 0o600))
	err := authd.Run(t.Context(), nil, harness.EnvOf(map[string]string{"AUTH_ADDR": "127.0.0.1:0", "AUTH_OAUTH_CLIENTS_FILE": path, "AUTH_HASH_QUEUE_WAIT": "1s"}),
		nil, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AUTH_OAUTH_CLIENTS_FILE")
	assert.Contains(t, err.Error(), `"spa"`)
	assert.Contains(t, err.Error(), "public client cannot introspect")
}
