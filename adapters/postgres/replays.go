package postgres

import (
	"context"
	"time"
)

// Remember records key until the instant in one statement: a new key is
// inserted, a key whose until has passed is taken anew, and a key still
// within its time changes nothing. The primary key makes concurrent calls
// on any number of instances agree on the one that inserted.
func (s *Store) Remember(ctx context.Context, key string, now, until time.Time) (bool, error) {
	if !storable(key) {
		return false, nil
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `INSERT INTO dpop_replays (key, until) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET until = EXCLUDED.until WHERE dpop_replays.until <= $3`, key, until, now)
	if err != nil {
		return false, unavailable("remember proof", err)
	}
	return tag.RowsAffected() == 1, nil
}

// PurgeReplays deletes the keys whose until is at or before now.
func (s *Store) PurgeReplays(ctx context.Context, now time.Time) (int, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `DELETE FROM dpop_replays WHERE until <= $1`, now)
	if err != nil {
		return 0, unavailable("purge proofs", err)
	}
	return int(tag.RowsAffected()), nil
}

// Entries counts the rows of dpop_replays.
func (s *Store) Entries(ctx context.Context) (int, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM dpop_replays`).Scan(&n); err != nil {
		return 0, unavailable("count proofs", err)
	}
	return n, nil
}
