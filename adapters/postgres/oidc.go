package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
	"github.com/jackc/pgx/v5"
)

const codeColumns = `hash, client_id, redirect_uri, challenge, nonce, scope, user_id, username, browser_session_id,
	auth_time, created_at, expires_at, session_id, dpop_jkt, used_at`

func scanCode(row pgx.Row) (domain.AuthCode, error) {
	var c domain.AuthCode
	var used *time.Time
	err := row.Scan(&c.Hash, &c.ClientID, &c.RedirectURI, &c.Challenge, &c.Nonce, &c.Scope, &c.UserID, &c.Username,
		&c.BrowserSessionID, &c.AuthTime, &c.CreatedAt, &c.ExpiresAt, &c.SessionID, &c.DPoPJKT, &used)
	if used != nil {
		c.UsedAt = used.UTC()
	}
	c.AuthTime, c.CreatedAt, c.ExpiresAt = c.AuthTime.UTC(), c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	return c, err
}

// CreateCode stores a new authorization code; a taken hash is
// domain.ErrConflict.
func (s *Store) CreateCode(ctx context.Context, c domain.AuthCode) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	_, err := s.pool.Exec(ctx, `INSERT INTO auth_codes (`+codeColumns+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
		c.Hash, c.ClientID, c.RedirectURI, c.Challenge, c.Nonce, c.Scope, c.UserID, c.Username, c.BrowserSessionID,
		c.AuthTime, c.CreatedAt, c.ExpiresAt, c.SessionID, c.DPoPJKT, nullTime(c.UsedAt))
	switch {
	case isUniqueViolation(err):
		return domain.ErrConflict
	case err != nil:
		return unavailable("create code", err)
	}
	return nil
}

// UseCode marks the code used in one conditional UPDATE, so of concurrent
// exchanges on any number of instances one wins; the others read the row
// as the winner left it and get domain.ErrCodeUsed.
func (s *Store) UseCode(ctx context.Context, hash string, at time.Time) (domain.AuthCode, error) {
	if !storable(hash) {
		return domain.AuthCode{}, domain.ErrNotFound
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	c, err := scanCode(s.pool.QueryRow(ctx, `UPDATE auth_codes SET used_at = $2 WHERE hash = $1 AND used_at IS NULL
		RETURNING `+codeColumns, hash, at))
	if err == nil {
		c.UsedAt = time.Time{} // as it was before
		return c, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return domain.AuthCode{}, unavailable("use code", err)
	}
	c, err = scanCode(s.pool.QueryRow(ctx, `SELECT `+codeColumns+` FROM auth_codes WHERE hash = $1`, hash))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return domain.AuthCode{}, domain.ErrNotFound
	case err != nil:
		return domain.AuthCode{}, unavailable("use code", err)
	}
	return c, domain.ErrCodeUsed
}

// PurgeCodes deletes the codes that expired at or before now.
func (s *Store) PurgeCodes(ctx context.Context, now time.Time) (int, error) {
	return s.purge(ctx, "codes", `DELETE FROM auth_codes WHERE expires_at <= $1`, now)
}

// PurgeBrowserSessions deletes the browser sessions that expired at or
// before now.
func (s *Store) PurgeBrowserSessions(ctx context.Context, now time.Time) (int, error) {
	return s.purge(ctx, "browser sessions", `DELETE FROM browser_sessions WHERE expires_at <= $1`, now)
}

func (s *Store) purge(ctx context.Context, what, query string, now time.Time) (int, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, query, now)
	if err != nil {
		return 0, unavailable("purge "+what, err)
	}
	return int(tag.RowsAffected()), nil
}

const browserColumns = `id, secret_sha256, user_id, username, auth_time, expires_at, ended_at, sessions`

func scanBrowser(row pgx.Row) (domain.BrowserSession, error) {
	var b domain.BrowserSession
	var ended *time.Time
	err := row.Scan(&b.ID, &b.SecretSHA256, &b.UserID, &b.Username, &b.AuthTime, &b.ExpiresAt, &ended, &b.Sessions)
	if ended != nil {
		b.EndedAt = ended.UTC()
	}
	b.AuthTime, b.ExpiresAt = b.AuthTime.UTC(), b.ExpiresAt.UTC()
	if len(b.Sessions) == 0 {
		b.Sessions = nil
	}
	return b, err
}

// CreateBrowserSession stores a new browser session; a taken id is
// domain.ErrConflict.
func (s *Store) CreateBrowserSession(ctx context.Context, b domain.BrowserSession) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	sessions := b.Sessions
	if sessions == nil {
		sessions = []string{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO browser_sessions (`+browserColumns+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
		b.ID, b.SecretSHA256, b.UserID, b.Username, b.AuthTime, b.ExpiresAt, nullTime(b.EndedAt), sessions)
	switch {
	case isUniqueViolation(err):
		return domain.ErrConflict
	case err != nil:
		return unavailable("create browser session", err)
	}
	return nil
}

// BrowserSession returns the browser session with the id.
func (s *Store) BrowserSession(ctx context.Context, id string) (domain.BrowserSession, error) {
	return s.browserRow(ctx, "load browser session", `SELECT `+browserColumns+` FROM browser_sessions WHERE id = $1`, id)
}

// AddBrowserToken appends a token session to the browser session's list
// in one UPDATE, keeping the newest domain.MaxBrowserSessionTokens.
func (s *Store) AddBrowserToken(ctx context.Context, id, sessionID string) error {
	_, err := s.browserRow(ctx, "note token session", fmt.Sprintf(`UPDATE browser_sessions
		SET sessions = (array_append(sessions, $2::text))[greatest(1, cardinality(sessions) + 2 - %d):]
		WHERE id = $1 RETURNING `+browserColumns, domain.MaxBrowserSessionTokens), id, sessionID)
	return err
}

// EndBrowserSession marks the browser session ended, keeping the first
// instant.
func (s *Store) EndBrowserSession(ctx context.Context, id string, at time.Time) (domain.BrowserSession, error) {
	return s.browserRow(ctx, "end browser session", `UPDATE browser_sessions SET ended_at = COALESCE(ended_at, $2)
		WHERE id = $1 RETURNING `+browserColumns, id, at)
}

func (s *Store) browserRow(ctx context.Context, what, query, id string, args ...any) (domain.BrowserSession, error) {
	if !storable(id) {
		return domain.BrowserSession{}, domain.ErrNotFound
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	b, err := scanBrowser(s.pool.QueryRow(ctx, query, append([]any{id}, args...)...))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return domain.BrowserSession{}, domain.ErrNotFound
	case err != nil:
		return domain.BrowserSession{}, unavailable(what, err)
	}
	return b, nil
}
