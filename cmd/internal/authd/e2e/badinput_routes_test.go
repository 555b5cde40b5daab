package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
)

// badInput is a row of TestBadInput: a request and the status and error
// code it must get; code htmlPage means authd's error page instead of a
// JSON error (the browser endpoints of the code flow).
type badInput struct {
	name   string
	send   func() harness.Response
	status int
	code   string
}

// htmlPage is the code of a row answered with the login page's error page.
const htmlPage = "(the error page)"

// assertBadInput checks a row's answer: the JSON error, or the error page
// (HTML, with its CSP, never a redirect).
func assertBadInput(t *testing.T, r harness.Response, tc badInput) {
	t.Helper()
	if tc.code != htmlPage {
		harness.AssertError(t, r, tc.status, tc.code)
		return
	}
	assert.Equal(t, tc.status, r.Status, r.Raw)
	assert.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
	assert.Contains(t, r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Empty(t, r.Header.Get("Location"), "never redirected")
}

// badInputOfUsersAndCodeFlow are TestBadInput's rows for the routes of
// sign-up, password change, the admin API and the code flow. access is a
// live access token of minsu, whose password is 1229.
func badInputOfUsersAndCodeFlow(u *usersEnv, access, refresh string) []badInput {
	e := u.Env
	const formCT = "Content-Type: application/x-www-form-urlencoded"
	big := strings.Repeat("a", 10<<20)
	do := func(method, path, body string, headers ...string) func() harness.Response {
		return func() harness.Response { return e.Do(method, path, body, headers...) }
	}
	adm := func(method, path, body string, headers ...string) func() harness.Response {
		return func() harness.Response { return u.adm(method, path, body, headers...) }
	}
	_, challenge := harness.PKCE()
	authorize := harness.AuthorizeURL("spa", "https://app.example/cb", challenge)
	loginPage := strings.Replace(authorize, "/oauth/authorize?", "/oauth/login?", 1)
	pw := func(body string) func() harness.Response {
		return do("POST", "/password/", body, harness.JSONHeader, harness.Bearer(access))
	}
	return []badInput{
		{"signup: not JSON", do("POST", "/signup/", `username=x`, harness.JSONHeader), 400, "invalid_request"},
		{"signup: form Content-Type", do("POST", "/signup/", `username=x&password=y`, formCT), 415, "unsupported_media_type"},
		{"signup: no Content-Type", do("POST", "/signup/", `{"username":"x","password":"y"}`), 415, "unsupported_media_type"},
		{"signup: JSON array", do("POST", "/signup/", `["x","y"]`, harness.JSONHeader), 400, "invalid_request"},
		{"signup: username number", do("POST", "/signup/", `{"username":1,"password":"a long pass phrase"}`, harness.JSONHeader), 400, "invalid_request"},
		{"signup: empty username", do("POST", "/signup/", `{"username":"","password":"a long pass phrase"}`, harness.JSONHeader), 400, "invalid_request"},
		{"signup: control character", do("POST", "/signup/", `{"username":"a\u0000b","password":"a long pass phrase"}`, harness.JSONHeader), 400, "invalid_request"},
		{"signup: invalid UTF-8", do("POST", "/signup/", "{\"username\":\"\xff\xfe\",\"password\":\"a long pass phrase\"}", harness.JSONHeader), 400, "invalid_request"},
		{"signup: username too long", do("POST", "/signup/", `{"username":"`+strings.Repeat("a", 300)+`","password":"a long pass phrase"}`, harness.JSONHeader), 400, "invalid_request"},
		{"signup: 10 MiB", do("POST", "/signup/", `{"username":"`+big+`"}`, harness.JSONHeader), 413, "payload_too_large"},
		{"signup: GET", do("GET", "/signup/", ""), 405, "method_not_allowed"},
		{"signup: taken", do("POST", "/signup/", `{"username":"minsu","password":"a long pass phrase"}`, harness.JSONHeader), 409, "username_taken"},
		{"password: no token", do("POST", "/password/", `{"current_password":"1229","new_password":"a long pass phrase"}`, harness.JSONHeader), 401, "token_missing"},
		{"password: refresh token", do("POST", "/password/", `{"current_password":"1229","new_password":"a long pass phrase"}`, harness.JSONHeader, harness.Bearer(refresh)), 401, "invalid_token"},
		{"password: not JSON", pw(`current_password=1229`), 400, "invalid_request"},
		{"password: form Content-Type", do("POST", "/password/", `current_password=1229`, formCT, harness.Bearer(access)), 415, "unsupported_media_type"},
		{"password: fields of the wrong type", pw(`{"current_password":1229,"new_password":[]}`), 400, "invalid_request"},
		{"password: missing", pw(`{}`), 401, "credentials_missing"},
		{"password: weak new one", pw(`{"current_password":"1229","new_password":"short"}`), 400, "weak_password"},
		{"password: 10 MiB", pw(`{"current_password":"` + big + `"}`), 413, "payload_too_large"},
		{"password: GET", do("GET", "/password/", "", harness.Bearer(access)), 405, "method_not_allowed"},
		{"admin: on the public listener", do("GET", "/admin/users/", "", "Authorization: Bearer "+adminToken), 404, "not_found"},
		{"admin: no token", func() harness.Response { return u.adm("GET", "/admin/users/", "", "Authorization: Basic eDp5") }, 401, "token_missing"},
		{"admin: wrong token", adm("GET", "/admin/users/", "", "Authorization: Bearer "+strings.Repeat("x", 40)), 401, "invalid_token"},
		{"admin: create not JSON", adm("POST", "/admin/users/", `username=x`), 400, "invalid_request"},
		{"admin: create 10 MiB", adm("POST", "/admin/users/", `{"username":"`+big+`"}`), 413, "payload_too_large"},
		{"admin: create weak", adm("POST", "/admin/users/", `{"username":"younghee","password":"1"}`), 400, "weak_password"},
		{"admin: patch wrong type", adm("PATCH", "/admin/users/minsu", `{"disabled":"yes"}`), 400, "invalid_request"},
		{"admin: patch nothing", adm("PATCH", "/admin/users/minsu", `{}`), 400, "invalid_request"},
		{"admin: patch unknown", adm("PATCH", "/admin/users/nobody", `{"disabled":true}`), 404, "not_found"},
		{"admin: long name", adm("GET", "/admin/users/"+strings.Repeat("a", 2000), ""), 404, "not_found"},
		{"admin: encoded slash", adm("DELETE", "/admin/users/a%2Fb", ""), 404, "not_found"},
		{"admin: PUT", adm("PUT", "/admin/users/minsu", `{}`), 405, "method_not_allowed"},
		{"admin: events bad after", adm("GET", "/admin/events/?after=soon", ""), 400, "invalid_request"},
		{"authorize: nothing", do("GET", "/oauth/authorize", ""), 400, htmlPage},
		{"authorize: repeated client_id", do("GET", authorize+"&client_id=spa", ""), 400, htmlPage},
		{"authorize: JSON body", do("POST", "/oauth/authorize", `{"client_id":"spa"}`, harness.JSONHeader), 400, htmlPage},
		{"authorize: 10 MiB form", do("POST", "/oauth/authorize", "state="+big, formCT), 400, htmlPage},
		{"authorize: invalid UTF-8", do("GET", "/oauth/authorize?client_id=%ff&redirect_uri=%fe", ""), 400, htmlPage},
		{"authorize: PUT", do("PUT", authorize, ""), 405, "method_not_allowed"},
		{"login page: no request", do("POST", "/oauth/login", `username=minsu&password=1229`, formCT), 400, htmlPage},
		{"login page: JSON body", do("POST", loginPage, `{"username":"minsu"}`, harness.JSONHeader), 400, htmlPage},
		{"login page: 10 MiB", do("POST", loginPage, "username="+big, formCT), 400, htmlPage},
		{"login page: no CSRF token", do("POST", loginPage, `username=minsu&password=1229`, formCT), 403, htmlPage},
		{"login page: GET", do("GET", loginPage, ""), 405, "method_not_allowed"},
		{"logout: garbage id_token_hint", do("GET", "/oauth/logout?id_token_hint=x.y.z", ""), 400, htmlPage},
		{"logout: access token as hint", do("GET", "/oauth/logout?id_token_hint="+access, ""), 400, htmlPage},
		{"logout: repeated parameter", do("GET", "/oauth/logout?state=a&state=b", ""), 400, htmlPage},
		{"logout: unregistered redirect", do("GET", "/oauth/logout?"+url.Values{"client_id": {"spa"}, "post_logout_redirect_uri": {"https://evil.example/"}}.Encode(), ""), 400, htmlPage},
		{"logout: redirect without a client", do("GET", "/oauth/logout?post_logout_redirect_uri=https://app.example/bye", ""), 400, htmlPage},
		{"logout: JSON body", do("POST", "/oauth/logout", `{}`, harness.JSONHeader), 400, htmlPage},
		{"logout: 10 MiB", do("POST", "/oauth/logout", "state="+big, formCT), 400, htmlPage},
		{"logout: forged confirmation", do("POST", "/oauth/logout", "csrf_token=forged", formCT), 403, htmlPage},
		{"logout: DELETE", do("DELETE", "/oauth/logout", ""), 405, "method_not_allowed"},
		{"userinfo: no token", do("GET", "/userinfo", ""), 401, "token_missing"},
		{"userinfo: refresh token", do("GET", "/userinfo", "", harness.Bearer(refresh)), 401, "invalid_token"},
		{"userinfo: garbage", do("POST", "/userinfo", "", harness.Bearer(strings.Repeat("a", 100_000))), 401, "invalid_token"},
		{"userinfo: DELETE", do("DELETE", "/userinfo", "", harness.Bearer(access)), 405, "method_not_allowed"},
	}
}
