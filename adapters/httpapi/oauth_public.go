package httpapi

import (
	"net/http"
	"net/url"

	"github.com/authd/authd/domain"
)

// publicRefresh reports whether a token request is a refresh_token grant
// that authenticates no client at all: no Authorization header, no
// client_id and no client_secret. RFC 6749 §3.2.1 and §6 let a public
// client send it so: the refresh token names its client
// (requests-oauthlib's auto-refresh sends none unless configured).
func publicRefresh(r *http.Request, form url.Values) bool {
	return form.Get("grant_type") == GrantRefreshToken && len(r.Header.Values("Authorization")) == 0 &&
		!form.Has("client_id") && !form.Has("client_secret")
}

// refreshAsPublicClient rotates the session of a refresh token presented
// without client authentication. It names no client to the use case,
// whose acceptance gate lets such a presentation use the token only when
// the token's client is public and still listed; a confidential client's
// token is invalid_grant, as a token of another client is.
func (s *server) refreshAsPublicClient(r *http.Request, form url.Values) (grantResult, error) {
	dpop, err := s.proofRequest(r, "")
	if err != nil {
		return grantResult{}, err
	}
	token := form.Get("refresh_token")
	if token == "" {
		return grantResult{}, &domain.RequestError{Reason: "refresh_token is required"}
	}
	pair, err := s.auth.RefreshScope(r.Context(), token, "", form.Get("scope"), dpop)
	return grantResult{pair: pair, scope: pair.Scope}, err
}
