package authd

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSeedClient is a client written for the Flask seed: login, call
// /protected/, refresh with the refresh token in the Authorization header,
// call again. It must work unchanged.
func TestSeedClient(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/login/", `{"username": "minsu", "password": "1229"}`, jsonCT)
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Equal(t, "no-cache", r.header.Get("Pragma"))
	assert.Equal(t, "Bearer", r.body["token_type"])
	assert.Equal(t, float64(60), r.body["expires_in"])
	assert.Equal(t, float64(300), r.body["refresh_expires_in"])
	p := r.pair(t)

	r = e.protected(p.access)
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, "minsu 의 토큰을 사용해서 로그인된 상태입니다.", r.body["message"])
	assert.Equal(t, map[string]any{"id": "2", "username": "minsu"}, r.body["user"])

	e.clock.Advance(61 * time.Second)
	assertError(t, e.protected(p.access), 401, "token_expired")
	p2 := e.refresh(p.refresh).pair(t)
	r = e.protected(p2.access)
	assert.Equal(t, 200, r.status, r.raw)

	r = e.do("GET", "/unprotected/", "")
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "JWT 인증 정보 없이도 조회가 가능한 데이터입니다.", r.body["message"])
}

func TestBothSlashForms(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/login", "/login/"} {
		r := e.do("POST", path, `{"username":"chulsu","password":"1234"}`, jsonCT)
		assert.Equal(t, 200, r.status, path)
	}
	p := e.login("satangsusu", "4321")
	for _, path := range []string{"/protected", "/protected/"} {
		assert.Equal(t, 200, e.do("GET", path, "", bearer(p.access)).status, path)
	}
	for _, path := range []string{"/unprotected", "/unprotected/", "/healthz", "/healthz/", "/readyz"} {
		assert.Equal(t, 200, e.do("GET", path, "").status, path)
	}
	r := e.do("POST", "/refresh", `{"refresh":"`+p.refresh+`"}`, jsonCT)
	assert.Equal(t, 200, r.status, r.raw)
}

// TestExpiryExact checks the contract's boundaries through the real HTTP
// stack: a login at whole second T gives an access token that works at
// T+59.999s and fails at T+60s, and a refresh token that works at
// T+299.999s and fails at T+300s.
func TestExpiryExact(t *testing.T) {
	e := newEnv(t)
	p := e.login("minsu", "1229")

	e.clock.Set(T.Add(59999 * time.Millisecond))
	assert.Equal(t, 200, e.protected(p.access).status)
	e.clock.Set(T.Add(60 * time.Second))
	r := e.protected(p.access)
	assertError(t, r, 401, "token_expired")
	assert.Equal(t, "토큰이 만료되었습니다.", r.body["message"])
	assert.Contains(t, r.header.Get("WWW-Authenticate"), `error="invalid_token"`)
	assert.Contains(t, r.header.Get("WWW-Authenticate"), `error_description="The token has expired."`)

	e.clock.Set(T.Add(300 * time.Second))
	assertError(t, e.refresh(p.refresh), 401, "token_expired")
	e.clock.Set(T.Add(299999 * time.Millisecond))
	r = e.refresh(p.refresh)
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, float64(59), r.body["expires_in"], "iat is truncated to T+299s, so 59.001s are left, rounded down")
}

// TestErrorRows asserts status, code, the seed's exact message and the
// WWW-Authenticate header for each row of docs/contract.md §6 this service can
// produce without throttling or a failing store.
func TestErrorRows(t *testing.T) {
	e := newEnv(t)
	p := e.login("minsu", "1229")
	used := e.refresh(p.refresh)
	require.Equal(t, 200, used.status)

	for _, tc := range []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		code, ko                 string
		challenge                string
	}{
		{"credentials_missing", "POST", "/login/", `{"username":"minsu"}`, []string{jsonCT}, 401, "credentials_missing", "아이디와 비밀번호가 서버로 전달되지 않았습니다.", `Bearer realm="authd"`},
		{"invalid_credentials", "POST", "/login/", `{"username":"minsu","password":"x"}`, []string{jsonCT}, 401, "invalid_credentials", "아이디와 비밀번호를 확인하세요.", `Bearer realm="authd"`},
		{"token_missing", "GET", "/protected/", "", nil, 401, "token_missing", "토큰 정보가 필요합니다.", `Bearer realm="authd"`},
		{"invalid_token", "GET", "/protected/", "", []string{bearer("x.y.z")}, 401, "invalid_token", "잘못된 토큰입니다.", `Bearer realm="authd", error="invalid_token", error_description="The token is invalid."`},
		{"refresh_token_reused", "POST", "/refresh/", "", []string{bearer(p.refresh)}, 401, "refresh_token_reused", "", `Bearer realm="authd", error="invalid_token"`},
		{"session_revoked", "GET", "/protected/", "", []string{bearer(p.access)}, 401, "session_revoked", "", `Bearer realm="authd", error="invalid_token"`},
		{"invalid_request", "POST", "/login/", `[]`, []string{jsonCT}, 400, "invalid_request", "", ""},
		{"unsupported_media_type", "POST", "/login/", `{"username":"minsu","password":"1229"}`, []string{"Content-Type: text/plain"}, 415, "unsupported_media_type", "", ""},
		{"payload_too_large", "POST", "/login/", `{"username":"` + strings.Repeat("a", 17<<10) + `"}`, []string{jsonCT}, 413, "payload_too_large", "", ""},
		{"not_found", "GET", "/nowhere", "", nil, 404, "not_found", "", ""},
		{"method_not_allowed", "GET", "/login/", "", nil, 405, "method_not_allowed", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.path, tc.body, tc.headers...)
			assertError(t, r, tc.status, tc.code)
			if tc.ko != "" {
				assert.Equal(t, tc.ko, r.body["message"])
			}
			if tc.challenge != "" {
				assert.True(t, strings.HasPrefix(r.header.Get("WWW-Authenticate"), tc.challenge), r.header.Get("WWW-Authenticate"))
			} else {
				assert.Empty(t, r.header.Get("WWW-Authenticate"))
			}
		})
	}
	r := e.do("DELETE", "/login", "")
	assert.Equal(t, "POST, OPTIONS", r.header.Get("Allow"))
	r = e.do("PUT", "/sessions/abc/", "")
	assert.Equal(t, "DELETE, OPTIONS", r.header.Get("Allow"))
}

func TestEnglishMessages(t *testing.T) {
	e := newEnv(t)
	for header, want := range map[string]string{
		"en":                      "A token is required.",
		"en-US,en;q=0.9":          "A token is required.",
		"ko-KR,ko;q=0.9,en;q=0.8": "토큰 정보가 필요합니다.",
		"fr":                      "토큰 정보가 필요합니다.",
		"ko;q=0.5, en;q=0.6":      "A token is required.",
		"en;q=0":                  "토큰 정보가 필요합니다.",
	} {
		r := e.do("GET", "/protected/", "", "Accept-Language: "+header)
		assert.Equal(t, want, r.body["message"], header)
	}
}

// TestInvalidCredentialsAreIndistinguishable checks that an unknown user and
// a wrong password get the same response, byte for byte.
func TestInvalidCredentialsAreIndistinguishable(t *testing.T) {
	e := newEnv(t)
	unknown := e.do("POST", "/login/", `{"username":"nobody","password":"1229"}`, jsonCT)
	wrong := e.do("POST", "/login/", `{"username":"minsu","password":"9999"}`, jsonCT)
	assert.Equal(t, 401, unknown.status)
	assert.Equal(t, unknown.raw, wrong.raw)
	assert.Equal(t, unknown.header.Get("WWW-Authenticate"), wrong.header.Get("WWW-Authenticate"))
}

// TestBadInput sends every kind of malformed request and checks the
// status and code; none may be a 5xx, and a session opened before survives
// all of them.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	before := e.login("minsu", "1229")
	refresh := e.login("chulsu", "1234")
	seg := strings.Split(before.access, ".")
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
	other := newEnv(t).login("minsu", "1229")

	login := func(body string, headers ...string) func() response {
		return func() response { return e.do("POST", "/login/", body, headers...) }
	}
	protected := func(headers ...string) func() response {
		return func() response { return e.do("GET", "/protected/", "", headers...) }
	}
	for _, tc := range []struct {
		name   string
		send   func() response
		status int
		code   string
	}{
		{"body not JSON", login(`username=minsu`, jsonCT), 400, "invalid_request"},
		{"empty body", login(``, jsonCT), 400, "invalid_request"},
		{"JSON array", login(`["minsu","1229"]`, jsonCT), 400, "invalid_request"},
		{"JSON null", login(`null`, jsonCT), 400, "invalid_request"},
		{"JSON string", login(`"minsu"`, jsonCT), 400, "invalid_request"},
		{"JSON number", login(`1229`, jsonCT), 400, "invalid_request"},
		{"username number", login(`{"username":1,"password":"1229"}`, jsonCT), 400, "invalid_request"},
		{"password object", login(`{"username":"minsu","password":{}}`, jsonCT), 400, "invalid_request"},
		{"null fields", login(`{"username":null,"password":null}`, jsonCT), 401, "credentials_missing"},
		{"empty fields", login(`{"username":"","password":""}`, jsonCT), 401, "credentials_missing"},
		{"trailing data", login(`{"username":"minsu","password":"1229"} {}`, jsonCT), 400, "invalid_request"},
		{"unicode username", login(`{"username":"민수🙂","password":"1229"}`, jsonCT), 401, "invalid_credentials"},
		{"invalid UTF-8 username", login("{\"username\":\"\xff\xfe\",\"password\":\"1229\"}", jsonCT), 401, "invalid_credentials"},
		{"10 MiB body", login(`{"username":"`+strings.Repeat("a", 10<<20)+`"}`, jsonCT), 413, "payload_too_large"},
		{"100000-deep array", login(strings.Repeat("[", 100000)+strings.Repeat("]", 100000), jsonCT), 413, "payload_too_large"},
		{"deep nesting within the limit", login(`{"username":`+strings.Repeat("[", 8000)+strings.Repeat("]", 8000)+`}`, jsonCT), 400, "invalid_request"},
		{"no Content-Type", login(`{"username":"minsu","password":"1229"}`), 415, "unsupported_media_type"},
		{"wrong Content-Type", login(`{"username":"minsu","password":"1229"}`, "Content-Type: application/x-www-form-urlencoded"), 415, "unsupported_media_type"},
		{"no Authorization", protected(), 401, "token_missing"},
		{"Bearer alone", protected("Authorization: Bearer"), 401, "token_missing"},
		{"Bearer a b", protected("Authorization: Bearer a b"), 401, "invalid_token"},
		{"Token scheme", protected("Authorization: Token x"), 401, "token_missing"},
		{"Basic scheme", protected("Authorization: Basic bWluc3U6MTIyOQ=="), 401, "token_missing"},
		{"comma list", protected("Authorization: Bearer " + before.access + ", Bearer x"), 401, "invalid_token"},
		{"two headers", protected(bearer(before.access), bearer(before.access)), 401, "invalid_token"},
		{"100 KB token", protected(bearer(strings.Repeat("a", 100_000))), 401, "invalid_token"},
		{"tampered payload", protected(bearer(withClaims(func(c map[string]any) { c["sub"] = "1" }))), 401, "invalid_token"},
		{"other key", protected(bearer(other.access)), 401, "invalid_token"},
		{"alg none", protected(bearer(noneHeader + "." + seg[1] + ".")), 401, "invalid_token"},
		{"refresh token at /protected/", protected(bearer(before.refresh)), 401, "invalid_token"},
		{"access token at /refresh/", func() response { return e.refresh(before.access) }, 401, "invalid_token"},
		{"exp string", protected(bearer(withClaims(func(c map[string]any) { c["exp"] = "soon" }))), 401, "invalid_token"},
		{"iat object", protected(bearer(withClaims(func(c map[string]any) { c["iat"] = map[string]any{} }))), 401, "invalid_token"},
		{"sub missing", protected(bearer(withClaims(func(c map[string]any) { delete(c, "sub") }))), 401, "invalid_token"},
		{"sid missing", protected(bearer(withClaims(func(c map[string]any) { delete(c, "sid") }))), 401, "invalid_token"},
		{"refresh body wrong type", func() response { return e.do("POST", "/refresh/", `{"refresh":1}`, jsonCT) }, 400, "invalid_request"},
		{"refresh both ways", func() response {
			return e.do("POST", "/refresh/", `{"refresh":"`+refresh.refresh+`"}`, jsonCT, bearer(refresh.refresh))
		}, 400, "invalid_request"},
		{"refresh body not JSON", func() response { return e.do("POST", "/refresh/", `x`, "Content-Type: text/plain") }, 415, "unsupported_media_type"},
		{"refresh nothing", func() response { return e.do("POST", "/refresh/", "") }, 401, "token_missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.send()
			assertError(t, r, tc.status, tc.code)
		})
	}
	// lowercase scheme is accepted (RFC 6750 schemes are case-insensitive)
	assert.Equal(t, 200, e.do("GET", "/protected/", "", "Authorization: bearer "+before.access).status)
	assert.Equal(t, 200, e.do("GET", "/protected/", "", "Authorization: BEARER "+before.access).status)
	// nothing stored was lost: both sessions still refresh
	assert.Equal(t, 200, e.refresh(before.refresh).status)
	assert.Equal(t, 200, e.refresh(refresh.refresh).status)
	assert.NotContains(t, e.logs.String(), `"level":"error"`)
}

func TestHealthAndHeaders(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/healthz", "")
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "ok", r.body["status"])
	assert.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
	assert.NotEmpty(t, r.header.Get("X-Request-Id"))
}

func TestDevClock(t *testing.T) {
	off := newEnv(t)
	assertError(t, off.do("GET", "/dev/clock/", ""), 404, "not_found")
	assertError(t, off.do("POST", "/dev/clock/", `{"advance":"60s"}`, jsonCT), 404, "not_found")

	cfg := defaultConfig(t)
	cfg.DevClock = true
	dev := newDevEnv(t, cfg)
	r := dev.do("POST", "/dev/clock/", `{"set":"2030-01-02T03:04:05.5Z"}`, jsonCT)
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, "2030-01-02T03:04:05.5Z", r.body["now"])
	assert.Equal(t, true, r.body["frozen"])
	p := dev.login("minsu", "1229")
	r = dev.do("POST", "/dev/clock", `{"advance":"60s"}`, jsonCT)
	assert.Equal(t, "2030-01-02T03:05:05.5Z", r.body["now"])
	assertError(t, dev.protected(p.access), 401, "token_expired")
	assertError(t, dev.do("POST", "/dev/clock/", `{"advance":"-1s"}`, jsonCT), 400, "invalid_request")
	assertError(t, dev.do("POST", "/dev/clock/", `{"advance":"1s","release":true}`, jsonCT), 400, "invalid_request")
	assertError(t, dev.do("POST", "/dev/clock/", `{"set":"yesterday"}`, jsonCT), 400, "invalid_request")
	r = dev.do("POST", "/dev/clock/", `{"release":true}`, jsonCT)
	assert.Equal(t, false, r.body["frozen"])
	assert.Contains(t, dev.logs.String(), "AUTH_DEV_CLOCK is on")
}

func TestPlaygroundFiles(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/", "")
	require.Equal(t, 200, r.status)
	assert.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
	assert.Contains(t, r.raw, `<script src="/playground/app.js" defer></script>`)
	csp := r.header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "script-src 'self'")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.NotContains(t, r.raw, "<script>", "no inline script")
	for path, ctype := range map[string]string{"/playground/app.js": "text/javascript; charset=utf-8", "/playground/style.css": "text/css; charset=utf-8"} {
		r := e.do("GET", path, "")
		assert.Equal(t, 200, r.status, path)
		assert.Equal(t, ctype, r.header.Get("Content-Type"), path)
	}
	assertError(t, e.do("GET", "/playground/secrets.txt", ""), 404, "not_found")
	assertError(t, e.do("GET", "/playground/..%2fplayground.go", ""), 404, "not_found")
}

// TestHeadOnEveryGetRoute: HEAD answers like GET, without the body, on every
// GET route (RFC 9110 §9.1: general-purpose servers MUST support GET and
// HEAD); health checkers and gateways send it.
func TestHeadOnEveryGetRoute(t *testing.T) {
	cfg := defaultConfig(t)
	cfg.DevClock = true
	e := newDevEnv(t, cfg)
	p := e.login("minsu", "1229")
	for _, path := range []string{"/unprotected/", "/unprotected", "/protected/", "/sessions/", "/healthz", "/readyz/",
		"/metrics", "/openapi.yaml", "/.well-known/jwks.json", "/.well-known/oauth-authorization-server", "/",
		"/playground/app.js", "/dev/clock/", "/auth/verify"} {
		get := e.do("GET", path, "", bearer(p.access))
		head := e.do("HEAD", path, "", bearer(p.access))
		assert.Equal(t, get.status, head.status, path)
		assert.Equal(t, 200, head.status, path)
		assert.Empty(t, head.raw, "%s: HEAD has no body", path)
		assert.Equal(t, get.header.Get("Content-Type"), head.header.Get("Content-Type"), path)
	}
	assertError(t, e.do("GET", "/protected/", ""), 401, "token_missing")
	assert.Equal(t, 401, e.do("HEAD", "/protected/", "").status, "HEAD is judged like GET")
}

// TestOptionsAnswersAllow: without CORS, OPTIONS on a route is 204 with
// Allow; on no route it is 404.
func TestOptionsAnswersAllow(t *testing.T) {
	e := newEnv(t)
	for path, allow := range map[string]string{
		"/login/":        "POST, OPTIONS",
		"/login":         "POST, OPTIONS",
		"/unprotected/":  "GET, HEAD, OPTIONS",
		"/sessions/abc/": "DELETE, OPTIONS",
		"/oauth/token":   "POST, OPTIONS",
	} {
		r := e.do("OPTIONS", path, "")
		assert.Equal(t, 204, r.status, path)
		assert.Equal(t, allow, r.header.Get("Allow"), path)
		assert.Empty(t, r.raw)
	}
	assertError(t, e.do("OPTIONS", "/nowhere", ""), 404, "not_found")
	r := e.do("PUT", "/login/", "")
	assertError(t, r, 405, "method_not_allowed")
	assert.Equal(t, "POST, OPTIONS", r.header.Get("Allow"))
}

// TestJSONMediaTypes: every application/*+json is JSON (RFC 6839), as the
// seed accepted it; other types are still 415.
func TestJSONMediaTypes(t *testing.T) {
	e := newEnv(t)
	body := `{"username":"minsu","password":"1229"}`
	for _, ct := range []string{"application/json", "application/vnd.api+json", "application/problem+json; charset=utf-8", "Application/JSON"} {
		assert.Equal(t, 200, e.do("POST", "/login/", body, "Content-Type: "+ct).status, ct)
	}
	for _, ct := range []string{"text/json", "application/+json", "application/jsonx", "text/plain", "application/x-www-form-urlencoded"} {
		assertError(t, e.do("POST", "/login/", body, "Content-Type: "+ct), 415, "unsupported_media_type")
	}
}
