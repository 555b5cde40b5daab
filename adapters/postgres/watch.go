package postgres

import (
	"context"
	"time"

	"github.com/authd/authd/domain"
	"github.com/jackc/pgx/v5"
)

// WatchRevocations calls onRevoked with every session revoked in the
// database, by any instance, until ctx ends. It listens for the trigger's
// NOTIFY on a connection of its own and, on each notification and at least
// every interval, reads the sessions revoked since the last it saw, by the
// database's clock. A lost notification or a dropped connection therefore
// delays a revocation by one interval at most; the listener reconnects with
// a backoff. It first reports every session already revoked whose access
// tokens may still be alive (those revoked within lookback), so an instance
// that starts late knows them too.
func (s *Store) WatchRevocations(ctx context.Context, interval, lookback time.Duration, onRevoked func(...domain.Session), onError func(error)) {
	var cursor *time.Time // the newest revoked_seen reported so far
	backoff := interval
	for ctx.Err() == nil {
		err := s.listen(ctx, interval, lookback, &cursor, onRevoked)
		if ctx.Err() != nil {
			return
		}
		if err != nil && onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// listen holds one LISTEN connection until it fails.
func (s *Store) listen(ctx context.Context, interval, lookback time.Duration, cursor **time.Time, onRevoked func(...domain.Session)) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return unavailable("listen for revocations", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `LISTEN authd_revoked`); err != nil {
		conn.Conn().Close(ctx)
		return unavailable("listen for revocations", err)
	}
	defer func() { _, _ = conn.Exec(context.Background(), `UNLISTEN *`) }()
	for {
		if err := s.catchUp(ctx, conn.Conn(), lookback, cursor, onRevoked); err != nil {
			return err
		}
		wait, cancel := context.WithTimeout(ctx, interval)
		_, err := conn.Conn().WaitForNotification(wait)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && wait.Err() == nil:
			return unavailable("wait for revocations", err) // the connection failed, not the timer
		}
	}
}

// catchUp reports the sessions revoked after the cursor and moves it.
func (s *Store) catchUp(ctx context.Context, conn *pgx.Conn, lookback time.Duration, cursor **time.Time, onRevoked func(...domain.Session)) error {
	qctx, cancel := s.op(ctx)
	defer cancel()
	var rows pgx.Rows
	var err error
	if *cursor == nil {
		rows, err = conn.Query(qctx, `SELECT `+sessionColumns+`, revoked_seen FROM sessions
			WHERE revoked_seen > clock_timestamp() - make_interval(secs => $1) ORDER BY revoked_seen`, lookback.Seconds())
	} else {
		rows, err = conn.Query(qctx, `SELECT `+sessionColumns+`, revoked_seen FROM sessions
			WHERE revoked_seen > $1 ORDER BY revoked_seen`, **cursor)
	}
	if err != nil {
		return unavailable("read revocations", err)
	}
	var found []domain.Session
	newest := *cursor
	for rows.Next() {
		var seen time.Time
		sess, err := scanSessionWith(rows, &seen)
		if err != nil {
			rows.Close()
			return unavailable("read revocations", err)
		}
		found = append(found, sess)
		newest = &seen
	}
	if err := rows.Err(); err != nil {
		return unavailable("read revocations", err)
	}
	if newest == nil {
		// Nothing revoked yet: start from the database's now, so the next
		// query does not scan the lookback again.
		var now time.Time
		if err := conn.QueryRow(qctx, `SELECT clock_timestamp() - make_interval(secs => $1)`, lookback.Seconds()).Scan(&now); err != nil {
			return unavailable("read revocations", err)
		}
		newest = &now
	}
	*cursor = newest
	if len(found) > 0 {
		onRevoked(found...)
	}
	return nil
}

// scanSessionWith reads sessionColumns followed by one more column.
func scanSessionWith(row pgx.Row, extra *time.Time) (domain.Session, error) {
	var sess domain.Session
	err := scanInto(row, &sess, extra)
	return sess, err
}
