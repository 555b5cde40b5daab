package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
	"github.com/jackc/pgx/v5"
)

// userColumns are the columns a domain.User is read from, in scanUser's
// order.
const userColumns = `id, username, password_hash, disabled, created_at`

func scanUser(row pgx.Row) (domain.User, error) {
	var u domain.User
	err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Disabled, &u.CreatedAt)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// UserByUsername returns the live user with exactly that username.
func (s *Store) UserByUsername(ctx context.Context, username string) (domain.User, error) {
	if !storable(username) {
		return domain.User{}, domain.ErrNotFound // no such text can be stored, so no such user
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1 AND deleted_at IS NULL`, username))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return domain.User{}, domain.ErrNotFound
	case err != nil:
		return domain.User{}, unavailable("find user", err)
	}
	return u, nil
}

// CreateUser inserts the user: domain.ErrUsernameTaken when a live user has
// the username, domain.ErrConflict when a row (live or deleted) has the id.
func (s *Store) CreateUser(ctx context.Context, u domain.User) error {
	if !storable(u.ID) || !storable(u.Username) {
		return &domain.RequestError{Reason: "username must be UTF-8 text without NUL"}
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	_, err := s.pool.Exec(ctx, `INSERT INTO users (id, username, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5)`,
		u.ID, u.Username, u.PasswordHash, u.Disabled, u.CreatedAt)
	switch {
	case isUniqueViolation(err, "users_live_username"):
		return domain.ErrUsernameTaken
	case isUniqueViolation(err, ""):
		return domain.ErrConflict
	case err != nil:
		return unavailable("create user", err)
	}
	return nil
}

// AddMissingUsers inserts, in one transaction under a lock on the table,
// each user whose id no row has and whose username no live user has, and
// returns those it inserted. Instances starting together take turns, so
// they agree on what was added.
func (s *Store) AddMissingUsers(ctx context.Context, users []domain.User) ([]domain.User, error) {
	var added []domain.User
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		added = nil
		if _, err := tx.Exec(ctx, `LOCK TABLE users IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		for _, u := range users {
			tag, err := tx.Exec(ctx, `INSERT INTO users (id, username, password_hash, disabled, created_at)
				SELECT $1, $2, $3, $4, $5
				WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = $1 OR (username = $2 AND deleted_at IS NULL))`,
				u.ID, u.Username, u.PasswordHash, u.Disabled, u.CreatedAt)
			if err != nil {
				return fmt.Errorf("user %q: %w", u.Username, err)
			}
			if tag.RowsAffected() == 1 {
				added = append(added, u)
			}
		}
		return nil
	})
	if err != nil {
		return nil, unavailable("add users", err)
	}
	return added, nil
}

// ListUsers returns up to limit live users after the username, in byte
// order (COLLATE "C", whatever the database's collation).
func (s *Store) ListUsers(ctx context.Context, after string, limit int) ([]domain.User, error) {
	if !storable(after) {
		return nil, nil
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users
		WHERE deleted_at IS NULL AND username COLLATE "C" > $1 ORDER BY username COLLATE "C" LIMIT $2`, after, limit)
	if err != nil {
		return nil, unavailable("list users", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.User, error) { return scanUser(r) })
	if err != nil {
		return nil, unavailable("list users", err)
	}
	return out, nil
}

// SetPassword replaces the live user's password hash.
func (s *Store) SetPassword(ctx context.Context, id, hash string) error {
	return s.updateUser(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1 AND deleted_at IS NULL`, id, hash)
}

// SetDisabled disables or enables the live user.
func (s *Store) SetDisabled(ctx context.Context, id string, disabled bool) error {
	return s.updateUser(ctx, `UPDATE users SET disabled = $2 WHERE id = $1 AND deleted_at IS NULL`, id, disabled)
}

// DeleteUser marks the live user deleted at the instant.
func (s *Store) DeleteUser(ctx context.Context, id string, at time.Time) error {
	return s.updateUser(ctx, `UPDATE users SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL`, id, at)
}

func (s *Store) updateUser(ctx context.Context, query, id string, arg any) error {
	if !storable(id) {
		return domain.ErrNotFound
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, query, id, arg)
	if err != nil {
		return unavailable("update user", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// SeedUsers inserts the users only if the users table has no row at all
// (no deleted user either), and reports whether it was so.
func (s *Store) SeedUsers(ctx context.Context, users []domain.User) (bool, error) {
	seeded := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE users IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil || n > 0 {
			return err
		}
		for _, u := range users {
			if _, err := tx.Exec(ctx, `INSERT INTO users (id, username, password_hash, created_at) VALUES ($1, $2, $3, $4)`,
				u.ID, u.Username, u.PasswordHash, u.CreatedAt); err != nil {
				return err
			}
		}
		seeded = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("postgres: seed users: %w", err)
	}
	return seeded, nil
}
