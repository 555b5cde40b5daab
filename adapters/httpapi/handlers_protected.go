package httpapi

import (
	"net/http"
	"time"

	"github.com/authd/authd/domain"
	"github.com/go-chi/chi/v5"
)

// authenticate returns the principal of the request's user access token,
// sent as a Bearer token or as a DPoP-bound one with its proof, or in the
// access cookie (with the CSRF check for a state-changing method), or
// answers the error (403 insufficient_scope for a service token) and
// returns false.
func (s *server) authenticate(w http.ResponseWriter, r *http.Request) (domain.Principal, bool) {
	p, _, ok := s.authenticateWith(w, r, s.proofRequest, !safeMethod(r.Method))
	if !ok {
		return p, false
	}
	// Every route that authenticates this way is a user's (/protected/,
	// /sessions/, /userinfo): a service token is valid but grants none of
	// them (RFC 6750 §3.1). /auth/verify calls authenticateWith and takes it.
	if err := p.RequireUser(); err != nil {
		s.writeError(w, r, err)
		return domain.Principal{}, false
	}
	return p, true
}

// authenticateWith is authenticate with the function that finds which
// request the proof must name, and whether a token from the access cookie
// must pass the CSRF check. It also reports whether the token came from the
// cookie.
func (s *server) authenticateWith(w http.ResponseWriter, r *http.Request,
	proof func(*http.Request, string) (domain.ProofRequest, error), csrf bool) (domain.Principal, bool, bool) {
	token, scheme, byCookie, err := s.accessToken(r, csrf)
	if err == nil {
		var dpop domain.ProofRequest
		if dpop, err = proof(r, scheme); err == nil {
			var p domain.Principal
			if p, err = s.auth.Authenticate(r.Context(), token, dpop); err == nil {
				noteUser(r, p.UserID)
				return p, byCookie, true
			}
		}
	}
	s.writeError(w, r, err)
	return domain.Principal{}, false, false
}

// accessToken returns the request's access token and its scheme: the
// Authorization header's, or, when there is no Authorization header, the
// access cookie's, which passes with the CSRF check when csrf is set. A
// cookie's token with a DPoP proof beside it is presented in the DPoP
// scheme, so a bound session's cookie still needs its key's proof.
func (s *server) accessToken(r *http.Request, csrf bool) (token, scheme string, byCookie bool, err error) {
	if len(r.Header.Values("Authorization")) > 0 {
		token, scheme, err = authorization(r)
		return token, scheme, false, err
	}
	if token, err = oneCookie(r, AccessCookie); err != nil || token == "" {
		return "", "", false, err
	}
	if csrf {
		if err := s.checkCSRF(r); err != nil {
			return "", "", false, err
		}
	}
	if len(r.Header.Values("DPoP")) > 0 {
		scheme = domain.DPoPScheme
	}
	return token, scheme, true, nil
}

// handleProtected serves GET /protected/: who the access token belongs to,
// with the seed's message.
func (s *server) handleProtected() http.Handler {
	type user struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	}
	type response struct {
		Message string `json:"message"`
		User    user   `json:"user"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		writeJSON(w, http.StatusOK, response{
			Message: p.Username + " 의 토큰을 사용해서 로그인된 상태입니다.",
			User:    user{ID: p.UserID, Username: p.Username},
		})
	})
}

// handleUnprotected serves GET /unprotected/, open to everyone.
func handleUnprotected() http.Handler {
	body := map[string]string{"message": "JWT 인증 정보 없이도 조회가 가능한 데이터입니다."}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, body)
	})
}

// handleSessions serves GET /sessions/: the caller's live sessions.
func (s *server) handleSessions() http.Handler {
	type session struct {
		ID         string `json:"id"`
		CreatedAt  string `json:"created_at"`
		LastUsedAt string `json:"last_used_at"`
		ExpiresAt  string `json:"expires_at"`
		Current    bool   `json:"current"`
	}
	type response struct {
		Sessions []session `json:"sessions"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		list, err := s.auth.Sessions(r.Context(), p)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out := response{Sessions: make([]session, 0, len(list))}
		for _, s := range list {
			out.Sessions = append(out.Sessions, session{
				ID: s.ID, CreatedAt: s.CreatedAt.Format(time.RFC3339), LastUsedAt: s.LastUsedAt.Format(time.RFC3339),
				ExpiresAt: s.ExpiresAt.Format(time.RFC3339), Current: s.Current,
			})
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// handleDeleteSession serves DELETE /sessions/{id}/: revoke one of the
// caller's own sessions → 204; another user's → 404. A caller who
// authenticated with the access cookie and revoked its own session gets
// its cookies cleared.
func (s *server) handleDeleteSession() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, byCookie, ok := s.authenticateWith(w, r, s.proofRequest, true)
		if !ok {
			return
		}
		id := chi.URLParam(r, "id")
		if err := s.auth.RevokeSession(r.Context(), p, id); err != nil {
			s.writeError(w, r, err)
			return
		}
		if byCookie && id == p.SessionID {
			s.clearTokenCookies(w, r)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
