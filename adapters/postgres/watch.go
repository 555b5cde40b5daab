package postgres

import (
	"context"
	"time"

	"github.com/authd/authd/domain"
	"github.com/jackc/pgx/v5"
)

// maxListenBackoff caps the wait between failed attempts to listen.
const maxListenBackoff = 30 * time.Second

// WatchRevocations calls onRevoked with every session revoked in the
// database, by any instance, until ctx ends, and onError with every failure
// to read or to listen; it calls both from its own goroutine, one call at a
// time, and returns once everything it started has stopped.
//
// It reads revocations in commit order (ADR 0004). The trigger records, in
// revoked_xid, the id of the transaction that revoked a session; a catch-up
// takes a snapshot and reads, in that snapshot, the revocations the
// previous catch-up's snapshot could not see: those of transactions that
// were still running then (its in-progress list) or had not started (at or
// past its xmax). A transaction is therefore read by the first catch-up
// that starts after it commits, however long it ran and whatever the order
// of its rows' revoked_seen stamps, and each revocation is reported once.
// The query reads only those rows, through an index, however large the
// table. The first catch-up reports every session revoked within lookback
// (by the database's clock), so an instance that starts late knows those
// whose access tokens may still be alive; so does a catch-up that finds the
// transaction counter gone back, which means another database now answers
// at the URL.
//
// A catch-up runs at start, every interval, and as soon as a notification
// of the trigger arrives. The notification is only a wake-up: the catch-up
// it starts reads the notified session with every other one committed by
// then. Notifications arrive on a connection of the watcher's own, outside
// the pool, that LISTENs; catch-ups use the pool, so while that connection
// is down they go on every interval and a revocation takes one interval at
// most to be reported. The listener reconnects after interval, doubling
// the wait up to maxListenBackoff while it cannot connect and starting
// from interval again after any connection that listened.
func (s *Store) WatchRevocations(ctx context.Context, interval, lookback time.Duration, onRevoked func(...domain.Session), onError func(error)) {
	ctx, cancel := context.WithCancel(ctx)
	wake := make(chan struct{}, 1)
	errs := make(chan error)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.listen(ctx, interval, wake, errs)
	}()
	defer func() { cancel(); <-done }()
	report := func(err error) {
		if onError != nil && ctx.Err() == nil {
			onError(err)
		}
	}
	var seen *snapshot
	catchUp := func() {
		found, err := s.readRevoked(ctx, lookback, &seen)
		switch {
		case err != nil:
			report(err)
		case len(found) > 0:
			onRevoked(found...)
		}
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	catchUp()
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-errs:
			report(err)
		case <-wake:
			catchUp()
		case <-tick.C:
			catchUp()
		}
	}
}

// snapshot is what a catch-up has read: every revocation committed before
// its snapshot, which that snapshot's xmax and in-progress transaction ids
// (xip) describe.
type snapshot struct {
	xmax int64
	xip  []int64
}

// The catch-up's queries. xid8 values travel as bigint (they are 64-bit
// and never wrap), which pgx encodes without a custom type.
const (
	snapshotQuery = `SELECT pg_snapshot_xmax(snap)::text::bigint,
		ARRAY(SELECT pg_snapshot_xip(snap)::text::bigint) FROM pg_current_snapshot() AS s(snap)`
	lookbackQuery = `SELECT ` + sessionColumns + ` FROM sessions
		WHERE revoked_seen > clock_timestamp() - make_interval(secs => $1)`
	// unseenQuery has no revoked_seen bound: with one, a generic plan
	// would read every revocation within the lookback by its index.
	unseenQuery = `SELECT ` + sessionColumns + ` FROM sessions
		WHERE revoked_xid >= $1 OR revoked_xid = ANY($2)`
)

// readRevoked returns the revocations committed since *seen (all those
// within lookback when *seen is nil) and moves *seen to the snapshot it
// read them in: one REPEATABLE READ transaction, so the snapshot the first
// query describes is the one the second reads in.
func (s *Store) readRevoked(ctx context.Context, lookback time.Duration, seen **snapshot) ([]domain.Session, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	var now snapshot
	var found []domain.Session
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, snapshotQuery).Scan(&now.xmax, &now.xip); err != nil {
			return err
		}
		var rows pgx.Rows
		var err error
		if prev := *seen; prev == nil || now.xmax < prev.xmax {
			rows, err = tx.Query(ctx, lookbackQuery, lookback.Seconds())
		} else {
			rows, err = tx.Query(ctx, unseenQuery, prev.xmax, prev.xip)
		}
		if err != nil {
			return err
		}
		found, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Session, error) { return scanSession(r) })
		return err
	})
	if err != nil {
		return nil, unavailable("read revocations", err)
	}
	*seen = &now
	return found, nil
}

// listen keeps a LISTEN connection until ctx ends, reconnecting when it
// drops. It signals wake after each LISTEN and each notification, and sends
// each failure to errs.
func (s *Store) listen(ctx context.Context, interval time.Duration, wake chan<- struct{}, errs chan<- error) {
	delay := interval
	for {
		listened, err := s.listenOnce(ctx, interval, wake)
		if ctx.Err() != nil {
			return
		}
		if listened {
			delay = interval // that connection was good: this is a new failure
		}
		select {
		case errs <- err:
		case <-ctx.Done():
			return
		}
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return
		}
		delay = min(2*delay, maxListenBackoff)
	}
}

// listenOnce connects, LISTENs and waits for notifications until the
// connection fails or ctx ends; listened reports whether LISTEN succeeded.
// After each interval without a notification it says LISTEN again, which
// changes nothing on a live connection and finds a dead one.
func (s *Store) listenOnce(ctx context.Context, interval time.Duration, wake chan<- struct{}) (listened bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return false, unavailable("listen for revocations", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	for {
		lctx, cancel := s.op(ctx)
		_, err := conn.Exec(lctx, `LISTEN authd_revoked`)
		cancel()
		if err != nil {
			return listened, unavailable("listen for revocations", err)
		}
		if !listened {
			listened = true
			signal(wake) // notifications sent before LISTEN are lost: catch up
		}
		if err := awaitNotifications(ctx, conn, interval, wake); err != nil || ctx.Err() != nil {
			return true, err
		}
	}
}

// awaitNotifications signals wake for each notification on conn until an
// interval passes without one or ctx ends (nil), or the connection fails.
func awaitNotifications(ctx context.Context, conn *pgx.Conn, interval time.Duration, wake chan<- struct{}) error {
	for {
		wait, cancel := context.WithTimeout(ctx, interval)
		_, err := conn.WaitForNotification(wait)
		quiet := wait.Err() != nil // read before cancel, which sets it
		cancel()
		switch {
		case err == nil:
			signal(wake)
		case quiet:
			return nil
		default:
			return unavailable("wait for revocations", err) // the connection failed, not the timer
		}
	}
}

// signal sends on a channel of capacity one without blocking: a signal
// already pending stands for any number.
func signal(c chan<- struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
