package httpapi

import (
	"net/http"

	"github.com/authd/authd/domain"
)

// handleLogin serves POST /login/: {"username","password"} → token pair,
// in the body or, with "cookie" (or AUTH_COOKIES), in cookies (placeFor).
// The device token of an earlier login comes as the body's device_token or
// the authd_device cookie; a successful login returns a new one in both.
func (s *server) handleLogin() http.Handler {
	type request struct {
		Username    *string      `json:"username"`
		Password    *string      `json:"password"`
		DeviceToken *string      `json:"device_token"`
		Cookie      cookieChoice `json:"cookie"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A login that cannot be hashed now is answered before its body is
		// read: the flood it belongs to costs no parsing and no throttle
		// record.
		if err := s.admitLogin(); err != nil {
			s.writeError(w, r, err)
			return
		}
		var req request
		if err := decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		var cred domain.Credentials
		if req.Username != nil {
			cred.Username = *req.Username
		}
		if req.Password != nil {
			cred.Password = *req.Password
		}
		cred.DeviceToken = deviceToken(r, req.DeviceToken)
		dpop, err := s.proofRequest(r, "")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		ip := clientIP(r)
		pair, err := s.auth.Login(r.Context(), cred, ip, dpop)
		if err != nil {
			noteFailedLogin(r, ip, err)
			s.writeError(w, r, err)
			return
		}
		if pair.DeviceToken != "" {
			s.setDeviceCookie(w, r, pair.DeviceToken, pair.DeviceExpiresIn)
		}
		s.writeTokens(w, r, pair, s.placeFor(r, req.Cookie, false), "")
	})
}

// refreshRequest is the optional body of /refresh/ and /logout/; All
// matters to /logout/ only.
type refreshRequest struct {
	Refresh *string      `json:"refresh"`
	All     bool         `json:"all"`
	Cookie  cookieChoice `json:"cookie"`
}

// refreshRead is what a /refresh/ or /logout/ request presents: its
// refresh token, its body, its DPoP proof, where its answer's tokens go,
// and, when the token came in the refresh cookie, the CSRF token the
// request passed the check with, which the answer keeps.
type refreshRead struct {
	token string
	body  refreshRequest
	dpop  domain.ProofRequest
	place placement
	csrf  string
}

// readRefreshRequest decodes the optional body and finds the refresh
// token: in the Authorization header or the body's "refresh" member, or,
// when neither has one, in the refresh cookie, which only a request that
// passes the CSRF check may use. Then it reads the DPoP proof.
func (s *server) readRefreshRequest(w http.ResponseWriter, r *http.Request) (refreshRead, error) {
	var rr refreshRead
	if hasBody(r) {
		if err := decode(w, r, &rr.body); err != nil {
			return rr, err
		}
	}
	token, scheme, err := refreshToken(r, rr.body.Refresh)
	if err != nil {
		return rr, err
	}
	byCookie := false
	if token == "" && len(r.Header.Values("Authorization")) == 0 && rr.body.Refresh == nil {
		if token, err = oneCookie(r, RefreshCookie); err != nil {
			return rr, err
		}
		if byCookie = token != ""; byCookie {
			if err := s.checkCSRF(r); err != nil {
				return rr, err
			}
			if csrf, _ := oneCookie(r, CSRFCookie); wellFormedCSRF(csrf) {
				rr.csrf = csrf // kept, so every tab of the app keeps a valid one
			}
		}
	}
	rr.token, rr.place = token, s.placeFor(r, rr.body.Cookie, byCookie)
	rr.dpop, err = s.proofRequest(r, scheme)
	return rr, err
}

// handleRefresh serves POST /refresh/: the refresh token in the
// Authorization header (as the seed), as {"refresh": "..."} or in the
// refresh cookie → a new pair, where placeFor says. A refresh token of
// another OAuth client than "authd" is invalid_token here, and its session
// does not change. A cookie whose session ended (reuse detected, revoked,
// expired) is cleared.
func (s *server) handleRefresh() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rr, err := s.readRefreshRequest(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		// The seed's endpoint speaks for authd's own public client: tokens
		// of /login/ (no client_id) and of the client "authd" refresh here;
		// a token issued to another OAuth client, a confidential one above
		// all, refreshes only at /oauth/token with that client's secret.
		pair, err := s.auth.Refresh(r.Context(), rr.token, DefaultClientID, rr.dpop)
		if err != nil {
			if rr.place != inBody && endsCookieSession(err) {
				s.clearTokenCookies(w, r)
			}
			s.writeError(w, r, err)
			return
		}
		s.writeTokens(w, r, pair, rr.place, rr.csrf)
	})
}

// handleLogout serves POST /logout/: the refresh token as for /refresh/
// (the session's current one), and {"all": true} to end every session of
// the user → 204, clearing the cookies in cookie mode.
func (s *server) handleLogout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rr, err := s.readRefreshRequest(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		// As at /refresh/: the seed's endpoint speaks for authd's own
		// public client; another client's token is refused here.
		err = s.auth.Logout(r.Context(), rr.token, DefaultClientID, rr.body.All, rr.dpop)
		if rr.place != inBody && (err == nil || endsCookieSession(err)) {
			s.clearTokenCookies(w, r)
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
