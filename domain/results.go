package domain

import "time"

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

// Principal is the caller an access token identifies.
type Principal struct {
	UserID    string
	Username  string
	SessionID string
	// JKT is the DPoP key thumbprint the access token is bound to, if any.
	JKT string
}

// SessionInfo describes one live session to its owner.
type SessionInfo struct {
	ID         string
	CreatedAt  time.Time
	LastUsedAt time.Time
	ExpiresAt  time.Time
	Current    bool // the session of the token that asked
}
