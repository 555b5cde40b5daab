package interop

import (
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlaygroundSignUpInABrowser: with AUTH_SIGNUP=true the playground
// shows the sign-up form (docs/template.md's promise); a weak password
// shows the server's message naming the rule, a good one signs up and logs
// the new user in, and the new user's token calls /protected/. Without
// AUTH_SIGNUP the form stays hidden.
func TestPlaygroundSignUpInABrowser(t *testing.T) {
	t.Parallel()
	harness.NeedPlayground(t)
	ctx := headless(t, chromedp.WindowSize(1200, 1350), chromedp.Flag("lang", "en-US"))
	cfg := harness.DefaultConfig(t)
	cfg.DevClock, cfg.SignUp = true, true
	e := harness.NewDevEnv(t, cfg)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(e.Server.URL+"/"), chromedp.WaitVisible("#signup")))

	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys("#signup-name", "younghee"), chromedp.SendKeys("#signup-password", "password"), chromedp.Click("#signup")))
	waitFor(t, ctx, logHas("POST /signup/ → 400 weak_password", 1))
	assert.Contains(t, text(t, ctx, "#signup-result"), "too common", "the server's message, in the page's language")

	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById("signup-password").value = "", true)`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.SendKeys("#signup-password", "tangerine-orbit-kettle"), chromedp.Click("#signup")))
	waitFor(t, ctx, `document.getElementById("status").dataset.state === "in"`)
	assert.Equal(t, "Logged in as younghee.", text(t, ctx, "#status"))
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#protected")))
	waitFor(t, ctx, logHas("GET /protected/ → 200", 1))
	assert.Equal(t, 200, e.Do("POST", "/login/", `{"username":"younghee","password":"tangerine-orbit-kettle"}`, harness.JSONHeader).Status,
		"the user exists on the server")

	off := harness.NewEnv(t)
	ctx2 := headless(t, chromedp.Flag("lang", "en-US"))
	require.NoError(t, chromedp.Do(ctx2, chromedp.Navigate(off.Server.URL+"/"), chromedp.WaitVisible("#login")))
	waitFor(t, ctx2, `document.getElementById("lang").textContent === "한국어"`) // the page is set up: the probe has answered
	var hidden bool
	hidden, err = chromedp.Run(ctx2, chromedp.Evaluate[bool](`document.getElementById("signup-row").hidden`))
	require.NoError(t, err)
	assert.True(t, hidden, "without AUTH_SIGNUP no sign-up form")
}
