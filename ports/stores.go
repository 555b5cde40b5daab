package ports

import (
	"context"
	"time"

	"github.com/authd/authd/domain"
)

// UserStore finds the accounts that may log in.
type UserStore interface {
	// UserByUsername returns the user with exactly that username, or
	// domain.ErrNotFound. A store that cannot be reached returns an error
	// wrapping domain.ErrUnavailable.
	UserByUsername(ctx context.Context, username string) (domain.User, error)
}

// SessionStore keeps sessions (token families). Every method returns an error
// wrapping domain.ErrUnavailable when the store cannot be reached.
type SessionStore interface {
	// CreateSession stores a new session. It returns domain.ErrConflict when a
	// session with the same id exists.
	CreateSession(ctx context.Context, s domain.Session) error
	// Session returns the session with the id, or domain.ErrNotFound.
	Session(ctx context.Context, id string) (domain.Session, error)
	// CompareAndRotate replaces the stored session with next, atomically, only
	// if the stored one is not revoked and still has generation fromGen. It
	// returns domain.ErrConflict otherwise, and domain.ErrNotFound when the
	// session does not exist. Of N concurrent calls with the same fromGen at
	// most one succeeds.
	CompareAndRotate(ctx context.Context, fromGen uint64, next domain.Session) error
	// RevokeSession marks the session revoked at the instant for the reason
	// and returns it as stored. Revoking a revoked session keeps its first
	// reason and instant and is not an error. It returns domain.ErrNotFound
	// when the session does not exist.
	RevokeSession(ctx context.Context, id string, reason domain.RevokeReason, at time.Time) (domain.Session, error)
	// RevokeUserSessions revokes every unrevoked session of the user and
	// returns the ones it revoked.
	RevokeUserSessions(ctx context.Context, userID string, reason domain.RevokeReason, at time.Time) ([]domain.Session, error)
	// UserSessions returns the sessions of the user that are live at now,
	// oldest first.
	UserSessions(ctx context.Context, userID string, now time.Time) ([]domain.Session, error)
	// PurgeSessions forgets every session whose PurgeAt is at or before now,
	// and returns how many it removed.
	PurgeSessions(ctx context.Context, now time.Time) (int, error)
}

// UserAdmin manages accounts: it is the UserStore with the changes sign-up,
// password changes, the admin API, the command line and the users file
// make. Users are identified by ID; a deleted user is remembered by its ID
// (so the users file never brings it back) while its username is free for a
// new account. UserByUsername never returns a deleted user. Every method
// returns an error wrapping domain.ErrUnavailable when the store cannot be
// reached.
type UserAdmin interface {
	UserStore
	// CreateUser adds the user. It returns domain.ErrUsernameTaken when a
	// live user has the username, and domain.ErrConflict when a user (live
	// or deleted) has the ID.
	CreateUser(ctx context.Context, u domain.User) error
	// AddMissingUsers adds, in one step, each user whose ID no user (live
	// or deleted) has and whose username no live user has, and returns the
	// ones it added; the others are left as they are (a bootstrap that
	// never overwrites nor revives). Instances running it together agree.
	AddMissingUsers(ctx context.Context, users []domain.User) ([]domain.User, error)
	// ListUsers returns up to limit live users whose username sorts after
	// after (byte order), in that order.
	ListUsers(ctx context.Context, after string, limit int) ([]domain.User, error)
	// SetPassword replaces the password hash of the live user with the ID,
	// or returns domain.ErrNotFound.
	SetPassword(ctx context.Context, id, hash string) error
	// SetDisabled disables or enables the live user with the ID, or
	// returns domain.ErrNotFound.
	SetDisabled(ctx context.Context, id string, disabled bool) error
	// DeleteUser deletes the live user with the ID at the instant, or
	// returns domain.ErrNotFound.
	DeleteUser(ctx context.Context, id string, at time.Time) error
}

// AuditLog keeps the audit trail. Every method returns an error wrapping
// domain.ErrUnavailable when the store cannot be reached.
type AuditLog interface {
	// Record appends the event; the store sets its ID, greater than every
	// ID it gave before.
	Record(ctx context.Context, e domain.AuditEvent) error
	// Events returns up to limit events with an ID above after, in ID
	// order; of the username's only, when username is not "".
	Events(ctx context.Context, username string, after int64, limit int) ([]domain.AuditEvent, error)
	// PurgeEvents forgets the events recorded before the instant and
	// returns how many.
	PurgeEvents(ctx context.Context, before time.Time) (int, error)
}

// CodeStore keeps authorization codes (by domain.CodeHash, never the codes)
// until they expire. Every method returns an error wrapping
// domain.ErrUnavailable when the store cannot be reached.
type CodeStore interface {
	// CreateCode stores a new code. It returns domain.ErrConflict when a
	// code with the same hash exists, and an error wrapping
	// domain.ErrUnavailable when the store is full.
	CreateCode(ctx context.Context, c domain.AuthCode) error
	// UseCode marks the code with the hash used at the instant, atomically,
	// and returns it as it was before. A code used before is returned with
	// its UsedAt and domain.ErrCodeUsed; of N concurrent calls exactly one
	// gets no error. It returns domain.ErrNotFound for an unknown hash.
	UseCode(ctx context.Context, hash string, at time.Time) (domain.AuthCode, error)
	// PurgeCodes forgets every code whose ExpiresAt is at or before now,
	// and returns how many it removed.
	PurgeCodes(ctx context.Context, now time.Time) (int, error)
}

// BrowserSessionStore keeps the single sign-on sessions of the login page.
// Every method returns an error wrapping domain.ErrUnavailable when the
// store cannot be reached.
type BrowserSessionStore interface {
	// CreateBrowserSession stores a new session; domain.ErrConflict when
	// the id is taken.
	CreateBrowserSession(ctx context.Context, s domain.BrowserSession) error
	// BrowserSession returns the session with the id, or
	// domain.ErrNotFound.
	BrowserSession(ctx context.Context, id string) (domain.BrowserSession, error)
	// AddBrowserToken records that the token session sessionID was issued
	// through the browser session id (as domain.BrowserSession.WithToken
	// does); domain.ErrNotFound when it does not exist.
	AddBrowserToken(ctx context.Context, id, sessionID string) error
	// EndBrowserSession marks the session ended at the instant and returns
	// it as stored; ending an ended one keeps its first instant.
	// domain.ErrNotFound when it does not exist.
	EndBrowserSession(ctx context.Context, id string, at time.Time) (domain.BrowserSession, error)
	// PurgeBrowserSessions forgets every session whose ExpiresAt is at or
	// before now, and returns how many it removed.
	PurgeBrowserSessions(ctx context.Context, now time.Time) (int, error)
}
