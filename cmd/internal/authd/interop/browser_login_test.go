package interop

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoginPageInABrowser drives authd's login page in headless Chromium
// once, as a user would: a native app's authorization request (a loopback
// redirect URI on the app's own port, RFC 8252 §7.3), the page in Korean
// (Accept-Language ko), a wrong password and the message, the right one,
// and the browser landing on the app with a code that the token endpoint
// redeems. Chromium enforces the page's Content-Security-Policy (inline
// style by nonce, form-action to the app's origin): a policy that blocked
// the style or the redirect would fail here. With AUTH_WRITE_SCREENSHOT=1
// it saves the page to docs/login-page.png (install fonts-noto-cjk first).
func TestLoginPageInABrowser(t *testing.T) {
	t.Parallel()
	ctx := headless(t, chromedp.WindowSize(900, 700), chromedp.Flag("lang", "ko-KR"))
	e := harness.NewEnv(t, harness.WithOIDCClients(t))
	got := make(chan url.Values, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/native/cb" {
			select {
			case got <- r.URL.Query():
			default:
			}
		}
		_, _ = w.Write([]byte("<!doctype html><title>app</title><p id=done>signed in</p>"))
	}))
	t.Cleanup(app.Close)
	redirect := app.URL + "/native/cb"
	verifier, challenge := harness.PKCE()

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.Server.URL+harness.AuthorizeURL("spa", redirect, challenge)),
		chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", "minsu"),
		chromedp.SendKeys("#password", "wrong"),
		chromedp.Click("button[type=submit]"),
		chromedp.WaitVisible("p.error"),
	))
	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	require.NoError(t, err)
	want := map[string]string{"ko": "아이디와 비밀번호를 확인하세요.", "en": "Check your username and password."}[lang]
	assert.Equal(t, want, text(t, ctx, "p.error"), "the wrong password's message, in the page's language (%s)", lang)
	color, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("button")).backgroundColor`))
	require.NoError(t, err)
	assert.Equal(t, "rgb(37, 99, 235)", color, "the nonce'd inline style applies under the CSP")
	require.NoError(t, chromedp.Do(ctx, chromedp.SendKeys("#password", "1229")))
	screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)

	require.NoError(t, chromedp.Do(ctx, chromedp.Click("button[type=submit]"), chromedp.WaitVisible("#done")))
	q := <-got
	assert.Equal(t, "st-1", q.Get("state"))
	assert.Equal(t, e.Server.URL, q.Get("iss"))
	r := e.Do("POST", "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {"spa"}, "code": {q.Get("code")},
		"redirect_uri": {redirect}, "code_verifier": {verifier}}.Encode(), "Content-Type: application/x-www-form-urlencoded")
	require.Equal(t, 200, r.Status, r.Raw)
	assert.True(t, strings.HasPrefix(r.Body["id_token"].(string), "eyJ"))

	out := filepath.Join(t.TempDir(), "login-page.png")
	if os.Getenv("AUTH_WRITE_SCREENSHOT") == "1" {
		out = "../../../../docs/login-page.png"
	}
	require.NoError(t, os.WriteFile(out, screenshot, 0o644))
}
