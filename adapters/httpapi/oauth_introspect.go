package httpapi

import (
	"errors"
	"net/http"

	"github.com/authd/authd/domain"
)

// introspection is the response of RFC 7662 §2.2. Inactive tokens get only
// {"active": false}.
type introspection struct {
	Active    bool   `json:"active"`
	Subject   string `json:"sub,omitempty"`
	Username  string `json:"username,omitempty"`
	SessionID string `json:"sid,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	TokenUse  string `json:"token_use,omitempty"`
	ExpiresAt int64  `json:"exp,omitempty"`
	IssuedAt  int64  `json:"iat,omitempty"`
	NotBefore int64  `json:"nbf,omitempty"`
	Issuer    string `json:"iss,omitempty"`
	Audience  string `json:"aud,omitempty"`
	ID        string `json:"jti,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Scope     string `json:"scope,omitempty"`
	Cnf       *struct {
		JKT string `json:"jkt"`
	} `json:"cnf,omitempty"`
}

// handleOAuthIntrospect serves POST /oauth/introspect/ (RFC 7662) to clients
// allowed to introspect. A token is active exactly when the use cases
// accept it at this instant: an access token when /protected/ would, a
// refresh token while it is its session's current one.
func (s *server) handleOAuthIntrospect() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := s.introspect(w, r)
		if err != nil {
			writeOAuthError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, out)
	})
}

// introspect authenticates the client, which must be allowed to
// introspect, and answers what the token is at this instant.
func (s *server) introspect(w http.ResponseWriter, r *http.Request) (introspection, error) {
	form, err := readForm(w, r)
	if err != nil {
		return introspection{}, err
	}
	client, err := s.clients.authenticate(r, form)
	if err != nil {
		return introspection{}, err
	}
	if !client.Introspect {
		return introspection{}, errInvalidClient
	}
	if !form.Has("token") {
		return introspection{}, &domain.RequestError{Reason: "token is required"}
	}
	c, err := s.auth.Introspect(r.Context(), form.Get("token"), tokenHint(form))
	if errors.Is(err, domain.ErrUnavailable) {
		return introspection{}, err
	}
	if err != nil {
		return introspection{Active: false}, nil
	}
	out := introspection{
		Active: true, Subject: c.Subject, Username: c.Username, SessionID: c.SessionID,
		TokenType: "Bearer", TokenUse: "access_token",
		ExpiresAt: c.ExpiresAt.Unix(), IssuedAt: c.IssuedAt.Unix(), NotBefore: c.NotBefore.Unix(),
		Issuer: c.Issuer, Audience: c.Audience, ID: c.ID, ClientID: c.ClientID, Scope: c.Scope,
	}
	if c.JKT != "" {
		// RFC 9449 §6.2: the binding, for a resource server to check the
		// proof against.
		out.TokenType = domain.DPoPScheme
		out.Cnf = &struct {
			JKT string `json:"jkt"`
		}{c.JKT}
	}
	if c.Kind == domain.Refresh {
		// token_type stays the RFC 6749 §7.1 type the token is used with
		// (Bearer, or DPoP for a bound session); token_use says which
		// token it is.
		out.TokenUse = "refresh_token"
	}
	return out, nil
}
