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
