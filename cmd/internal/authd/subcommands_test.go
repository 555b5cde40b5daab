package authd_test

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authd/authd/adapters/httpapi"
	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeygenToAFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, authd.Run(t.Context(), []string{"keygen", "--alg", "EdDSA", "--out", path}, func(string) string { return "" }, nil, io.Discard, io.Discard))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "a private key file is for its owner only")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	_, err = jwx.ParseKeySet(data, jwx.EdDSA)
	require.NoError(t, err)
	assert.Error(t, authd.Run(t.Context(), []string{"keygen", "--out", path}, func(string) string { return "" }, nil, io.Discard, io.Discard), "never overwrites")
}

func TestKeygen(t *testing.T) {
	t.Parallel()
	for _, alg := range jwx.Algorithms {
		var out strings.Builder
		require.NoError(t, authd.Run(t.Context(), []string{"keygen", "--alg", alg}, func(string) string { return "" }, strings.NewReader(""), &out, &harness.SyncBuffer{}))
		keys, err := jwx.ParseKeySet([]byte(out.String()), alg)
		require.NoError(t, err, alg)
		assert.NotEmpty(t, keys.SignerKID())
	}
	err := authd.Run(t.Context(), []string{"keygen", "--alg", "none"}, func(string) string { return "" }, strings.NewReader(""), &strings.Builder{}, &harness.SyncBuffer{})
	assert.Error(t, err)
}

func TestClientSecretCommand(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	require.NoError(t, authd.Run(t.Context(), []string{"client-secret"}, func(string) string { return "" }, nil, &out, &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2)
	secret, ok := strings.CutPrefix(lines[0], "client_secret=")
	require.True(t, ok)
	sum, ok := strings.CutPrefix(lines[1], "client_secret_sha256=")
	require.True(t, ok)
	assert.GreaterOrEqual(t, len(secret), 43) // 256 bits
	clients, err := httpapi.ParseOAuthClients([]byte(`[{"client_id":"c","client_secret_sha256":"` + sum + `","grant_types":["password"]}]`))
	require.NoError(t, err)
	require.Len(t, clients, 1)
	assert.Error(t, authd.Run(t.Context(), []string{"client-secret", "x"}, func(string) string { return "" }, nil, &out, &out))
}

func TestHashPasswordAndMigrateCommands(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	require.NoError(t, authd.Run(t.Context(), []string{"hash-password"}, nil, strings.NewReader("pw"), &out, io.Discard))
	assert.True(t, strings.HasPrefix(out.String(), "$argon2id$v=19$m=19456,t=2,p=1$"))
	assert.Error(t, authd.Run(t.Context(), []string{"hash-password"}, nil, strings.NewReader(""), &out, io.Discard))

	url := pgtest.Database(t)
	out.Reset()
	env := map[string]string{"AUTH_DATABASE_URL": url}
	require.NoError(t, authd.Run(t.Context(), []string{"migrate"}, func(k string) string { return env[k] }, nil, &out, io.Discard))
	assert.Contains(t, out.String(), "up to date")
	require.NoError(t, authd.Run(t.Context(), []string{"migrate"}, func(k string) string { return env[k] }, nil, &out, io.Discard), "twice is fine")
	assert.ErrorContains(t, authd.Run(t.Context(), []string{"migrate"}, func(string) string { return "" }, nil, &out, io.Discard), "AUTH_DATABASE_URL")
	_, err := authd.LoadConfig(nil, func(k string) string { return map[string]string{"AUTH_STORE": "postgres"}[k] }, io.Discard)
	assert.ErrorContains(t, err, "AUTH_DATABASE_URL")
}

// TestHealthcheckCommand is the container health check: 0 against a
// serving authd (on the admin port when there is one), an error otherwise.
func TestHealthcheckCommand(t *testing.T) {
	t.Parallel()
	admin := harness.FreeAddr(t)
	p := harness.StartProcess(t, map[string]string{"AUTH_ADMIN_ADDR": admin})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(p.URL, "http://"))
	var out strings.Builder
	env := map[string]string{"AUTH_ADDR": "0.0.0.0:" + port}
	require.NoError(t, authd.Run(t.Context(), []string{"healthcheck"}, harness.EnvOf(env), nil, &out, io.Discard), "the public port, asked on loopback")
	assert.Contains(t, out.String(), "healthy")
	env["AUTH_ADMIN_ADDR"] = admin
	require.NoError(t, authd.Run(t.Context(), []string{"healthcheck"}, harness.EnvOf(env), nil, &out, io.Discard), "the admin port")
	env = map[string]string{"AUTH_ADDR": harness.FreeAddr(t)}
	assert.Error(t, authd.Run(t.Context(), []string{"healthcheck"}, harness.EnvOf(env), nil, &out, io.Discard), "nothing listens there")
}
