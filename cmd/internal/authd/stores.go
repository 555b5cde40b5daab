package authd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/authd/authd/adapters/argon2"
	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/adapters/postgres"
	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// stores are the store adapters the configuration picked, and what the
// composition root needs from them beyond the ports.
type stores struct {
	users    ports.UserAdmin
	audit    ports.AuditLog
	sessions ports.SessionStore
	failures ports.FailureLog
	known    ports.KnownAddresses
	replays  ports.ReplayCache
	codes    ports.CodeStore
	browsers ports.BrowserSessionStore
	ready    func(context.Context) error
	live     func(now time.Time) (int, error)
	// evictions, when set, counts the failure log's evictions.
	evictions func() uint64
	// watch, when set, reports sessions other instances revoke until ctx
	// ends.
	watch func(ctx context.Context, onRevoked func(...domain.Session), log ports.Logger)
	close func()
}

// revocationInterval bounds how late a revocation made by another instance
// reaches this one when a notification is lost.
const revocationInterval = time.Second

// openStores opens the configured stores and loads the users: those of
// AUTH_USERS_FILE, or else, in memory, the demo users; in PostgreSQL the
// demo users only with AUTH_DEMO_USERS=true and only into a table that
// never had a user. The users file is a bootstrap (see bootstrapUsers).
//
// Users the file or the demo set add are created at now, the clock's
// instant at start.
func openStores(cfg Config, log ports.Logger, now time.Time) (*stores, error) {
	fileUsers, err := loadUsersFile(cfg.UsersFile)
	if err != nil {
		return nil, err
	}
	fileUsers = createdAt(fileUsers, now)
	demo := createdAt(memory.SeedUsers(), now)
	switch cfg.Store {
	case "postgres":
		return openPostgres(cfg, fileUsers, demo, log)
	default:
		u, err := memory.NewUsers()
		if err != nil {
			return nil, err
		}
		if fileUsers == nil {
			if _, err := u.AddMissingUsers(context.Background(), demo); err != nil {
				return nil, err
			}
			log.Info("users: the three demo users, in memory (no AUTH_USERS_FILE)")
		} else if err := bootstrapUsers(context.Background(), u, fileUsers, log); err != nil {
			return nil, err
		}
		sessions := memory.NewSessions()
		failures := memory.NewFailures()
		return &stores{
			users: u, audit: memory.NewAudit(0), sessions: sessions, failures: failures, evictions: failures.Evictions, replays: memory.NewReplays(),
			codes: memory.NewCodes(), browsers: memory.NewBrowserSessions(),
			known: memory.NewKnownAddresses(),
			live:  func(now time.Time) (int, error) { return sessions.Live(now), nil },
			close: func() {},
		}, nil
	}
}

func openPostgres(cfg Config, fileUsers, demo []domain.User, log ports.Logger) (*stores, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("AUTH_DATABASE_URL: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("AUTH_DATABASE_URL: migrate: %w", err)
	}
	switch {
	case fileUsers != nil:
		err = bootstrapUsers(ctx, st, fileUsers, log)
	case cfg.DemoUsers:
		var seeded bool
		if seeded, err = st.SeedUsers(ctx, demo); seeded {
			log.Warn("AUTH_DEMO_USERS: the users table was empty: created the three demo users with their published passwords; never in production")
		} else if err == nil {
			log.Info("users: those already in PostgreSQL (AUTH_DEMO_USERS: the table had users, none added)")
		}
	default:
		// Demo users in a shared database are a choice, never a default:
		// their passwords are in every copy of this repository.
		var empty bool
		if empty, err = st.SeedUsers(ctx, nil); empty { // nothing to insert: reports an empty table
			log.Warn("no users: the users table is empty and nobody can log in; add users with AUTH_USERS_FILE (hashes from authd hash-password), or set AUTH_DEMO_USERS=true for the three demo users in a throwaway database")
		} else if err == nil {
			log.Info("users: those in PostgreSQL (no AUTH_USERS_FILE)")
		}
	}
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("users: %w", err)
	}
	// Access tokens live at most one access TTL; a revocation older than
	// that (plus leeway) can no longer matter to a starting instance.
	lookback := cfg.Policy.AccessTTL + cfg.Policy.Leeway + time.Minute
	return &stores{
		users: st, audit: st, sessions: st, failures: st, known: st, replays: st, codes: st, browsers: st, ready: st.Ping,
		live: func(now time.Time) (int, error) { return st.LiveSessions(context.Background(), now) },
		watch: func(ctx context.Context, onRevoked func(...domain.Session), log ports.Logger) {
			st.WatchRevocations(ctx, revocationInterval, lookback, onRevoked, func(err error) {
				log.Warn("revocation watcher", ports.F("error", err.Error()))
			})
		},
		close: st.Close,
	}, nil
}

// bootstrapUsers adds the users of AUTH_USERS_FILE that the store lacks:
// those whose id no user has or had and whose username no live user has.
// It never overwrites a user (a password changed since stays changed),
// never brings back a deleted one, and removing a user from the file
// removes nobody: once users are managed (sign-up, the admin API, authd
// users), the store is the truth and the file only a first content. Every
// instance started with any version of the file agrees, because none
// changes what is there. It logs one line saying what it loaded.
func bootstrapUsers(ctx context.Context, st ports.UserAdmin, users []domain.User, log ports.Logger) error {
	added, err := st.AddMissingUsers(ctx, users)
	if err != nil {
		return fmt.Errorf("AUTH_USERS_FILE: %w", err)
	}
	names := make([]string, 0, len(added))
	for _, u := range added {
		names = append(names, u.Username)
	}
	log.Info("users: AUTH_USERS_FILE loaded: added the users the store lacked; users already there (or deleted) are left as they are",
		ports.F("in_file", len(users)), ports.F("added", len(added)), ports.F("kept", len(users)-len(added)), ports.F("added_usernames", names))
	return nil
}

// createdAt returns the users with CreatedAt set to now.
func createdAt(users []domain.User, now time.Time) []domain.User {
	for i := range users {
		users[i].CreatedAt = now
	}
	return users
}

// fileUser is one entry of AUTH_USERS_FILE.
type fileUser struct {
	ID           string `json:"id"`
	Username     string `json:"username"`
	PasswordHash string `json:"password_hash"`
}

// loadUsersFile reads AUTH_USERS_FILE; no path means no file (nil).
func loadUsersFile(path string) ([]domain.User, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("AUTH_USERS_FILE: %w", err)
	}
	var list []fileUser
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("AUTH_USERS_FILE: not a JSON list of {id, username, password_hash}: %w", err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("AUTH_USERS_FILE: no users")
	}
	users := make([]domain.User, 0, len(list))
	seen := map[string]bool{}
	for i, u := range list {
		if u.ID == "" || u.Username == "" {
			return nil, fmt.Errorf("AUTH_USERS_FILE: user %d needs an id and a username", i)
		}
		if seen["id:"+u.ID] || seen["name:"+u.Username] {
			return nil, fmt.Errorf("AUTH_USERS_FILE: user %d (%q) repeats an id or a username", i, u.Username)
		}
		seen["id:"+u.ID], seen["name:"+u.Username] = true, true
		if _, _, _, err := argon2.Decode(u.PasswordHash); err != nil {
			return nil, fmt.Errorf("AUTH_USERS_FILE: user %q: password_hash must be an argon2id PHC string (authd hash-password): %w", u.Username, err)
		}
		users = append(users, domain.User{ID: u.ID, Username: u.Username, PasswordHash: u.PasswordHash})
	}
	return users, nil
}
