package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/domain"
	"github.com/jackc/pgx/v5"
)

const sessionColumns = `id, user_id, username, created_at, last_used_at, expires_at, generation, rotated_at, purge_at, revoked_at, revoke_reason, jkt`

// scanSession reads one row of sessionColumns.
func scanSession(row pgx.Row) (domain.Session, error) {
	var s domain.Session
	err := scanInto(row, &s)
	return s, err
}

// scanInto reads sessionColumns, and any extra columns after them, into s.
func scanInto(row pgx.Row, s *domain.Session, extra ...any) error {
	var revokedAt *time.Time
	var reason *string
	var gen int64
	dest := append([]any{&s.ID, &s.UserID, &s.Username, &s.CreatedAt, &s.LastUsedAt, &s.ExpiresAt, &gen, &s.RotatedAt, &s.PurgeAt, &revokedAt, &reason, &s.JKT}, extra...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	s.Generation = uint64(gen)
	if revokedAt != nil {
		s.RevokedAt = revokedAt.UTC()
	}
	if reason != nil {
		s.RevokeReason = domain.RevokeReason(*reason)
	}
	s.CreatedAt, s.LastUsedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.LastUsedAt.UTC(), s.ExpiresAt.UTC()
	s.RotatedAt, s.PurgeAt = s.RotatedAt.UTC(), s.PurgeAt.UTC()
	return nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateSession stores a new session; a taken id is domain.ErrConflict.
func (s *Store) CreateSession(ctx context.Context, sess domain.Session) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
		sess.ID, sess.UserID, sess.Username, sess.CreatedAt, sess.LastUsedAt, sess.ExpiresAt, int64(sess.Generation),
		sess.RotatedAt, sess.PurgeAt, nullTime(sess.RevokedAt), nullString(string(sess.RevokeReason)), sess.JKT)
	switch {
	case isUniqueViolation(err):
		return domain.ErrConflict
	case err != nil:
		return unavailable("create session", err)
	}
	return nil
}

// Session returns the session with the id, or domain.ErrNotFound.
func (s *Store) Session(ctx context.Context, id string) (domain.Session, error) {
	if !storable(id) {
		return domain.Session{}, domain.ErrNotFound
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	sess, err := scanSession(s.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return domain.Session{}, domain.ErrNotFound
	case err != nil:
		return domain.Session{}, unavailable("load session", err)
	}
	return sess, nil
}

// CompareAndRotate stores next's rotation in one conditional UPDATE: it
// changes the row only while it is unrevoked and at generation fromGen, so
// of any number of concurrent rotations, on any number of instances, one
// wins and the others see domain.ErrConflict.
func (s *Store) CompareAndRotate(ctx context.Context, fromGen uint64, next domain.Session) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `UPDATE sessions SET generation = $3, rotated_at = $4, last_used_at = $5, purge_at = $6
		WHERE id = $1 AND generation = $2 AND revoked_at IS NULL`,
		next.ID, int64(fromGen), int64(next.Generation), next.RotatedAt, next.LastUsedAt, next.PurgeAt)
	if err != nil {
		return unavailable("rotate session", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1)`, next.ID).Scan(&exists); err != nil {
		return unavailable("rotate session", err)
	}
	if !exists {
		return domain.ErrNotFound
	}
	return domain.ErrConflict
}

// RevokeSession revokes the session, keeping the first reason and instant
// of an already revoked one. The revocation is committed whatever the
// caller does next.
func (s *Store) RevokeSession(ctx context.Context, id string, reason domain.RevokeReason, at time.Time) (domain.Session, error) {
	if !storable(id) {
		return domain.Session{}, domain.ErrNotFound
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	sess, err := scanSession(s.pool.QueryRow(ctx, `UPDATE sessions
		SET revoked_at = COALESCE(revoked_at, $2), revoke_reason = COALESCE(revoke_reason, $3)
		WHERE id = $1 RETURNING `+sessionColumns, id, at, string(reason)))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return domain.Session{}, domain.ErrNotFound
	case err != nil:
		return domain.Session{}, unavailable("revoke session", err)
	}
	return sess, nil
}

// RevokeUserSessions revokes every unrevoked session of the user.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string, reason domain.RevokeReason, at time.Time) ([]domain.Session, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	return s.sessions(ctx, "revoke user sessions", `UPDATE sessions SET revoked_at = $2, revoke_reason = $3
		WHERE user_id = $1 AND revoked_at IS NULL RETURNING `+sessionColumns, userID, at, string(reason))
}

// UserSessions returns the user's sessions live at now, oldest first.
func (s *Store) UserSessions(ctx context.Context, userID string, now time.Time) ([]domain.Session, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	return s.sessions(ctx, "list sessions", `SELECT `+sessionColumns+` FROM sessions
		WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND purge_at > $2
		ORDER BY created_at, id`, userID, now)
}

func (s *Store) sessions(ctx context.Context, what, query string, args ...any) ([]domain.Session, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, unavailable(what, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Session, error) { return scanSession(r) })
	if err != nil {
		return nil, unavailable(what, err)
	}
	return out, nil
}

// PurgeSessions deletes sessions whose PurgeAt is at or before now.
func (s *Store) PurgeSessions(ctx context.Context, now time.Time) (int, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE purge_at <= $1`, now)
	if err != nil {
		return 0, unavailable("purge sessions", err)
	}
	return int(tag.RowsAffected()), nil
}

// LiveSessions counts sessions neither revoked nor ended at now, for the
// metrics gauge.
func (s *Store) LiveSessions(ctx context.Context, now time.Time) (int, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM sessions
		WHERE revoked_at IS NULL AND expires_at > $1 AND purge_at > $1`, now).Scan(&n); err != nil {
		return 0, unavailable("count sessions", err)
	}
	return n, nil
}
