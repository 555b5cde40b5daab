package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// knownAddressLock is the first key of the transaction-level advisory lock
// RememberAddress takes per account (the second is the account's hash), so
// that two logins of one account at once cannot both trim to keep and
// leave one more.
const knownAddressLock = 7426813

// RememberAddress records the account's login from the address and keeps
// its keep most recently used addresses, in one transaction.
func (s *Store) RememberAddress(ctx context.Context, account, address string, at time.Time, keep int) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, knownAddressLock, account); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO known_addresses (account, address, last_used) VALUES ($1, $2, $3)
			ON CONFLICT (account, address) DO UPDATE SET last_used = greatest(known_addresses.last_used, EXCLUDED.last_used)`,
			account, address, at); err != nil {
			return err
		}
		if keep <= 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `DELETE FROM known_addresses WHERE account = $1 AND address NOT IN (
			SELECT address FROM known_addresses WHERE account = $1 ORDER BY last_used DESC, address LIMIT $2)`, account, keep)
		return err
	})
	if err != nil {
		return unavailable("remember known address", err)
	}
	return nil
}

// AddressKnown reports whether the account logged in from the address
// after since.
func (s *Store) AddressKnown(ctx context.Context, account, address string, since time.Time) (bool, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	var one int
	err := s.pool.QueryRow(ctx, `SELECT 1 FROM known_addresses WHERE account = $1 AND address = $2 AND last_used > $3`,
		account, address, since).Scan(&one)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, unavailable("read known addresses", err)
	}
	return true, nil
}

// PurgeAddresses deletes addresses last used at or before the instant; it
// returns how many rows it removed.
func (s *Store) PurgeAddresses(ctx context.Context, before time.Time) (int, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `DELETE FROM known_addresses WHERE last_used <= $1`, before)
	if err != nil {
		return 0, unavailable("purge known addresses", err)
	}
	return int(tag.RowsAffected()), nil
}
