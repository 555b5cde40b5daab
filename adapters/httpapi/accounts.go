package httpapi

import (
	"net/http"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/go-chi/chi/v5/middleware"
)

// requestFacts names the request to the use cases, for their audit events:
// its id and the client address the throttle sees.
func requestFacts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := domain.WithRequest(r.Context(), domain.Request{ID: middleware.GetReqID(r.Context()), ClientIP: clientIP(r)})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// handleSignUp serves POST /signup/: {"username","password"} → 201 with the
// body /login/ answers, the new user logged in. A DPoP proof binds the
// session as at /login/; "cookie" chooses the transport as at /login/.
func (s *server) handleSignUp(accounts ports.AccountService) http.Handler {
	type request struct {
		Username *string      `json:"username"`
		Password *string      `json:"password"`
		Cookie   cookieChoice `json:"cookie"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A sign-up spends an argon2id hash as a login does: refused by the
		// same admission before its body is read.
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
		dpop, err := s.proofRequest(r, "")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		pair, err := accounts.SignUp(r.Context(), cred, clientIP(r), dpop)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeTokensStatus(w, r, http.StatusCreated, pair, s.placeFor(r, req.Cookie, false), "")
	})
}

// handlePassword serves POST /password/: the access token (Bearer, or
// DPoP with its proof) and {"current_password","new_password"} → 204.
// Every other session of the user ends; the caller's goes on.
func (s *server) handlePassword(accounts ports.AccountService) http.Handler {
	type request struct {
		Current *string `json:"current_password"`
		New     *string `json:"new_password"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A password change spends argon2id hashes (the current password's
		// check, the new one's hash): refused by the login admission before
		// its body is read, as a login is.
		if err := s.admitLogin(); err != nil {
			s.writeError(w, r, err)
			return
		}
		token, scheme, err := authorization(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		dpop, err := s.proofRequest(r, scheme)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var req request
		if err := decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		var current, next string
		if req.Current != nil {
			current = *req.Current
		}
		if req.New != nil {
			next = *req.New
		}
		if err := accounts.ChangePassword(r.Context(), token, dpop, current, next, clientIP(r)); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
