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
	// *domain.RateLimitError), domain.ErrUnavailable, and the DPoP errors
	// (*domain.ProofError). A login whose request carries a valid DPoP
	// proof starts a session bound to the proof's key.
	Login(ctx context.Context, cred domain.Credentials, clientIP string, dpop domain.ProofRequest) (domain.TokenPair, error)
	// Refresh rotates the session of a refresh token presented by the OAuth
	// client clientID (empty on authd's own endpoints). Errors:
	// domain.ErrTokenMissing, domain.ErrTokenExpired, domain.ErrInvalidToken,
	// domain.ErrRefreshReused, domain.ErrSessionRevoked,
	// domain.ErrSessionExpired, domain.ErrUnavailable, and the DPoP errors
	// (*domain.ProofError): the refresh of a bound session needs a proof
	// made with its key, and without one nothing changes.
	Refresh(ctx context.Context, refreshToken, clientID string, dpop domain.ProofRequest) (domain.TokenPair, error)
	// RefreshScope is Refresh with a requested scope for the new access
	// token, which must be among the scopes the refresh token was granted
	// (empty: all of them); one that is not is domain.ErrInvalidScope (as
	// *domain.ScopeError) and changes nothing.
	RefreshScope(ctx context.Context, refreshToken, clientID, scope string, dpop domain.ProofRequest) (domain.TokenPair, error)
	// IssueServiceToken runs the client_credentials grant for an
	// authenticated client with its checked scope. Errors:
	// domain.ErrUnauthorizedClient for a public client or one without the
	// grant, domain.ErrUnavailable.
	IssueServiceToken(ctx context.Context, client domain.Client, scope string) (domain.ServiceToken, error)
	// Authenticate identifies the caller of an access token without a store
	// read. Errors: domain.ErrTokenMissing, domain.ErrTokenExpired,
	// domain.ErrInvalidToken, domain.ErrSessionRevoked, and the DPoP errors
	// (*domain.ProofError): a bound token needs the DPoP scheme and a proof
	// with its key and ath on every request.
	Authenticate(ctx context.Context, accessToken string, dpop domain.ProofRequest) (domain.Principal, error)
	// Introspect returns the claims of a token that is accepted now: an
	// access token exactly when Authenticate accepts it, a refresh token while
	// it is the current one of a live session. hint (domain.Access,
	// domain.Refresh or 0) decides which kind is tried first. Any error means
	// inactive; domain.ErrUnavailable means the store could not say.
	Introspect(ctx context.Context, token string, hint domain.TokenKind) (domain.Claims, error)
	// Revoke ends the session of a token of either kind, presented by the
	// OAuth client clientID. Invalid, expired, rotated or other clients'
	// tokens change nothing and are not an error. Errors:
	// domain.ErrUnavailable, and the DPoP errors for a bound session's
	// token without its key's proof (nothing changes then).
	Revoke(ctx context.Context, token, clientID string, hint domain.TokenKind, dpop domain.ProofRequest) error
	// Logout revokes the session of a refresh token presented by the OAuth
	// client clientID, or all of its user's; the token must be its
	// session's current one. Errors: domain.ErrTokenMissing,
	// domain.ErrInvalidToken (also for another client's or a rotated
	// token), domain.ErrUnavailable, and the DPoP errors for a bound
	// session's token without its key's proof; an expired or already
	// revoked token is not an error.
	Logout(ctx context.Context, refreshToken, clientID string, all bool, dpop domain.ProofRequest) error
	// DPoPNonce returns the server nonce a response should offer in its
	// DPoP-Nonce header, or "" when nonces are off. It never fails.
	DPoPNonce(ctx context.Context) string
	// Sessions lists the principal's live sessions. Errors:
	// domain.ErrUnavailable.
	Sessions(ctx context.Context, p domain.Principal) ([]domain.SessionInfo, error)
	// RevokeSession revokes one of the principal's sessions. Errors:
	// domain.ErrNotFound (also for another user's session),
	// domain.ErrUnavailable.
	RevokeSession(ctx context.Context, p domain.Principal, sessionID string) error
}

// SignInService is what the login page and the authorization code flow
// drive (package app implements it beside AuthService): browser sign-in
// (single sign-on), codes, their exchange, and logout.
type SignInService interface {
	// SignIn checks a password entered on the login page (Login's
	// throttle and errors) and starts a browser session.
	SignIn(ctx context.Context, cred domain.Credentials, clientIP string) (domain.SignIn, error)
	// Authorize issues a code for a validated request to the browser
	// session of its cookie; domain.ErrLoginRequired without a usable one.
	Authorize(ctx context.Context, req domain.AuthRequest) (string, error)
	// ExchangeCode redeems a code. Errors: domain.ErrInvalidGrant (also as
	// domain.ErrCodeUsed, which revokes what the first exchange issued),
	// the DPoP errors, domain.ErrUnavailable.
	ExchangeCode(ctx context.Context, x domain.CodeExchange) (domain.CodeGrant, error)
	// IDTokenHint reads an ID token this server signed, expired or not.
	// Errors: domain.ErrInvalidToken.
	IDTokenHint(ctx context.Context, token string) (domain.IDClaims, error)
	// SignOut ends the browser session of the request's cookie and, as
	// domain.SignOut.EndsTokens says, the token sessions issued through it.
	// Errors: domain.ErrLogoutUnconfirmed (nothing ended: the user must
	// confirm), domain.ErrUnavailable.
	SignOut(ctx context.Context, req domain.SignOut) (int, error)
}
