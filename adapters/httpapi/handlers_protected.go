package httpapi

import (
	"net/http"
	"time"

	"github.com/authd/authd/domain"
	"github.com/go-chi/chi/v5"
)

// authenticate returns the principal of the request's access token, sent
// as a Bearer token or as a DPoP-bound one with its proof, or answers the
// error and returns false.
func (s *server) authenticate(w http.ResponseWriter, r *http.Request) (domain.Principal, bool) {
	return s.authenticateWith(w, r, s.proofRequest)
}

// authenticateWith is authenticate with the function that finds which
// request the proof must name.
func (s *server) authenticateWith(w http.ResponseWriter, r *http.Request,
	proof func(*http.Request, string) (domain.ProofRequest, error)) (domain.Principal, bool) {
	token, scheme, err := authorization(r)
	if err == nil {
		var dpop domain.ProofRequest
		if dpop, err = proof(r, scheme); err == nil {
			var p domain.Principal
			if p, err = s.auth.Authenticate(r.Context(), token, dpop); err == nil {
				noteUser(r, p.UserID)
				return p, true
			}
		}
	}
	s.writeError(w, r, err)
	return domain.Principal{}, false
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
// caller's own sessions → 204; another user's → 404.
func (s *server) handleDeleteSession() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		if err := s.auth.RevokeSession(r.Context(), p, chi.URLParam(r, "id")); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
