package ports

import (
	"context"
	"time"
)

// FailureLog records failed logins per key, for login throttling. Keys are
// opaque strings of bounded length (the application hashes usernames), such
// as "user:<hash>" or "ip:192.0.2.1". A key's kind is the text before its
// first colon; a store that forgets keys to stay within a size limit
// forgets only keys of the kind it is making room for, so a flood of one
// kind (pairs of username and address, say) never costs another kind (an
// account's delay record) its failures. Every method returns an error
// wrapping domain.ErrUnavailable when the store cannot be reached.
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

// KnownAddresses remembers, per account, the client addresses it logged in
// from and when it last did, apart from the failure log: logins from a
// known address skip the account's guessing delay, and keeping them in a
// store of their own means successful logins cannot crowd failures out (or
// the other way round). Accounts and addresses are opaque strings of
// bounded length (the application hashes both). Every method returns an
// error wrapping domain.ErrUnavailable when the store cannot be reached.
type KnownAddresses interface {
	// RememberAddress records that the account logged in from the address
	// at the instant. The account keeps its keep most recently used
	// addresses; the least recently used beyond that are forgotten.
	RememberAddress(ctx context.Context, account, address string, at time.Time, keep int) error
	// AddressKnown reports whether the account logged in from the address
	// after since.
	AddressKnown(ctx context.Context, account, address string, since time.Time) (bool, error)
	// PurgeAddresses forgets every address last used at or before the
	// instant, and accounts left with none; it returns how many addresses
	// it removed.
	PurgeAddresses(ctx context.Context, before time.Time) (int, error)
}
