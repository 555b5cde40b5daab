package ports

import (
	"context"

	"github.com/authd/authd/domain"
)

// AccountService is the self-service of accounts that the public
// transport drives: sign-up and password change.
type AccountService interface {
	// SignUp creates the account of cred and logs it in, as Login does.
	// Errors: *domain.RequestError for a username that cannot be a new
	// account's, domain.ErrUsernameTaken, *domain.PasswordError
	// (domain.ErrWeakPassword), domain.ErrRateLimited (sign-ups per
	// address), domain.ErrUnavailable, and the DPoP errors.
	SignUp(ctx context.Context, cred domain.Credentials, clientIP string, dpop domain.ProofRequest) (domain.TokenPair, error)
	// ChangePassword changes the password of the access token's user and
	// revokes every other session of that user; the token's own session
	// goes on. Errors: Authenticate's, domain.ErrCredentialsMissing,
	// domain.ErrInvalidCredentials for a wrong current password (counted
	// by the login throttle), domain.ErrRateLimited,
	// *domain.PasswordError, domain.ErrUnavailable. On any error the old
	// password still works.
	ChangePassword(ctx context.Context, accessToken string, dpop domain.ProofRequest, current, next, clientIP string) error
}

// AdminService is the administration of accounts and the audit trail
// that the admin listener and the command line drive; actor says which
// (domain.ActorAdmin or domain.ActorCLI). Usernames name live accounts;
// an unknown one is domain.ErrNotFound. Every method returns an error
// wrapping domain.ErrUnavailable when a store fails.
type AdminService interface {
	// CreateUser adds an account under the sign-up rules. Errors:
	// *domain.RequestError, domain.ErrUsernameTaken, *domain.PasswordError.
	CreateUser(ctx context.Context, actor domain.Actor, username, password string) (domain.User, error)
	// ListUsers returns up to limit accounts after the username after, in
	// byte order, and the cursor of the next page ("" when there is none).
	ListUsers(ctx context.Context, after string, limit int) ([]domain.User, string, error)
	// User returns the account and its live session count.
	User(ctx context.Context, username string) (domain.UserDetail, error)
	// UpdateUser applies the change; disabling or setting the password
	// revokes every session of the account. A weak password changes
	// nothing (*domain.PasswordError).
	UpdateUser(ctx context.Context, actor domain.Actor, username string, change domain.UserChange) (domain.UserDetail, error)
	// DeleteUser deletes the account and revokes its sessions; the name
	// is free again.
	DeleteUser(ctx context.Context, actor domain.Actor, username string) error
	// Events returns up to limit audit events after the id after, of the
	// username's only when it is not "", and the cursor of the next page
	// (0 when there is none).
	Events(ctx context.Context, username string, after int64, limit int) ([]domain.AuditEvent, int64, error)
}
