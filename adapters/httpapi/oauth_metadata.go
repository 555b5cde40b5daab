package httpapi

import "net/http"

// metadata is the authorization server metadata of RFC 8414 and, with the
// code flow on, OpenID Connect Discovery 1.0 §3: one document, served at
// both well-known paths, so the two cannot drift.
type metadata struct {
	Issuer                   string   `json:"issuer"`
	AuthorizationEndpoint    string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint            string   `json:"token_endpoint"`
	UserInfoEndpoint         string   `json:"userinfo_endpoint,omitempty"`
	RevocationEndpoint       string   `json:"revocation_endpoint"`
	IntrospectionEndpoint    string   `json:"introspection_endpoint"`
	EndSessionEndpoint       string   `json:"end_session_endpoint,omitempty"`
	JWKSURI                  string   `json:"jwks_uri"`
	GrantTypes               []string `json:"grant_types_supported"`
	ResponseTypes            []string `json:"response_types_supported"`
	ResponseModes            []string `json:"response_modes_supported,omitempty"`
	CodeChallengeMethods     []string `json:"code_challenge_methods_supported,omitempty"`
	IssParameter             bool     `json:"authorization_response_iss_parameter_supported,omitempty"`
	Scopes                   []string `json:"scopes_supported,omitempty"`
	Claims                   []string `json:"claims_supported,omitempty"`
	SubjectTypes             []string `json:"subject_types_supported,omitempty"`
	IDTokenSigningAlgs       []string `json:"id_token_signing_alg_values_supported,omitempty"`
	PromptValues             []string `json:"prompt_values_supported,omitempty"`
	TokenAuthMethods         []string `json:"token_endpoint_auth_methods_supported"`
	RevocationAuthMethods    []string `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionAuthMethods []string `json:"introspection_endpoint_auth_methods_supported"`
	ServiceDocumentation     string   `json:"service_documentation"`
	UILocales                []string `json:"ui_locales_supported"`
	AccessTokenSigningAlgs   []string `json:"access_token_signing_alg_values_supported,omitempty"`
	DPoPSigningAlgs          []string `json:"dpop_signing_alg_values_supported"`
}

// metadataOf returns the metadata of this server for the tokens of
// issuer signed with alg. Endpoint URLs start with this server's public
// URL, whatever Host the request came with; the DPoP algorithms are those
// the challenges name. With the code flow on it adds the OpenID Connect
// members.
func (s *server) metadataOf(d Deps) metadata {
	base := s.publicURL
	methods := []string{"client_secret_basic", "client_secret_post", "none"}
	m := metadata{
		Issuer:                   d.Issuer,
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
		DPoPSigningAlgs:          s.dpopAlgs,
		Scopes:                   s.clients.scopes(),
	}
	if d.Algorithm != "" {
		m.AccessTokenSigningAlgs = []string{d.Algorithm}
	}
	if s.signIn != nil {
		m.AuthorizationEndpoint = base + "/oauth/authorize"
		m.UserInfoEndpoint = base + "/userinfo"
		m.EndSessionEndpoint = base + "/oauth/logout"
		m.GrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken, GrantPassword}
		m.ResponseTypes = []string{"code"}
		m.ResponseModes = []string{"query"}
		m.CodeChallengeMethods = []string{"S256"}
		m.IssParameter = true
		m.Claims = []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid", "preferred_username"}
		m.SubjectTypes = []string{"public"}
		m.IDTokenSigningAlgs = d.IDTokenAlgs
		m.PromptValues = []string{"none", "login", "consent"}
	}
	if s.clients.anyAllows(GrantClientCredentials) {
		m.GrantTypes = append(m.GrantTypes, GrantClientCredentials)
	}
	return m
}

// handleMetadata serves the metadata document, at
// /.well-known/oauth-authorization-server (RFC 8414) and, with the code
// flow on, /.well-known/openid-configuration.
func handleMetadata(m metadata) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		writeJSON(w, http.StatusOK, m)
	})
}
