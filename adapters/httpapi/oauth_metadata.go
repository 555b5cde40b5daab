package httpapi

import "net/http"

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
// 8414) for the tokens of issuer signed with alg. Endpoint URLs start with
// this server's public URL, whatever Host the request came with; the DPoP
// algorithms are those the challenges name.
func (s *server) handleMetadata(issuer, alg string) http.Handler {
	base := s.publicURL
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
		DPoPSigningAlgs:          s.dpopAlgs,
	}
	if alg != "" {
		m.AccessTokenSigningAlgs = []string{alg}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		writeJSON(w, http.StatusOK, m)
	})
}
