package authd

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oidcClients is the clients file of the code flow's tests: a public
// first-party client (a single-page or native app), a confidential one (a
// web server, oauth2-proxy) and a second public one, for single sign-on.
const oidcClients = `[
 {"client_id": "spa", "grant_types": ["authorization_code", "refresh_token"], "first_party": true,
  "redirect_uris": ["https://app.example/cb", "http://127.0.0.1/native/cb"],
  "post_logout_redirect_uris": ["https://app.example/bye"], "scope": "openid profile offline_access"},
 {"client_id": "web", "client_secret_sha256": "` + webSecretSHA256 + `", "grant_types": ["authorization_code", "refresh_token"],
  "first_party": true, "redirect_uris": ["https://web.example/oauth2/callback"], "scope": "openid profile email"},
 {"client_id": "other", "grant_types": ["authorization_code"], "first_party": true,
  "redirect_uris": ["https://other.example/cb"], "scope": "openid"},
 {"client_id": "authd", "grant_types": ["password", "refresh_token"]}
]`

// webSecret is the confidential client's secret; webSecretSHA256 its hash.
const (
	webSecret       = "web-client-secret-for-tests-only-0123456789"
	webSecretSHA256 = "4f1c0b80b3ffe1a0a2a4d33f7bb81e0ae5d67e8e0d5b8b2cb84a1b1b7d2b1e66"
)

// withOIDCClients configures the code flow's clients.
func withOIDCClients(t *testing.T) func(*Config) {
	path := filepath.Join(t.TempDir(), "clients.json")
	sum := sha256.Sum256([]byte(webSecret))
	data := strings.Replace(oidcClients, webSecretSHA256, strings.ToLower(hexOf(sum[:])), 1)
	require.NoError(t, os.WriteFile(path, []byte(data), 0o600))
	return func(c *Config) { c.OAuthClients = path }
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, digits[x>>4], digits[x&15])
	}
	return string(out)
}

// browser is a scripted browser: a cookie jar, redirects not followed.
type browser struct {
	t    *testing.T
	c    *http.Client
	url  string
	lang string // Accept-Language on every request, as a browser sends it
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, url: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) get(path string, headers ...string) page {
	b.t.Helper()
	return b.send("GET", path, "", headers...)
}

func (b *browser) send(method, path, body string, headers ...string) page {
	b.t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = b.url + path
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	require.NoError(b.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{res.StatusCode, res.Header, string(raw)}
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	csrfField  = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

// submit posts the login page's form with the credentials.
func (b *browser) submit(p page, username, password string) page {
	b.t.Helper()
	action, csrf := formAction.FindStringSubmatch(p.body), csrfField.FindStringSubmatch(p.body)
	require.NotNil(b.t, action, p.body)
	require.NotNil(b.t, csrf, p.body)
	form := url.Values{"csrf_token": {csrf[1]}, "username": {username}, "password": {password}}
	return b.send("POST", html.UnescapeString(action[1]), form.Encode(), "Origin: "+b.url)
}

// pkce returns a verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	verifier = randomString()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomString() string {
	var b [32]byte
	f, _ := os.Open("/dev/urandom")
	defer f.Close()
	_, _ = io.ReadFull(f, b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func authorizeURL(client, redirect, challenge string, extra ...string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {redirect}, "scope": {"openid profile"},
		"state": {"st-1"}, "nonce": {"no-1"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	if client == "other" {
		q.Set("scope", "openid")
	}
	return "/oauth/authorize?" + q.Encode()
}

// redirected returns the query of a 303 to the redirect URI.
func redirected(t *testing.T, p page, redirect string) url.Values {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	loc := p.header.Get("Location")
	require.True(t, strings.HasPrefix(loc, redirect+"?"), loc)
	u, err := url.Parse(loc)
	require.NoError(t, err)
	return u.Query()
}

func TestCodeFlowEndToEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withOIDCClients(t))
	b := newBrowser(t, e.srv.URL)

	// Discovery: the issuer is the URL the document is served under.
	meta := e.do("GET", "/.well-known/openid-configuration", "")
	require.Equal(t, 200, meta.status, meta.raw)
	assert.Equal(t, e.srv.URL, meta.body["issuer"])
	assert.Equal(t, e.srv.URL+"/oauth/authorize", meta.body["authorization_endpoint"])
	assert.Equal(t, []any{"S256"}, meta.body["code_challenge_methods_supported"])
	assert.Equal(t, []any{"code"}, meta.body["response_types_supported"])
	assert.Equal(t, true, meta.body["authorization_response_iss_parameter_supported"])
	assert.Equal(t, []any{"RS256"}, meta.body["id_token_signing_alg_values_supported"])
	rfc8414 := e.do("GET", "/.well-known/oauth-authorization-server", "")
	assert.Equal(t, meta.raw, rfc8414.raw, "one document at both paths")

	verifier, challenge := pkce()
	b.lang = "en"
	login := b.get(authorizeURL("spa", "https://app.example/cb", challenge))
	require.Equal(t, 200, login.status, login.body)
	csp := login.header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "form-action 'self' https://app.example")
	assert.Contains(t, login.body, "Sign in to")

	wrong := b.submit(login, "minsu", "wrong")
	assert.Equal(t, 200, wrong.status)
	assert.Contains(t, wrong.body, "Check your username and password.")
	b.lang = ""
	kor := b.submit(b.get(authorizeURL("spa", "https://app.example/cb", challenge)), "minsu", "wrong")
	assert.Contains(t, kor.body, "아이디와 비밀번호를 확인하세요.", "Korean by default")

	forged := b.send("POST", html.UnescapeString(formAction.FindStringSubmatch(login.body)[1]),
		url.Values{"csrf_token": {"forged"}, "username": {"minsu"}, "password": {"1229"}}.Encode())
	assert.Equal(t, http.StatusForbidden, forged.status, "a form without the CSRF cookie's token")

	done := b.submit(wrong, "minsu", "1229")
	q := redirected(t, done, "https://app.example/cb")
	assert.Equal(t, "st-1", q.Get("state"))
	assert.Equal(t, e.srv.URL, q.Get("iss"), "RFC 9207")
	sso := cookieNamed(done.header, "authd_sso")
	require.NotNil(t, sso)
	assert.True(t, sso.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, sso.SameSite)

	token := func(form url.Values, headers ...string) response {
		return e.do("POST", "/oauth/token", form.Encode(), append(headers, "Content-Type: application/x-www-form-urlencoded")...)
	}
	codeForm := url.Values{"grant_type": {"authorization_code"}, "client_id": {"spa"}, "code": {q.Get("code")},
		"redirect_uri": {"https://app.example/cb"}, "code_verifier": {verifier}}
	r := token(codeForm)
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, "openid profile", r.body["scope"])
	assert.Equal(t, "Bearer", r.body["token_type"])
	idToken := r.body["id_token"].(string)
	refresh := r.body["refresh_token"].(string)
	access := r.body["access_token"].(string)

	set, err := jwk.Parse([]byte(e.do("GET", "/.well-known/jwks.json", "").raw))
	require.NoError(t, err)
	id, err := jwt.Parse([]byte(idToken), jwt.WithKeySet(set), jwt.WithIssuer(e.srv.URL), jwt.WithAudience("spa"),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return T })))
	require.NoError(t, err)
	sub, _ := id.Subject()
	assert.Equal(t, "2", sub)
	var nonce, sid, atHash string
	require.NoError(t, id.Get("nonce", &nonce))
	require.NoError(t, id.Get("sid", &sid))
	require.NoError(t, id.Get("at_hash", &atHash))
	assert.Equal(t, "no-1", nonce)
	sum := sha256.Sum256([]byte(access))
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(sum[:16]), atHash)
	assert.NotEmpty(t, sid)

	// Access tokens name the issuer too, and work everywhere.
	assert.Equal(t, 200, e.protected(access).status)
	ui := e.do("GET", "/userinfo", "", bearer(access))
	require.Equal(t, 200, ui.status, ui.raw)
	assert.Equal(t, map[string]any{"sub": "2", "preferred_username": "minsu"}, ui.body)
	assert.Equal(t, 200, e.do("POST", "/userinfo", "", bearer(access)).status)
	assert.Equal(t, 401, e.do("GET", "/userinfo", "").status)

	// The code is single use: the second use revokes what the first issued.
	again := token(codeForm)
	assert.Equal(t, 400, again.status)
	assert.Equal(t, "invalid_grant", again.code())
	rr := token(url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {refresh}})
	assert.Equal(t, "invalid_grant", rr.code(), rr.raw)

	// Single sign-on: another client's request needs no password.
	v2, c2 := pkce()
	q2 := redirected(t, b.get(authorizeURL("other", "https://other.example/cb", c2)), "https://other.example/cb")
	r2 := token(url.Values{"grant_type": {"authorization_code"}, "client_id": {"other"}, "code": {q2.Get("code")},
		"redirect_uri": {"https://other.example/cb"}, "code_verifier": {v2}})
	require.Equal(t, 200, r2.status, r2.raw)
	assert.Nil(t, r2.body["refresh_token"], "a client without the refresh grant gets no refresh token")
	// prompt=login asks for the password even so.
	assert.Equal(t, 200, b.get(authorizeURL("spa", "https://app.example/cb", c2, "prompt", "login")).status)
	// max_age older than the password: the page again.
	e.clock.Advance(10 * time.Second)
	assert.Equal(t, 200, b.get(authorizeURL("spa", "https://app.example/cb", c2, "max_age", "5")).status)
	redirected(t, b.get(authorizeURL("spa", "https://app.example/cb", c2, "max_age", "60")), "https://app.example/cb")

	// prompt=none without a session: login_required at the client.
	fresh := newBrowser(t, e.srv.URL)
	none := redirected(t, fresh.get(authorizeURL("spa", "https://app.example/cb", c2, "prompt", "none")), "https://app.example/cb")
	assert.Equal(t, "login_required", none.Get("error"))
	assert.Equal(t, "st-1", none.Get("state"))

	// A new session through the code flow, then RP-initiated logout with
	// the ID token ends the browser session and what was issued through it.
	v3, c3 := pkce()
	q3 := redirected(t, b.get(authorizeURL("spa", "https://app.example/cb", c3)), "https://app.example/cb")
	codeForm.Set("code", q3.Get("code"))
	codeForm.Set("code_verifier", v3)
	r3 := token(codeForm)
	require.Equal(t, 200, r3.status, r3.raw)
	out := b.get("/oauth/logout?" + url.Values{"id_token_hint": {r3.body["id_token"].(string)},
		"post_logout_redirect_uri": {"https://app.example/bye"}, "state": {"s2"}}.Encode())
	assert.Equal(t, http.StatusSeeOther, out.status, out.body)
	assert.Equal(t, "https://app.example/bye?state=s2", out.header.Get("Location"))
	gone := token(url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {r3.body["refresh_token"].(string)}})
	assert.Equal(t, "invalid_grant", gone.code(), gone.raw)
	assert.Equal(t, 200, b.get(authorizeURL("spa", "https://app.example/cb", c3)).status, "signed out: the page again")
	bad := b.get("/oauth/logout?" + url.Values{"id_token_hint": {r3.body["id_token"].(string)},
		"post_logout_redirect_uri": {"https://evil.example/"}}.Encode())
	assert.Equal(t, 400, bad.status)
	assert.Empty(t, bad.header.Get("Location"))
}

func cookieNamed(h http.Header, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestAuthorizeNeverRedirectsToStrangers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withOIDCClients(t))
	b := newBrowser(t, e.srv.URL)
	_, challenge := pkce()
	for _, uri := range []string{
		"https://evil.example/cb", "https://app.example.evil.example/cb", "https://app.example/cb/",
		"https://app.example/cb/../x", "https://app.example/cb?x=1", "https://app.example/cb#x",
		"https://app.example@evil.example/cb", "https://evil.example@app.example/cb", "https://app.example%2F@evil.example/cb",
		"https://app.example/%63b", "https://APP.EXAMPLE/cb", "http://app.example/cb", "//evil.example/cb",
		"https://app.example:444/cb", "http://127.0.0.1:9/native/cb/", "http://localhost:9/native/cb",
		"http://127.0.0.1:9@evil.example/native/cb", "javascript:alert(1)", "",
	} {
		p := b.get(authorizeURL("spa", uri, challenge))
		assert.Equal(t, 400, p.status, uri)
		assert.Empty(t, p.header.Get("Location"), uri)
		assert.Contains(t, p.header.Get("Content-Security-Policy"), "frame-ancestors 'none'", uri)
	}
	p := b.get(authorizeURL("nobody", "https://app.example/cb", challenge))
	assert.Equal(t, 400, p.status)
	assert.Empty(t, p.header.Get("Location"))
	p = b.get("/oauth/authorize?client_id=spa&client_id=spa&redirect_uri=https://app.example/cb")
	assert.Equal(t, 400, p.status, "a repeated client_id")
	// The loopback rule: any port, nothing else.
	redirectOK := b.get(authorizeURL("spa", "http://127.0.0.1:54321/native/cb", challenge))
	assert.Equal(t, 200, redirectOK.status, "the login page for a native app's loopback redirect")
}

func TestAuthorizeErrorsGoBackToTheClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withOIDCClients(t))
	b := newBrowser(t, e.srv.URL)
	_, challenge := pkce()
	const cb = "https://app.example/cb"
	for name, tc := range map[string]struct {
		url, code string
	}{
		"no_pkce":         {strings.Replace(authorizeURL("spa", cb, challenge), "code_challenge=", "x=", 1), "invalid_request"},
		"plain":           {authorizeURL("spa", cb, challenge, "code_challenge_method", "plain"), "invalid_request"},
		"short_challenge": {authorizeURL("spa", cb, "abc"), "invalid_request"},
		"token_response":  {authorizeURL("spa", cb, challenge, "response_type", "token"), "unsupported_response_type"},
		"bad_scope":       {authorizeURL("spa", cb, challenge, "scope", "openid admin"), "invalid_scope"},
		"bad_prompt":      {authorizeURL("spa", cb, challenge, "prompt", "select_account"), "invalid_request"},
		"bad_max_age":     {authorizeURL("spa", cb, challenge, "max_age", "-1"), "invalid_request"},
		"request_object":  {authorizeURL("spa", cb, challenge, "request", "x"), "request_not_supported"},
		"fragment_mode":   {authorizeURL("spa", cb, challenge, "response_mode", "fragment"), "invalid_request"},
	} {
		q := redirected(t, b.get(tc.url), cb)
		assert.Equal(t, tc.code, q.Get("error"), name)
		assert.Equal(t, "st-1", q.Get("state"), name)
		assert.Equal(t, e.srv.URL, q.Get("iss"), name)
		assert.Empty(t, q.Get("code"), name)
	}
	// The token endpoint's bad input: the RFC's errors, never a 5xx.
	for form, code := range map[string]string{
		"grant_type=authorization_code&client_id=spa":                                                            "invalid_request",
		"grant_type=authorization_code&client_id=spa&code=x&code_verifier=y&redirect_uri=https://app.example/cb": "invalid_grant",
		"grant_type=authorization_code&client_id=authd&code=x&code_verifier=y&redirect_uri=z":                    "unauthorized_client",
		"grant_type=authorization_code&client_id=web&code=x&code_verifier=y&redirect_uri=z":                      "invalid_client",
	} {
		r := e.do("POST", "/oauth/token", form, "Content-Type: application/x-www-form-urlencoded")
		assert.Equal(t, code, r.code(), form+": "+r.raw)
		assert.Less(t, r.status, 500, form)
	}
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(e.do("GET", "/.well-known/openid-configuration", "").raw), &m))
}

func TestLoginPageThrottles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withOIDCClients(t), func(c *Config) { c.LoginMaxFails = 2 })
	b := newBrowser(t, e.srv.URL)
	b.lang = "en"
	_, challenge := pkce()
	p := b.get(authorizeURL("spa", "https://app.example/cb", challenge))
	for range 2 {
		p = b.submit(p, "minsu", "wrong")
		require.Equal(t, 200, p.status)
	}
	p = b.get(authorizeURL("spa", "https://app.example/cb", challenge))
	p = b.submit(p, "minsu", "1229")
	assert.Equal(t, http.StatusTooManyRequests, p.status)
	assert.NotEmpty(t, p.header.Get("Retry-After"))
	assert.Contains(t, p.body, "Too many attempts. Try again in")
	// The seed's /login/ shares the same throttle.
	assert.Equal(t, 429, e.do("POST", "/login/", `{"username":"minsu","password":"1229"}`, jsonCT).status)
}

func TestSeedUnchangedWithoutClients(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	assert.Equal(t, 404, e.do("GET", "/.well-known/openid-configuration", "").status)
	assert.Equal(t, 404, e.do("GET", "/oauth/authorize", "").status)
	meta := e.do("GET", "/.well-known/oauth-authorization-server", "")
	assert.Equal(t, "authd", meta.body["issuer"], "without AUTH_PUBLIC_URL the issuer stays authd")
	assert.Nil(t, meta.body["authorization_endpoint"])
}
