package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/authd/authd/domain"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultOpTimeout bounds every store operation, so a database that hangs
// turns into an ErrUnavailable answer instead of a request that never ends.
const DefaultOpTimeout = 3 * time.Second

// Store is the PostgreSQL store. It is safe for concurrent use.
type Store struct {
	pool      *pgxpool.Pool
	opTimeout time.Duration
	replays   *replayBatcher
}

// Open connects a pool to the database at url. It does not wait for the
// database: a store that cannot be reached answers ErrUnavailable until it
// can.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	cfg.MaxConns = max(cfg.MaxConns, 8)
	cfg.HealthCheckPeriod = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, opTimeout: DefaultOpTimeout}
	s.replays = newReplayBatcher(s)
	return s, nil
}

// Close stops the replay batcher and closes the pool.
func (s *Store) Close() {
	s.replays.close()
	s.pool.Close()
}

// op returns a context bounded by the operation timeout.
func (s *Store) op(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.opTimeout)
}

// unavailable wraps a database failure as domain.ErrUnavailable.
func unavailable(what string, err error) error {
	return fmt.Errorf("postgres: %s: %w: %w", what, domain.ErrUnavailable, err)
}

// Ping reports whether the database answers, for /readyz.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// Migrate applies the embedded migrations that the database lacks, in
// order, each in its own transaction, under an advisory lock so that
// instances starting together do not race.
func (s *Store) Migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return unavailable("migrate", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7426812)`); err != nil {
		return unavailable("migrate lock", err)
	}
	defer func() { _, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock(7426812)`) }()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return unavailable("migrate", err)
	}
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("postgres: migration %s has no version number", base)
		}
		var applied bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, version).Scan(&applied); err != nil {
			return unavailable("migrate", err)
		}
		if applied {
			continue
		}
		sql, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", base, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, version, base)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// isUniqueViolation reports a duplicate key; of the constraint (or unique
// index) named, when constraint is not "".
func isUniqueViolation(err error, constraint ...string) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23505" &&
		(len(constraint) == 0 || constraint[0] == "" || pg.ConstraintName == constraint[0])
}

// storable reports whether PostgreSQL's text type can hold s: valid UTF-8
// without NUL. Anything else cannot be a stored key, and sending it would
// fail the query with SQLSTATE 22021, which is not an outage.
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
