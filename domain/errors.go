package domain

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Each one stands for one error code of the public contract;
// the HTTP adapter maps them to a status, a JSON body and a WWW-Authenticate
// header in exactly one place. Other layers wrap them with %w and test them
// with errors.Is.
var (
	// ErrCredentialsMissing means the username or the password was absent,
	// empty or null.
	ErrCredentialsMissing = errors.New("credentials missing")
	// ErrInvalidCredentials means the user is unknown or the password is
	// wrong; the two cases are deliberately indistinguishable.
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrTokenMissing means no bearer token was presented.
	ErrTokenMissing = errors.New("token missing")
	// ErrTokenExpired means a well-signed token was presented after its exp.
	ErrTokenExpired = errors.New("token expired")
	// ErrInvalidToken means anything else is wrong with a presented token.
	ErrInvalidToken = errors.New("invalid token")
	// ErrRefreshReused means a refresh token that was already rotated came
	// back; its session has been revoked.
	ErrRefreshReused = errors.New("refresh token reused")
	// ErrSessionRevoked means the token's session was logged out or revoked.
	ErrSessionRevoked = errors.New("session revoked")
	// ErrSessionExpired means the session reached its absolute end.
	ErrSessionExpired = errors.New("session expired")
	// ErrInvalidRequest means the request body is malformed.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrNotFound means the requested resource does not exist or does not
	// belong to the caller.
	ErrNotFound = errors.New("not found")
	// ErrRateLimited means the caller must wait before trying again.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable means a dependency (a store, the hashing queue) cannot
	// serve the request right now.
	ErrUnavailable = errors.New("unavailable")
	// ErrWeakPassword means a new password breaks the password rules (see
	// PasswordError, which names the rule).
	ErrWeakPassword = errors.New("weak password")
	// ErrUsernameTaken means a new account asked for a username that a
	// live account has.
	ErrUsernameTaken = errors.New("username taken")
	// ErrConflict is returned by a store's compare-and-rotate when the session
	// changed since it was read. It never leaves the application layer.
	ErrConflict = errors.New("conflict")
)

// TokenError is returned when a presented token is rejected. It unwraps to
// ErrTokenExpired or ErrInvalidToken and records why, for tests and logs; the
// reason is never sent to the client beyond the code's generic description.
type TokenError struct {
	Err    error  // ErrTokenExpired or ErrInvalidToken
	Reason string // for example "signature", "typ", "exp"
}

// Error implements error.
func (e *TokenError) Error() string { return fmt.Sprintf("%v: %s", e.Err, e.Reason) }

// Unwrap returns the sentinel the error stands for.
func (e *TokenError) Unwrap() error { return e.Err }

// InvalidToken returns a *TokenError for ErrInvalidToken with the reason.
func InvalidToken(reason string) error { return &TokenError{Err: ErrInvalidToken, Reason: reason} }

// RequestError is returned when a request body is malformed. It unwraps to
// ErrInvalidRequest.
type RequestError struct {
	Reason string
}

// Error implements error.
func (e *RequestError) Error() string { return "invalid request: " + e.Reason }

// Unwrap returns ErrInvalidRequest.
func (e *RequestError) Unwrap() error { return ErrInvalidRequest }

// RateLimitError is returned when a caller is throttled. It unwraps to
// ErrRateLimited and says how long to wait.
type RateLimitError struct {
	RetryAfter time.Duration
}

// Error implements error.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited: retry after %s", e.RetryAfter)
}

// Unwrap returns ErrRateLimited.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// codes are the public contract's error codes (docs/contract.md §6) of the
// sentinels, in the order Code tries them: one table, read by the HTTP
// adapter for its bodies and by the metrics adapter for its labels.
var codes = []struct {
	err  error
	code string
}{
	{ErrCredentialsMissing, "credentials_missing"},
	{ErrInvalidCredentials, "invalid_credentials"},
	{ErrTokenMissing, "token_missing"},
	{ErrTokenExpired, "token_expired"},
	{ErrInvalidToken, "invalid_token"},
	{ErrRefreshReused, "refresh_token_reused"},
	{ErrSessionRevoked, "session_revoked"},
	{ErrSessionExpired, "session_expired"},
	{ErrInvalidRequest, "invalid_request"},
	{ErrNotFound, "not_found"},
	{ErrRateLimited, "rate_limited"},
	{ErrUnavailable, "unavailable"},
	{ErrInvalidDPoPProof, "invalid_dpop_proof"},
	{ErrUseDPoPNonce, "use_dpop_nonce"},
	{ErrWeakPassword, "weak_password"},
	{ErrUsernameTaken, "username_taken"},
	{ErrInvalidGrant, "invalid_grant"},
	{ErrInvalidScope, "invalid_scope"},
	{ErrInsufficientScope, "insufficient_scope"},
	{ErrUnauthorizedClient, "unauthorized_client"},
	{ErrLoginRequired, "login_required"},
	{ErrLogoutUnconfirmed, "logout_unconfirmed"},
}

// Code returns the contract's error code of err (wrapped or not): the code
// of the first sentinel it matches with errors.Is, "" for nil, and
// "internal_error" for an error of no sentinel.
func Code(err error) string {
	if err == nil {
		return ""
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "internal_error"
}
