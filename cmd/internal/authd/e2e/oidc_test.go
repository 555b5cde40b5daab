package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCodeFlowEndToEnd runs the whole code flow over HTTP, on the memory
// store and on PostgreSQL (codes, browser sessions and the sessions they
// issue in its tables).
func TestCodeFlowEndToEnd(t *testing.T) {
	t.Parallel()
	onBothStores(t, codeFlowEndToEnd)
}

func codeFlowEndToEnd(t *testing.T, opts ...func(*authd.Config)) {
	e := harness.NewEnv(t, append([]func(*authd.Config){harness.WithOIDCClients(t)}, opts...)...)
	b := harness.NewBrowser(t, e.Server.URL)

	// Discovery: the issuer is the URL the document is served under.
	meta := e.Do("GET", "/.well-known/openid-configuration", "")
	require.Equal(t, 200, meta.Status, meta.Raw)
	assert.Equal(t, e.Server.URL, meta.Body["issuer"])
	assert.Equal(t, e.Server.URL+"/oauth/authorize", meta.Body["authorization_endpoint"])
	assert.Equal(t, []any{"S256"}, meta.Body["code_challenge_methods_supported"])
	assert.Equal(t, []any{"code"}, meta.Body["response_types_supported"])
	assert.Equal(t, true, meta.Body["authorization_response_iss_parameter_supported"])
	assert.Equal(t, []any{"RS256"}, meta.Body["id_token_signing_alg_values_supported"])
	rfc8414 := e.Do("GET", "/.well-known/oauth-authorization-server", "")
	assert.Equal(t, meta.Raw, rfc8414.Raw, "one document at both paths")

	verifier, challenge := harness.PKCE()
	b.Lang = "en"
	login := b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", challenge))
	require.Equal(t, 200, login.Status, login.Body)
	csp := login.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "form-action 'self' https://app.example")
	assert.Contains(t, login.Body, "Sign in to")

	wrong := b.Submit(login, "minsu", "wrong")
	assert.Equal(t, 200, wrong.Status)
	assert.Contains(t, wrong.Body, "Check your username and password.")
	b.Lang = ""
	kor := b.Submit(b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", challenge)), "minsu", "wrong")
	assert.Contains(t, kor.Body, "아이디와 비밀번호를 확인하세요.", "Korean by default")

	forged := b.Send("POST", html.UnescapeString(harness.FormAction.FindStringSubmatch(login.Body)[1]),
		url.Values{"csrf_token": {"forged"}, "username": {"minsu"}, "password": {"1229"}}.Encode())
	assert.Equal(t, http.StatusForbidden, forged.Status, "a form without the CSRF cookie's token")

	done := b.Submit(wrong, "minsu", "1229")
	q := harness.Redirected(t, done, "https://app.example/cb")
	assert.Equal(t, "st-1", q.Get("state"))
	assert.Equal(t, e.Server.URL, q.Get("iss"), "RFC 9207")
	sso := harness.CookieNamed(done.Header, "authd_sso")
	require.NotNil(t, sso)
	assert.True(t, sso.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, sso.SameSite)

	token := func(form url.Values, headers ...string) harness.Response {
		return e.Do("POST", "/oauth/token", form.Encode(), append(headers, "Content-Type: application/x-www-form-urlencoded")...)
	}
	codeForm := url.Values{"grant_type": {"authorization_code"}, "client_id": {"spa"}, "code": {q.Get("code")},
		"redirect_uri": {"https://app.example/cb"}, "code_verifier": {verifier}}
	r := token(codeForm)
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "openid profile", r.Body["scope"])
	assert.Equal(t, "Bearer", r.Body["token_type"])
	idToken := r.Body["id_token"].(string)
	refresh := r.Body["refresh_token"].(string)
	access := r.Body["access_token"].(string)

	set, err := jwk.Parse([]byte(e.Do("GET", "/.well-known/jwks.json", "").Raw))
	require.NoError(t, err)
	id, err := jwt.Parse([]byte(idToken), jwt.WithKeySet(set), jwt.WithIssuer(e.Server.URL), jwt.WithAudience("spa"),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return harness.T })))
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
	assert.Equal(t, 200, e.Protected(access).Status)
	ui := e.Do("GET", "/userinfo", "", harness.Bearer(access))
	require.Equal(t, 200, ui.Status, ui.Raw)
	assert.Equal(t, map[string]any{"sub": "2", "preferred_username": "minsu"}, ui.Body)
	assert.Equal(t, 200, e.Do("POST", "/userinfo", "", harness.Bearer(access)).Status)
	assert.Equal(t, 401, e.Do("GET", "/userinfo", "").Status)

	// The code is single use: the second use revokes what the first issued.
	again := token(codeForm)
	assert.Equal(t, 400, again.Status)
	assert.Equal(t, "invalid_grant", again.Code())
	rr := token(url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {refresh}})
	assert.Equal(t, "invalid_grant", rr.Code(), rr.Raw)

	// Single sign-on: another client's request needs no password.
	v2, c2 := harness.PKCE()
	q2 := harness.Redirected(t, b.Get(harness.AuthorizeURL("other", "https://other.example/cb", c2)), "https://other.example/cb")
	r2 := token(url.Values{"grant_type": {"authorization_code"}, "client_id": {"other"}, "code": {q2.Get("code")},
		"redirect_uri": {"https://other.example/cb"}, "code_verifier": {v2}})
	require.Equal(t, 200, r2.Status, r2.Raw)
	assert.Nil(t, r2.Body["refresh_token"], "a client without the refresh grant gets no refresh token")
	// prompt=login asks for the password even so.
	assert.Equal(t, 200, b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", c2, "prompt", "login")).Status)
	// max_age older than the password: the page again.
	e.Clock.Advance(10 * time.Second)
	assert.Equal(t, 200, b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", c2, "max_age", "5")).Status)
	harness.Redirected(t, b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", c2, "max_age", "60")), "https://app.example/cb")

	// prompt=none without a session: login_required at the client.
	fresh := harness.NewBrowser(t, e.Server.URL)
	none := harness.Redirected(t, fresh.Get(harness.AuthorizeURL("spa", "https://app.example/cb", c2, "prompt", "none")), "https://app.example/cb")
	assert.Equal(t, "login_required", none.Get("error"))
	assert.Equal(t, "st-1", none.Get("state"))

	// A new session through the code flow, then RP-initiated logout with
	// the ID token ends the browser session and what was issued through it.
	v3, c3 := harness.PKCE()
	q3 := harness.Redirected(t, b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", c3)), "https://app.example/cb")
	codeForm.Set("code", q3.Get("code"))
	codeForm.Set("code_verifier", v3)
	r3 := token(codeForm)
	require.Equal(t, 200, r3.Status, r3.Raw)
	out := b.Get("/oauth/logout?" + url.Values{"id_token_hint": {r3.Body["id_token"].(string)},
		"post_logout_redirect_uri": {"https://app.example/bye"}, "state": {"s2"}}.Encode())
	assert.Equal(t, http.StatusSeeOther, out.Status, out.Body)
	assert.Equal(t, "https://app.example/bye?state=s2", out.Header.Get("Location"))
	gone := token(url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {r3.Body["refresh_token"].(string)}})
	assert.Equal(t, "invalid_grant", gone.Code(), gone.Raw)
	assert.Equal(t, 200, b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", c3)).Status, "signed out: the page again")
	bad := b.Get("/oauth/logout?" + url.Values{"id_token_hint": {r3.Body["id_token"].(string)},
		"post_logout_redirect_uri": {"https://evil.example/"}}.Encode())
	assert.Equal(t, 400, bad.Status)
	assert.Empty(t, bad.Header.Get("Location"))
}

func TestAuthorizeNeverRedirectsToStrangers(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithOIDCClients(t))
	b := harness.NewBrowser(t, e.Server.URL)
	_, challenge := harness.PKCE()
	for _, uri := range []string{
		"https://evil.example/cb", "https://app.example.evil.example/cb", "https://app.example/cb/",
		"https://app.example/cb/../x", "https://app.example/cb?x=1", "https://app.example/cb#x",
		"https://app.example@evil.example/cb", "https://evil.example@app.example/cb", "https://app.example%2F@evil.example/cb",
		"https://app.example/%63b", "https://APP.EXAMPLE/cb", "http://app.example/cb", "//evil.example/cb",
		"https://app.example:444/cb", "http://127.0.0.1:9/native/cb/", "http://localhost:9/native/cb",
		"http://127.0.0.1:9@evil.example/native/cb", "javascript:alert(1)", "",
	} {
		p := b.Get(harness.AuthorizeURL("spa", uri, challenge))
		assert.Equal(t, 400, p.Status, uri)
		assert.Empty(t, p.Header.Get("Location"), uri)
		assert.Contains(t, p.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'", uri)
	}
	p := b.Get(harness.AuthorizeURL("nobody", "https://app.example/cb", challenge))
	assert.Equal(t, 400, p.Status)
	assert.Empty(t, p.Header.Get("Location"))
	p = b.Get("/oauth/authorize?client_id=spa&client_id=spa&redirect_uri=https://app.example/cb")
	assert.Equal(t, 400, p.Status, "a repeated client_id")
	// The loopback rule: any port, nothing else.
	redirectOK := b.Get(harness.AuthorizeURL("spa", "http://127.0.0.1:54321/native/cb", challenge))
	assert.Equal(t, 200, redirectOK.Status, "the login page for a native app's loopback redirect")
}

func TestAuthorizeErrorsGoBackToTheClient(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithOIDCClients(t))
	b := harness.NewBrowser(t, e.Server.URL)
	_, challenge := harness.PKCE()
	const cb = "https://app.example/cb"
	for name, tc := range map[string]struct {
		url, code string
	}{
		"no_pkce":         {strings.Replace(harness.AuthorizeURL("spa", cb, challenge), "code_challenge=", "x=", 1), "invalid_request"},
		"plain":           {harness.AuthorizeURL("spa", cb, challenge, "code_challenge_method", "plain"), "invalid_request"},
		"short_challenge": {harness.AuthorizeURL("spa", cb, "abc"), "invalid_request"},
		"token_response":  {harness.AuthorizeURL("spa", cb, challenge, "response_type", "token"), "unsupported_response_type"},
		"bad_scope":       {harness.AuthorizeURL("spa", cb, challenge, "scope", "openid admin"), "invalid_scope"},
		"bad_prompt":      {harness.AuthorizeURL("spa", cb, challenge, "prompt", "select_account"), "invalid_request"},
		"bad_max_age":     {harness.AuthorizeURL("spa", cb, challenge, "max_age", "-1"), "invalid_request"},
		"request_object":  {harness.AuthorizeURL("spa", cb, challenge, "request", "x"), "request_not_supported"},
		"fragment_mode":   {harness.AuthorizeURL("spa", cb, challenge, "response_mode", "fragment"), "invalid_request"},
	} {
		q := harness.Redirected(t, b.Get(tc.url), cb)
		assert.Equal(t, tc.code, q.Get("error"), name)
		assert.Equal(t, "st-1", q.Get("state"), name)
		assert.Equal(t, e.Server.URL, q.Get("iss"), name)
		assert.Empty(t, q.Get("code"), name)
	}
	// The token endpoint's bad input: the RFC's errors, never a 5xx.
	for form, code := range map[string]string{
		"grant_type=authorization_code&client_id=spa":                                                            "invalid_request",
		"grant_type=authorization_code&client_id=spa&code=x&code_verifier=y&redirect_uri=https://app.example/cb": "invalid_grant",
		"grant_type=authorization_code&client_id=authd&code=x&code_verifier=y&redirect_uri=z":                    "unauthorized_client",
		"grant_type=authorization_code&client_id=web&code=x&code_verifier=y&redirect_uri=z":                      "invalid_client",
	} {
		r := e.Do("POST", "/oauth/token", form, "Content-Type: application/x-www-form-urlencoded")
		assert.Equal(t, code, r.Code(), form+": "+r.Raw)
		assert.Less(t, r.Status, 500, form)
	}
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(e.Do("GET", "/.well-known/openid-configuration", "").Raw), &m))
}

func TestLoginPageThrottles(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithOIDCClients(t), func(c *authd.Config) { c.LoginMaxFails = 2 })
	b := harness.NewBrowser(t, e.Server.URL)
	b.Lang = "en"
	_, challenge := harness.PKCE()
	p := b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", challenge))
	for range 2 {
		p = b.Submit(p, "minsu", "wrong")
		require.Equal(t, 200, p.Status)
	}
	p = b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", challenge))
	p = b.Submit(p, "minsu", "1229")
	assert.Equal(t, http.StatusTooManyRequests, p.Status)
	assert.NotEmpty(t, p.Header.Get("Retry-After"))
	assert.Contains(t, p.Body, "Too many attempts. Try again in")
	// The seed's /login/ shares the same throttle.
	assert.Equal(t, 429, e.Do("POST", "/login/", `{"username":"minsu","password":"1229"}`, harness.JSONHeader).Status)
}

func TestSeedUnchangedWithoutClients(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	assert.Equal(t, 404, e.Do("GET", "/.well-known/openid-configuration", "").Status)
	assert.Equal(t, 404, e.Do("GET", "/oauth/authorize", "").Status)
	meta := e.Do("GET", "/.well-known/oauth-authorization-server", "")
	assert.Equal(t, "authd", meta.Body["issuer"], "without AUTH_PUBLIC_URL the issuer stays authd")
	assert.Nil(t, meta.Body["authorization_endpoint"])
}
