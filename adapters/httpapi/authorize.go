package httpapi

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/authd/authd/domain"
)

// The cookies of the login page: the single sign-on session (HttpOnly,
// SameSite=Lax so that a client's top-level redirect to /oauth/authorize
// carries it, Secure over https), and the login form's CSRF token
// (double-submit: the form's hidden field must equal it).
const (
	SSOCookie       = "authd_sso"
	LoginCSRFCookie = "authd_login_csrf"
)

// errAuthorizeRefused marks, for the access log, an authorization request
// answered with the error page.
var errAuthorizeRefused = errors.New("authorization request refused")

// maxParam bounds state, nonce and the other free-text parameters of an
// authorization request.
const maxParam = 512

// authRequest is an authorization request that passed the checks needed
// to answer it at all: a known client and one of its redirect URIs.
type authRequest struct {
	client   OAuthClient
	redirect string
	state    string
	query    string // the request's raw query, for the login form's action
	req      domain.AuthRequest
	prompt   string
}

// authError is an authorization error for the client (RFC 6749 §4.1.2.1).
type authError struct{ code, description string }

// readAuthRequest checks an authorization request (RFC 6749 §4.1.1 with
// OAuth 2.1's rules and OIDC Core §3.1.2.1). It returns a reason for the
// error page when the client or redirect URI cannot be trusted with a
// redirect; else the request and, for an error the client must hear, an
// authError.
func (s *server) readAuthRequest(q url.Values) (authRequest, *authError, string) {
	for name, v := range q {
		if len(v) > 1 {
			if name == "client_id" || name == "redirect_uri" {
				return authRequest{}, nil, name + " is repeated"
			}
		}
	}
	client, ok := s.clients.byID[q.Get("client_id")]
	if !ok {
		return authRequest{}, nil, "unknown client_id"
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" || !client.AllowsRedirect(redirect) {
		return authRequest{}, nil, "redirect_uri is not registered for this client"
	}
	a := authRequest{client: client, redirect: redirect, state: q.Get("state")}
	fail := func(code, d string) (authRequest, *authError, string) { return a, &authError{code, d}, "" }
	for name, v := range q {
		if len(v) > 1 {
			return fail("invalid_request", "parameter "+name+" is repeated")
		}
		if len(v[0]) > maxParam {
			return fail("invalid_request", "parameter "+name+" is too long")
		}
	}
	if len(a.state) > maxParam {
		a.state = ""
	}
	switch {
	case q.Has("request"):
		return fail("request_not_supported", "request objects are not supported")
	case q.Has("request_uri"):
		return fail("request_uri_not_supported", "request_uri is not supported")
	case q.Get("response_type") != "code":
		return fail("unsupported_response_type", "response_type must be code")
	case !client.Allows(GrantAuthorizationCode):
		return fail("unauthorized_client", "this client may not use the authorization code grant")
	case q.Get("code_challenge") == "":
		return fail("invalid_request", "code_challenge is required (PKCE, S256)")
	case q.Get("code_challenge_method") != "S256":
		return fail("invalid_request", "code_challenge_method must be S256")
	case !domain.ValidChallenge(q.Get("code_challenge")):
		return fail("invalid_request", "code_challenge must be the base64url SHA-256 of the verifier")
	case q.Has("response_mode") && q.Get("response_mode") != "query":
		return fail("invalid_request", "response_mode must be query")
	case q.Has("dpop_jkt") && !domain.ValidChallenge(q.Get("dpop_jkt")):
		return fail("invalid_request", "dpop_jkt must be a base64url SHA-256 thumbprint")
	}
	scope, err := client.GrantScope(q.Get("scope"))
	if err != nil {
		return fail("invalid_scope", "a requested scope is not allowed for this client")
	}
	maxAge := time.Duration(-1)
	if q.Has("max_age") {
		n, err := strconv.ParseUint(q.Get("max_age"), 10, 31)
		if err != nil {
			return fail("invalid_request", "max_age must be a whole number of seconds")
		}
		maxAge = time.Duration(n) * time.Second
	}
	for _, p := range strings.Fields(q.Get("prompt")) {
		switch p {
		case "none", "login", "consent": // a first-party client is never asked for consent
		default:
			return fail("invalid_request", "prompt may be none, login or consent")
		}
	}
	a.prompt = q.Get("prompt")
	if domain.HasScope(a.prompt, "none") && len(strings.Fields(a.prompt)) > 1 {
		return fail("invalid_request", "prompt=none cannot be combined")
	}
	a.req = domain.AuthRequest{ClientID: client.ID, RedirectURI: redirect, Challenge: q.Get("code_challenge"),
		Nonce: q.Get("nonce"), Scope: scope, MaxAge: maxAge, DPoPJKT: q.Get("dpop_jkt")}
	return a, nil, ""
}

// redirectTo sends the browser to the client's redirect URI with the
// parameters, state and iss (RFC 9207) added to its query.
func (s *server) redirectTo(w http.ResponseWriter, r *http.Request, a authRequest, params url.Values) {
	if a.state != "" {
		params.Set("state", a.state)
	}
	params.Set("iss", s.issuer)
	sep := "?"
	if strings.Contains(a.redirect, "?") {
		sep = "&"
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Location", a.redirect+sep+params.Encode())
	w.WriteHeader(http.StatusSeeOther)
}

// redirectError sends an authorization error to the client.
func (s *server) redirectError(w http.ResponseWriter, r *http.Request, a authRequest, e authError) {
	s.redirectTo(w, r, a, url.Values{"error": {e.code}, "error_description": {e.description}})
}

// handleAuthorize serves GET and POST /oauth/authorize (RFC 6749 §4.1.1,
// OIDC Core §3.1.2.1): with a live browser session that satisfies max_age
// it redirects with a code at once (single sign-on); else it shows the
// login page, or with prompt=none redirects with login_required. prompt=login
// always shows the page.
func (s *server) handleAuthorize() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, ok := s.endpointParams(w, r)
		if !ok {
			return
		}
		a, aerr, refuse := s.readAuthRequest(q)
		switch {
		case refuse != "":
			s.errorPage(w, r, http.StatusBadRequest, refuse)
			return
		case aerr != nil:
			s.redirectError(w, r, a, *aerr)
			return
		}
		a.query = q.Encode()
		if domain.HasScope(a.prompt, "login") {
			s.showLogin(w, r, a, http.StatusOK, "", "")
			return
		}
		cookie, _ := oneCookie(r, SSOCookie)
		a.req.Cookie = cookie
		code, err := s.signIn.Authorize(r.Context(), a.req)
		switch {
		case err == nil:
			s.redirectTo(w, r, a, url.Values{"code": {code}})
		case errors.Is(err, domain.ErrLoginRequired) && domain.HasScope(a.prompt, "none"):
			s.redirectError(w, r, a, authError{"login_required", "the user is not signed in"})
		case errors.Is(err, domain.ErrLoginRequired):
			s.showLogin(w, r, a, http.StatusOK, "", "")
		default:
			s.redirectError(w, r, a, s.authorizeFailure(r, err))
		}
	})
}

// authorizeFailure is the authError of a use case's error: a full store or
// an outage is temporarily_unavailable (RFC 6749 §4.1.2.1), anything else
// server_error; an internal error is noted for the access log.
func (s *server) authorizeFailure(r *http.Request, err error) authError {
	if errors.Is(err, domain.ErrUnavailable) {
		noteError(r, err, http.StatusServiceUnavailable)
		return authError{"temporarily_unavailable", "try again shortly"}
	}
	noteError(r, err, http.StatusInternalServerError)
	return authError{"server_error", "an internal error occurred"}
}

// showLogin renders the login form for the request with a fresh CSRF
// token (set as LoginCSRFCookie), and a message when set.
func (s *server) showLogin(w http.ResponseWriter, r *http.Request, a authRequest, status int, message, username string) {
	s.writePage(w, r, status, loginView{Client: a.client.ID, Message: message, Action: s.basePath + "/oauth/login?" + a.query,
		CSRF: s.pageCSRF(w, r), Username: username}, a.redirect)
}

// pageCSRF returns the CSRF token of a form on authd's pages (the login
// form, the logout confirmation) and sets it as LoginCSRFCookie. One
// token per browser, kept while it is valid, so two tabs with a page both
// work.
func (s *server) pageCSRF(w http.ResponseWriter, r *http.Request) string {
	csrf, err := oneCookie(r, LoginCSRFCookie)
	if err != nil || len(csrf) != 43 {
		csrf = randomToken()
	}
	s.setCookie(w, r, LoginCSRFCookie, csrf, s.basePath+"/oauth/", 3600, true, http.SameSiteStrictMode)
	return csrf
}

// fromOwnPage reports whether a form post comes from one of authd's pages:
// its csrf_token is the LoginCSRFCookie's (compared in constant time) and
// it comes from authd's origin (sameOrigin).
func (s *server) fromOwnPage(r *http.Request, form url.Values) bool {
	cookie, _ := oneCookie(r, LoginCSRFCookie)
	sent := form.Get("csrf_token")
	return cookie != "" && subtle.ConstantTimeCompare([]byte(cookie), []byte(sent)) == 1 && s.sameOrigin(r)
}

// sameOrigin reports whether a form post comes from authd's own page: its
// Origin is the public URL's; or, with no Origin or "null" (what a
// browser sends under a strict referrer policy), Sec-Fetch-Site says
// same-origin, or is absent (an older browser or a script, which the CSRF
// token alone then judges).
func (s *server) sameOrigin(r *http.Request) bool {
	origins := r.Header.Values("Origin")
	if len(origins) > 1 {
		return false
	}
	if len(origins) == 1 && origins[0] != "null" {
		own, err := ParseOrigin(s.publicURL)
		got, err2 := ParseOrigin(origins[0])
		return err == nil && err2 == nil && got == own
	}
	site := r.Header.Values("Sec-Fetch-Site")
	return len(site) == 0 || len(site) == 1 && site[0] == "same-origin"
}

// handleLoginPost serves POST /oauth/login?<authorization request>: the
// login form. The authorization request is checked again as at
// /oauth/authorize; the form must carry the CSRF cookie's token and come
// from authd's origin; the password goes through the same throttle and
// argon2id as /login/. A wrong password shows the page again with the
// message, the throttle's 429 shows the wait; success sets the single
// sign-on cookie and redirects to the client with a code.
func (s *server) handleLoginPost() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, aerr, refuse := s.readAuthRequest(r.URL.Query())
		switch {
		case refuse != "":
			s.errorPage(w, r, http.StatusBadRequest, refuse)
			return
		case aerr != nil:
			s.redirectError(w, r, a, *aerr)
			return
		}
		a.query = r.URL.RawQuery
		t, _ := textOf(r)
		// As on /login/: a login that cannot be hashed now is answered
		// before its body is read.
		if err := s.admitLogin(); err != nil {
			setRetryAfter(w.Header(), err, http.StatusServiceUnavailable)
			s.showLogin(w, r, a, http.StatusServiceUnavailable, t.Unavailable, "")
			return
		}
		form, err := readForm(w, r)
		if err != nil {
			s.showLogin(w, r, a, http.StatusBadRequest, t.Missing, "")
			return
		}
		if !s.fromOwnPage(r, form) {
			s.showLogin(w, r, a, http.StatusForbidden, t.CSRF, "")
			return
		}
		cred := domain.Credentials{Username: form.Get("username"), Password: form.Get("password"), ClientID: a.client.ID}
		ip := clientIP(r)
		in, err := s.signIn.SignIn(r.Context(), cred, ip)
		noteFailedLogin(r, ip, err)
		var rl *domain.RateLimitError
		switch {
		case errors.As(err, &rl):
			setRetryAfter(w.Header(), err, http.StatusTooManyRequests)
			s.showLogin(w, r, a, http.StatusTooManyRequests, throttledText(t, int((rl.RetryAfter+time.Second-1)/time.Second)), cred.Username)
			return
		case errors.Is(err, domain.ErrCredentialsMissing), errors.Is(err, domain.ErrInvalidRequest):
			s.showLogin(w, r, a, http.StatusBadRequest, t.Missing, cred.Username)
			return
		case errors.Is(err, domain.ErrInvalidCredentials):
			s.showLogin(w, r, a, http.StatusOK, t.Wrong, cred.Username)
			return
		case errors.Is(err, domain.ErrUnavailable):
			setRetryAfter(w.Header(), err, http.StatusServiceUnavailable)
			s.showLogin(w, r, a, http.StatusServiceUnavailable, t.Unavailable, cred.Username)
			return
		case err != nil:
			s.writeError(w, r, err)
			return
		}
		s.setCookie(w, r, SSOCookie, in.Cookie, s.basePath+"/oauth/", in.ExpiresIn, true, http.SameSiteLaxMode)
		s.setCookie(w, r, LoginCSRFCookie, "", s.basePath+"/oauth/", -1, true, http.SameSiteStrictMode)
		a.req.Cookie, a.req.MaxAge = in.Cookie, -1 // the password was just entered
		code, err := s.signIn.Authorize(r.Context(), a.req)
		if err != nil {
			s.redirectError(w, r, a, s.authorizeFailure(r, err))
			return
		}
		noteUser(r, in.UserID)
		s.redirectTo(w, r, a, url.Values{"code": {code}})
	})
}
