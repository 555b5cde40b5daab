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
// session of the cookie and revokes the token sessions issued through it
// when id_token_hint is an ID token of that very session, or when the user
// confirmed and logout_hint names the session's user. A request without an
// id_token_hint of the cookie's session ends nothing at once: the user is
// asked on a page whose form posts the request back with its CSRF token
// (§2: the OP MUST ask), so a cross-site link cannot sign anyone out. With
// post_logout_redirect_uri (registered for the hint's client, or
// client_id's) it redirects there with state; else it shows that the user
// is signed out.
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
		// The confirmation page posts the request back with its CSRF token.
		confirmed := r.Method == http.MethodPost && q.Has("csrf_token")
		if confirmed && !s.fromOwnPage(r, q) {
			t, _ := textOf(r)
			noteError(r, errAuthorizeRefused, http.StatusForbidden)
			s.writePage(w, r, http.StatusForbidden, loginView{Message: t.CSRF}, "")
			return
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
		_, err := s.signIn.SignOut(r.Context(), domain.SignOut{Cookie: cookie, HintSID: hint.SessionID,
			LogoutHint: q.Get("logout_hint"), Confirmed: confirmed})
		if errors.Is(err, domain.ErrLogoutUnconfirmed) {
			s.confirmLogout(w, r, q, target)
			return
		}
		if err != nil {
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

// logoutParams are the parameters of a logout request that the
// confirmation page posts back (RP-Initiated Logout §2).
var logoutParams = []string{"id_token_hint", "logout_hint", "client_id", "post_logout_redirect_uri", "state"}

// confirmLogout asks the user whether to sign out: a page whose form posts
// the logout request back to /oauth/logout with the CSRF token, which
// form-action lets redirect to target.
func (s *server) confirmLogout(w http.ResponseWriter, r *http.Request, q url.Values, target string) {
	var params []formParam
	for _, name := range logoutParams {
		if q.Has(name) {
			params = append(params, formParam{name, q.Get(name)})
		}
	}
	s.writePage(w, r, http.StatusOK, loginView{Confirm: true, Action: s.basePath + "/oauth/logout", CSRF: s.pageCSRF(w, r),
		Params: params}, target)
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
