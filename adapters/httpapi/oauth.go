package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
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
// refresh_expires_in as authd's own endpoints report it.
type oauthTokenResponse struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshToken     string `json:"refresh_token"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
}

// handleOAuthToken serves POST /oauth/token/ (RFC 6749 §4.3 and §6): the
// password grant logs in, the refresh_token grant rotates, through the same
// use cases as /login/ and /refresh/.
func handleOAuthToken(auth ports.AuthService, clients oauthClients) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pair, err := oauthGrant(auth, clients, w, r)
		if err != nil {
			writeOAuthError(w, r, err)
			return
		}
		noteUser(r, pair.UserID)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		writeJSON(w, http.StatusOK, oauthTokenResponse{
			AccessToken: pair.Access, TokenType: tokenType(pair), ExpiresIn: pair.AccessExpiresIn,
			RefreshToken: pair.Refresh, RefreshExpiresIn: pair.RefreshExpiresIn,
		})
	})
}

// oauthGrant authenticates the client and runs its grant.
func oauthGrant(auth ports.AuthService, clients oauthClients, w http.ResponseWriter, r *http.Request) (domain.TokenPair, error) {
	form, err := readForm(w, r)
	if err != nil {
		return domain.TokenPair{}, err
	}
	client, err := clients.authenticate(r, form)
	if err != nil {
		return domain.TokenPair{}, err
	}
	dpop, err := proofRequest(r, "")
	if err != nil {
		return domain.TokenPair{}, err
	}
	grant := form.Get("grant_type")
	switch grant {
	case "":
		return domain.TokenPair{}, &domain.RequestError{Reason: "grant_type is required"}
	case GrantPassword, GrantRefreshToken:
		if !client.allows(grant) {
			return domain.TokenPair{}, errUnauthorizedClient
		}
	default:
		return domain.TokenPair{}, errUnsupportedGrant
	}
	if grant == GrantRefreshToken {
		token := form.Get("refresh_token")
		if token == "" {
			return domain.TokenPair{}, &domain.RequestError{Reason: "refresh_token is required"}
		}
		return auth.Refresh(r.Context(), token, client.ID, dpop)
	}
	cred := domain.Credentials{Username: form.Get("username"), Password: form.Get("password"), ClientID: client.ID}
	if cred.Username == "" || cred.Password == "" {
		return domain.TokenPair{}, &domain.RequestError{Reason: "username and password are required"}
	}
	ip := clientIP(r)
	pair, err := auth.Login(r.Context(), cred, ip, dpop)
	noteFailedLogin(r, ip, err)
	return pair, err
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
func handleOAuthRevoke(auth ports.AuthService, clients oauthClients) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, err := readForm(w, r)
		if err == nil {
			var client OAuthClient
			if client, err = clients.authenticate(r, form); err == nil {
				if !form.Has("token") {
					err = &domain.RequestError{Reason: "token is required"}
				} else {
					var dpop domain.ProofRequest
					if dpop, err = proofRequest(r, ""); err == nil {
						err = auth.Revoke(r.Context(), form.Get("token"), client.ID, tokenHint(form), dpop)
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
	Cnf       *struct {
		JKT string `json:"jkt"`
	} `json:"cnf,omitempty"`
}

// handleOAuthIntrospect serves POST /oauth/introspect/ (RFC 7662) to clients
// allowed to introspect. A token is active exactly when the use cases
// accept it at this instant: an access token when /protected/ would, a
// refresh token while it is its session's current one.
func handleOAuthIntrospect(auth ports.AuthService, clients oauthClients) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := introspect(auth, clients, w, r)
		if err != nil {
			writeOAuthError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, out)
	})
}

func introspect(auth ports.AuthService, clients oauthClients, w http.ResponseWriter, r *http.Request) (introspection, error) {
	form, err := readForm(w, r)
	if err != nil {
		return introspection{}, err
	}
	client, err := clients.authenticate(r, form)
	if err != nil {
		return introspection{}, err
	}
	if !client.Introspect {
		return introspection{}, errInvalidClient
	}
	if !form.Has("token") {
		return introspection{}, &domain.RequestError{Reason: "token is required"}
	}
	c, err := auth.Introspect(r.Context(), form.Get("token"), tokenHint(form))
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
		Issuer: c.Issuer, Audience: c.Audience, ID: c.ID, ClientID: c.ClientID,
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

// handleVerify serves /auth/verify and every path below it, for any method:
// the forward-auth check of nginx auth_request, Traefik ForwardAuth and
// Envoy ext_authz. A currently valid access token gets 200 with the
// caller's identity in X-Auth-Subject, X-Auth-Username and X-Auth-Session
// for the gateway to pass upstream; anything else gets the same 401 and
// WWW-Authenticate as /protected/. It runs on the verified-token cache and
// the revocation list, like /protected/. A DPoP proof names the request
// forward finds: the gateway's client's, when a trusted gateway describes
// it.
func handleVerify(auth ports.AuthService, forward *forwardAuth) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := authenticateWith(auth, w, r, forward.proofRequest)
		if !ok {
			return
		}
		h := w.Header()
		h.Set("X-Auth-Subject", p.UserID)
		h.Set("X-Auth-Username", p.Username)
		h.Set("X-Auth-Session", p.SessionID)
		w.WriteHeader(http.StatusOK)
	})
}

// metadata is the authorization server metadata of RFC 8414.
type metadata struct {
	Issuer                   string   `json:"issuer"`
	TokenEndpoint            string   `json:"token_endpoint"`
	RevocationEndpoint       string   `json:"revocation_endpoint"`
	IntrospectionEndpoint    string   `json:"introspection_endpoint"`
	JWKSURI                  string   `json:"jwks_uri"`
	GrantTypes               []string `json:"grant_types_supported"`
	ResponseTypes            []string `json:"response_types_supported"`
	TokenAuthMethods         []string `json:"token_endpoint_auth_methods_supported"`
	RevocationAuthMethods    []string `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionAuthMethods []string `json:"introspection_endpoint_auth_methods_supported"`
	ServiceDocumentation     string   `json:"service_documentation"`
	UILocales                []string `json:"ui_locales_supported"`
	AccessTokenSigningAlgs   []string `json:"access_token_signing_alg_values_supported,omitempty"`
	DPoPSigningAlgs          []string `json:"dpop_signing_alg_values_supported"`
}

// handleMetadata serves GET /.well-known/oauth-authorization-server (RFC
// 8414). Endpoint URLs start with base, this server's public URL, whatever
// Host the request came with.
func handleMetadata(issuer, base, alg string, dpopAlgs []string) http.Handler {
	if len(dpopAlgs) == 0 {
		dpopAlgs = domain.SupportedDPoPAlgorithms
	}
	methods := []string{"client_secret_basic", "client_secret_post", "none"}
	m := metadata{
		Issuer:                   issuer,
		TokenEndpoint:            base + "/oauth/token",
		RevocationEndpoint:       base + "/oauth/revoke",
		IntrospectionEndpoint:    base + "/oauth/introspect",
		JWKSURI:                  base + "/.well-known/jwks.json",
		GrantTypes:               []string{GrantPassword, GrantRefreshToken},
		ResponseTypes:            []string{},
		TokenAuthMethods:         methods,
		RevocationAuthMethods:    methods,
		IntrospectionAuthMethods: []string{"client_secret_basic", "client_secret_post"},
		ServiceDocumentation:     base + "/openapi.yaml",
		UILocales:                []string{"ko", "en"},
		DPoPSigningAlgs:          dpopAlgs,
	}
	if alg != "" {
		m.AccessTokenSigningAlgs = []string{alg}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		writeJSON(w, http.StatusOK, m)
	})
}
