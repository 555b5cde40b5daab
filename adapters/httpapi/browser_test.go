package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cookieAuth is a fakeAuth that logs in and refreshes to numbered pairs
// and records the refresh and logout tokens it is given.
func cookieAuth(presented *[]string) *fakeAuth {
	n := 0
	pair := func() domain.TokenPair {
		n++
		return domain.TokenPair{Access: "access." + string(rune('0'+n)), Refresh: "refresh." + string(rune('0'+n)),
			AccessExpiresIn: 60, RefreshExpiresIn: 300, SessionID: "s1", UserID: "2"}
	}
	return &fakeAuth{
		login: func(context.Context, domain.Credentials, string) (domain.TokenPair, error) { return pair(), nil },
		refresh: func(_ context.Context, token string) (domain.TokenPair, error) {
			*presented = append(*presented, token)
			return pair(), nil
		},
		logout: func(_ context.Context, token string) error {
			*presented = append(*presented, token)
			return nil
		},
		authenticate: func(_ context.Context, token string) (domain.Principal, error) {
			*presented = append(*presented, token)
			return domain.Principal{UserID: "2", Username: "minsu", SessionID: "s1"}, nil
		},
		revoke: func(context.Context, domain.Principal, string) error { return nil },
	}
}

func cookieHandler(t *testing.T, auth *fakeAuth, d Deps) http.Handler {
	t.Helper()
	d.Auth, d.Logger, d.Stopwatch = auth, &recordingLog{}, stillClock{}
	if d.PublicURL == "" {
		d.PublicURL = testPublicURL
	}
	h, err := NewHandler(d)
	require.NoError(t, err)
	return h
}

// send serves one request; body "" sends none.
func send(h http.Handler, method, path, body string, setup ...func(*http.Request)) *httptest.ResponseRecorder {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	for _, f := range setup {
		f(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// cookiesOf returns the response's Set-Cookie lines by cookie name and path.
func cookiesOf(w *httptest.ResponseRecorder) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range w.Result().Cookies() {
		out[c.Name+" "+c.Path] = c
	}
	return out
}

func bodyOf(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &m), w.Body.String())
	return m
}

// TestCookieLogin: "cookie": true puts the refresh token in an HttpOnly,
// SameSite=Strict cookie for /refresh/ and /logout/ living as long as the
// token, the CSRF token in a readable cookie and in the body, and leaves
// the refresh token out of the body; "both" adds the access token's
// HttpOnly, SameSite=Lax cookie; AUTH_COOKIES makes it the default, which
// "cookie": false turns off; no choice is the seed's answer, no cookie.
func TestCookieLogin(t *testing.T) {
	t.Parallel()
	const login = `{"username":"minsu","password":"1229"`
	var presented []string

	h := cookieHandler(t, cookieAuth(&presented), Deps{})
	w := send(h, "POST", "/login/", login+`,"cookie":true}`)
	require.Equal(t, 200, w.Code, w.Body.String())
	c, body := cookiesOf(w), bodyOf(t, w)
	assert.Len(t, c, 3, "two refresh cookies and the CSRF cookie")
	for _, path := range []string{"/refresh/", "/logout/"} {
		rc := c[RefreshCookie+" "+path]
		require.NotNil(t, rc, path)
		assert.Equal(t, "refresh.1", rc.Value)
		assert.True(t, rc.HttpOnly)
		assert.Equal(t, http.SameSiteStrictMode, rc.SameSite)
		assert.Equal(t, 300, rc.MaxAge)
		assert.False(t, rc.Secure, "plain http")
	}
	csrf := c[CSRFCookie+" /"]
	require.NotNil(t, csrf)
	assert.False(t, csrf.HttpOnly, "the page's script reads it")
	assert.Len(t, csrf.Value, 26, "128 bits")
	assert.Equal(t, csrf.Value, body["csrf_token"])
	assert.NotContains(t, body, "refresh")
	assert.Equal(t, "access.1", body["access"])
	assert.EqualValues(t, 300, body["refresh_expires_in"])

	w = send(h, "POST", "/login/", login+`,"cookie":"both"}`, func(r *http.Request) { r.Header.Set("X-Forwarded-Proto", "https") })
	c = cookiesOf(w)
	ac := c[AccessCookie+" /"]
	require.NotNil(t, ac)
	assert.Equal(t, "access.2", ac.Value)
	assert.True(t, ac.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, ac.SameSite)
	assert.Equal(t, 60, ac.MaxAge)
	assert.True(t, ac.Secure && c[RefreshCookie+" /refresh/"].Secure && c[CSRFCookie+" /"].Secure, "https")
	assert.Equal(t, "access.2", bodyOf(t, w)["access"], "the access token stays in the body too")

	w = send(h, "POST", "/login/", login+`}`)
	assert.Empty(t, w.Result().Cookies(), "the seed's login sets no cookie")
	assert.Equal(t, "refresh.3", bodyOf(t, w)["refresh"])
	assert.NotContains(t, bodyOf(t, w), "csrf_token")

	w = send(h, "POST", "/login/", login+`,"cookie":"yes"}`)
	assert.Equal(t, 400, w.Code)
	assert.Equal(t, "invalid_request", bodyOf(t, w)["error"])

	global := cookieHandler(t, cookieAuth(&presented), Deps{Cookies: true, PublicURL: "https://example.com/auth"})
	c = cookiesOf(send(global, "POST", "/login/", login+`}`))
	require.NotNil(t, c[RefreshCookie+" /auth/refresh/"], "below the public URL's path")
	assert.NotNil(t, c[RefreshCookie+" /auth/logout/"])
	assert.True(t, c[CSRFCookie+" /auth/"].Secure, "an https public URL")
	w = send(global, "POST", "/login/", login+`,"cookie":false}`)
	assert.Empty(t, w.Result().Cookies())
	assert.Equal(t, "refresh.2", bodyOf(t, w)["refresh"])
}

// withCookies adds the cookie transport's cookies and the CSRF header.
func withCookies(refresh, csrfCookie, csrfHeader, origin string) func(*http.Request) {
	return func(r *http.Request) {
		if refresh != "" {
			r.AddCookie(&http.Cookie{Name: RefreshCookie, Value: refresh})
		}
		if csrfCookie != "" {
			r.AddCookie(&http.Cookie{Name: CSRFCookie, Value: csrfCookie})
		}
		if csrfHeader != "" {
			r.Header.Set(CSRFHeader, csrfHeader)
		}
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
	}
}

// TestCookieCSRF: a refresh or logout with the refresh cookie needs the
// CSRF header equal to the CSRF cookie and an origin authd trusts (the
// public URL's or an exact AUTH_CORS_ORIGINS one; Sec-Fetch-Site
// same-origin without Origin); otherwise 403 csrf_failed and the use case
// never runs. A token in the header or body needs no CSRF check.
func TestCookieCSRF(t *testing.T) {
	t.Parallel()
	const tok = "CSRFTOKENCSRFTOKENCSRFTOKE"
	for _, tc := range []struct {
		name  string
		setup func(*http.Request)
		ok    bool
	}{
		{"same origin", withCookies("r0", tok, tok, testPublicURL), true},
		{"allowed CORS origin", withCookies("r0", tok, tok, "https://APP.example:443"), true},
		{"no Origin, same-origin fetch", func(r *http.Request) {
			withCookies("r0", tok, tok, "")(r)
			r.Header.Set("Sec-Fetch-Site", "same-origin")
		}, true},
		{"no browser headers at all", withCookies("r0", tok, tok, ""), true},
		{"no header", withCookies("r0", tok, "", testPublicURL), false},
		{"no CSRF cookie", withCookies("r0", "", tok, testPublicURL), false},
		{"wrong header", withCookies("r0", tok, tok[:25]+"X", testPublicURL), false},
		{"another origin", withCookies("r0", tok, tok, "http://authd.test:8081"), false},
		{"a wildcard is no trust", withCookies("r0", tok, tok, "https://evil.example"), false},
		{"origin null", withCookies("r0", tok, tok, "null"), false},
		{"no Origin, same-site form", func(r *http.Request) {
			withCookies("r0", tok, tok, "")(r)
			r.Header.Set("Sec-Fetch-Site", "same-site")
		}, false},
		{"two CSRF cookies", func(r *http.Request) {
			withCookies("r0", tok, tok, testPublicURL)(r)
			r.AddCookie(&http.Cookie{Name: CSRFCookie, Value: tok})
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, path := range []string{"/refresh/", "/logout/"} {
				var presented []string
				h := cookieHandler(t, cookieAuth(&presented), Deps{CORSOrigins: []string{"https://app.example", "*"}})
				w := send(h, "POST", path, "", tc.setup)
				if tc.ok {
					assert.Less(t, w.Code, 300, "%s %s", path, w.Body.String())
					assert.Equal(t, []string{"r0"}, presented, path)
					continue
				}
				assert.Equal(t, 403, w.Code, path)
				assert.Equal(t, "csrf_failed", bodyOf(t, w)["error"])
				assert.Empty(t, presented, "nothing rotated or ended")
				assert.Empty(t, w.Result().Cookies(), "the cookies stay as they were")
			}
		})
	}

	t.Run("a token in the header or body needs no CSRF", func(t *testing.T) {
		var presented []string
		h := cookieHandler(t, cookieAuth(&presented), Deps{})
		w := send(h, "POST", "/refresh/", "", withCookies("r0", "", "", "http://evil.example"),
			func(r *http.Request) { r.Header.Set("Authorization", "Bearer header.token") })
		assert.Equal(t, 200, w.Code)
		w = send(h, "POST", "/refresh/", `{"refresh":"body.token"}`, withCookies("r0", "", "", ""))
		assert.Equal(t, 200, w.Code)
		assert.Equal(t, []string{"header.token", "body.token"}, presented, "the cookie is the last resort")
		assert.Equal(t, "refresh.2", bodyOf(t, w)["refresh"], "and the answer is the seed's")
	})
}

// TestCookieRotationAndEnd: a refresh by cookie rewrites the cookies (the
// new refresh token, the same CSRF token, the access cookie when the
// request had one); reuse detection, revocation and logout clear every
// cookie; a DPoP error keeps them, since a proof can still come.
func TestCookieRotationAndEnd(t *testing.T) {
	t.Parallel()
	const tok = "CSRFTOKENCSRFTOKENCSRFTOKE"
	var presented []string
	auth := cookieAuth(&presented)
	h := cookieHandler(t, auth, Deps{})
	own := withCookies("r0", tok, tok, testPublicURL)

	w := send(h, "POST", "/refresh/", "", own, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: AccessCookie, Value: "a0"}) })
	require.Equal(t, 200, w.Code)
	c := cookiesOf(w)
	assert.Equal(t, "refresh.1", c[RefreshCookie+" /refresh/"].Value)
	assert.Equal(t, "refresh.1", c[RefreshCookie+" /logout/"].Value)
	assert.Equal(t, tok, c[CSRFCookie+" /"].Value, "the CSRF token is kept")
	assert.Equal(t, tok, bodyOf(t, w)["csrf_token"])
	assert.Equal(t, "access.1", c[AccessCookie+" /"].Value, `"both" is kept`)
	assert.NotContains(t, bodyOf(t, w), "refresh")
	w = send(h, "POST", "/refresh/", "", withCookies("r1", "mine", "mine", testPublicURL))
	require.Equal(t, 200, w.Code)
	assert.Regexp(t, `^[A-Z2-7]{26}$`, cookiesOf(w)[CSRFCookie+" /"].Value, "a CSRF token authd did not make is replaced")

	cleared := func(w *httptest.ResponseRecorder) bool {
		c := cookiesOf(w)
		for _, k := range []string{RefreshCookie + " /refresh/", RefreshCookie + " /logout/", CSRFCookie + " /", AccessCookie + " /"} {
			if c[k] == nil || c[k].MaxAge >= 0 || c[k].Value != "" {
				return false
			}
		}
		return true
	}
	auth.refresh = func(context.Context, string) (domain.TokenPair, error) {
		return domain.TokenPair{}, domain.ErrRefreshReused
	}
	w = send(h, "POST", "/refresh/", "", own)
	assert.Equal(t, 401, w.Code)
	assert.True(t, cleared(w), "reuse detected: %v", w.Header().Values("Set-Cookie"))

	auth.refresh = func(context.Context, string) (domain.TokenPair, error) {
		return domain.TokenPair{}, domain.InvalidProof("the token is bound and no proof came")
	}
	w = send(h, "POST", "/refresh/", "", own)
	assert.Equal(t, 401, w.Code)
	assert.Empty(t, w.Result().Cookies(), "a DPoP error keeps the cookies")

	w = send(h, "POST", "/logout/", "", own)
	assert.Equal(t, 204, w.Code)
	assert.True(t, cleared(w), "logout")
	assert.Empty(t, send(h, "POST", "/logout/", `{"refresh":"r9"}`).Result().Cookies(), "the seed's logout sets no cookie")
}

// TestAccessCookie: /protected/ and /auth/verify take the access cookie
// when there is no Authorization header (which wins otherwise), in the
// DPoP scheme when a proof comes with it; DELETE /sessions/{id} with the
// cookie needs the CSRF check and clears the cookies when it revokes the
// caller's own session.
func TestAccessCookie(t *testing.T) {
	t.Parallel()
	const tok = "CSRFTOKENCSRFTOKENCSRFTOKE"
	var presented []string
	auth := cookieAuth(&presented)
	h := cookieHandler(t, auth, Deps{})
	access := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: AccessCookie, Value: "a.cookie"}) }

	assert.Equal(t, 200, send(h, "GET", "/protected/", "", access).Code)
	assert.Equal(t, "", auth.lastProof.Scheme)
	assert.Equal(t, 200, send(h, "GET", "/auth/verify", "", access, func(r *http.Request) { r.Header.Set("DPoP", "proof") }).Code)
	assert.Equal(t, domain.DPoPScheme, auth.lastProof.Scheme, "a cookie with a proof is a DPoP presentation")
	assert.Equal(t, 200, send(h, "POST", "/auth/verify", "", access).Code, "verify changes nothing: no CSRF check")
	assert.Equal(t, 200, send(h, "GET", "/protected/", "", access, func(r *http.Request) { r.Header.Set("Authorization", "Bearer a.header") }).Code)
	assert.Equal(t, []string{"a.cookie", "a.cookie", "a.cookie", "a.header"}, presented)

	w := send(h, "DELETE", "/sessions/s1", "", access)
	assert.Equal(t, 403, w.Code)
	assert.Equal(t, "csrf_failed", bodyOf(t, w)["error"])
	w = send(h, "DELETE", "/sessions/s2", "", access, withCookies("", tok, tok, testPublicURL))
	assert.Equal(t, 204, w.Code)
	assert.Empty(t, w.Result().Cookies(), "another session: the caller's cookies stay")
	w = send(h, "DELETE", "/sessions/s1", "", access, withCookies("", tok, tok, testPublicURL))
	assert.Equal(t, 204, w.Code)
	assert.Len(t, w.Result().Cookies(), 4, "its own session: every cookie cleared")
}

// TestCORSCredentials: an exact origin of AUTH_CORS_ORIGINS gets its own
// origin and Access-Control-Allow-Credentials, and may send X-CSRF-Token;
// any other origin, under "*" too, never gets credentials.
func TestCORSCredentials(t *testing.T) {
	t.Parallel()
	var presented []string
	h := cookieHandler(t, cookieAuth(&presented), Deps{CORSOrigins: []string{"https://app.example", "*"}})
	pre := func(origin string) *httptest.ResponseRecorder {
		return send(h, "OPTIONS", "/refresh/", "", func(r *http.Request) {
			r.Header.Set("Origin", origin)
			r.Header.Set("Access-Control-Request-Method", "POST")
			r.Header.Set("Access-Control-Request-Headers", "X-CSRF-Token")
		})
	}
	w := pre("https://app.example")
	assert.Equal(t, "https://app.example", w.Header().Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "true", w.Header().Get("Access-Control-Allow-Credentials"))
	assert.Contains(t, strings.ToLower(w.Header().Get("Access-Control-Allow-Headers")), "x-csrf-token")
	w = pre("https://other.example")
	assert.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"))
	assert.Empty(t, w.Header().Get("Access-Control-Allow-Credentials"), "never with *")

	only := cookieHandler(t, cookieAuth(&presented), Deps{CORSOrigins: []string{"https://app.example"}})
	w = send(only, "GET", "/protected/", "", func(r *http.Request) { r.Header.Set("Origin", "https://other.example") })
	assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))
	assert.Empty(t, w.Header().Get("Access-Control-Allow-Credentials"))
	w = send(only, "GET", "/protected/", "", func(r *http.Request) { r.Header.Set("Origin", "https://app.example") })
	assert.Equal(t, "true", w.Header().Get("Access-Control-Allow-Credentials"))
}
