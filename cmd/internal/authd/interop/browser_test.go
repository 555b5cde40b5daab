package interop

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromium returns the browser to drive, or skips the test (fails it with
// AUTH_TEST_REQUIRE_BROWSER=1, which CI sets) when there is none.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("AUTH_TEST_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("AUTH_TEST_REQUIRE_BROWSER") == "1" {
		t.Fatal("AUTH_TEST_REQUIRE_BROWSER=1 but no chromium (apt-get install chromium)")
	}
	t.Skip("no chromium for the browser test (apt-get install chromium)")
	return ""
}

// waitFor polls a JavaScript condition in the page until it is true.
func waitFor(t *testing.T, ctx context.Context, condition string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](condition, chromedp.WithPollingTimeout(15*time.Second)))
	require.NoError(t, err, "waiting for %s", condition)
}

// logHas is the condition that the playground's request log shows the text
// count times.
func logHas(text string, count int) string {
	return fmt.Sprintf("document.getElementById('log').innerText.split(%q).length > %d", text, count)
}

// text reads an element's text.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	require.NoError(t, err, sel)
	return s
}

// TestPlaygroundInABrowser drives the playground in headless Chromium
// through the README's story, literally: log in, see the countdowns, call
// /protected/, move the server clock +60 s and watch auto-refresh (on by
// default) keep the session alive, replay the previous refresh token and
// see reuse detection end the session and its tokens leave the screen. With
// AUTH_WRITE_SCREENSHOT=1 it saves the page to docs/playground.png (install
// a CJK font first, Debian's fonts-noto-cjk, or the Korean button shows
// empty boxes).
func TestPlaygroundInABrowser(t *testing.T) {
	t.Parallel()
	e, ctx := playground(t)

	click := func(sel string) { require.NoError(t, chromedp.Do(ctx, chromedp.Click(sel)), sel) }
	click("#login")
	waitFor(t, ctx, `document.getElementById("status").dataset.state === "in"`)
	require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(600*time.Millisecond))) // let the countdowns tick
	accessLeft, refreshLeft := text(t, ctx, "#access-countdown"), text(t, ctx, "#refresh-countdown")

	click("#protected")
	waitFor(t, ctx, logHas("GET /protected/ → 200", 1))
	autoOn, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("auto").checked`))
	require.NoError(t, err)
	hint := text(t, ctx, "#replay-hint") // nothing to replay yet, and the page says why
	click("#advance")                    // the server clock jumps a minute: the access token has expired
	waitFor(t, ctx, logHas("POST /refresh/ → 200", 1))
	click("#protected")
	waitFor(t, ctx, logHas("GET /protected/ → 200", 2))
	require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)))
	screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)

	waitFor(t, ctx, `document.getElementById("replay-hint").hidden`)
	click("#replay") // the refresh token used before the auto-refresh comes back
	waitFor(t, ctx, `document.getElementById("status").dataset.state === "ended"`)
	waitFor(t, ctx, logHas("refresh_token_reused", 1))
	status := text(t, ctx, "#status")
	gone, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("access-decoded").textContent === "" &&
		document.getElementById("refresh-decoded").textContent === "" &&
		document.getElementById("access-countdown").textContent === "–"`))
	require.NoError(t, err)
	click("#lang") // and in Korean
	korean := text(t, ctx, "#status")

	assert.Regexp(t, `^(5[0-9]|60) s left$`, accessLeft, "the access token counts down from a minute")
	assert.Regexp(t, `^(29[0-9]|300) s left$`, refreshLeft)
	assert.True(t, autoOn, "auto-refresh is on by default, as the README's story needs")
	assert.Contains(t, hint, "Refresh once")
	assert.True(t, gone, "the ended session's tokens are no longer shown")
	assert.Contains(t, status, "refresh_token_reused")
	assert.Contains(t, korean, "세션이 끝났습니다")
	assert.NotEmpty(t, screenshot)
	logs := e.Logs.String()
	assert.Contains(t, logs, `"route":"/refresh","status":200`)
	assert.Contains(t, logs, `"route":"/refresh","status":401`)

	out := filepath.Join(t.TempDir(), "playground.png")
	if os.Getenv("AUTH_WRITE_SCREENSHOT") == "1" {
		out = "../../../../docs/playground.png"
	}
	require.NoError(t, os.WriteFile(out, screenshot, 0o644))
}

// playground starts authd with the dev clock and headless Chromium on its
// playground, which has found the dev clock; both stop with the test.
func playground(t *testing.T) (*harness.Env, context.Context) {
	t.Helper()
	harness.NeedPlayground(t)
	ctx := headless(t, chromedp.WindowSize(1200, 1350), chromedp.Flag("lang", "en-US"))
	cfg := harness.DefaultConfig(t)
	cfg.DevClock = true
	e := harness.NewDevEnv(t, cfg)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(e.Server.URL+"/"),
		chromedp.WaitVisible("#advance"), // the page found the dev clock
	))
	return e, ctx
}

// headless starts headless Chromium for one test, with the flags every
// browser test needs (no sandbox, no GPU, no background traffic, a fresh
// profile) and then extra, and returns its context, cancelled with the test.
func headless(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestPlaygroundDPoPInABrowser drives the playground's DPoP story in
// headless Chromium: log in with DPoP on (a non-extractable WebCrypto key),
// call and refresh with proofs, press "steal the tokens" and see every
// request of the thief's copies refused while the real client keeps
// working, across a jump of the server clock. With AUTH_WRITE_SCREENSHOT=1
// it saves the page to docs/playground-dpop.png (with a CJK font installed,
// as above).
func TestPlaygroundDPoPInABrowser(t *testing.T) {
	t.Parallel()
	e, ctx := playground(t)
	click := func(sel string) { require.NoError(t, chromedp.Do(ctx, chromedp.Click(sel)), sel) }

	click("#dpop")
	click("#login")
	waitFor(t, ctx, `document.getElementById("status").dataset.state === "in"`)
	binding := text(t, ctx, "#binding")
	extractable, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`state.key.pair.privateKey.extractable`))
	require.NoError(t, err)
	click("#protected")
	waitFor(t, ctx, logHas("GET /protected/ → 200", 1))

	click("#steal")
	waitFor(t, ctx, `!document.getElementById("steal-result").hidden`)
	stolen := text(t, ctx, "#steal-result")
	logText := text(t, ctx, "#log")

	click("#protected")
	waitFor(t, ctx, logHas("GET /protected/ → 200", 2))
	click("#advance") // a minute later auto-refresh renews the pair with a proof
	waitFor(t, ctx, logHas("POST /refresh/ → 200", 1))
	click("#protected")
	waitFor(t, ctx, logHas("GET /protected/ → 200", 3))
	status := text(t, ctx, "#status")
	require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)))
	screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)

	assert.Contains(t, binding, "bound to this tab's DPoP key")
	assert.False(t, extractable, "the private key cannot be read, not even by the page")
	assert.Contains(t, stolen, "every request was refused")
	assert.Contains(t, logText, "thief: GET /protected/ → 401 invalid_token")
	assert.Contains(t, logText, "thief: POST /refresh/ → 401 invalid_dpop_proof")
	assert.NotContains(t, logText, "thief: POST /refresh/ → 200")
	assert.Contains(t, status, "Logged in as minsu")
	assert.Contains(t, e.Logs.String(), `"route":"/protected","status":401`)

	out := filepath.Join(t.TempDir(), "playground-dpop.png")
	if os.Getenv("AUTH_WRITE_SCREENSHOT") == "1" {
		out = "../../../../docs/playground-dpop.png"
	}
	require.NoError(t, os.WriteFile(out, screenshot, 0o644))
}
