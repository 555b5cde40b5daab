package authd

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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cookieBrowser is a client with a cookie jar, as a browser keeps the
// cookie transport's cookies (paths and expiry honoured; SameSite, which a
// jar does not model, is the Chromium test's part), on the env's server.
type cookieBrowser struct {
	e      *env
	client *http.Client
	origin string // the Origin its requests carry; "" for none
}

func newCookieBrowser(t *testing.T, e *env) *cookieBrowser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &cookieBrowser{e: e, client: &http.Client{Jar: jar, Transport: e.srv.Client().Transport}, origin: e.srv.URL}
}

// do sends a request as e.do does, with the jar's cookies and the Origin.
func (b *cookieBrowser) do(method, path, body string, headers ...string) response {
	t := b.e.t
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, rd)
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
	checkAgainstSpec(t, req, res, raw)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.body)
	}
	return r
}

// cookie returns the value of the jar's cookie name sent to path, "" if none.
func (b *cookieBrowser) cookie(name, path string) string {
	u, _ := url.Parse(b.e.srv.URL + path)
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

func (b *cookieBrowser) login(choice string) response {
	return b.do("POST", "/login/", `{"username":"minsu","password":"1229","cookie":`+choice+`}`, jsonCT)
}

// TestCookieModeOverHTTP: a browser app in cookie mode logs in, never sees
// its refresh token, refreshes by cookie past several access-token expiries
// (each rotation rewriting the cookie), is refused with 403 csrf_failed and
// nothing rotated when the CSRF header or the origin is wrong, and ends
// with a logout that clears the cookies.
func TestCookieModeOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := newCookieBrowser(t, e)

	r := b.login("true")
	require.Equal(t, 200, r.status, r.raw)
	assert.NotContains(t, r.body, "refresh", "the body has no refresh token")
	assert.Equal(t, b.cookie(httpapi.CSRFCookie, "/"), r.body["csrf_token"])
	assert.Empty(t, b.cookie(httpapi.RefreshCookie, "/protected/"), "the refresh cookie goes to /refresh/ and /logout/ only")
	require.NotEmpty(t, b.cookie(httpapi.RefreshCookie, "/refresh/"))
	access := r.body["access"].(string)

	seen := map[string]bool{b.cookie(httpapi.RefreshCookie, "/refresh/"): true}
	for i := range 4 {
		e.clock.Advance(61 * time.Second) // past the access token's expiry
		assertError(t, e.protected(access), 401, "token_expired")
		r = b.do("POST", "/refresh/", "", b.csrf())
		require.Equal(t, 200, r.status, "refresh %d: %s", i, r.raw)
		assert.NotContains(t, r.body, "refresh")
		refresh := b.cookie(httpapi.RefreshCookie, "/refresh/")
		assert.False(t, seen[refresh], "each rotation rewrites the cookie")
		assert.Equal(t, refresh, b.cookie(httpapi.RefreshCookie, "/logout/"))
		seen[refresh] = true
		access = r.body["access"].(string)
		require.Equal(t, 200, e.protected(access).status)
	}

	before := b.cookie(httpapi.RefreshCookie, "/refresh/")
	assertError(t, b.do("POST", "/refresh/", ""), 403, "csrf_failed")
	assertError(t, b.do("POST", "/refresh/", "", httpapi.CSRFHeader+": "+strings.Repeat("A", 26)), 403, "csrf_failed")
	b.origin = "http://127.0.0.1:1" // another port: same site, another origin
	assertError(t, b.do("POST", "/refresh/", "", b.csrf()), 403, "csrf_failed")
	assertError(t, b.do("POST", "/logout/", "", b.csrf()), 403, "csrf_failed")
	b.origin = e.srv.URL
	assert.Equal(t, before, b.cookie(httpapi.RefreshCookie, "/refresh/"), "a refused request sets no cookie")
	e.clock.Advance(30 * time.Second) // no reuse grace by default: had anything rotated, this would be reuse
	r = b.do("POST", "/refresh/", "", b.csrf())
	require.Equal(t, 200, r.status, "nothing rotated: %s", r.raw)

	r = b.do("POST", "/logout/", "", b.csrf())
	require.Equal(t, 204, r.status, r.raw)
	assert.Empty(t, b.cookie(httpapi.RefreshCookie, "/refresh/"), "logout clears the cookies")
	assert.Empty(t, b.cookie(httpapi.CSRFCookie, "/"))
	assertError(t, e.protected(access), 401, "session_revoked")
}

// TestCookieModeEnds: reuse detection and revoking one's own session clear
// the cookies; with "both" the access cookie serves /protected/ and
// /sessions/, and DELETE /sessions/{id} by cookie needs the CSRF header.
func TestCookieModeEnds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := newCookieBrowser(t, e)
	require.Equal(t, 200, b.login("true").status)
	old := b.cookie(httpapi.RefreshCookie, "/refresh/")
	require.Equal(t, 200, b.do("POST", "/refresh/", "", b.csrf()).status)
	e.clock.Advance(30 * time.Second)
	r := b.do("POST", "/refresh/", "", b.csrf(), "Cookie: "+httpapi.RefreshCookie+"="+old) // a jar's cookie plus the stolen one
	assertError(t, r, 401, "invalid_token")                                                // two refresh cookies: nobody can tell which is authd's
	jar := b.client.Jar
	b.client.Jar = nil // the old token alone, as a thief who kept it would send it
	r = b.do("POST", "/refresh/", "", "Cookie: "+httpapi.RefreshCookie+"="+old+"; "+httpapi.CSRFCookie+"="+strings.Repeat("A", 26),
		httpapi.CSRFHeader+": "+strings.Repeat("A", 26))
	assertError(t, r, 401, "refresh_token_reused")
	assert.Contains(t, strings.Join(r.header.Values("Set-Cookie"), "\n"), httpapi.RefreshCookie+"=; Path=/refresh/; Max-Age=0; HttpOnly; SameSite=Strict")
	b.client.Jar = jar

	b = newCookieBrowser(t, e)
	r = b.login(`"both"`)
	require.Equal(t, 200, r.status, r.raw)
	sessions := b.do("GET", "/sessions/", "")
	require.Equal(t, 200, sessions.status, sessions.raw)
	id := sessions.body["sessions"].([]any)[0].(map[string]any)["id"].(string)
	assert.Equal(t, 200, b.do("GET", "/protected/", "").status, "the access cookie alone")
	assertError(t, b.do("DELETE", "/sessions/"+id, ""), 403, "csrf_failed")
	require.Equal(t, 204, b.do("DELETE", "/sessions/"+id, "", b.csrf()).status)
	assert.Empty(t, b.cookie(httpapi.AccessCookie, "/"), "its own session revoked: cookies cleared")
	assert.Empty(t, b.cookie(httpapi.RefreshCookie, "/refresh/"))
}

// TestCookieModeWithDPoP: a bound session's cookies still need the proof:
// a refresh by cookie without one is invalid_dpop_proof (the cookies
// stay), with one it rotates; the access cookie without a proof is refused.
func TestCookieModeWithDPoP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := newCookieBrowser(t, e)
	c := newDPoPClient(t, e)
	r := b.do("POST", "/login/", `{"username":"minsu","password":"1229","cookie":"both"}`, jsonCT, "DPoP: "+c.proof("POST", "/login/", ""))
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, "DPoP", r.body["token_type"])
	access := r.body["access"].(string)

	r = b.do("POST", "/refresh/", "", b.csrf())
	assert.Equal(t, 401, r.status)
	assert.Equal(t, "invalid_dpop_proof", r.code())
	assert.NotEmpty(t, b.cookie(httpapi.RefreshCookie, "/refresh/"), "the cookies stay for the retry")
	assertError(t, b.do("GET", "/protected/", ""), 401, "invalid_token")
	assert.Equal(t, 200, b.do("GET", "/protected/", "", "DPoP: "+c.proof("GET", "/protected/", access)).status)
	r = b.do("POST", "/refresh/", "", b.csrf(), "DPoP: "+c.proof("POST", "/refresh/", ""))
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, "DPoP", r.body["token_type"])
}

// TestCookieModeGlobal: AUTH_COOKIES=true makes cookie mode the default of
// /login/; "cookie": false asks for the seed's body.
func TestCookieModeGlobal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.Cookies = true })
	b := newCookieBrowser(t, e)
	r := b.do("POST", "/login/", `{"username":"minsu","password":"1229"}`, jsonCT)
	require.Equal(t, 200, r.status)
	assert.NotContains(t, r.body, "refresh")
	assert.NotEmpty(t, b.cookie(httpapi.RefreshCookie, "/refresh/"))
	r = e.do("POST", "/login/", `{"username":"minsu","password":"1229","cookie":false}`, jsonCT)
	assert.NotEmpty(t, r.body["refresh"])
	for _, c := range r.header.Values("Set-Cookie") {
		assert.True(t, strings.HasPrefix(c, httpapi.DeviceCookie+"="), "the device cookie only: %s", c)
	}
}
