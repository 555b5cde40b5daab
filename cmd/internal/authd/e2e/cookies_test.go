package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/httpapi"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cookieBrowser is a client with a cookie jar, as a browser keeps the
// cookie transport's cookies (paths and expiry honoured; SameSite, which a
// jar does not model, is the Chromium test's part), on the env's server.
type cookieBrowser struct {
	e      *harness.Env
	client *http.Client
	origin string // the Origin its requests carry; "" for none
}

func newCookieBrowser(t *testing.T, e *harness.Env) *cookieBrowser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &cookieBrowser{e: e, client: &http.Client{Jar: jar, Transport: e.Server.Client().Transport}, origin: e.Server.URL}
}

// do sends a request as e.do does, with the jar's cookies and the Origin.
func (b *cookieBrowser) do(method, path, body string, headers ...string) harness.Response {
	t := b.e.T
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, b.e.Server.URL+path, rd)
	require.NoError(t, err)
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Add(k, v)
	}
	res, err := b.client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	harness.CheckAgainstSpec(t, req, res, raw)
	r := harness.Response{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.Body)
	}
	return r
}

// cookie returns the value of the jar's cookie name sent to path, "" if none.
func (b *cookieBrowser) cookie(name, path string) string {
	u, _ := url.Parse(b.e.Server.URL + path)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// csrf is the CSRF header as the page sends it, from the readable cookie.
func (b *cookieBrowser) csrf() string {
	return httpapi.CSRFHeader + ": " + b.cookie(httpapi.CSRFCookie, "/")
}

func (b *cookieBrowser) login(choice string) harness.Response {
	return b.do("POST", "/login/", `{"username":"minsu","password":"1229","cookie":`+choice+`}`, harness.JSONHeader)
}

// TestCookieModeOverHTTP: a browser app in cookie mode logs in, never sees
// its refresh token, refreshes by cookie past several access-token expiries
// (each rotation rewriting the cookie), is refused with 403 csrf_failed and
// nothing rotated when the CSRF header or the origin is wrong, and ends
// with a logout that clears the cookies.
func TestCookieModeOverHTTP(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	b := newCookieBrowser(t, e)

	r := b.login("true")
	require.Equal(t, 200, r.Status, r.Raw)
	assert.NotContains(t, r.Body, "refresh", "the body has no refresh token")
	assert.Equal(t, b.cookie(httpapi.CSRFCookie, "/"), r.Body["csrf_token"])
	assert.Empty(t, b.cookie(httpapi.RefreshCookie, "/protected/"), "the refresh cookie goes to /refresh/ and /logout/ only")
	require.NotEmpty(t, b.cookie(httpapi.RefreshCookie, "/refresh/"))
	access := r.Body["access"].(string)

	seen := map[string]bool{b.cookie(httpapi.RefreshCookie, "/refresh/"): true}
	for i := range 4 {
		e.Clock.Advance(61 * time.Second) // past the access token's expiry
		harness.AssertError(t, e.Protected(access), 401, "token_expired")
		r = b.do("POST", "/refresh/", "", b.csrf())
		require.Equal(t, 200, r.Status, "refresh %d: %s", i, r.Raw)
		assert.NotContains(t, r.Body, "refresh")
		refresh := b.cookie(httpapi.RefreshCookie, "/refresh/")
		assert.False(t, seen[refresh], "each rotation rewrites the cookie")
		assert.Equal(t, refresh, b.cookie(httpapi.RefreshCookie, "/logout/"))
		seen[refresh] = true
		access = r.Body["access"].(string)
		require.Equal(t, 200, e.Protected(access).Status)
	}

	before := b.cookie(httpapi.RefreshCookie, "/refresh/")
	harness.AssertError(t, b.do("POST", "/refresh/", ""), 403, "csrf_failed")
	harness.AssertError(t, b.do("POST", "/refresh/", "", httpapi.CSRFHeader+": "+strings.Repeat("A", 26)), 403, "csrf_failed")
	b.origin = "http://127.0.0.1:1" // another port: same site, another origin
	harness.AssertError(t, b.do("POST", "/refresh/", "", b.csrf()), 403, "csrf_failed")
	harness.AssertError(t, b.do("POST", "/logout/", "", b.csrf()), 403, "csrf_failed")
	b.origin = e.Server.URL
	assert.Equal(t, before, b.cookie(httpapi.RefreshCookie, "/refresh/"), "a refused request sets no cookie")
	e.Clock.Advance(30 * time.Second) // no reuse grace by default: had anything rotated, this would be reuse
	r = b.do("POST", "/refresh/", "", b.csrf())
	require.Equal(t, 200, r.Status, "nothing rotated: %s", r.Raw)

	r = b.do("POST", "/logout/", "", b.csrf())
	require.Equal(t, 204, r.Status, r.Raw)
	assert.Empty(t, b.cookie(httpapi.RefreshCookie, "/refresh/"), "logout clears the cookies")
	assert.Empty(t, b.cookie(httpapi.CSRFCookie, "/"))
	harness.AssertError(t, e.Protected(access), 401, "session_revoked")
}

// TestCookieModeEnds: reuse detection and revoking one's own session clear
// the cookies; with "both" the access cookie serves /protected/ and
// /sessions/, and DELETE /sessions/{id} by cookie needs the CSRF header.
func TestCookieModeEnds(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	b := newCookieBrowser(t, e)
	require.Equal(t, 200, b.login("true").Status)
	old := b.cookie(httpapi.RefreshCookie, "/refresh/")
	require.Equal(t, 200, b.do("POST", "/refresh/", "", b.csrf()).Status)
	e.Clock.Advance(30 * time.Second)
	r := b.do("POST", "/refresh/", "", b.csrf(), "Cookie: "+httpapi.RefreshCookie+"="+old) // a jar's cookie plus the stolen one
	harness.AssertError(t, r, 401, "invalid_token")                                        // two refresh cookies: nobody can tell which is authd's
	jar := b.client.Jar
	b.client.Jar = nil // the old token alone, as a thief who kept it would send it
	r = b.do("POST", "/refresh/", "", "Cookie: "+httpapi.RefreshCookie+"="+old+"; "+httpapi.CSRFCookie+"="+strings.Repeat("A", 26),
		httpapi.CSRFHeader+": "+strings.Repeat("A", 26))
	harness.AssertError(t, r, 401, "refresh_token_reused")
	assert.Contains(t, strings.Join(r.Header.Values("Set-Cookie"), "\n"), httpapi.RefreshCookie+"=; Path=/refresh/; Max-Age=0; HttpOnly; SameSite=Strict")
	b.client.Jar = jar

	b = newCookieBrowser(t, e)
	r = b.login(`"both"`)
	require.Equal(t, 200, r.Status, r.Raw)
	sessions := b.do("GET", "/sessions/", "")
	require.Equal(t, 200, sessions.Status, sessions.Raw)
	id := sessions.Body["sessions"].([]any)[0].(map[string]any)["id"].(string)
	assert.Equal(t, 200, b.do("GET", "/protected/", "").Status, "the access cookie alone")
	harness.AssertError(t, b.do("DELETE", "/sessions/"+id, ""), 403, "csrf_failed")
	require.Equal(t, 204, b.do("DELETE", "/sessions/"+id, "", b.csrf()).Status)
	assert.Empty(t, b.cookie(httpapi.AccessCookie, "/"), "its own session revoked: cookies cleared")
	assert.Empty(t, b.cookie(httpapi.RefreshCookie, "/refresh/"))
}

// TestCookieModeWithDPoP: a bound session's cookies still need the proof:
// a refresh by cookie without one is invalid_dpop_proof (the cookies
// stay), with one it rotates; the access cookie without a proof is refused.
func TestCookieModeWithDPoP(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	b := newCookieBrowser(t, e)
	c := harness.NewDPoPClient(t, e)
	r := b.do("POST", "/login/", `{"username":"minsu","password":"1229","cookie":"both"}`, harness.JSONHeader, "DPoP: "+c.Proof("POST", "/login/", ""))
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "DPoP", r.Body["token_type"])
	access := r.Body["access"].(string)

	r = b.do("POST", "/refresh/", "", b.csrf())
	assert.Equal(t, 401, r.Status)
	assert.Equal(t, "invalid_dpop_proof", r.Code())
	assert.NotEmpty(t, b.cookie(httpapi.RefreshCookie, "/refresh/"), "the cookies stay for the retry")
	harness.AssertError(t, b.do("GET", "/protected/", ""), 401, "invalid_token")
	assert.Equal(t, 200, b.do("GET", "/protected/", "", "DPoP: "+c.Proof("GET", "/protected/", access)).Status)
	r = b.do("POST", "/refresh/", "", b.csrf(), "DPoP: "+c.Proof("POST", "/refresh/", ""))
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "DPoP", r.Body["token_type"])
}

// TestCookieModeGlobal: AUTH_COOKIES=true makes cookie mode the default of
// /login/; "cookie": false asks for the seed's body.
func TestCookieModeGlobal(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, func(c *authd.Config) { c.Cookies = true })
	b := newCookieBrowser(t, e)
	r := b.do("POST", "/login/", `{"username":"minsu","password":"1229"}`, harness.JSONHeader)
	require.Equal(t, 200, r.Status)
	assert.NotContains(t, r.Body, "refresh")
	assert.NotEmpty(t, b.cookie(httpapi.RefreshCookie, "/refresh/"))
	r = e.Do("POST", "/login/", `{"username":"minsu","password":"1229","cookie":false}`, harness.JSONHeader)
	assert.NotEmpty(t, r.Body["refresh"])
	for _, c := range r.Header.Values("Set-Cookie") {
		assert.True(t, strings.HasPrefix(c, httpapi.DeviceCookie+"="), "the device cookie only: %s", c)
	}
}

// TestCookieModeSignUp: /signup/ chooses the transport as /login/ does:
// with "cookie": true the new user's refresh token is only in the cookie,
// and the page goes on refreshing by cookie with the CSRF header.
func TestCookieModeSignUp(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, func(c *authd.Config) { c.SignUp = true })
	b := newCookieBrowser(t, e)
	r := b.do("POST", "/signup/", `{"username":"younghee","password":"`+pw+`","cookie":true}`, harness.JSONHeader)
	require.Equal(t, 201, r.Status, r.Raw)
	assert.NotContains(t, r.Body, "refresh")
	assert.Equal(t, b.cookie(httpapi.CSRFCookie, "/"), r.Body["csrf_token"])
	require.NotEmpty(t, b.cookie(httpapi.RefreshCookie, "/refresh/"))
	harness.AssertError(t, b.do("POST", "/refresh/", ""), 403, "csrf_failed")
	r = b.do("POST", "/refresh/", "", b.csrf())
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "younghee", e.Protected(r.Body["access"].(string)).Body["user"].(map[string]any)["username"])
}
