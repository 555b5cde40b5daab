package httpapi

import (
	"net/http"

	"github.com/authd/authd/domain"
)

// tokenResponse is the contract's token response (docs/contract.md §3);
// a login's also carries its device token.
type tokenResponse struct {
	Access           string `json:"access"`
	Refresh          string `json:"refresh"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	DeviceToken      string `json:"device_token,omitempty"`
}

// writeTokens answers 200 with the pair, marked never to be cached.
func writeTokens(w http.ResponseWriter, r *http.Request, p domain.TokenPair) {
	noteUser(r, p.UserID)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tokenResponse{
		Access: p.Access, Refresh: p.Refresh, TokenType: tokenType(p),
		ExpiresIn: p.AccessExpiresIn, RefreshExpiresIn: p.RefreshExpiresIn, DeviceToken: p.DeviceToken,
	})
}

// handleLogin serves POST /login/: {"username","password"} → token pair.
// The device token of an earlier login comes as the body's device_token or
// the authd_device cookie; a successful login returns a new one in both.
func (s *server) handleLogin() http.Handler {
	type request struct {
		Username    *string `json:"username"`
		Password    *string `json:"password"`
		DeviceToken *string `json:"device_token"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		writeTokens(w, r, pair)
	})
}

// refreshRequest is the optional body of /refresh/ and /logout/; All
// matters to /logout/ only.
type refreshRequest struct {
	Refresh *string `json:"refresh"`
	All     bool    `json:"all"`
}

// readRefreshRequest decodes the optional body, finds the refresh token in
// it or in the Authorization header, and reads the DPoP proof.
func (s *server) readRefreshRequest(w http.ResponseWriter, r *http.Request) (string, refreshRequest, domain.ProofRequest, error) {
	var req refreshRequest
	if hasBody(r) {
		if err := decode(w, r, &req); err != nil {
			return "", req, domain.ProofRequest{}, err
		}
	}
	token, scheme, err := refreshToken(r, req.Refresh)
	if err != nil {
		return "", req, domain.ProofRequest{}, err
	}
	dpop, err := s.proofRequest(r, scheme)
	return token, req, dpop, err
}

// handleRefresh serves POST /refresh/: the refresh token in the
// Authorization header (as the seed) or as {"refresh": "..."} → a new pair.
// A refresh token of another OAuth client than "authd" is invalid_token
// here, and its session does not change.
func (s *server) handleRefresh() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, _, dpop, err := s.readRefreshRequest(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		// The seed's endpoint speaks for authd's own public client: tokens
		// of /login/ (no client_id) and of the client "authd" refresh here;
		// a token issued to another OAuth client, a confidential one above
		// all, refreshes only at /oauth/token with that client's secret.
		pair, err := s.auth.Refresh(r.Context(), token, DefaultClientID, dpop)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeTokens(w, r, pair)
	})
}

// handleLogout serves POST /logout/: the refresh token as for /refresh/
// (the session's current one), and {"all": true} to end every session of
// the user → 204.
func (s *server) handleLogout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, req, dpop, err := s.readRefreshRequest(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		// As at /refresh/: the seed's endpoint speaks for authd's own
		// public client; another client's token is refused here.
		if err := s.auth.Logout(r.Context(), token, DefaultClientID, req.All, dpop); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
