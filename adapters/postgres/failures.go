package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Failures returns the key's failures after since, oldest first.
func (s *Store) Failures(ctx context.Context, key string, since time.Time) ([]time.Time, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT at FROM login_failures WHERE key = $1 AND at > $2 ORDER BY at`, key, since)
	if err != nil {
		return nil, unavailable("read login failures", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (time.Time, error) {
		var t time.Time
		err := r.Scan(&t)
		return t.UTC(), err
	})
	if err != nil {
		return nil, unavailable("read login failures", err)
	}
	return out, nil
}

// AddFailure records a failure and trims the key to its keep most recent.
func (s *Store) AddFailure(ctx context.Context, key string, at time.Time, keep int) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2)`, key, at); err != nil {
			return err
		}
		if keep <= 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE key = $1 AND at < (
			SELECT at FROM login_failures WHERE key = $1 ORDER BY at DESC OFFSET $2 - 1 LIMIT 1)`, key, keep)
		return err
	})
	if err != nil {
		return unavailable("record login failure", err)
	}
	return nil
}

// RemoveFailure deletes one failure of the key at exactly the instant.
func (s *Store) RemoveFailure(ctx context.Context, key string, at time.Time) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	_, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE ctid = (
		SELECT ctid FROM login_failures WHERE key = $1 AND at = $2 LIMIT 1)`, key, at)
	if err != nil {
		return unavailable("remove login failure", err)
	}
	return nil
}

// ResetFailures forgets the key.
func (s *Store) ResetFailures(ctx context.Context, key string) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key); err != nil {
		return unavailable("reset login failures", err)
	}
	return nil
}

// PurgeFailures deletes failures at or before the instant; it returns how
// many rows it removed.
func (s *Store) PurgeFailures(ctx context.Context, before time.Time) (int, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE at <= $1`, before)
	if err != nil {
		return 0, unavailable("purge login failures", err)
	}
	return int(tag.RowsAffected()), nil
}
