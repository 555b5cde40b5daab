package httpapi

import (
	"crypto/rand"
	"errors"
	"net/http"

	"github.com/authd/authd/domain"
)

// The cookies of the cookie transport (docs/contract.md §3.1), in which a
// browser app keeps its tokens where no script can read them.
const (
	// RefreshCookie holds the refresh token: HttpOnly, SameSite=Strict,
	// sent only to /refresh/ and /logout/.
	RefreshCookie = "authd_refresh"
	// AccessCookie holds the access token when the login asked for
	// "cookie": "both": HttpOnly, SameSite=Lax, sent everywhere.
	AccessCookie = "authd_access"
	// CSRFCookie holds the CSRF token, readable by the page's script,
	// which sends it back in CSRFHeader (double submit).
	CSRFCookie = "authd_csrf"
	// CSRFHeader is the request header a cookie-authenticated
	// state-changing request carries the CSRF token in.
	CSRFHeader = "X-CSRF-Token"
)

// placement is where one answer puts its tokens.
type placement int

const (
	// inBody is the seed's way: both tokens in the JSON body, no cookie.
	inBody placement = iota
	// inCookies puts the refresh token in its cookie (and out of the
	// body), the access token in the body, the CSRF token in both.
	inCookies
	// inCookiesToo is inCookies with the access token also in its cookie.
	inCookiesToo
)

// cookieChoice is the request body's "cookie" member: absent (or null),
// true, false or "both".
type cookieChoice struct {
	set   bool
	place placement
}

// UnmarshalJSON reads true, false, "both" or null; anything else is an
// error, which decode reports as a malformed body.
func (c *cookieChoice) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null":
		*c = cookieChoice{}
	case "true":
		*c = cookieChoice{set: true, place: inCookies}
	case "false":
		*c = cookieChoice{set: true, place: inBody}
	case `"both"`:
		*c = cookieChoice{set: true, place: inCookiesToo}
	default:
		return errors.New(`cookie must be true, false or "both"`)
	}
	return nil
}

// placeFor is the one place that decides where an answer's tokens go: as
// the body's "cookie" member says when it has one; else in cookies when
// the request presented its refresh token in the cookie (the access token
// too when the request carried it in its cookie), or when AUTH_COOKIES is
// on; else in the body, as the seed.
func (s *server) placeFor(r *http.Request, choice cookieChoice, byCookie bool) placement {
	switch {
	case choice.set:
		return choice.place
	case byCookie:
		if _, err := r.Cookie(AccessCookie); err == nil {
			return inCookiesToo
		}
		return inCookies
	case s.cookies:
		return inCookies
	}
	return inBody
}

// tokenResponse is the contract's token response (docs/contract.md §3);
// a login's also carries its device token. In cookie mode Refresh is
// empty, and so left out, and CSRFToken is set.
type tokenResponse struct {
	Access           string `json:"access"`
	Refresh          string `json:"refresh,omitempty"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	DeviceToken      string `json:"device_token,omitempty"`
	CSRFToken        string `json:"csrf_token,omitempty"`
}

// writeTokens answers 200 with the pair, marked never to be cached, its
// tokens where place says. In cookie mode it sets the cookies (see
// setTokenCookies) and the body carries the CSRF token instead of the
// refresh token; csrf is the CSRF token to keep, "" for a new one.
func (s *server) writeTokens(w http.ResponseWriter, r *http.Request, p domain.TokenPair, place placement, csrf string) {
	s.writeTokensStatus(w, r, http.StatusOK, p, place, csrf)
}

// writeTokensStatus is writeTokens with another status than 200 (201 for a
// sign-up).
func (s *server) writeTokensStatus(w http.ResponseWriter, r *http.Request, status int, p domain.TokenPair, place placement, csrf string) {
	noteUser(r, p.UserID)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	body := tokenResponse{
		Access: p.Access, Refresh: p.Refresh, TokenType: tokenType(p),
		ExpiresIn: p.AccessExpiresIn, RefreshExpiresIn: p.RefreshExpiresIn, DeviceToken: p.DeviceToken,
	}
	if place != inBody {
		if csrf == "" {
			csrf = rand.Text() // 128 bits from crypto/rand
		}
		s.setTokenCookies(w, r, p, place, csrf)
		body.Refresh, body.CSRFToken = "", csrf
	}
	writeJSON(w, status, body)
}

// setTokenCookies sets the cookie transport's cookies for the pair: the
// refresh token for the refresh and logout paths, the CSRF token for the
// whole origin, each living as long as the refresh token; with
// inCookiesToo the access token for the whole origin, living as long as
// it does, and otherwise any access cookie the browser has is cleared.
func (s *server) setTokenCookies(w http.ResponseWriter, r *http.Request, p domain.TokenPair, place placement, csrf string) {
	life := max(p.RefreshExpiresIn, 1) // Max-Age=0 would delete the cookie
	for _, path := range s.refreshPaths() {
		s.setCookie(w, r, RefreshCookie, p.Refresh, path, life, true, http.SameSiteStrictMode)
	}
	s.setCookie(w, r, CSRFCookie, csrf, s.basePath+"/", life, false, http.SameSiteStrictMode)
	switch _, err := r.Cookie(AccessCookie); {
	case place == inCookiesToo:
		s.setCookie(w, r, AccessCookie, p.Access, s.basePath+"/", max(p.AccessExpiresIn, 1), true, http.SameSiteLaxMode)
	case err == nil:
		s.setCookie(w, r, AccessCookie, "", s.basePath+"/", -1, true, http.SameSiteLaxMode)
	}
}

// clearTokenCookies deletes every cookie of the cookie transport: after a
// logout, a detected reuse, or a revocation of the caller's own session.
func (s *server) clearTokenCookies(w http.ResponseWriter, r *http.Request) {
	for _, path := range s.refreshPaths() {
		s.setCookie(w, r, RefreshCookie, "", path, -1, true, http.SameSiteStrictMode)
	}
	s.setCookie(w, r, CSRFCookie, "", s.basePath+"/", -1, false, http.SameSiteStrictMode)
	s.setCookie(w, r, AccessCookie, "", s.basePath+"/", -1, true, http.SameSiteLaxMode)
}

// refreshPaths are the paths the refresh cookie is sent to: the seed's
// /refresh/ and /logout/ below the public URL's path. A cookie has one
// path, so the refresh cookie is set once for each.
func (s *server) refreshPaths() [2]string {
	return [2]string{s.basePath + "/refresh/", s.basePath + "/logout/"}
}

// setCookie sets one cookie of the transport; maxAge -1 deletes it. It is
// Secure whenever the client reached authd over https (cameOverHTTPS).
func (s *server) setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge int64, httpOnly bool, site http.SameSite) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: int(maxAge),
		HttpOnly: httpOnly, Secure: s.cameOverHTTPS(r), SameSite: site,
	})
}

// oneCookie returns the value of the request's cookie name, "" when it has
// none. The same name twice (a cookie planted for a parent domain or
// another path beside authd's own) is refused: nobody can tell which one
// authd set.
func oneCookie(r *http.Request, name string) (string, error) {
	var found []string
	for _, c := range r.CookiesNamed(name) {
		found = append(found, c.Value)
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", domain.InvalidToken("several " + name + " cookies")
}

// endsCookieSession reports whether a refresh or logout that presented
// its token in the cookie failed in a way that ends the session for good
// (reuse detected, revoked, expired, not a token at all), so the cookies
// are cleared; a DPoP error, which the client can retry with a proof,
// keeps them.
func endsCookieSession(err error) bool {
	var pe *domain.ProofError
	if errors.As(err, &pe) {
		return false
	}
	for _, e := range []error{domain.ErrRefreshReused, domain.ErrSessionRevoked, domain.ErrSessionExpired, domain.ErrTokenExpired, domain.ErrInvalidToken} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
