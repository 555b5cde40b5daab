package domain

import (
	"errors"
	"strings"
	"time"
)

// TokenPair is what a login or a refresh hands out.
type TokenPair struct {
	Access           string
	Refresh          string
	AccessExpiresIn  int64 // whole seconds until the access token's exp
	RefreshExpiresIn int64 // whole seconds until the refresh token's exp
	SessionID        string
	UserID           string
	// JKT is the thumbprint of the DPoP key the pair is bound to; empty for
	// bearer tokens. A bound pair's token_type is "DPoP".
	JKT string
	// Scope is the scope the access token grants (space-separated), empty
	// when it grants none.
	Scope string
	// DeviceToken, set by a login only (when device tokens are on), proves
	// at this username's later logins that the client logged in before;
	// DeviceExpiresIn is its lifetime in whole seconds.
	DeviceToken     string
	DeviceExpiresIn int64
}

// ServiceToken is what the client_credentials grant hands out: an access
// token, its lifetime in whole seconds, and its scope. There is no refresh
// token.
type ServiceToken struct {
	Access    string
	ExpiresIn int64
	Scope     string
}

// ErrUnauthorizedClient means the client may not use the grant it asked
// for (RFC 6749 §5.2 unauthorized_client).
var ErrUnauthorizedClient = errors.New("unauthorized client")

// Principal is the caller an access token identifies.
type Principal struct {
	UserID    string
	Username  string
	SessionID string
	// JKT is the DPoP key thumbprint the access token is bound to, if any.
	JKT string
	// ClientID is the OAuth client the token was issued to ("" for
	// /login/'s tokens) and Scope the scope it grants.
	ClientID string
	Scope    string
	// Service marks a service token (Claims.Service): the client itself
	// is the caller, UserID is empty.
	Service bool
}

// Subject is the caller's id: the user's, or the client's for a service
// token (the token's sub either way).
func (p Principal) Subject() string {
	if p.Service {
		return p.ClientID
	}
	return p.UserID
}

// RequireUser returns a *ScopeRequiredError for a service token: the
// resource is a user's (RFC 6750 §3.1 insufficient_scope).
func (p Principal) RequireUser() error {
	if p.Service {
		return &ScopeRequiredError{Reason: "a user's token is required"}
	}
	return nil
}

// RequireScopes returns a *ScopeRequiredError naming the scopes (a
// space-separated list, all required) when the token does not grant
// every one of them.
func (p Principal) RequireScopes(required string) error {
	for _, s := range strings.Fields(required) {
		if !HasScope(p.Scope, s) {
			return &ScopeRequiredError{Scope: strings.Join(strings.Fields(required), " "), Reason: "the token lacks scope " + s}
		}
	}
	return nil
}

// ErrInsufficientScope means the token is valid but does not grant what
// the request needs (RFC 6750 §3.1 insufficient_scope).
var ErrInsufficientScope = errors.New("insufficient scope")

// ScopeRequiredError is ErrInsufficientScope with the scope the resource
// requires (empty: a user's token) and why, for logs.
type ScopeRequiredError struct{ Scope, Reason string }

// Error implements error.
func (e *ScopeRequiredError) Error() string { return "insufficient scope: " + e.Reason }

// Unwrap returns ErrInsufficientScope.
func (e *ScopeRequiredError) Unwrap() error { return ErrInsufficientScope }

// SessionInfo describes one live session to its owner.
type SessionInfo struct {
	ID         string
	CreatedAt  time.Time
	LastUsedAt time.Time
	ExpiresAt  time.Time
	Current    bool // the session of the token that asked
}
