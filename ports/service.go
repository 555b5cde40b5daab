package ports

import (
	"context"

	"github.com/authd/authd/domain"
)

// AuthService is what the transports (HTTP today) drive: the use cases of
// package app. It is declared here so that adapters depend on this interface
// and never on package app.
type AuthService interface {
	// Login checks credentials and starts a session. Errors:
	// domain.ErrCredentialsMissing, domain.ErrInvalidCredentials (unknown user
	// and wrong password alike), domain.ErrRateLimited (as
	// *domain.RateLimitError), domain.ErrUnavailable.
	Login(ctx context.Context, cred domain.Credentials, clientIP string) (domain.TokenPair, error)
	// Refresh rotates the session of a refresh token. Errors:
	// domain.ErrTokenMissing, domain.ErrTokenExpired, domain.ErrInvalidToken,
	// domain.ErrRefreshReused, domain.ErrSessionRevoked,
	// domain.ErrSessionExpired, domain.ErrUnavailable.
	Refresh(ctx context.Context, refreshToken string) (domain.TokenPair, error)
	// Authenticate identifies the caller of an access token without a store
	// read. Errors: domain.ErrTokenMissing, domain.ErrTokenExpired,
	// domain.ErrInvalidToken, domain.ErrSessionRevoked.
	Authenticate(ctx context.Context, accessToken string) (domain.Principal, error)
	// Logout revokes the refresh token's session, or all of its user's.
	// Errors: domain.ErrTokenMissing, domain.ErrInvalidToken,
	// domain.ErrUnavailable; an expired or already revoked token is not an
	// error.
	Logout(ctx context.Context, refreshToken string, all bool) error
	// Sessions lists the principal's live sessions. Errors:
	// domain.ErrUnavailable.
	Sessions(ctx context.Context, p domain.Principal) ([]domain.SessionInfo, error)
	// RevokeSession revokes one of the principal's sessions. Errors:
	// domain.ErrNotFound (also for another user's session),
	// domain.ErrUnavailable.
	RevokeSession(ctx context.Context, p domain.Principal, sessionID string) error
}
