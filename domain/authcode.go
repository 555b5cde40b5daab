package domain

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"time"
)

// CodeTTL is how long an authorization code may be exchanged: OAuth 2.1
// §4.1.2 recommends at most ten minutes; a browser redirect and one token
// request take seconds, so a minute leaves room for slow networks and
// little for a stolen code.
const CodeTTL = 60 * time.Second

// ErrInvalidGrant means an authorization code cannot be exchanged: unknown,
// expired, already used, issued to another client or redirect URI, or with
// a code_verifier that does not match its challenge (RFC 6749 §5.2).
var ErrInvalidGrant = errors.New("invalid grant")

// ErrCodeUsed is what a code store returns for a code exchanged before;
// the application then revokes what the first exchange issued. It wraps
// ErrInvalidGrant.
var ErrCodeUsed = &grantError{"authorization code already used"}

type grantError struct{ reason string }

func (e *grantError) Error() string { return "invalid grant: " + e.reason }
func (e *grantError) Unwrap() error { return ErrInvalidGrant }

// InvalidGrant returns an error for ErrInvalidGrant with the reason, for
// logs and tests; clients see invalid_grant.
func InvalidGrant(reason string) error { return &grantError{reason} }

// ScopeError is returned for a scope the client may not ask for
// (invalid_scope, RFC 6749 §4.1.2.1). It unwraps to ErrInvalidScope.
type ScopeError struct{ Scope string }

// ErrInvalidScope means a requested scope is unknown or not the client's.
var ErrInvalidScope = errors.New("invalid scope")

// Error implements error.
func (e *ScopeError) Error() string { return "invalid scope: " + e.Scope }

// Unwrap returns ErrInvalidScope.
func (e *ScopeError) Unwrap() error { return ErrInvalidScope }

// AuthCode is an authorization code as stored: never the code itself, its
// SHA-256, and what the code was issued for. It is single use: the store
// marks it used at the first exchange.
type AuthCode struct {
	// Hash is CodeHash of the code.
	Hash        string
	ClientID    string
	RedirectURI string
	// Challenge is the PKCE S256 code_challenge (RFC 7636 §4.2).
	Challenge string
	Nonce     string
	Scope     string
	UserID    string
	Username  string
	// BrowserSessionID is the single sign-on session the code was issued
	// in: the ID token's sid.
	BrowserSessionID string
	// AuthTime is when the user last entered the password in that session.
	AuthTime  time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
	// SessionID is the id of the token session the exchange starts, chosen
	// when the code is issued, so a second exchange knows what to revoke.
	SessionID string
	// DPoPJKT is the thumbprint of the DPoP key the token request must
	// prove (the authorization request's dpop_jkt, RFC 9449 §10), or "".
	DPoPJKT string
	// UsedAt is zero until the code is exchanged.
	UsedAt time.Time
}

// ErrLoginRequired means an authorization request found no usable browser
// session: none, an ended one, or one whose password is older than
// max_age. The login page asks for the password then; with prompt=none the
// client gets login_required (OIDC Core §3.1.2.6).
var ErrLoginRequired = errors.New("login required")

// AuthRequest is a validated authorization request (RFC 6749 §4.1.1, OIDC
// Core §3.1.2.1) of a browser holding Cookie, its single sign-on cookie.
type AuthRequest struct {
	Cookie      string
	ClientID    string
	RedirectURI string
	Challenge   string
	Nonce       string
	Scope       string
	// MaxAge is the oldest password the request accepts; negative: any.
	MaxAge  time.Duration
	DPoPJKT string
}

// CodeExchange is a token request of the authorization code grant (RFC
// 6749 §4.1.3 with PKCE's code_verifier), by an authenticated client.
type CodeExchange struct {
	Code        string
	ClientID    string
	RedirectURI string
	Verifier    string
	// IDTokenAlg is the client's ID token algorithm ("" for RS256).
	IDTokenAlg string
	Proof      ProofRequest
	ClientIP   string
}

// CodeGrant is what an exchanged code hands out: the token pair, the
// granted scope, and an ID token when the scope has openid.
type CodeGrant struct {
	Pair    TokenPair
	Scope   string
	IDToken string
}

// SignIn is a browser's new single sign-on session: its cookie value, its
// user, and how long it lasts in whole seconds.
type SignIn struct {
	Cookie    string
	UserID    string
	ExpiresIn int64
}

// CodeHash returns the key a code is stored under: the base64url SHA-256
// of the code. Codes are 256 random bits, so a fast hash suffices.
func CodeHash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Redeem checks an exchange of the code at now by clientID with
// redirectURI and the PKCE verifier, and returns InvalidGrant with the
// reason for the first rule it breaks.
func (c AuthCode) Redeem(clientID, redirectURI, verifier string, now time.Time) error {
	switch {
	case !now.Before(c.ExpiresAt):
		return InvalidGrant("code expired")
	case c.ClientID != clientID:
		return InvalidGrant("code of another client")
	case c.RedirectURI != redirectURI:
		return InvalidGrant("redirect_uri differs from the authorization request's")
	case !VerifyPKCE(c.Challenge, verifier):
		return InvalidGrant("code_verifier does not match code_challenge")
	}
	return nil
}

// PKCE's code_verifier length bounds (RFC 7636 §4.1).
const (
	minVerifier = 43
	maxVerifier = 128
)

// ValidChallenge reports whether s can be an S256 code_challenge: the
// 43-character base64url encoding of a SHA-256 digest.
func ValidChallenge(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == sha256.Size && len(s) == 43
}

// VerifyPKCE reports whether verifier is the secret of the S256 challenge
// (RFC 7636 §4.6): 43 to 128 unreserved characters whose base64url SHA-256
// is the challenge, compared in constant time.
func VerifyPKCE(challenge, verifier string) bool {
	if len(verifier) < minVerifier || len(verifier) > maxVerifier {
		return false
	}
	for i := range len(verifier) {
		if !unreserved(verifier[i]) {
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// unreserved reports whether b is an unreserved URI character (RFC 3986
// §2.3), the alphabet of code verifiers.
func unreserved(b byte) bool {
	return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '.' || b == '_' || b == '~'
}
