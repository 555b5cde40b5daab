package interop

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/httpapi"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// caddyBinary returns Caddy's path: $CADDY, caddy on PATH, or GOPATH/bin's
// (where .ci/run installs v2.11.9). Without one the test skips, unless
// AUTH_TEST_REQUIRE_CADDY is set.
func caddyBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CADDY"), "caddy", os.Getenv("HOME") + "/go/bin/caddy"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		if path, err := exec.LookPath(strings.TrimSpace(string(gopath)) + "/bin/caddy"); err == nil {
			return path
		}
	}
	if os.Getenv("AUTH_TEST_REQUIRE_CADDY") != "" {
		t.Fatal("caddy not found and AUTH_TEST_REQUIRE_CADDY is set")
	}
	t.Skip("caddy not found (go install github.com/caddyserver/caddy/v2/cmd/caddy@v2.11.9); set AUTH_TEST_REQUIRE_CADDY to fail instead")
	return ""
}

// freePort returns a loopback port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestCaddyForwardAuth puts real Caddy with deployments/caddy/Caddyfile in
// front of a small upstream, authd run as the file's comment says: a valid
// token reaches the upstream with the X-Auth-* headers Caddy copies (a
// client's own replaced), none is 401 with authd's challenge, a token
// without the scope of /admin/ is 403 insufficient_scope and one with it
// passes, and a DPoP-bound token passes with its proof and is 401 without.
func TestCaddyForwardAuth(t *testing.T) {
	t.Parallel()
	bin := caddyBinary(t)
	conf, err := os.ReadFile("../../../../deployments/caddy/Caddyfile")
	require.NoError(t, err)
	const origin = "http://api.example"
	e := harness.NewEnv(t, harness.TrustedGateway(origin), withJobClient(t), func(c *authd.Config) { c.VerifyHeaders = "traefik" })
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "upstream saw %s (%s) client=%s scope=%s on %s", r.Header.Get("X-Auth-Username"), r.Header.Get("X-Auth-Subject"),
			r.Header.Get("X-Auth-Client-Id"), r.Header.Get("X-Auth-Scope"), r.URL.Path)
	}))
	t.Cleanup(upstream.Close)
	port := strconv.Itoa(freePort(t))
	file := t.TempDir() + "/Caddyfile"
	require.NoError(t, os.WriteFile(file, []byte(strings.NewReplacer(
		"127.0.0.1:5000", strings.TrimPrefix(e.Server.URL, "http://"),
		"127.0.0.1:8080", strings.TrimPrefix(upstream.URL, "http://"),
		"api.example:8000", "api.example:"+port,
	).Replace(string(conf))), 0o600))
	cmd := exec.Command(bin, "run", "--adapter", "caddyfile", "--config", file)
	var logs harness.SyncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	gw := "http://127.0.0.1:" + port
	c := &http.Client{Timeout: 5 * time.Second}
	const host = "Host: api.example"
	require.Eventually(t, func() bool {
		res, err := c.Get(gw + "/healthz-of-caddy")
		if err == nil {
			res.Body.Close()
		}
		return err == nil
	}, 20*time.Second, 50*time.Millisecond, "caddy did not start: %s", &logs)

	p := e.Login("minsu", "1229")
	status, _, body := httpGet(t, c, gw+"/orders/7", p.Access, host, "X-Auth-Username: admin")
	assert.Equal(t, 200, status, body)
	assert.Equal(t, "upstream saw minsu (2) client= scope= on /orders/7", body, "Caddy replaces a client's own X-Auth-Username")

	status, h, body := httpGet(t, c, gw+"/orders/7", "", host)
	assert.Equal(t, 401, status, body)
	assert.True(t, strings.HasPrefix(h.Get("WWW-Authenticate"), `Bearer realm="authd"`), h.Get("WWW-Authenticate"))

	status, h, body = httpGet(t, c, gw+"/admin/orders", p.Access, host)
	assert.Equal(t, 403, status, body)
	assert.Contains(t, h.Get("WWW-Authenticate"), `error="insufficient_scope"`)
	assert.Contains(t, h.Get("WWW-Authenticate"), `scope="orders:write"`)
	assert.NotContains(t, body, "upstream saw")

	svc := e.Do("POST", "/oauth/token", "grant_type=client_credentials&client_id=orders-job&client_secret="+caddyJobSecret+"&scope=orders:write",
		"Content-Type: application/x-www-form-urlencoded")
	require.Equal(t, 200, svc.Status, svc.Raw)
	status, _, body = httpGet(t, c, gw+"/admin/orders", svc.Body["access_token"].(string), host)
	assert.Equal(t, 200, status, body)
	assert.Equal(t, "upstream saw  (orders-job) client=orders-job scope=orders:write on /admin/orders", body)

	// A DPoP-bound token: the proof names the URL the client called, which
	// authd rebuilds from Caddy's X-Forwarded-* and AUTH_VERIFY_ORIGINS.
	dc := harness.NewDPoPClient(t, e)
	bound := dc.Login().Pair(t)
	proof, err := dc.Key.Proof("GET", origin+"/orders/7", bound.Access, "", e.Clock.Now())
	require.NoError(t, err)
	status, _, body = httpGet(t, c, gw+"/orders/7", "", host, "Authorization: DPoP "+bound.Access, "DPoP: "+proof)
	assert.Equal(t, 200, status, body)
	status, h, body = httpGet(t, c, gw+"/orders/7", bound.Access, host)
	assert.Equal(t, 401, status, "a bound token as a Bearer token: %s", body)
	assert.Contains(t, h.Get("WWW-Authenticate"), "DPoP ")
}

// caddyJobSecret is the secret of the service client "orders-job".
var caddyJobSecret, caddyJobSecretHash = httpapi.NewClientSecret()

// withJobClient lists the public client "authd" and the service client
// "orders-job" (client_credentials, orders:read orders:write).
func withJobClient(t *testing.T) func(*authd.Config) {
	t.Helper()
	path := t.TempDir() + "/clients.json"
	require.NoError(t, os.WriteFile(path, []byte(`[{"client_id": "authd", "grant_types": ["password", "refresh_token"]},
		{"client_id": "orders-job", "client_secret_sha256": "`+caddyJobSecretHash+`", "grant_types": ["client_credentials"], "scope": "orders:read orders:write"}]`), 0o600))
	return func(c *authd.Config) { c.OAuthClients = path }
}
