package interop

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/httpapi"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlaygroundCookieModeInABrowser drives the playground in cookie mode
// in headless Chromium: log in, then move the server clock a minute five
// times, so auto-refresh renews the pair past five access-token expiries
// through the HttpOnly cookie and the CSRF header. After every step no
// script on the page finds a token in document.cookie (only the CSRF
// token), in storage or as a refresh token in memory; "steal the tokens"
// says so, and its refresh with the cookie alone is refused with 403. With
// AUTH_WRITE_SCREENSHOT=1 it saves the page to docs/playground-cookies.png
// (with a CJK font installed, as the other playground tests say).
func TestPlaygroundCookieModeInABrowser(t *testing.T) {
	t.Parallel()
	e, ctx := playground(t)
	click := func(sel string) { require.NoError(t, chromedp.Do(ctx, chromedp.Click(sel)), sel) }
	// What a script on the page can see: the cookies it can read, storage,
	// and the playground's own memory.
	const visible = `JSON.stringify({cookie: document.cookie, local: {...localStorage}, session: {...sessionStorage}, refresh: state.refresh})`
	look := func() string {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](visible))
		require.NoError(t, err)
		return s
	}

	click("#cookie")
	click("#login")
	waitFor(t, ctx, `document.getElementById("status").dataset.state === "in"`)
	seen := []string{look()}
	for i := 1; i <= 5; i++ {
		click("#advance") // the access token expires; auto-refresh renews it by cookie
		waitFor(t, ctx, logHas("POST /refresh/ → 200", i))
		seen = append(seen, look())
	}
	click("#protected")
	waitFor(t, ctx, logHas("GET /protected/ → 200", 1))
	click("#steal")
	waitFor(t, ctx, `!document.getElementById("steal-result").hidden`)
	stolen := text(t, ctx, "#steal-result")
	logText := text(t, ctx, "#log")
	held := text(t, ctx, "#refresh-decoded")
	refreshLeft := text(t, ctx, "#refresh-countdown")
	require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)))
	screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)

	for i, s := range seen {
		assert.NotContains(t, s, "eyJ", "step %d: no JWT is visible to a script: %s", i, s)
		assert.Contains(t, s, httpapi.CSRFCookie+"=", "step %d: the CSRF token is", i)
		assert.Contains(t, s, `"refresh":""`, "step %d: no refresh token in memory", i)
	}
	assert.Contains(t, stolen, "found no refresh token anywhere")
	assert.Contains(t, stolen, "memory: at+jwt", "the access token, kept in memory, is what a script can find")
	assert.Contains(t, logText, "thief: POST /refresh/ → 403 csrf_failed")
	assert.Contains(t, held, "HttpOnly cookie")
	assert.Regexp(t, `^(2[0-9][0-9]|300) s left$`, refreshLeft, "the refresh countdown comes from refresh_expires_in")
	assert.Equal(t, 5, strings.Count(e.Logs.String(), `"route":"/refresh","status":200`))

	out := filepath.Join(t.TempDir(), "playground-cookies.png")
	if os.Getenv("AUTH_WRITE_SCREENSHOT") == "1" {
		out = "../../../../docs/playground-cookies.png"
	}
	require.NoError(t, os.WriteFile(out, screenshot, 0o644))
}

// TestCookieCSRFInABrowser: a web app on an allowed origin (another port
// of 127.0.0.1, in AUTH_CORS_ORIGINS) logs in and refreshes with fetch and
// credentials; an attacker page on a third port (same site, so Chromium
// sends it the SameSite=Strict cookies) posts plain HTML forms to
// /refresh/ and /logout/ with the victim's cookies and gets 403, and the
// session is unchanged; its fetch with credentials gets no CORS grant,
// even though it can read the CSRF cookie (cookies do not keep ports
// apart).
func TestCookieCSRFInABrowser(t *testing.T) {
	t.Parallel()
	ctx := headless(t)
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><title>page</title><iframe name="sink"></iframe>`)
	})
	app := httptest.NewServer(page)
	t.Cleanup(app.Close)
	attacker := httptest.NewServer(page)
	t.Cleanup(attacker.Close)
	e := harness.NewEnv(t, func(c *authd.Config) { c.CORSOrigins = []string{app.URL} })
	authd := e.Server.URL

	eval := func(js string) map[string]any {
		t.Helper()
		out, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](js, chromedp.EvalAwaitPromise))
		require.NoError(t, err, js)
		return out
	}
	// refreshCookie reads the HttpOnly refresh cookie as only the browser
	// itself (here, through DevTools) can.
	refreshCookie := func() string {
		t.Helper()
		res, err := chromedp.Run(ctx, func(ctx context.Context, target *chromedp.Target) (network.GetCookiesResult, error) {
			return cdp.Call(ctx, target, network.GetCookies, network.GetCookiesParams{URLs: []string{authd + "/refresh/"}})
		})
		require.NoError(t, err)
		for _, c := range res.Cookies {
			if c.Name == httpapi.RefreshCookie {
				return c.Value
			}
		}
		return ""
	}

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(app.URL+"/")))
	logged := eval(fmt.Sprintf(`(async () => {
		const login = await fetch(%[1]q + "/login/", {method: "POST", credentials: "include",
			headers: {"Content-Type": "application/json"}, body: JSON.stringify({username: "minsu", password: "1229", cookie: true})});
		const body = await login.json();
		const refresh = await fetch(%[1]q + "/refresh/", {method: "POST", credentials: "include", headers: {"X-CSRF-Token": body.csrf_token}});
		return {login: login.status, refresh: refresh.status, hasRefresh: "refresh" in body, cookie: document.cookie};
	})()`, authd))
	assert.EqualValues(t, 200, logged["login"], "an allowed origin logs in with credentials")
	assert.EqualValues(t, 200, logged["refresh"], "and refreshes by cookie with the CSRF header")
	assert.Equal(t, false, logged["hasRefresh"])
	assert.NotContains(t, logged["cookie"], "eyJ")
	before := refreshCookie()
	require.NotEmpty(t, before)

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(attacker.URL+"/")))
	attack := eval(fmt.Sprintf(`(async () => {
		for (const path of ["/refresh/", "/logout/"]) {
			const f = document.createElement("form");
			f.method = "POST"; f.action = %[1]q + path; f.target = "sink";
			document.body.appendChild(f);
			const loaded = new Promise((ok) => document.querySelector("iframe").onload = ok);
			f.submit();
			await loaded;
		}
		const csrf = (document.cookie.match(/authd_csrf=([^;]+)/) || [])[1] || "";
		let fetched = "sent";
		try {
			await fetch(%[1]q + "/refresh/", {method: "POST", credentials: "include", headers: {"X-CSRF-Token": csrf}});
		} catch (e) { fetched = "refused by the browser"; }
		let read = "read";
		try { await fetch(%[1]q + "/unprotected/", {credentials: "include"}); } catch (e) { read = "refused by the browser"; }
		return {csrfReadable: csrf !== "", fetched, read};
	})()`, authd))
	after := refreshCookie()

	logs := e.Logs.String()
	assert.Equal(t, 1, strings.Count(logs, `"route":"/refresh","status":403`), "the form to /refresh/: 403, so the cookie came and the CSRF check refused it")
	assert.Equal(t, 1, strings.Count(logs, `"route":"/logout","status":403`), "the form to /logout/")
	assert.Equal(t, true, attack["csrfReadable"], "another port of the same host reads authd_csrf")
	assert.Equal(t, "refused by the browser", attack["fetched"], "no CORS grant: the preflight fails and nothing is sent")
	assert.Equal(t, "refused by the browser", attack["read"], "no CORS grant for a plain credentialed read either")
	assert.Equal(t, before, after, "the session is unchanged: no rotation, no logout")

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(app.URL+"/")))
	again := eval(fmt.Sprintf(`(async () => {
		const csrf = document.cookie.match(/authd_csrf=([^;]+)/)[1];
		const r = await fetch(%[1]q + "/refresh/", {method: "POST", credentials: "include", headers: {"X-CSRF-Token": csrf}});
		return {status: r.status};
	})()`, authd))
	assert.EqualValues(t, 200, again["status"], "the victim's session lives on")
	assert.Equal(t, 1, strings.Count(e.Logs.String(), `"route":"/refresh","status":403`), "its preflighted fetch never reached authd")
}
