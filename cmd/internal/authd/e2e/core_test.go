package e2e

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSeedClient is a client written for the Flask seed: login, call
// /protected/, refresh with the refresh token in the Authorization header,
// call again. It must work unchanged.
func TestSeedClient(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	r := e.Do("POST", "/login/", `{"username": "minsu", "password": "1229"}`, harness.JSONHeader)
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	assert.Equal(t, "no-cache", r.Header.Get("Pragma"))
	assert.Equal(t, "Bearer", r.Body["token_type"])
	assert.Equal(t, float64(60), r.Body["expires_in"])
	assert.Equal(t, float64(300), r.Body["refresh_expires_in"])
	p := r.Pair(t)

	r = e.Protected(p.Access)
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "minsu 의 토큰을 사용해서 로그인된 상태입니다.", r.Body["message"])
	assert.Equal(t, map[string]any{"id": "2", "username": "minsu"}, r.Body["user"])

	e.Clock.Advance(61 * time.Second)
	harness.AssertError(t, e.Protected(p.Access), 401, "token_expired")
	p2 := e.Refresh(p.Refresh).Pair(t)
	r = e.Protected(p2.Access)
	assert.Equal(t, 200, r.Status, r.Raw)

	r = e.Do("GET", "/unprotected/", "")
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, "JWT 인증 정보 없이도 조회가 가능한 데이터입니다.", r.Body["message"])
}

func TestBothSlashForms(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	for _, path := range []string{"/login", "/login/"} {
		r := e.Do("POST", path, `{"username":"chulsu","password":"1234"}`, harness.JSONHeader)
		assert.Equal(t, 200, r.Status, path)
	}
	p := e.Login("satangsusu", "4321")
	for _, path := range []string{"/protected", "/protected/"} {
		assert.Equal(t, 200, e.Do("GET", path, "", harness.Bearer(p.Access)).Status, path)
	}
	for _, path := range []string{"/unprotected", "/unprotected/", "/healthz", "/healthz/", "/readyz"} {
		assert.Equal(t, 200, e.Do("GET", path, "").Status, path)
	}
	r := e.Do("POST", "/refresh", `{"refresh":"`+p.Refresh+`"}`, harness.JSONHeader)
	assert.Equal(t, 200, r.Status, r.Raw)
}

// TestExpiryExact checks the contract's boundaries through the real HTTP
// stack: a login at whole second T gives an access token that works at
// T+59.999s and fails at T+60s, and a refresh token that works at
// T+299.999s and fails at T+300s.
func TestExpiryExact(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	p := e.Login("minsu", "1229")

	e.Clock.Set(harness.T.Add(59999 * time.Millisecond))
	assert.Equal(t, 200, e.Protected(p.Access).Status)
	e.Clock.Set(harness.T.Add(60 * time.Second))
	r := e.Protected(p.Access)
	harness.AssertError(t, r, 401, "token_expired")
	assert.Equal(t, "토큰이 만료되었습니다.", r.Body["message"])
	assert.Contains(t, r.Header.Get("WWW-Authenticate"), `error="invalid_token"`)
	assert.Contains(t, r.Header.Get("WWW-Authenticate"), `error_description="The token has expired."`)

	e.Clock.Set(harness.T.Add(300 * time.Second))
	harness.AssertError(t, e.Refresh(p.Refresh), 401, "token_expired")
	e.Clock.Set(harness.T.Add(299999 * time.Millisecond))
	r = e.Refresh(p.Refresh)
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, float64(59), r.Body["expires_in"], "iat is truncated to T+299s, so 59.001s are left, rounded down")
}

// TestErrorRows asserts status, code, the seed's exact message and the
// WWW-Authenticate header for each row of docs/contract.md §6 this service can
// produce without throttling or a failing store.
func TestErrorRows(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	p := e.Login("minsu", "1229")
	used := e.Refresh(p.Refresh)
	require.Equal(t, 200, used.Status)

	for _, tc := range []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		code, ko                 string
		challenge                string
	}{
		{"credentials_missing", "POST", "/login/", `{"username":"minsu"}`, []string{harness.JSONHeader}, 401, "credentials_missing", "아이디와 비밀번호가 서버로 전달되지 않았습니다.", `Bearer realm="authd"`},
		{"invalid_credentials", "POST", "/login/", `{"username":"minsu","password":"x"}`, []string{harness.JSONHeader}, 401, "invalid_credentials", "아이디와 비밀번호를 확인하세요.", `Bearer realm="authd"`},
		{"token_missing", "GET", "/protected/", "", nil, 401, "token_missing", "토큰 정보가 필요합니다.", `Bearer realm="authd"`},
		{"invalid_token", "GET", "/protected/", "", []string{harness.Bearer("x.y.z")}, 401, "invalid_token", "잘못된 토큰입니다.", `Bearer realm="authd", error="invalid_token", error_description="The token is invalid."`},
		{"refresh_token_reused", "POST", "/refresh/", "", []string{harness.Bearer(p.Refresh)}, 401, "refresh_token_reused", "", `Bearer realm="authd", error="invalid_token"`},
		{"session_revoked", "GET", "/protected/", "", []string{harness.Bearer(p.Access)}, 401, "session_revoked", "", `Bearer realm="authd", error="invalid_token"`},
		{"invalid_request", "POST", "/login/", `[]`, []string{harness.JSONHeader}, 400, "invalid_request", "", ""},
		{"unsupported_media_type", "POST", "/login/", `{"username":"minsu","password":"1229"}`, []string{"Content-Type: text/plain"}, 415, "unsupported_media_type", "", ""},
		{"payload_too_large", "POST", "/login/", `{"username":"` + strings.Repeat("a", 17<<10) + `"}`, []string{harness.JSONHeader}, 413, "payload_too_large", "", ""},
		{"not_found", "GET", "/nowhere", "", nil, 404, "not_found", "", ""},
		{"method_not_allowed", "GET", "/login/", "", nil, 405, "method_not_allowed", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(tc.method, tc.path, tc.body, tc.headers...)
			harness.AssertError(t, r, tc.status, tc.code)
			if tc.ko != "" {
				assert.Equal(t, tc.ko, r.Body["message"])
			}
			if tc.challenge != "" {
				assert.True(t, strings.HasPrefix(r.Header.Get("WWW-Authenticate"), tc.challenge), r.Header.Get("WWW-Authenticate"))
			} else {
				assert.Empty(t, r.Header.Get("WWW-Authenticate"))
			}
		})
	}
	r := e.Do("DELETE", "/login", "")
	assert.Equal(t, "POST, OPTIONS", r.Header.Get("Allow"))
	r = e.Do("PUT", "/sessions/abc/", "")
	assert.Equal(t, "DELETE, OPTIONS", r.Header.Get("Allow"))
}

func TestEnglishMessages(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	for header, want := range map[string]string{
		"en":                      "A token is required.",
		"en-US,en;q=0.9":          "A token is required.",
		"ko-KR,ko;q=0.9,en;q=0.8": "토큰 정보가 필요합니다.",
		"fr":                      "토큰 정보가 필요합니다.",
		"ko;q=0.5, en;q=0.6":      "A token is required.",
		"en;q=0":                  "토큰 정보가 필요합니다.",
	} {
		r := e.Do("GET", "/protected/", "", "Accept-Language: "+header)
		assert.Equal(t, want, r.Body["message"], header)
	}
}

// TestInvalidCredentialsAreIndistinguishable checks that an unknown user and
// a wrong password get the same response, byte for byte.
func TestInvalidCredentialsAreIndistinguishable(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	unknown := e.Do("POST", "/login/", `{"username":"nobody","password":"1229"}`, harness.JSONHeader)
	wrong := e.Do("POST", "/login/", `{"username":"minsu","password":"9999"}`, harness.JSONHeader)
	assert.Equal(t, 401, unknown.Status)
	assert.Equal(t, unknown.Raw, wrong.Raw)
	assert.Equal(t, unknown.Header.Get("WWW-Authenticate"), wrong.Header.Get("WWW-Authenticate"))
}

// TestBadInput sends every kind of malformed request and checks the
// status and code; none may be a 5xx, and a session opened before survives
// all of them.
func TestBadInput(t *testing.T) {
	t.Parallel()
	u := newUsersEnv(t, harness.WithOIDCClients(t)) // sign-up, the admin API and the code flow on: their routes too
	e := u.Env
	before := e.Login("minsu", "1229")
	refresh := e.Login("chulsu", "1234")
	seg := strings.Split(before.Access, ".")
	payload, err := base64.RawURLEncoding.DecodeString(seg[1])
	require.NoError(t, err)
	var claims map[string]any
	require.NoError(t, json.Unmarshal(payload, &claims))
	withClaims := func(change func(map[string]any)) string {
		c := map[string]any{}
		for k, v := range claims {
			c[k] = v
		}
		change(c)
		b, _ := json.Marshal(c)
		return seg[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + seg[2]
	}
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`))
	other := harness.NewEnv(t).Login("minsu", "1229")

	login := func(body string, headers ...string) func() harness.Response {
		return func() harness.Response { return e.Do("POST", "/login/", body, headers...) }
	}
	protected := func(headers ...string) func() harness.Response {
		return func() harness.Response { return e.Do("GET", "/protected/", "", headers...) }
	}
	for _, tc := range append([]badInput{
		{"body not JSON", login(`username=minsu`, harness.JSONHeader), 400, "invalid_request"},
		{"empty body", login(``, harness.JSONHeader), 400, "invalid_request"},
		{"JSON array", login(`["minsu","1229"]`, harness.JSONHeader), 400, "invalid_request"},
		{"JSON null", login(`null`, harness.JSONHeader), 400, "invalid_request"},
		{"JSON string", login(`"minsu"`, harness.JSONHeader), 400, "invalid_request"},
		{"JSON number", login(`1229`, harness.JSONHeader), 400, "invalid_request"},
		{"username number", login(`{"username":1,"password":"1229"}`, harness.JSONHeader), 400, "invalid_request"},
		{"password object", login(`{"username":"minsu","password":{}}`, harness.JSONHeader), 400, "invalid_request"},
		{"null fields", login(`{"username":null,"password":null}`, harness.JSONHeader), 401, "credentials_missing"},
		{"empty fields", login(`{"username":"","password":""}`, harness.JSONHeader), 401, "credentials_missing"},
		{"trailing data", login(`{"username":"minsu","password":"1229"} {}`, harness.JSONHeader), 400, "invalid_request"},
		{"unicode username", login(`{"username":"민수🙂","password":"1229"}`, harness.JSONHeader), 401, "invalid_credentials"},
		{"invalid UTF-8 username", login("{\"username\":\"\xff\xfe\",\"password\":\"1229\"}", harness.JSONHeader), 401, "invalid_credentials"},
		{"10 MiB body", login(`{"username":"`+strings.Repeat("a", 10<<20)+`"}`, harness.JSONHeader), 413, "payload_too_large"},
		{"100000-deep array", login(strings.Repeat("[", 100000)+strings.Repeat("]", 100000), harness.JSONHeader), 413, "payload_too_large"},
		{"deep nesting within the limit", login(`{"username":`+strings.Repeat("[", 8000)+strings.Repeat("]", 8000)+`}`, harness.JSONHeader), 400, "invalid_request"},
		{"no Content-Type", login(`{"username":"minsu","password":"1229"}`), 415, "unsupported_media_type"},
		{"wrong Content-Type", login(`{"username":"minsu","password":"1229"}`, "Content-Type: application/x-www-form-urlencoded"), 415, "unsupported_media_type"},
		{"no Authorization", protected(), 401, "token_missing"},
		{"Bearer alone", protected("Authorization: Bearer"), 401, "token_missing"},
		{"Bearer a b", protected("Authorization: Bearer a b"), 401, "invalid_token"},
		{"Token scheme", protected("Authorization: Token x"), 401, "token_missing"},
		{"Basic scheme", protected("Authorization: Basic bWluc3U6MTIyOQ=="), 401, "token_missing"},
		{"comma list", protected("Authorization: Bearer " + before.Access + ", Bearer x"), 401, "invalid_token"},
		{"two headers", protected(harness.Bearer(before.Access), harness.Bearer(before.Access)), 401, "invalid_token"},
		{"100 KB token", protected(harness.Bearer(strings.Repeat("a", 100_000))), 401, "invalid_token"},
		{"tampered payload", protected(harness.Bearer(withClaims(func(c map[string]any) { c["sub"] = "1" }))), 401, "invalid_token"},
		{"other key", protected(harness.Bearer(other.Access)), 401, "invalid_token"},
		{"alg none", protected(harness.Bearer(noneHeader + "." + seg[1] + ".")), 401, "invalid_token"},
		{"refresh token at /protected/", protected(harness.Bearer(before.Refresh)), 401, "invalid_token"},
		{"access token at /refresh/", func() harness.Response { return e.Refresh(before.Access) }, 401, "invalid_token"},
		{"exp string", protected(harness.Bearer(withClaims(func(c map[string]any) { c["exp"] = "soon" }))), 401, "invalid_token"},
		{"iat object", protected(harness.Bearer(withClaims(func(c map[string]any) { c["iat"] = map[string]any{} }))), 401, "invalid_token"},
		{"sub missing", protected(harness.Bearer(withClaims(func(c map[string]any) { delete(c, "sub") }))), 401, "invalid_token"},
		{"sid missing", protected(harness.Bearer(withClaims(func(c map[string]any) { delete(c, "sid") }))), 401, "invalid_token"},
		{"refresh body wrong type", func() harness.Response { return e.Do("POST", "/refresh/", `{"refresh":1}`, harness.JSONHeader) }, 400, "invalid_request"},
		{"refresh both ways", func() harness.Response {
			return e.Do("POST", "/refresh/", `{"refresh":"`+refresh.Refresh+`"}`, harness.JSONHeader, harness.Bearer(refresh.Refresh))
		}, 400, "invalid_request"},
		{"refresh body not JSON", func() harness.Response { return e.Do("POST", "/refresh/", `x`, "Content-Type: text/plain") }, 415, "unsupported_media_type"},
		{"refresh nothing", func() harness.Response { return e.Do("POST", "/refresh/", "") }, 401, "token_missing"},
	}, badInputOfUsersAndCodeFlow(u, before.Access, refresh.Refresh)...) {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.send()
			assertBadInput(t, r, tc)
		})
	}
	// lowercase scheme is accepted (RFC 6750 schemes are case-insensitive)
	assert.Equal(t, 200, e.Do("GET", "/protected/", "", "Authorization: bearer "+before.Access).Status)
	assert.Equal(t, 200, e.Do("GET", "/protected/", "", "Authorization: BEARER "+before.Access).Status)
	// nothing stored was lost: both sessions still refresh
	assert.Equal(t, 200, e.Refresh(before.Refresh).Status)
	assert.Equal(t, 200, e.Refresh(refresh.Refresh).Status)
	// nor did the new routes' rows change an account: minsu's password and
	// state are his, and the users are the demo users
	e.Login("minsu", "1229")
	assert.Len(t, u.adm("GET", "/admin/users/", "").Body["users"], 3)
	assert.NotContains(t, e.Logs.String(), `"level":"error"`)
}

func TestHealthAndHeaders(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	r := e.Do("GET", "/healthz", "")
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, "ok", r.Body["status"])
	assert.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"))
	assert.NotEmpty(t, r.Header.Get("X-Request-Id"))
}

func TestDevClock(t *testing.T) {
	t.Parallel()
	off := harness.NewEnv(t)
	harness.AssertError(t, off.Do("GET", "/dev/clock/", ""), 404, "not_found")
	harness.AssertError(t, off.Do("POST", "/dev/clock/", `{"advance":"60s"}`, harness.JSONHeader), 404, "not_found")

	cfg := harness.DefaultConfig(t)
	cfg.DevClock = true
	dev := harness.NewDevEnv(t, cfg)
	r := dev.Do("POST", "/dev/clock/", `{"set":"2030-01-02T03:04:05.5Z"}`, harness.JSONHeader)
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "2030-01-02T03:04:05.5Z", r.Body["now"])
	assert.Equal(t, true, r.Body["frozen"])
	p := dev.Login("minsu", "1229")
	r = dev.Do("POST", "/dev/clock", `{"advance":"60s"}`, harness.JSONHeader)
	assert.Equal(t, "2030-01-02T03:05:05.5Z", r.Body["now"])
	harness.AssertError(t, dev.Protected(p.Access), 401, "token_expired")
	harness.AssertError(t, dev.Do("POST", "/dev/clock/", `{"advance":"-1s"}`, harness.JSONHeader), 400, "invalid_request")
	harness.AssertError(t, dev.Do("POST", "/dev/clock/", `{"advance":"1s","release":true}`, harness.JSONHeader), 400, "invalid_request")
	harness.AssertError(t, dev.Do("POST", "/dev/clock/", `{"set":"yesterday"}`, harness.JSONHeader), 400, "invalid_request")
	r = dev.Do("POST", "/dev/clock/", `{"release":true}`, harness.JSONHeader)
	assert.Equal(t, false, r.Body["frozen"])
	assert.Contains(t, dev.Logs.String(), "AUTH_DEV_CLOCK is on")
}

func TestPlaygroundFiles(t *testing.T) {
	t.Parallel()
	harness.NeedPlayground(t)
	e := harness.NewEnv(t)
	r := e.Do("GET", "/", "")
	require.Equal(t, 200, r.Status)
	assert.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
	assert.Contains(t, r.Raw, `<script src="/playground/app.js" defer></script>`)
	csp := r.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "script-src 'self'")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.NotContains(t, r.Raw, "<script>", "no inline script")
	for path, ctype := range map[string]string{"/playground/app.js": "text/javascript; charset=utf-8", "/playground/style.css": "text/css; charset=utf-8"} {
		r := e.Do("GET", path, "")
		assert.Equal(t, 200, r.Status, path)
		assert.Equal(t, ctype, r.Header.Get("Content-Type"), path)
	}
	harness.AssertError(t, e.Do("GET", "/playground/secrets.txt", ""), 404, "not_found")
	harness.AssertError(t, e.Do("GET", "/playground/..%2fplayground.go", ""), 404, "not_found")
}

// TestHeadOnEveryGetRoute: HEAD answers like GET, without the body, on every
// GET route (RFC 9110 §9.1: general-purpose servers MUST support GET and
// HEAD); health checkers and gateways send it.
func TestHeadOnEveryGetRoute(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	cfg.DevClock = true
	e := harness.NewDevEnv(t, cfg)
	p := e.Login("minsu", "1229")
	for _, path := range append([]string{"/unprotected/", "/unprotected", "/protected/", "/sessions/", "/healthz", "/readyz/",
		"/metrics", "/openapi.yaml", "/.well-known/jwks.json", "/.well-known/oauth-authorization-server",
		"/dev/clock/", "/auth/verify"}, harness.PlaygroundPaths()...) {
		get := e.Do("GET", path, "", harness.Bearer(p.Access))
		head := e.Do("HEAD", path, "", harness.Bearer(p.Access))
		assert.Equal(t, get.Status, head.Status, path)
		assert.Equal(t, 200, head.Status, path)
		assert.Empty(t, head.Raw, "%s: HEAD has no body", path)
		assert.Equal(t, get.Header.Get("Content-Type"), head.Header.Get("Content-Type"), path)
	}
	harness.AssertError(t, e.Do("GET", "/protected/", ""), 401, "token_missing")
	assert.Equal(t, 401, e.Do("HEAD", "/protected/", "").Status, "HEAD is judged like GET")
}

// TestOptionsAnswersAllow: without CORS, OPTIONS on a route is 204 with
// Allow; on no route it is 404.
func TestOptionsAnswersAllow(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	for path, allow := range map[string]string{
		"/login/":        "POST, OPTIONS",
		"/login":         "POST, OPTIONS",
		"/unprotected/":  "GET, HEAD, OPTIONS",
		"/sessions/abc/": "DELETE, OPTIONS",
		"/oauth/token":   "POST, OPTIONS",
	} {
		r := e.Do("OPTIONS", path, "")
		assert.Equal(t, 204, r.Status, path)
		assert.Equal(t, allow, r.Header.Get("Allow"), path)
		assert.Empty(t, r.Raw)
	}
	harness.AssertError(t, e.Do("OPTIONS", "/nowhere", ""), 404, "not_found")
	r := e.Do("PUT", "/login/", "")
	harness.AssertError(t, r, 405, "method_not_allowed")
	assert.Equal(t, "POST, OPTIONS", r.Header.Get("Allow"))
}

// TestJSONMediaTypes: every application/*+json is JSON (RFC 6839), as the
// seed accepted it; other types are still 415.
func TestJSONMediaTypes(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	body := `{"username":"minsu","password":"1229"}`
	for _, ct := range []string{"application/json", "application/vnd.api+json", "application/problem+json; charset=utf-8", "Application/JSON"} {
		assert.Equal(t, 200, e.Do("POST", "/login/", body, "Content-Type: "+ct).Status, ct)
	}
	for _, ct := range []string{"text/json", "application/+json", "application/jsonx", "text/plain", "application/x-www-form-urlencoded"} {
		harness.AssertError(t, e.Do("POST", "/login/", body, "Content-Type: "+ct), 415, "unsupported_media_type")
	}
}
