package e2e

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/httpapi"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const formCT = "Content-Type: application/x-www-form-urlencoded"

// oauthSecret is the secret of the confidential test client "backend".
var oauthSecret, oauthSecretHash = httpapi.NewClientSecret()

// withOAuthClients writes a clients file with a confidential client
// "backend" that may use both grants and introspect, a public client "spa"
// that may only refresh, and the public client "authd".
func withOAuthClients(t *testing.T) func(*authd.Config) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clients.json")
	require.NoError(t, os.WriteFile(path, []byte(`[
		{"client_id": "backend", "client_secret_sha256": "`+oauthSecretHash+`", "grant_types": ["password", "refresh_token"], "introspect": true},
		{"client_id": "spa", "grant_types": ["refresh_token"]},
		{"client_id": "authd", "grant_types": ["password", "refresh_token"]}
	]`), 0o600))
	return func(c *authd.Config) { c.OAuthClients = path }
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

// passwordGrant logs minsu in through /oauth/token as the public client.
func passwordGrant(e *harness.Env) harness.Pair {
	e.T.Helper()
	return e.Do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd"), formCT).OAuthPair(e.T)
}

// assertOAuthError checks an RFC 6749 §5.2 error response.
func assertOAuthError(t *testing.T, r harness.Response, status int, code string) {
	t.Helper()
	assert.Equal(t, status, r.Status, r.Raw)
	assert.Equal(t, code, r.Code(), r.Raw)
	assert.NotEmpty(t, r.Body["error_description"], r.Raw)
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	if code == "invalid_client" {
		assert.True(t, strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic "), r.Header.Get("WWW-Authenticate"))
	}
}

func TestOAuthTokenEndpoint(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	// RFC 6749 §3.3: the default client registered no scopes, so a request
	// for one is refused, not silently granted less.
	assertOAuthError(t, e.Do("POST", "/oauth/token/", form("grant_type", "password", "username", "minsu", "password", "1229", "scope", "anything", "client_id", "authd"), formCT), 400, "invalid_scope")
	r := e.Do("POST", "/oauth/token/", form("grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd"), formCT)
	p := r.OAuthPair(t)
	assert.Equal(t, "Bearer", r.Body["token_type"])
	assert.EqualValues(t, 60, r.Body["expires_in"])
	assert.EqualValues(t, 300, r.Body["refresh_expires_in"])
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	assert.Equal(t, "no-cache", r.Header.Get("Pragma"))
	assert.Equal(t, 200, e.Protected(p.Access).Status)

	e.Clock.Advance(90 * time.Second) // the access token expired; the refresh token did not
	harness.AssertError(t, e.Protected(p.Access), 401, "token_expired")
	next := e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.Refresh, "client_id", "authd"), formCT).OAuthPair(t)
	assert.Equal(t, 200, e.Protected(next.Access).Status)
}

// TestOAuthAndSeedShareOneRotation: both endpoints drive the same use case,
// so a refresh token rotated on one and replayed on the other is reuse.
func TestOAuthAndSeedShareOneRotation(t *testing.T) {
	t.Parallel()
	t.Run("rotated on /oauth/token, replayed on /refresh/", func(t *testing.T) {
		e := harness.NewEnv(t)
		p := passwordGrant(e)
		next := e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.Refresh, "client_id", "authd"), formCT).OAuthPair(t)
		harness.AssertError(t, e.Refresh(p.Refresh), 401, "refresh_token_reused")
		harness.AssertError(t, e.Protected(next.Access), 401, "session_revoked")
	})
	t.Run("rotated on /refresh/, replayed on /oauth/token", func(t *testing.T) {
		e := harness.NewEnv(t)
		p := e.Login("minsu", "1229")
		next := e.Refresh(p.Refresh).Pair(t)
		r := e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.Refresh, "client_id", "authd"), formCT, "Accept-Language: en")
		assertOAuthError(t, r, 400, "invalid_grant")
		assert.Contains(t, r.Body["error_description"], "already used")
		harness.AssertError(t, e.Refresh(next.Refresh), 401, "session_revoked")
	})
}

func TestOAuthTokenErrors(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withOAuthClients(t))
	pw := func(extra ...string) string {
		return form(append([]string{"grant_type", "password", "username", "minsu", "password", "1229"}, extra...)...)
	}
	for name, tc := range map[string]struct {
		body    string
		headers []string
		status  int
		code    string
	}{
		"JSON instead of a form":            {`{"grant_type":"password"}`, []string{harness.JSONHeader}, 400, "invalid_request"},
		"no content type":                   {pw("client_id", "authd"), nil, 400, "invalid_request"},
		"repeated parameter":                {pw("client_id", "authd", "username", "chulsu"), []string{formCT}, 400, "invalid_request"},
		"no grant_type":                     {form("client_id", "authd", "username", "minsu", "password", "1229"), []string{formCT}, 400, "invalid_request"},
		"unknown grant_type":                {form("grant_type", "urn:example:unknown", "client_id", "authd"), []string{formCT}, 400, "unsupported_grant_type"},
		"client_credentials, public client": {form("grant_type", "client_credentials", "client_id", "authd"), []string{formCT}, 400, "unauthorized_client"},
		"authorization_code":                {form("grant_type", "authorization_code", "code", "x", "client_id", "authd"), []string{formCT}, 400, "unsupported_grant_type"},
		"no username":                       {form("grant_type", "password", "password", "1229", "client_id", "authd"), []string{formCT}, 400, "invalid_request"},
		"no refresh_token":                  {form("grant_type", "refresh_token", "client_id", "authd"), []string{formCT}, 400, "invalid_request"},
		"no client":                         {pw(), []string{formCT}, 401, "invalid_client"},
		"unknown client":                    {pw("client_id", "mallory"), []string{formCT}, 401, "invalid_client"},
		"wrong secret in the body":          {pw("client_id", "backend", "client_secret", "wrong"), []string{formCT}, 401, "invalid_client"},
		"wrong secret in Basic":             {pw(), []string{formCT, basic("backend", "wrong")}, 401, "invalid_client"},
		"confidential without secret":       {pw("client_id", "backend"), []string{formCT}, 401, "invalid_client"},
		"public client with a secret":       {pw("client_id", "authd", "client_secret", "x"), []string{formCT}, 401, "invalid_client"},
		"Basic and a body secret":           {pw("client_id", "backend", "client_secret", oauthSecret), []string{formCT, basic("backend", oauthSecret)}, 400, "invalid_request"},
		"grant the client may not use":      {pw("client_id", "spa"), []string{formCT}, 400, "unauthorized_client"},
		"wrong password":                    {form("grant_type", "password", "username", "minsu", "password", "nope", "client_id", "authd"), []string{formCT}, 400, "invalid_grant"},
		"unknown user":                      {form("grant_type", "password", "username", "nobody", "password", "nope", "client_id", "authd"), []string{formCT}, 400, "invalid_grant"},
		"forged refresh token":              {form("grant_type", "refresh_token", "refresh_token", "a.b.c", "client_id", "authd"), []string{formCT}, 400, "invalid_grant"},
		"body over 16 KiB":                  {pw("client_id", "authd", "scope", strings.Repeat("x", 17<<10)), []string{formCT}, 413, "invalid_request"},
		"malformed form":                    {"grant_type=%zz", []string{formCT}, 400, "invalid_request"},
		"Basic with a malformed encoding":   {pw(), []string{formCT, "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("back%zz:x"))}, 401, "invalid_client"},
	} {
		t.Run(name, func(t *testing.T) {
			assertOAuthError(t, e.Do("POST", "/oauth/token", tc.body, tc.headers...), tc.status, tc.code)
		})
	}
	t.Run("confidential client by Basic and by body", func(t *testing.T) {
		e.Do("POST", "/oauth/token", pw(), formCT, basic("backend", oauthSecret)).OAuthPair(t)
		e.Do("POST", "/oauth/token", pw("client_id", "backend", "client_secret", oauthSecret), formCT).OAuthPair(t)
	})
}

// TestOAuthInvalidGrantSaysWhy: every reason a refresh token cannot be used
// is invalid_grant, and the description names it in ASCII English (RFC
// 6749 §5.2), the message in the caller's language.
func TestOAuthInvalidGrantSaysWhy(t *testing.T) {
	t.Parallel()
	refresh := func(e *harness.Env, token string, lang string) harness.Response {
		return e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", token, "client_id", "authd"), formCT, "Accept-Language: "+lang)
	}
	t.Run("expired", func(t *testing.T) {
		e := harness.NewEnv(t)
		p := passwordGrant(e)
		e.Clock.Advance(5 * time.Minute)
		r := refresh(e, p.Refresh, "en")
		assertOAuthError(t, r, 400, "invalid_grant")
		assert.Equal(t, "The token has expired.", r.Body["error_description"])
		ko := refresh(e, p.Refresh, "ko")
		assert.Equal(t, "The token has expired.", ko.Body["error_description"], "ASCII whatever the language")
		assert.Equal(t, "토큰이 만료되었습니다.", ko.Body["message"])
	})
	t.Run("reused", func(t *testing.T) {
		e := harness.NewEnv(t)
		p := passwordGrant(e)
		refresh(e, p.Refresh, "en").OAuthPair(t)
		r := refresh(e, p.Refresh, "en")
		assertOAuthError(t, r, 400, "invalid_grant")
		assert.Contains(t, r.Body["error_description"], "already used")
	})
	t.Run("revoked", func(t *testing.T) {
		e := harness.NewEnv(t)
		p := passwordGrant(e)
		require.Equal(t, 200, e.Do("POST", "/oauth/revoke", form("token", p.Refresh, "client_id", "authd"), formCT).Status)
		r := refresh(e, p.Refresh, "en")
		assertOAuthError(t, r, 400, "invalid_grant")
		assert.Contains(t, r.Body["error_description"], "revoked")
	})
	t.Run("wrong password in Korean", func(t *testing.T) {
		e := harness.NewEnv(t)
		r := e.Do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "x", "client_id", "authd"), formCT)
		assertOAuthError(t, r, 400, "invalid_grant")
		assert.Equal(t, "아이디와 비밀번호를 확인하세요.", r.Body["message"])
		assert.Equal(t, "Check your username and password.", r.Body["error_description"])
	})
}

// TestOAuthRefreshTokenBelongsToItsClient: a refresh token issued to one
// client is refused to another without changing the session; its owner's
// next refresh still works.
func TestOAuthRefreshTokenBelongsToItsClient(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withOAuthClients(t))
	p := e.Do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229"), formCT, basic("backend", oauthSecret)).OAuthPair(t)
	r := e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.Refresh, "client_id", "authd"), formCT)
	assertOAuthError(t, r, 400, "invalid_grant")
	e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.Refresh), formCT, basic("backend", oauthSecret)).OAuthPair(t)
}

// TestConfidentialTokensDoNotRefreshOnTheSeedEndpoint: /refresh/ needs no
// client authentication, so it refreshes only tokens of authd's own public
// client; a confidential client's refresh token is refused there and its
// session is untouched.
func TestConfidentialTokensDoNotRefreshOnTheSeedEndpoint(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withOAuthClients(t))
	p := e.Do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229"), formCT, basic("backend", oauthSecret)).OAuthPair(t)
	harness.AssertError(t, e.Refresh(p.Refresh), 401, "invalid_token")
	assert.Equal(t, 200, e.Protected(p.Access).Status, "the session is untouched")
	e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.Refresh), formCT, basic("backend", oauthSecret)).OAuthPair(t)

	public := e.Do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd"), formCT).OAuthPair(t)
	assert.Equal(t, 200, e.Refresh(public.Refresh).Status, "authd's own public client refreshes on /refresh/")
}

func TestOAuthThrottling(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, func(c *authd.Config) { c.LoginMaxFails = 2 })
	bad := form("grant_type", "password", "username", "minsu", "password", "x", "client_id", "authd")
	for range 2 {
		assertOAuthError(t, e.Do("POST", "/oauth/token", bad, formCT), 400, "invalid_grant")
	}
	r := e.Do("POST", "/oauth/token", bad, formCT)
	assertOAuthError(t, r, 429, "rate_limited")
	assert.NotEmpty(t, r.Header.Get("Retry-After"))
	// The same throttle as /login/: the username is limited there too.
	harness.AssertError(t, e.Do("POST", "/login/", `{"username":"minsu","password":"1229"}`, harness.JSONHeader), 429, "rate_limited")
}

// TestOAuthRevocationEndsTheSession: revoking either token ends the session
// at once on /protected/, /auth/verify and /refresh/.
func TestOAuthRevocationEndsTheSession(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		pick func(harness.Pair) string
		hint string
	}{
		{"refresh token", func(p harness.Pair) string { return p.Refresh }, "refresh_token"},
		{"refresh token without hint", func(p harness.Pair) string { return p.Refresh }, ""},
		{"access token", func(p harness.Pair) string { return p.Access }, "access_token"},
		{"access token with the wrong hint", func(p harness.Pair) string { return p.Access }, "refresh_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := harness.NewEnv(t)
			p := passwordGrant(e)
			require.Equal(t, 200, e.Do("GET", "/auth/verify", "", harness.Bearer(p.Access)).Status)
			body := form("token", tc.pick(p), "client_id", "authd")
			if tc.hint != "" {
				body += "&" + form("token_type_hint", tc.hint)
			}
			r := e.Do("POST", "/oauth/revoke", body, formCT)
			assert.Equal(t, 200, r.Status, r.Raw)
			harness.AssertError(t, e.Protected(p.Access), 401, "session_revoked")
			harness.AssertError(t, e.Do("GET", "/auth/verify", "", harness.Bearer(p.Access)), 401, "session_revoked")
			harness.AssertError(t, e.Refresh(p.Refresh), 401, "session_revoked")
		})
	}
	t.Run("unknown, invalid, expired and revoked tokens get 200", func(t *testing.T) {
		e := harness.NewEnv(t)
		p := passwordGrant(e)
		for _, token := range []string{"nonsense", "a.b.c", p.Refresh, p.Refresh} {
			assert.Equal(t, 200, e.Do("POST", "/oauth/revoke", form("token", token, "client_id", "authd"), formCT).Status)
		}
		e.Clock.Advance(10 * time.Minute)
		assert.Equal(t, 200, e.Do("POST", "/oauth/revoke", form("token", p.Access, "client_id", "authd"), formCT).Status)
	})
	t.Run("errors", func(t *testing.T) {
		e := harness.NewEnv(t, withOAuthClients(t))
		assertOAuthError(t, e.Do("POST", "/oauth/revoke", form("client_id", "authd"), formCT), 400, "invalid_request")
		assertOAuthError(t, e.Do("POST", "/oauth/revoke", form("token", "x"), formCT), 401, "invalid_client")
		assertOAuthError(t, e.Do("POST", "/oauth/revoke", form("token", "x", "client_id", "backend", "client_secret", "no"), formCT), 401, "invalid_client")
		assertOAuthError(t, e.Do("POST", "/oauth/revoke", `{"token":"x"}`, harness.JSONHeader), 400, "invalid_request")
	})
	t.Run("another client's token is left alone", func(t *testing.T) {
		e := harness.NewEnv(t, withOAuthClients(t))
		p := e.Do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229"), formCT, basic("backend", oauthSecret)).OAuthPair(t)
		assert.Equal(t, 200, e.Do("POST", "/oauth/revoke", form("token", p.Refresh, "client_id", "authd"), formCT).Status)
		assert.Equal(t, 200, e.Protected(p.Access).Status)
	})
}

// TestOAuthIntrospection: the answer agrees with /protected/ at every
// instant of the frozen clock.
func TestOAuthIntrospection(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withOAuthClients(t))
	introspect := func(token string, extra ...string) harness.Response {
		t.Helper()
		r := e.Do("POST", "/oauth/introspect", form(append([]string{"token", token}, extra...)...), formCT, basic("backend", oauthSecret))
		require.Equal(t, 200, r.Status, r.Raw)
		assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
		return r
	}
	p := e.Do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd"), formCT).OAuthPair(t)

	r := introspect(p.Access)
	assert.Equal(t, true, r.Body["active"])
	assert.Equal(t, "2", r.Body["sub"])
	assert.Equal(t, "minsu", r.Body["username"])
	assert.Equal(t, "Bearer", r.Body["token_type"])
	assert.Equal(t, "authd", r.Body["client_id"])
	assert.Equal(t, "authd", r.Body["iss"])
	assert.Equal(t, "authd", r.Body["aud"])
	assert.EqualValues(t, harness.T.Unix(), r.Body["iat"])
	assert.EqualValues(t, harness.T.Unix(), r.Body["nbf"])
	assert.EqualValues(t, harness.T.Add(time.Minute).Unix(), r.Body["exp"])
	assert.NotEmpty(t, r.Body["sid"])
	assert.NotEmpty(t, r.Body["jti"])

	rr := introspect(p.Refresh, "token_type_hint", "refresh_token")
	assert.Equal(t, true, rr.Body["active"])
	assert.Equal(t, "Bearer", rr.Body["token_type"], "RFC 7662: the RFC 6749 token type it is used with")
	assert.Equal(t, "refresh_token", rr.Body["token_use"])
	assert.Equal(t, "access_token", r.Body["token_use"])

	e.Clock.Set(harness.T.Add(time.Minute - time.Millisecond))
	assert.Equal(t, 200, e.Protected(p.Access).Status)
	assert.Equal(t, true, introspect(p.Access).Body["active"])
	e.Clock.Set(harness.T.Add(time.Minute))
	harness.AssertError(t, e.Protected(p.Access), 401, "token_expired")
	assert.Equal(t, map[string]any{"active": false}, introspect(p.Access).Body)

	// A rotated refresh token is no longer active; its successor is.
	next := e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.Refresh, "client_id", "authd"), formCT).OAuthPair(t)
	assert.Equal(t, false, introspect(p.Refresh).Body["active"])
	assert.Equal(t, true, introspect(next.Refresh).Body["active"])
	assert.Equal(t, true, introspect(next.Access, "token_type_hint", "refresh_token").Body["active"])

	// Forged, wrong-audience-by-tampering and garbage tokens are inactive.
	parts := strings.Split(next.Access, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	for _, token := range []string{forged, "x", "a.b.c"} {
		assert.Equal(t, map[string]any{"active": false}, introspect(token).Body)
	}

	// After revocation both tokens are inactive at once.
	require.Equal(t, 200, e.Do("POST", "/oauth/revoke", form("token", next.Access, "client_id", "authd"), formCT).Status)
	harness.AssertError(t, e.Protected(next.Access), 401, "session_revoked")
	assert.Equal(t, false, introspect(next.Access).Body["active"])
	assert.Equal(t, false, introspect(next.Refresh).Body["active"])

	t.Run("only for clients allowed to introspect", func(t *testing.T) {
		assertOAuthError(t, e.Do("POST", "/oauth/introspect", form("token", p.Access, "client_id", "authd"), formCT), 401, "invalid_client")
		assertOAuthError(t, e.Do("POST", "/oauth/introspect", form("token", p.Access), formCT), 401, "invalid_client")
		assertOAuthError(t, e.Do("POST", "/oauth/introspect", form("token", p.Access), formCT, basic("backend", "wrong")), 401, "invalid_client")
		assertOAuthError(t, e.Do("POST", "/oauth/introspect", "", formCT, basic("backend", oauthSecret)), 400, "invalid_request")
	})
}

// TestOAuthIntrospectionOnTheDevClock: on the operator's clock too.
func TestOAuthIntrospectionOnTheDevClock(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	withOAuthClients(t)(&cfg)
	cfg.DevClock = true
	e := harness.NewDevEnv(t, cfg)
	require.Equal(t, 200, e.Do("POST", "/dev/clock/", `{"set":"`+harness.T.Format(time.RFC3339Nano)+`"}`, harness.JSONHeader).Status)
	p := passwordGrant(e)
	active := func() any {
		return e.Do("POST", "/oauth/introspect", form("token", p.Access), formCT, basic("backend", oauthSecret)).Body["active"]
	}
	assert.Equal(t, true, active())
	require.Equal(t, 200, e.Do("POST", "/dev/clock/", `{"advance":"59.999s"}`, harness.JSONHeader).Status)
	assert.Equal(t, true, active())
	assert.Equal(t, 200, e.Protected(p.Access).Status)
	require.Equal(t, 200, e.Do("POST", "/dev/clock/", `{"advance":"1ms"}`, harness.JSONHeader).Status)
	assert.Equal(t, false, active())
	harness.AssertError(t, e.Protected(p.Access), 401, "token_expired")
}

func TestOAuthMetadata(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, func(c *authd.Config) { c.PublicURL = "https://auth.example" })
	r := e.Do("GET", "/.well-known/oauth-authorization-server", "")
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "authd", r.Body["issuer"])
	assert.Equal(t, "https://auth.example/oauth/token", r.Body["token_endpoint"])
	assert.Equal(t, "https://auth.example/oauth/revoke", r.Body["revocation_endpoint"])
	assert.Equal(t, "https://auth.example/oauth/introspect", r.Body["introspection_endpoint"])
	assert.Equal(t, "https://auth.example/.well-known/jwks.json", r.Body["jwks_uri"])
	assert.Equal(t, []any{"password", "refresh_token"}, r.Body["grant_types_supported"])
	assert.Equal(t, []any{"client_secret_basic", "client_secret_post", "none"}, r.Body["token_endpoint_auth_methods_supported"])
	assert.Equal(t, []any{"EdDSA"}, r.Body["access_token_signing_alg_values_supported"])

	// Without the setting, the URL the request came to.
	d := harness.NewEnv(t)
	r = d.Do("GET", "/.well-known/oauth-authorization-server", "")
	assert.Equal(t, d.Server.URL+"/oauth/token", r.Body["token_endpoint"])
}

// TestForwardAuthVerify is /auth/verify as a gateway calls it.
func TestForwardAuthVerify(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	p := e.Login("minsu", "1229")
	for _, method := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		for _, path := range []string{"/auth/verify", "/auth/verify/", "/auth/verify/orders"} {
			r := e.Do(method, path, "", harness.Bearer(p.Access))
			assert.Equal(t, 200, r.Status, "%s %s: %s", method, path, r.Raw)
			assert.Equal(t, "2", r.Header.Get("X-Auth-Subject"))
			assert.Equal(t, "minsu", r.Header.Get("X-Auth-Username"))
			assert.NotEmpty(t, r.Header.Get("X-Auth-Session"))
		}
	}
	// Envoy appends the whole original path, several segments deep, which
	// OpenAPI cannot describe: sent around the spec check.
	req, err := http.NewRequest("GET", e.Server.URL+"/auth/verify/api/v1/orders/7?x=1", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+p.Access)
	res, err := e.Server.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "minsu", res.Header.Get("X-Auth-Username"))

	harness.AssertError(t, e.Do("GET", "/auth/verify", ""), 401, "token_missing")
	harness.AssertError(t, e.Do("GET", "/auth/verify", "", harness.Bearer(p.Refresh)), 401, "invalid_token")
	parts := strings.Split(p.Access, ".")
	harness.AssertError(t, e.Do("GET", "/auth/verify", "", harness.Bearer(parts[0]+"."+parts[1]+".AAAA")), 401, "invalid_token")
	e.Clock.Advance(time.Minute)
	r := e.Do("GET", "/auth/verify", "", harness.Bearer(p.Access))
	harness.AssertError(t, r, 401, "token_expired")
	assert.Contains(t, r.Header.Get("WWW-Authenticate"), `error="invalid_token"`)
	assert.Empty(t, r.Header.Get("X-Auth-Subject"))
}
