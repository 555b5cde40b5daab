package domain

import "time"

// IDClaims are the claims of an OpenID Connect ID token (OIDC Core §2):
// who logged in (sub, preferred_username), for which client (aud), when
// (iat, auth_time), in which browser session (sid), and the nonce of the
// request. Alg is the algorithm it is signed with.
type IDClaims struct {
	Issuer    string
	Subject   string
	Username  string
	Audience  string
	IssuedAt  time.Time
	ExpiresAt time.Time
	AuthTime  time.Time
	Nonce     string
	SessionID string
	Alg       string
}
