package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/authd/authd/domain"
)

// The OAuth 2.0 endpoints are a second way to drive the same use cases as
// /login/, /refresh/ and /logout/: they speak RFC 6749, 7009 and 7662 to
// stock clients and gateways, and every rule (throttling, rotation, reuse
// detection, revocation) is the one package app applies to the seed's
// endpoints, because they call the very same ports.AuthService methods.

// readForm reads an application/x-www-form-urlencoded body of at most
// MaxBodyBytes (RFC 6749 §3.2). A parameter given twice is malformed (§3.2:
// parameters MUST NOT be included more than once); a parameter without a
// value counts as omitted.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if r.ContentLength > MaxBodyBytes {
		return nil, errPayloadTooLarge
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, &domain.RequestError{Reason: "the body must be application/x-www-form-urlencoded"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, errPayloadTooLarge
	case err != nil:
		return nil, &domain.RequestError{Reason: "body could not be read"}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &domain.RequestError{Reason: "body is not form-encoded"}
	}
	for name, values := range form {
		if len(values) > 1 {
			return nil, &domain.RequestError{Reason: "parameter " + name + " is repeated"}
		}
		if values[0] == "" {
			delete(form, name)
		}
	}
	return form, nil
}

// oauthTokenResponse is the successful response of RFC 6749 §5.1, plus
// refresh_expires_in as authd's own endpoints report it, and for the
// granted scope (RFC 6749 §5.1, when the token grants any) and for the
// authorization code grant the ID token (OIDC Core §3.1.3.3). A client that may not refresh gets no refresh token.
type oauthTokenResponse struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshToken     string `json:"refresh_token,omitempty"`
	RefreshExpiresIn int64  `json:"refresh_expires_in,omitempty"`
	Scope            string `json:"scope,omitempty"`
	IDToken          string `json:"id_token,omitempty"`
}

// grantResult is what a grant hands out.
type grantResult struct {
	pair      domain.TokenPair
	scope     string
	idToken   string
	noRefresh bool
}

// handleOAuthToken serves POST /oauth/token/ (RFC 6749 §4.1.3, §4.3, §4.4
// and §6): the authorization code grant redeems a code, the password grant
// logs in, the refresh_token grant rotates, the client_credentials grant
// issues a service token, through the same use cases as
// the login page, /login/ and /refresh/.
func (s *server) handleOAuthToken() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g, err := s.oauthGrant(w, r)
		if err != nil {
			writeOAuthError(w, r, err)
			return
		}
		pair := g.pair
		noteUser(r, pair.UserID)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		resp := oauthTokenResponse{
			AccessToken: pair.Access, TokenType: tokenType(pair), ExpiresIn: pair.AccessExpiresIn,
			RefreshToken: pair.Refresh, RefreshExpiresIn: pair.RefreshExpiresIn, Scope: g.scope, IDToken: g.idToken,
		}
		if g.noRefresh {
			resp.RefreshToken, resp.RefreshExpiresIn = "", 0
		}
		writeJSON(w, http.StatusOK, resp)
	})
}

// oauthGrant authenticates the client and runs its grant.
func (s *server) oauthGrant(w http.ResponseWriter, r *http.Request) (grantResult, error) {
	form, err := readForm(w, r)
	if err != nil {
		return grantResult{}, err
	}
	// The password grant spends an argon2id hash as /login/ does, so the
	// same admission refuses it when the hasher cannot take it now. The
	// grant is known only from the form, which readForm bounds
	// (MaxBodyBytes), so it is read first; the admission still comes before
	// the client's authentication, the proof's signature and the throttle.
	if form.Get("grant_type") == GrantPassword {
		if err := s.admitLogin(); err != nil {
			return grantResult{}, err
		}
	}
	if publicRefresh(r, form) {
		return s.refreshAsPublicClient(r, form)
	}
	client, err := s.clients.authenticate(r, form)
	if err != nil {
		return grantResult{}, err
	}
	dpop, err := s.proofRequest(r, "")
	if err != nil {
		return grantResult{}, err
	}
	grant := form.Get("grant_type")
	switch grant {
	case "":
		return grantResult{}, &domain.RequestError{Reason: "grant_type is required"}
	case GrantPassword, GrantRefreshToken:
		if !client.Allows(grant) {
			return grantResult{}, errUnauthorizedClient
		}
	case GrantClientCredentials:
		return s.serviceGrant(r, form, client)
	case GrantAuthorizationCode:
		switch {
		case s.signIn == nil:
			return grantResult{}, errUnsupportedGrant // the code flow is off
		case !client.Allows(grant):
			return grantResult{}, errUnauthorizedClient
		}
		return s.codeGrant(r, form, client, dpop)
	default:
		return grantResult{}, errUnsupportedGrant
	}
	if grant == GrantRefreshToken {
		token := form.Get("refresh_token")
		if token == "" {
			return grantResult{}, &domain.RequestError{Reason: "refresh_token is required"}
		}
		pair, err := s.auth.RefreshScope(r.Context(), token, client.ID, form.Get("scope"), dpop)
		return grantResult{pair: pair, scope: pair.Scope}, err
	}
	cred := domain.Credentials{Username: form.Get("username"), Password: form.Get("password"), ClientID: client.ID}
	if cred.Username == "" || cred.Password == "" {
		return grantResult{}, &domain.RequestError{Reason: "username and password are required"}
	}
	// The scope is the client's to ask for (RFC 6749 §3.3), judged before
	// the password costs a hash.
	if cred.Scope, err = client.GrantScope(form.Get("scope")); err != nil {
		return grantResult{}, err
	}
	ip := clientIP(r)
	pair, err := s.auth.Login(r.Context(), cred, ip, dpop)
	noteFailedLogin(r, ip, err)
	return grantResult{pair: pair, scope: pair.Scope}, err
}

// codeGrant redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.5).
func (s *server) codeGrant(r *http.Request, form url.Values, client OAuthClient, dpop domain.ProofRequest) (grantResult, error) {
	if !form.Has("code") || !form.Has("code_verifier") || !form.Has("redirect_uri") {
		return grantResult{}, &domain.RequestError{Reason: "code, code_verifier and redirect_uri are required"}
	}
	g, err := s.signIn.ExchangeCode(r.Context(), domain.CodeExchange{
		Code: form.Get("code"), ClientID: client.ID, RedirectURI: form.Get("redirect_uri"), Verifier: form.Get("code_verifier"),
		IDTokenAlg: client.IDTokenAlg, Proof: dpop, ClientIP: clientIP(r),
	})
	if err != nil {
		return grantResult{}, err
	}
	return grantResult{pair: g.Pair, scope: g.Scope, idToken: g.IDToken, noRefresh: !client.Allows(GrantRefreshToken)}, nil
}

// serviceGrant runs the client_credentials grant (RFC 6749 §4.4): a
// public client, or one that does not list the grant, is
// unauthorized_client; the scope is the client's (ServiceScope: all of it
// when none is asked). The token is a bearer token with no refresh token.
func (s *server) serviceGrant(r *http.Request, form url.Values, client OAuthClient) (grantResult, error) {
	if client.Public() || !client.Allows(GrantClientCredentials) {
		return grantResult{}, errUnauthorizedClient
	}
	scope, err := client.ServiceScope(form.Get("scope"))
	if err != nil {
		return grantResult{}, err
	}
	t, err := s.auth.IssueServiceToken(r.Context(), client, scope)
	if err != nil {
		return grantResult{}, err
	}
	return grantResult{pair: domain.TokenPair{Access: t.Access, AccessExpiresIn: t.ExpiresIn}, scope: t.Scope, noRefresh: true}, nil
}

// tokenHint reads token_type_hint (RFC 7009 §2.1, RFC 7662 §2.1). An
// unknown hint is ignored, as both RFCs allow.
func tokenHint(form url.Values) domain.TokenKind {
	switch form.Get("token_type_hint") {
	case "access_token":
		return domain.Access
	case "refresh_token":
		return domain.Refresh
	}
	return 0
}

// handleOAuthRevoke serves POST /oauth/revoke/ (RFC 7009): the session of
// the token, of either kind, ends; 200 also for a token that is unknown,
// invalid or already revoked.
func (s *server) handleOAuthRevoke() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, err := readForm(w, r)
		if err == nil {
			var client OAuthClient
			if client, err = s.clients.authenticate(r, form); err == nil {
				if !form.Has("token") {
					err = &domain.RequestError{Reason: "token is required"}
				} else {
					var dpop domain.ProofRequest
					if dpop, err = s.proofRequest(r, ""); err == nil {
						err = s.auth.Revoke(r.Context(), form.Get("token"), client.ID, tokenHint(form), dpop)
					}
				}
			}
		}
		if err != nil {
			writeOAuthError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
	})
}
