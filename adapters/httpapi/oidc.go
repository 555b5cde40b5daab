package httpapi

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/authd/authd/domain"
)

// userInfo is the UserInfo response (OIDC Core §5.3.2).
type userInfo struct {
	Sub      string `json:"sub"`
	Username string `json:"preferred_username"`
}

// handleUserInfo serves GET and POST /userinfo (OIDC Core §5.3): the
// access token, Bearer or DPoP with its proof, through the same gate as
// /protected/, names the user.
func (s *server) handleUserInfo() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		writeJSON(w, http.StatusOK, userInfo{Sub: p.UserID, Username: p.Username})
	})
}

// handleEndSession serves GET and POST /oauth/logout, the end_session
// endpoint of OpenID Connect RP-Initiated Logout 1.0: it ends the browser
// session of the cookie and, when id_token_hint is an ID token of that very
// session, revokes the token sessions issued through it. With
// post_logout_redirect_uri (registered for the hint's client, or client_id's)
// it redirects there with state; else it shows that the user is signed out.
func (s *server) handleEndSession() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, ok := s.endpointParams(w, r)
		if !ok {
			return
		}
		for name, v := range q {
			if len(v) > 1 {
				s.errorPage(w, r, http.StatusBadRequest, "parameter "+name+" is repeated")
				return
			}
		}
		var hint domain.IDClaims
		if q.Has("id_token_hint") {
			var err error
			if hint, err = s.signIn.IDTokenHint(r.Context(), q.Get("id_token_hint")); err != nil {
				s.errorPage(w, r, http.StatusBadRequest, "id_token_hint is not an ID token of this server")
				return
			}
		}
		clientID := q.Get("client_id")
		if clientID != "" && hint.Audience != "" && clientID != hint.Audience {
			s.errorPage(w, r, http.StatusBadRequest, "client_id is not the id_token_hint's audience")
			return
		}
		if clientID == "" {
			clientID = hint.Audience
		}
		target := q.Get("post_logout_redirect_uri")
		if target != "" {
			client, ok := s.clients.byID[clientID]
			if !ok || !client.AllowsPostLogoutRedirect(target) {
				s.errorPage(w, r, http.StatusBadRequest, "post_logout_redirect_uri is not registered for this client")
				return
			}
		}
		cookie, _ := oneCookie(r, SSOCookie)
		if _, err := s.signIn.SignOut(r.Context(), cookie, hint.SessionID); err != nil {
			status := http.StatusInternalServerError
			if errors.Is(err, domain.ErrUnavailable) {
				status = http.StatusServiceUnavailable
			}
			noteError(r, err, status)
			s.errorPage(w, r, status, "the session could not be ended; try again")
			return
		}
		s.setCookie(w, r, SSOCookie, "", s.basePath+"/oauth/", -1, true, http.SameSiteLaxMode)
		if target == "" {
			t, _ := textOf(r)
			s.writePage(w, r, http.StatusOK, loginView{Message: t.SignedOut}, "")
			return
		}
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		if q.Has("state") {
			target += sep + url.Values{"state": {q.Get("state")}}.Encode()
		}
		w.Header().Set("Location", target)
		w.WriteHeader(http.StatusSeeOther)
	})
}

// endpointParams reads the parameters of an endpoint a browser reaches by
// GET or by a form POST (OIDC Core §3.1.2.1, RP-Initiated Logout §2): the
// query, or the form body for POST. A body that is not a form is answered
// with the error page and ok false.
func (s *server) endpointParams(w http.ResponseWriter, r *http.Request) (q url.Values, ok bool) {
	if r.Method != http.MethodPost {
		return r.URL.Query(), true
	}
	form, err := readForm(w, r)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "the body must be a form")
		return nil, false
	}
	return form, true
}
