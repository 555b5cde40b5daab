package httpapi

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

//go:embed loginpage/page.html
var loginFiles embed.FS

var loginTemplate = template.Must(template.ParseFS(loginFiles, "loginpage/page.html"))

// pageText is the login page's text in one language.
type pageText struct {
	Title, SignInTo, Username, Password, Submit string
	// The logout confirmation's heading, question and button.
	SignOutTitle, SignOutAsk, SignOutSubmit string
	// The messages the page can show.
	Wrong, Missing, Throttled, Unavailable, BadRequest, CSRF, SignedOut string
}

// pageTexts are the login page's languages: Korean by default, English
// when Accept-Language prefers it, as on every other answer of authd.
var pageTexts = map[string]pageText{
	"ko": {
		Title: "로그인", SignInTo: "다음 서비스에 로그인:", Username: "아이디", Password: "비밀번호", Submit: "로그인",
		SignOutTitle: "로그아웃", SignOutAsk: "authd에서 로그아웃할까요?", SignOutSubmit: "로그아웃",
		Wrong: "아이디와 비밀번호를 확인하세요.", Missing: "아이디와 비밀번호를 입력하세요.",
		Throttled: "로그인 시도가 너무 많습니다. %s초 후에 다시 시도하세요.", Unavailable: "서비스를 잠시 사용할 수 없습니다. 잠시 후 다시 시도하세요.",
		BadRequest: "잘못된 로그인 요청입니다: %s", CSRF: "로그인 페이지가 만료되었습니다. 다시 시도하세요.", SignedOut: "로그아웃되었습니다.",
	},
	"en": {
		Title: "Sign in", SignInTo: "Sign in to", Username: "Username", Password: "Password", Submit: "Sign in",
		SignOutTitle: "Sign out", SignOutAsk: "Sign out of authd?", SignOutSubmit: "Sign out",
		Wrong: "Check your username and password.", Missing: "Enter your username and password.",
		Throttled: "Too many attempts. Try again in %s seconds.", Unavailable: "The service is temporarily unavailable. Try again shortly.",
		BadRequest: "This sign-in request is invalid: %s", CSRF: "The sign-in page expired. Please try again.", SignedOut: "You are signed out.",
	},
}

// loginView is what the template shows: the login form when Action is
// set, the logout confirmation (a form posting Params back with the CSRF
// token) when Confirm is, else the message alone.
type loginView struct {
	Lang, Nonce, Client, Message, Action, CSRF, Username string
	Confirm                                              bool
	Params                                               []formParam
	T                                                    pageText
}

// formParam is a hidden field of a form the page posts back.
type formParam struct{ Name, Value string }

// textOf returns the page text of the request's language and its tag.
func textOf(r *http.Request) (pageText, string) {
	if prefersEnglish(r.Header.Get("Accept-Language")) {
		return pageTexts["en"], "en"
	}
	return pageTexts["ko"], "ko"
}

// randomToken returns 256 random bits in base64url.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// pageCSP is the login page's Content-Security-Policy: nothing but its own
// inline style (by nonce) and a form posting to itself, never in a frame
// (clickjacking, frame-ancestors 'none'), no base URI. The form's answer
// redirects to the client, which form-action must allow too (browsers
// apply it to the redirect), so target, the redirect URI's origin (or
// scheme, for a native app's), is added.
func pageCSP(nonce, target string) string {
	form := "'self'"
	if target != "" {
		form += " " + target
	}
	return "default-src 'none'; style-src 'nonce-" + nonce + "'; img-src 'self' data:; form-action " + form +
		"; frame-ancestors 'none'; base-uri 'none'"
}

// formTarget is what form-action must allow for a redirect to uri: its
// origin for http(s), its scheme for a private-use one.
func formTarget(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" {
		return ""
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + ":"
}

// writePage renders the login page (or, without an action, a page with the
// message only) with its security headers.
func (s *server) writePage(w http.ResponseWriter, r *http.Request, status int, v loginView, redirectURI string) {
	t, lang := textOf(r)
	v.T, v.Lang, v.Nonce = t, lang, randomToken()
	var buf bytes.Buffer
	if err := loginTemplate.Execute(&buf, v); err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP(v.Nonce, formTarget(redirectURI)))
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin") // no Referer to the client; Origin kept on the form post
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage answers a request that must not be redirected (an unknown
// client, a redirect URI that is not registered, RFC 6749 §4.1.2.1) with
// the page and the reason, in English (ASCII, like error_description).
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, status int, reason string) {
	t, _ := textOf(r)
	noteError(r, errAuthorizeRefused, status)
	s.writePage(w, r, status, loginView{Message: strings.Replace(t.BadRequest, "%s", reason, 1)}, "")
}

// throttledText is the throttle's message with the wait in seconds.
func throttledText(t pageText, seconds int) string {
	return strings.Replace(t.Throttled, "%s", strconv.Itoa(seconds), 1)
}
