package ports

import (
	"context"
	"time"
)

// FailureLog records failed logins per key, for login throttling. Keys are
// opaque strings of bounded length (the application hashes usernames), such
// as "user:<hash>" or "ip:192.0.2.1". Every method
// returns an error wrapping domain.ErrUnavailable when the store cannot be
// reached.
type FailureLog interface {
	// Failures returns the instants of the key's failures after since,
	// oldest first.
	Failures(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	// AddFailure records a failure of the key at the instant, keeping at most
	// the keep most recent ones.
	AddFailure(ctx context.Context, key string, at time.Time, keep int) error
	// RemoveFailure forgets one failure of the key recorded at exactly the
	// instant, if there is one: a login records its attempt before hashing
	// and takes it back when the attempt turns out not to be a wrong
	// password.
	RemoveFailure(ctx context.Context, key string, at time.Time) error
	// ResetFailures forgets the key's failures.
	ResetFailures(ctx context.Context, key string) error
	// PurgeFailures forgets every failure at or before the instant, and keys
	// left with none; it returns how many it removed, in the store's unit
	// (keys or entries).
	PurgeFailures(ctx context.Context, before time.Time) (int, error)
}
