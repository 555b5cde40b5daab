package interop

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlaygroundCodeFlowInABrowser: with the public client "playground"
// registered (its loopback redirect URI matches the test server's port,
// RFC 8252 §7.3), the playground's code-flow button goes to authd's login
// page, the user signs in there, and back on the playground the code is
// redeemed with the PKCE verifier made in WebCrypto: the session is the new
// user's, calls /protected/ and, after the server clock jumps past the
// access token's expiry, refreshes as its OAuth client does, at
// /oauth/token, and calls again; logging out revokes the refresh token at
// /oauth/revoke.
func TestPlaygroundCodeFlowInABrowser(t *testing.T) {
	t.Parallel()
	harness.NeedPlayground(t)
	ctx := headless(t, chromedp.WindowSize(1200, 1350), chromedp.Flag("lang", "en-US"))
	clients := filepath.Join(t.TempDir(), "clients.json")
	require.NoError(t, os.WriteFile(clients, []byte(`[{"client_id": "playground", "grant_types": ["authorization_code", "refresh_token"],
  "first_party": true, "redirect_uris": ["http://127.0.0.1/"], "scope": "openid"}]`), 0o600))
	cfg := harness.DefaultConfig(t)
	cfg.DevClock, cfg.OAuthClients = true, clients
	e := harness.NewDevEnv(t, cfg)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(e.Server.URL+"/"), chromedp.WaitVisible("#code-login"), chromedp.WaitVisible("#advance")))

	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#code-login"), chromedp.WaitVisible("#username")))
	require.NoError(t, chromedp.Do(ctx, chromedp.SendKeys("#username", "minsu"), chromedp.SendKeys("#password", "1229"),
		chromedp.Submit("#password"), chromedp.WaitVisible("#protected"))) // back on the playground
	waitFor(t, ctx, `document.getElementById("status") && document.getElementById("status").dataset.state === "in"`)
	assert.Equal(t, "Logged in as minsu.", text(t, ctx, "#status"))
	assert.Contains(t, text(t, ctx, "#log"), "POST /oauth/token → 200")
	loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	require.NoError(t, err)
	assert.Equal(t, e.Server.URL+"/", loc, "the code left the address bar")

	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#protected")))
	waitFor(t, ctx, logHas("GET /protected/ → 200", 1))
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#advance"))) // past the access token's minute: auto-refresh
	waitFor(t, ctx, logHas("POST /oauth/token (refresh_token) → 200", 1))
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#protected")))
	waitFor(t, ctx, logHas("GET /protected/ → 200", 2))
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#logout")))
	waitFor(t, ctx, logHas("POST /oauth/revoke → 200", 1))
	waitFor(t, ctx, `document.getElementById("status").dataset.state === "out"`)
}
