package interop

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oauth2ProxyVersion is the oauth2-proxy .ci/run installs with `go install
// github.com/oauth2-proxy/oauth2-proxy/v7@v7.15.6` (about four minutes to
// build on two busy cores, once: the binary stays in GOPATH/bin, and the
// test only looks for it, so `go test` never compiles a 40 MB program).
const oauth2ProxyVersion = "v7.15.6"

// oauth2Proxy returns the oauth2-proxy binary, or skips the test (fails it
// with AUTH_TEST_REQUIRE_OAUTH2_PROXY=1, which CI sets).
func oauth2Proxy(t *testing.T) string {
	t.Helper()
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	for _, p := range []string{os.Getenv("AUTH_TEST_OAUTH2_PROXY"), filepath.Join(strings.TrimSpace(string(gopath)), "bin", "oauth2-proxy")} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	const install = "go install github.com/oauth2-proxy/oauth2-proxy/v7@" + oauth2ProxyVersion
	if os.Getenv("AUTH_TEST_REQUIRE_OAUTH2_PROXY") == "1" {
		t.Fatal("AUTH_TEST_REQUIRE_OAUTH2_PROXY=1 but no oauth2-proxy (" + install + ")")
	}
	t.Skip("no oauth2-proxy (" + install + ", or set AUTH_TEST_OAUTH2_PROXY)")
	return ""
}

// TestInteropOAuth2Proxy puts oauth2-proxy v7, the OIDC relying party
// nobody here wrote, in front of a small upstream with authd as its
// provider, configured as docs/integration.md shows: an unauthenticated
// request goes to authd's login page, the scripted browser signs in and
// comes back through the proxy's callback, and the upstream sees the user.
// After an authd logout (RP-initiated, with the ID token) the proxy's
// session ends the next time its cookie refresh runs.
//
// oauth2-proxy judges ID tokens and its cookie by the wall clock, so authd
// runs on real time, and the test waits for the proxy's 2 s cookie refresh
// once: about 4 s of real time.
func TestInteropOAuth2Proxy(t *testing.T) {
	t.Parallel()
	bin := oauth2Proxy(t)
	secret := "oauth2-proxy-client-secret-for-tests-only-01"
	sum := sha256.Sum256([]byte(secret))
	clients := filepath.Join(t.TempDir(), "clients.json")
	require.NoError(t, os.WriteFile(clients, []byte(`[{"client_id": "proxy", "client_secret_sha256": "`+hex.EncodeToString(sum[:])+`",
		"grant_types": ["authorization_code", "refresh_token"], "first_party": true,
		"redirect_uris": ["http://127.0.0.1/oauth2/callback"], "scope": "openid profile"},
		{"client_id": "spa", "grant_types": ["authorization_code"], "first_party": true,
		"redirect_uris": ["https://app.example/cb"], "scope": "openid profile"}]`), 0o600))
	cfg := harness.DefaultConfig(t)
	cfg.OAuthClients = clients
	e := harness.StartEnv(t, cfg, clock.System{})

	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("upstream sees user=" + r.Header.Get("X-Forwarded-User") + " name=" + r.Header.Get("X-Forwarded-Preferred-Username")))
	}))
	t.Cleanup(upstream.Close)
	addr := harness.FreeAddr(t)
	proxy := "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, bin,
		"--provider=oidc", "--oidc-issuer-url="+e.Server.URL, "--client-id=proxy", "--client-secret="+secret,
		"--redirect-url="+proxy+"/oauth2/callback", "--upstream="+upstream.URL, "--http-address="+addr,
		"--cookie-secret=0123456789abcdef0123456789abcdef", "--cookie-secure=false", "--cookie-refresh=2s",
		"--email-domain=*", "--oidc-email-claim=sub", "--insecure-oidc-allow-unverified-email",
		"--scope=openid profile", "--code-challenge-method=S256", "--skip-provider-button")
	logs := &harness.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	b := harness.NewBrowser(t, proxy)
	require.Eventually(t, func() bool {
		res, err := http.Get(proxy + "/ping")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == 200
	}, 10*time.Second, 50*time.Millisecond, "oauth2-proxy did not start: %s", logs)

	// follow follows redirects between the proxy and authd, signing in on
	// the login page when it shows, and returns the final page.
	follow := func(p harness.Page) harness.Page {
		for range 10 {
			switch {
			case p.Status >= 300 && p.Status < 400:
				loc := p.Header.Get("Location")
				if strings.HasPrefix(loc, "/") {
					loc = proxy + loc
				}
				p = b.Get(loc)
			case p.Status == 200 && strings.Contains(p.Body, `name="csrf_token"`):
				b.URL = e.Server.URL // the form posts to authd, with its Origin
				p = b.Submit(p, "minsu", "1229")
				b.URL = proxy
			default:
				return p
			}
		}
		t.Fatalf("too many redirects; last: %d %s", p.Status, p.Header.Get("Location"))
		return p
	}
	page := follow(b.Get(proxy + "/"))
	require.Equal(t, 200, page.Status, "%s\n%s", page.Body, logs)
	assert.Equal(t, "upstream sees user=2 name=minsu", page.Body)
	again := b.Get(proxy + "/")
	assert.Equal(t, 200, again.Status, "the proxy's own session now")

	// Another app of the same browser session signs in (single sign-on, no
	// password), then logs out at authd with its ID token: that ends
	// everything issued through the browser session, the proxy's tokens
	// included, and the proxy notices at its next cookie refresh.
	verifier, challenge := harness.PKCE()
	q := harness.Redirected(t, b.Get(e.Server.URL+harness.AuthorizeURL("spa", "https://app.example/cb", challenge)), "https://app.example/cb")
	r := e.Do("POST", "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {"spa"}, "code": {q.Get("code")},
		"redirect_uri": {"https://app.example/cb"}, "code_verifier": {verifier}}.Encode(), "Content-Type: application/x-www-form-urlencoded")
	require.Equal(t, 200, r.Status, r.Raw)
	out := b.Get(e.Server.URL + "/oauth/logout?" + url.Values{"id_token_hint": {r.Body["id_token"].(string)}}.Encode())
	require.Equal(t, 200, out.Status, out.Body)
	time.Sleep(3500 * time.Millisecond) // well past --cookie-refresh=2s (real time: oauth2-proxy reads the wall clock)
	after := b.Get(proxy + "/")
	assert.NotContains(t, after.Body, "upstream sees")
	assert.NotEqual(t, 200, after.Status, "the proxy's session ended: %d %s\n%s", after.Status, after.Body, logs)
}
