package postgres

import (
	"context"
	"time"

	"github.com/authd/authd/domain"
	"github.com/jackc/pgx/v5"
)

// Record inserts the event; the table's identity column gives its id.
// Text no column can hold (NUL, invalid UTF-8, in a username a client
// sent) is stored with those bytes replaced, so an odd login attempt is
// still recorded.
func (s *Store) Record(ctx context.Context, e domain.AuditEvent) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_events (at, kind, user_id, username, actor, request_id, client_ip, client_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.At, string(e.Kind), clean(e.UserID), clean(e.Username), string(e.Actor), clean(e.RequestID), clean(e.ClientIP), clean(e.ClientID))
	if err != nil {
		return unavailable("record event", err)
	}
	return nil
}

// clean returns s as text PostgreSQL can hold.
func clean(s string) string {
	if storable(s) {
		return s
	}
	out := []rune{}
	for _, r := range s { // invalid bytes come as U+FFFD
		if r == 0 {
			r = '\uFFFD'
		}
		out = append(out, r)
	}
	return string(out)
}

// Events returns up to limit events after the id, of the username's only
// when it is not "".
func (s *Store) Events(ctx context.Context, username string, after int64, limit int) ([]domain.AuditEvent, error) {
	if !storable(username) {
		return nil, nil
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	// Two queries, so each plan can use its index: (username, at) for one
	// user's events, the primary key for all.
	const columns = `SELECT id, at, kind, user_id, username, actor, request_id, client_ip, client_id FROM audit_events`
	query, args := columns+` WHERE id > $1 ORDER BY id LIMIT $2`, []any{after, limit}
	if username != "" {
		query, args = columns+` WHERE id > $1 AND username = $3 ORDER BY id LIMIT $2`, append(args, username)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, unavailable("list events", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.AuditEvent, error) {
		var e domain.AuditEvent
		var kind, actor string
		err := r.Scan(&e.ID, &e.At, &kind, &e.UserID, &e.Username, &actor, &e.RequestID, &e.ClientIP, &e.ClientID)
		e.Kind, e.Actor, e.At = domain.AuditKind(kind), domain.Actor(actor), e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, unavailable("list events", err)
	}
	return out, nil
}

// PurgeEvents deletes the events before the instant.
func (s *Store) PurgeEvents(ctx context.Context, before time.Time) (int, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `DELETE FROM audit_events WHERE at < $1`, before)
	if err != nil {
		return 0, unavailable("purge events", err)
	}
	return int(tag.RowsAffected()), nil
}
