package authd

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/httpapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const formCT = "Content-Type: application/x-www-form-urlencoded"

// oauthSecret is the secret of the confidential test client "backend".
var oauthSecret, oauthSecretHash = httpapi.NewClientSecret()

// withOAuthClients writes a clients file with a confidential client
// "backend" that may use both grants and introspect, a public client "spa"
// that may only refresh, and the public client "authd".
func withOAuthClients(t *testing.T) func(*Config) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clients.json")
	require.NoError(t, os.WriteFile(path, []byte(`[
		{"client_id": "backend", "client_secret_sha256": "`+oauthSecretHash+`", "grant_types": ["password", "refresh_token"], "introspect": true},
		{"client_id": "spa", "grant_types": ["refresh_token"]},
		{"client_id": "authd", "grant_types": ["password", "refresh_token"]}
	]`), 0o600))
	return func(c *Config) { c.OAuthClients = path }
}

// form encodes name/value pairs in order, repeats included.
func form(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]) + "=" + url.QueryEscape(kv[i+1]))
	}
	return b.String()
}

func basic(id, secret string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// oauthPair is a successful OAuth token response.
func (r response) oauthPair(t *testing.T) pair {
	t.Helper()
	require.Equal(t, 200, r.status, r.raw)
	return pair{r.body["access_token"].(string), r.body["refresh_token"].(string)}
}

// passwordGrant logs minsu in through /oauth/token as the public client.
func (e *env) passwordGrant() pair {
	e.t.Helper()
	return e.do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd"), formCT).oauthPair(e.t)
}

// assertOAuthError checks an RFC 6749 §5.2 error response.
func assertOAuthError(t *testing.T, r response, status int, code string) {
	t.Helper()
	assert.Equal(t, status, r.status, r.raw)
	assert.Equal(t, code, r.code(), r.raw)
	assert.NotEmpty(t, r.body["error_description"], r.raw)
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	if code == "invalid_client" {
		assert.True(t, strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic "), r.header.Get("WWW-Authenticate"))
	}
}

func TestOAuthTokenEndpoint(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/oauth/token/", form("grant_type", "password", "username", "minsu", "password", "1229", "scope", "anything", "client_id", "authd"), formCT)
	p := r.oauthPair(t)
	assert.Equal(t, "Bearer", r.body["token_type"])
	assert.EqualValues(t, 60, r.body["expires_in"])
	assert.EqualValues(t, 300, r.body["refresh_expires_in"])
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Equal(t, "no-cache", r.header.Get("Pragma"))
	assert.Equal(t, 200, e.protected(p.access).status)

	e.clock.Advance(90 * time.Second) // the access token expired; the refresh token did not
	assertError(t, e.protected(p.access), 401, "token_expired")
	next := e.do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.refresh, "client_id", "authd"), formCT).oauthPair(t)
	assert.Equal(t, 200, e.protected(next.access).status)
}

// TestOAuthAndSeedShareOneRotation: both endpoints drive the same use case,
// so a refresh token rotated on one and replayed on the other is reuse.
func TestOAuthAndSeedShareOneRotation(t *testing.T) {
	t.Run("rotated on /oauth/token, replayed on /refresh/", func(t *testing.T) {
		e := newEnv(t)
		p := e.passwordGrant()
		next := e.do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.refresh, "client_id", "authd"), formCT).oauthPair(t)
		assertError(t, e.refresh(p.refresh), 401, "refresh_token_reused")
		assertError(t, e.protected(next.access), 401, "session_revoked")
	})
	t.Run("rotated on /refresh/, replayed on /oauth/token", func(t *testing.T) {
		e := newEnv(t)
		p := e.login("minsu", "1229")
		next := e.refresh(p.refresh).pair(t)
		r := e.do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.refresh, "client_id", "authd"), formCT, "Accept-Language: en")
		assertOAuthError(t, r, 400, "invalid_grant")
		assert.Contains(t, r.body["error_description"], "already used")
		assertError(t, e.refresh(next.refresh), 401, "session_revoked")
	})
}

func TestOAuthTokenErrors(t *testing.T) {
	e := newEnv(t, withOAuthClients(t))
	pw := func(extra ...string) string {
		return form(append([]string{"grant_type", "password", "username", "minsu", "password", "1229"}, extra...)...)
	}
	for name, tc := range map[string]struct {
		body    string
		headers []string
		status  int
		code    string
	}{
		"JSON instead of a form":          {`{"grant_type":"password"}`, []string{jsonCT}, 400, "invalid_request"},
		"no content type":                 {pw("client_id", "authd"), nil, 400, "invalid_request"},
		"repeated parameter":              {pw("client_id", "authd", "username", "chulsu"), []string{formCT}, 400, "invalid_request"},
		"no grant_type":                   {form("client_id", "authd", "username", "minsu", "password", "1229"), []string{formCT}, 400, "invalid_request"},
		"unknown grant_type":              {form("grant_type", "client_credentials", "client_id", "authd"), []string{formCT}, 400, "unsupported_grant_type"},
		"authorization_code":              {form("grant_type", "authorization_code", "code", "x", "client_id", "authd"), []string{formCT}, 400, "unsupported_grant_type"},
		"no username":                     {form("grant_type", "password", "password", "1229", "client_id", "authd"), []string{formCT}, 400, "invalid_request"},
		"no refresh_token":                {form("grant_type", "refresh_token", "client_id", "authd"), []string{formCT}, 400, "invalid_request"},
		"no client":                       {pw(), []string{formCT}, 401, "invalid_client"},
		"unknown client":                  {pw("client_id", "mallory"), []string{formCT}, 401, "invalid_client"},
		"wrong secret in the body":        {pw("client_id", "backend", "client_secret", "wrong"), []string{formCT}, 401, "invalid_client"},
		"wrong secret in Basic":           {pw(), []string{formCT, basic("backend", "wrong")}, 401, "invalid_client"},
		"confidential without secret":     {pw("client_id", "backend"), []string{formCT}, 401, "invalid_client"},
		"public client with a secret":     {pw("client_id", "authd", "client_secret", "x"), []string{formCT}, 401, "invalid_client"},
		"Basic and a body secret":         {pw("client_id", "backend", "client_secret", oauthSecret), []string{formCT, basic("backend", oauthSecret)}, 400, "invalid_request"},
		"grant the client may not use":    {pw("client_id", "spa"), []string{formCT}, 400, "unauthorized_client"},
		"wrong password":                  {form("grant_type", "password", "username", "minsu", "password", "nope", "client_id", "authd"), []string{formCT}, 400, "invalid_grant"},
		"unknown user":                    {form("grant_type", "password", "username", "nobody", "password", "nope", "client_id", "authd"), []string{formCT}, 400, "invalid_grant"},
		"forged refresh token":            {form("grant_type", "refresh_token", "refresh_token", "a.b.c", "client_id", "authd"), []string{formCT}, 400, "invalid_grant"},
		"body over 16 KiB":                {pw("client_id", "authd", "scope", strings.Repeat("x", 17<<10)), []string{formCT}, 413, "invalid_request"},
		"malformed form":                  {"grant_type=%zz", []string{formCT}, 400, "invalid_request"},
		"Basic with a malformed encoding": {pw(), []string{formCT, "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("back%zz:x"))}, 401, "invalid_client"},
	} {
		t.Run(name, func(t *testing.T) {
			assertOAuthError(t, e.do("POST", "/oauth/token", tc.body, tc.headers...), tc.status, tc.code)
		})
	}
	t.Run("confidential client by Basic and by body", func(t *testing.T) {
		e.do("POST", "/oauth/token", pw(), formCT, basic("backend", oauthSecret)).oauthPair(t)
		e.do("POST", "/oauth/token", pw("client_id", "backend", "client_secret", oauthSecret), formCT).oauthPair(t)
	})
}

// TestOAuthInvalidGrantSaysWhy: every reason a refresh token cannot be used
// is invalid_grant, and the description names it in ASCII English (RFC
// 6749 §5.2), the message in the caller's language.
func TestOAuthInvalidGrantSaysWhy(t *testing.T) {
	refresh := func(e *env, token string, lang string) response {
		return e.do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", token, "client_id", "authd"), formCT, "Accept-Language: "+lang)
	}
	t.Run("expired", func(t *testing.T) {
		e := newEnv(t)
		p := e.passwordGrant()
		e.clock.Advance(5 * time.Minute)
		r := refresh(e, p.refresh, "en")
		assertOAuthError(t, r, 400, "invalid_grant")
		assert.Equal(t, "The token has expired.", r.body["error_description"])
		ko := refresh(e, p.refresh, "ko")
		assert.Equal(t, "The token has expired.", ko.body["error_description"], "ASCII whatever the language")
		assert.Equal(t, "토큰이 만료되었습니다.", ko.body["message"])
	})
	t.Run("reused", func(t *testing.T) {
		e := newEnv(t)
		p := e.passwordGrant()
		refresh(e, p.refresh, "en").oauthPair(t)
		r := refresh(e, p.refresh, "en")
		assertOAuthError(t, r, 400, "invalid_grant")
		assert.Contains(t, r.body["error_description"], "already used")
	})
	t.Run("revoked", func(t *testing.T) {
		e := newEnv(t)
		p := e.passwordGrant()
		require.Equal(t, 200, e.do("POST", "/oauth/revoke", form("token", p.refresh, "client_id", "authd"), formCT).status)
		r := refresh(e, p.refresh, "en")
		assertOAuthError(t, r, 400, "invalid_grant")
		assert.Contains(t, r.body["error_description"], "revoked")
	})
	t.Run("wrong password in Korean", func(t *testing.T) {
		e := newEnv(t)
		r := e.do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "x", "client_id", "authd"), formCT)
		assertOAuthError(t, r, 400, "invalid_grant")
		assert.Equal(t, "아이디와 비밀번호를 확인하세요.", r.body["message"])
		assert.Equal(t, "Check your username and password.", r.body["error_description"])
	})
}

// TestOAuthRefreshTokenBelongsToItsClient: a refresh token issued to one
// client is refused to another without changing the session; its owner's
// next refresh still works.
func TestOAuthRefreshTokenBelongsToItsClient(t *testing.T) {
	e := newEnv(t, withOAuthClients(t))
	p := e.do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229"), formCT, basic("backend", oauthSecret)).oauthPair(t)
	r := e.do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.refresh, "client_id", "authd"), formCT)
	assertOAuthError(t, r, 400, "invalid_grant")
	e.do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.refresh), formCT, basic("backend", oauthSecret)).oauthPair(t)
}

// TestConfidentialTokensDoNotRefreshOnTheSeedEndpoint: /refresh/ needs no
// client authentication, so it refreshes only tokens of authd's own public
// client; a confidential client's refresh token is refused there and its
// session is untouched.
func TestConfidentialTokensDoNotRefreshOnTheSeedEndpoint(t *testing.T) {
	e := newEnv(t, withOAuthClients(t))
	p := e.do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229"), formCT, basic("backend", oauthSecret)).oauthPair(t)
	assertError(t, e.refresh(p.refresh), 401, "invalid_token")
	assert.Equal(t, 200, e.protected(p.access).status, "the session is untouched")
	e.do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.refresh), formCT, basic("backend", oauthSecret)).oauthPair(t)

	public := e.do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd"), formCT).oauthPair(t)
	assert.Equal(t, 200, e.refresh(public.refresh).status, "authd's own public client refreshes on /refresh/")
}

func TestOAuthThrottling(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.LoginMaxFails = 2 })
	bad := form("grant_type", "password", "username", "minsu", "password", "x", "client_id", "authd")
	for range 2 {
		assertOAuthError(t, e.do("POST", "/oauth/token", bad, formCT), 400, "invalid_grant")
	}
	r := e.do("POST", "/oauth/token", bad, formCT)
	assertOAuthError(t, r, 429, "rate_limited")
	assert.NotEmpty(t, r.header.Get("Retry-After"))
	// The same throttle as /login/: the username is limited there too.
	assertError(t, e.do("POST", "/login/", `{"username":"minsu","password":"1229"}`, jsonCT), 429, "rate_limited")
}

// TestOAuthRevocationEndsTheSession: revoking either token ends the session
// at once on /protected/, /auth/verify and /refresh/.
func TestOAuthRevocationEndsTheSession(t *testing.T) {
	for _, tc := range []struct {
		name string
		pick func(pair) string
		hint string
	}{
		{"refresh token", func(p pair) string { return p.refresh }, "refresh_token"},
		{"refresh token without hint", func(p pair) string { return p.refresh }, ""},
		{"access token", func(p pair) string { return p.access }, "access_token"},
		{"access token with the wrong hint", func(p pair) string { return p.access }, "refresh_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.passwordGrant()
			require.Equal(t, 200, e.do("GET", "/auth/verify", "", bearer(p.access)).status)
			body := form("token", tc.pick(p), "client_id", "authd")
			if tc.hint != "" {
				body += "&" + form("token_type_hint", tc.hint)
			}
			r := e.do("POST", "/oauth/revoke", body, formCT)
			assert.Equal(t, 200, r.status, r.raw)
			assertError(t, e.protected(p.access), 401, "session_revoked")
			assertError(t, e.do("GET", "/auth/verify", "", bearer(p.access)), 401, "session_revoked")
			assertError(t, e.refresh(p.refresh), 401, "session_revoked")
		})
	}
	t.Run("unknown, invalid, expired and revoked tokens get 200", func(t *testing.T) {
		e := newEnv(t)
		p := e.passwordGrant()
		for _, token := range []string{"nonsense", "a.b.c", p.refresh, p.refresh} {
			assert.Equal(t, 200, e.do("POST", "/oauth/revoke", form("token", token, "client_id", "authd"), formCT).status)
		}
		e.clock.Advance(10 * time.Minute)
		assert.Equal(t, 200, e.do("POST", "/oauth/revoke", form("token", p.access, "client_id", "authd"), formCT).status)
	})
	t.Run("errors", func(t *testing.T) {
		e := newEnv(t, withOAuthClients(t))
		assertOAuthError(t, e.do("POST", "/oauth/revoke", form("client_id", "authd"), formCT), 400, "invalid_request")
		assertOAuthError(t, e.do("POST", "/oauth/revoke", form("token", "x"), formCT), 401, "invalid_client")
		assertOAuthError(t, e.do("POST", "/oauth/revoke", form("token", "x", "client_id", "backend", "client_secret", "no"), formCT), 401, "invalid_client")
		assertOAuthError(t, e.do("POST", "/oauth/revoke", `{"token":"x"}`, jsonCT), 400, "invalid_request")
	})
	t.Run("another client's token is left alone", func(t *testing.T) {
		e := newEnv(t, withOAuthClients(t))
		p := e.do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229"), formCT, basic("backend", oauthSecret)).oauthPair(t)
		assert.Equal(t, 200, e.do("POST", "/oauth/revoke", form("token", p.refresh, "client_id", "authd"), formCT).status)
		assert.Equal(t, 200, e.protected(p.access).status)
	})
}

// TestOAuthIntrospection: the answer agrees with /protected/ at every
// instant of the frozen clock.
func TestOAuthIntrospection(t *testing.T) {
	e := newEnv(t, withOAuthClients(t))
	introspect := func(token string, extra ...string) response {
		t.Helper()
		r := e.do("POST", "/oauth/introspect", form(append([]string{"token", token}, extra...)...), formCT, basic("backend", oauthSecret))
		require.Equal(t, 200, r.status, r.raw)
		assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
		return r
	}
	p := e.do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd"), formCT).oauthPair(t)

	r := introspect(p.access)
	assert.Equal(t, true, r.body["active"])
	assert.Equal(t, "2", r.body["sub"])
	assert.Equal(t, "minsu", r.body["username"])
	assert.Equal(t, "Bearer", r.body["token_type"])
	assert.Equal(t, "authd", r.body["client_id"])
	assert.Equal(t, "authd", r.body["iss"])
	assert.Equal(t, "authd", r.body["aud"])
	assert.EqualValues(t, T.Unix(), r.body["iat"])
	assert.EqualValues(t, T.Unix(), r.body["nbf"])
	assert.EqualValues(t, T.Add(time.Minute).Unix(), r.body["exp"])
	assert.NotEmpty(t, r.body["sid"])
	assert.NotEmpty(t, r.body["jti"])

	rr := introspect(p.refresh, "token_type_hint", "refresh_token")
	assert.Equal(t, true, rr.body["active"])
	assert.Equal(t, "Bearer", rr.body["token_type"], "RFC 7662: the RFC 6749 token type it is used with")
	assert.Equal(t, "refresh_token", rr.body["token_use"])
	assert.Equal(t, "access_token", r.body["token_use"])

	e.clock.Set(T.Add(time.Minute - time.Millisecond))
	assert.Equal(t, 200, e.protected(p.access).status)
	assert.Equal(t, true, introspect(p.access).body["active"])
	e.clock.Set(T.Add(time.Minute))
	assertError(t, e.protected(p.access), 401, "token_expired")
	assert.Equal(t, map[string]any{"active": false}, introspect(p.access).body)

	// A rotated refresh token is no longer active; its successor is.
	next := e.do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.refresh, "client_id", "authd"), formCT).oauthPair(t)
	assert.Equal(t, false, introspect(p.refresh).body["active"])
	assert.Equal(t, true, introspect(next.refresh).body["active"])
	assert.Equal(t, true, introspect(next.access, "token_type_hint", "refresh_token").body["active"])

	// Forged, wrong-audience-by-tampering and garbage tokens are inactive.
	parts := strings.Split(next.access, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	for _, token := range []string{forged, "x", "a.b.c"} {
		assert.Equal(t, map[string]any{"active": false}, introspect(token).body)
	}

	// After revocation both tokens are inactive at once.
	require.Equal(t, 200, e.do("POST", "/oauth/revoke", form("token", next.access, "client_id", "authd"), formCT).status)
	assertError(t, e.protected(next.access), 401, "session_revoked")
	assert.Equal(t, false, introspect(next.access).body["active"])
	assert.Equal(t, false, introspect(next.refresh).body["active"])

	t.Run("only for clients allowed to introspect", func(t *testing.T) {
		assertOAuthError(t, e.do("POST", "/oauth/introspect", form("token", p.access, "client_id", "authd"), formCT), 401, "invalid_client")
		assertOAuthError(t, e.do("POST", "/oauth/introspect", form("token", p.access), formCT), 401, "invalid_client")
		assertOAuthError(t, e.do("POST", "/oauth/introspect", form("token", p.access), formCT, basic("backend", "wrong")), 401, "invalid_client")
		assertOAuthError(t, e.do("POST", "/oauth/introspect", "", formCT, basic("backend", oauthSecret)), 400, "invalid_request")
	})
}

// TestOAuthIntrospectionOnTheDevClock: on the operator's clock too.
func TestOAuthIntrospectionOnTheDevClock(t *testing.T) {
	cfg := defaultConfig(t)
	withOAuthClients(t)(&cfg)
	cfg.DevClock = true
	e := newDevEnv(t, cfg)
	require.Equal(t, 200, e.do("POST", "/dev/clock/", `{"set":"`+T.Format(time.RFC3339Nano)+`"}`, jsonCT).status)
	p := e.passwordGrant()
	active := func() any {
		return e.do("POST", "/oauth/introspect", form("token", p.access), formCT, basic("backend", oauthSecret)).body["active"]
	}
	assert.Equal(t, true, active())
	require.Equal(t, 200, e.do("POST", "/dev/clock/", `{"advance":"59.999s"}`, jsonCT).status)
	assert.Equal(t, true, active())
	assert.Equal(t, 200, e.protected(p.access).status)
	require.Equal(t, 200, e.do("POST", "/dev/clock/", `{"advance":"1ms"}`, jsonCT).status)
	assert.Equal(t, false, active())
	assertError(t, e.protected(p.access), 401, "token_expired")
}

func TestOAuthMetadata(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.PublicURL = "https://auth.example" })
	r := e.do("GET", "/.well-known/oauth-authorization-server", "")
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, "authd", r.body["issuer"])
	assert.Equal(t, "https://auth.example/oauth/token", r.body["token_endpoint"])
	assert.Equal(t, "https://auth.example/oauth/revoke", r.body["revocation_endpoint"])
	assert.Equal(t, "https://auth.example/oauth/introspect", r.body["introspection_endpoint"])
	assert.Equal(t, "https://auth.example/.well-known/jwks.json", r.body["jwks_uri"])
	assert.Equal(t, []any{"password", "refresh_token"}, r.body["grant_types_supported"])
	assert.Equal(t, []any{"client_secret_basic", "client_secret_post", "none"}, r.body["token_endpoint_auth_methods_supported"])
	assert.Equal(t, []any{"EdDSA"}, r.body["access_token_signing_alg_values_supported"])

	// Without the setting, the URL the request came to.
	d := newEnv(t)
	r = d.do("GET", "/.well-known/oauth-authorization-server", "")
	assert.Equal(t, d.srv.URL+"/oauth/token", r.body["token_endpoint"])
}

// TestForwardAuthVerify is /auth/verify as a gateway calls it.
func TestForwardAuthVerify(t *testing.T) {
	e := newEnv(t)
	p := e.login("minsu", "1229")
	for _, method := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		for _, path := range []string{"/auth/verify", "/auth/verify/", "/auth/verify/orders"} {
			r := e.do(method, path, "", bearer(p.access))
			assert.Equal(t, 200, r.status, "%s %s: %s", method, path, r.raw)
			assert.Equal(t, "2", r.header.Get("X-Auth-Subject"))
			assert.Equal(t, "minsu", r.header.Get("X-Auth-Username"))
			assert.NotEmpty(t, r.header.Get("X-Auth-Session"))
		}
	}
	// Envoy appends the whole original path, several segments deep, which
	// OpenAPI cannot describe: sent around the spec check.
	req, err := http.NewRequest("GET", e.srv.URL+"/auth/verify/api/v1/orders/7?x=1", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+p.access)
	res, err := e.srv.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "minsu", res.Header.Get("X-Auth-Username"))

	assertError(t, e.do("GET", "/auth/verify", ""), 401, "token_missing")
	assertError(t, e.do("GET", "/auth/verify", "", bearer(p.refresh)), 401, "invalid_token")
	parts := strings.Split(p.access, ".")
	assertError(t, e.do("GET", "/auth/verify", "", bearer(parts[0]+"."+parts[1]+".AAAA")), 401, "invalid_token")
	e.clock.Advance(time.Minute)
	r := e.do("GET", "/auth/verify", "", bearer(p.access))
	assertError(t, r, 401, "token_expired")
	assert.Contains(t, r.header.Get("WWW-Authenticate"), `error="invalid_token"`)
	assert.Empty(t, r.header.Get("X-Auth-Subject"))
}

func TestClientSecretCommand(t *testing.T) {
	var out strings.Builder
	require.NoError(t, Run(t.Context(), []string{"client-secret"}, func(string) string { return "" }, nil, &out, &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2)
	secret, ok := strings.CutPrefix(lines[0], "client_secret=")
	require.True(t, ok)
	sum, ok := strings.CutPrefix(lines[1], "client_secret_sha256=")
	require.True(t, ok)
	assert.GreaterOrEqual(t, len(secret), 43) // 256 bits
	clients, err := httpapi.ParseOAuthClients([]byte(`[{"client_id":"c","client_secret_sha256":"` + sum + `","grant_types":["password"]}]`))
	require.NoError(t, err)
	require.Len(t, clients, 1)
	assert.Error(t, Run(t.Context(), []string{"client-secret", "x"}, func(string) string { return "" }, nil, &out, &out))
}

// TestClientsFileWithAnIntrospectingPublicClient: authd refuses to start
// with it, naming the setting and the client.
func TestClientsFileWithAnIntrospectingPublicClient(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "clients.json")
	require.NoError(t, os.WriteFile(path, []byte(`[{"client_id": "spa", "grant_types": ["password"], "introspect": true}]`), 0o600))
	err := Run(t.Context(), nil, envOf(map[string]string{"AUTH_ADDR": "127.0.0.1:0", "AUTH_OAUTH_CLIENTS_FILE": path, "AUTH_HASH_QUEUE_WAIT": "1s"}),
		nil, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AUTH_OAUTH_CLIENTS_FILE")
	assert.Contains(t, err.Error(), `"spa"`)
	assert.Contains(t, err.Error(), "public client cannot introspect")
}
