package postgres_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/adapters/postgres"
	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/authd/authd/adapters/storetest"
	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	_ ports.SessionStore   = (*postgres.Store)(nil)
	_ ports.UserStore      = (*postgres.Store)(nil)
	_ ports.FailureLog     = (*postgres.Store)(nil)
	_ ports.KnownAddresses = (*postgres.Store)(nil)
	_ ports.UserAdmin      = (*postgres.Store)(nil)
	_ ports.AuditLog       = (*postgres.Store)(nil)
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Shutdown()
	os.Exit(code)
}

// open returns a migrated store on a fresh database.
func open(t *testing.T) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.Database(t))
	require.NoError(t, err)
	t.Cleanup(st.Close)
	require.NoError(t, st.Migrate(context.Background()))
	return st
}

func TestSessionStoreContract(t *testing.T) {
	t.Parallel()
	storetest.TestSessionStore(t, func(t *testing.T) ports.SessionStore { return open(t) })
}

func TestFailureLogContract(t *testing.T) {
	t.Parallel()
	storetest.TestFailureLog(t, func(t *testing.T) ports.FailureLog { return open(t) })
}

// TestFailureLogFloodContract: the table has no size limit, so it forgets
// nothing for a flood; the contract holds it to that.
func TestFailureLogFloodContract(t *testing.T) {
	t.Parallel()
	storetest.TestFailureLogFlood(t, func(t *testing.T, _ int) ports.FailureLog { return open(t) })
}

func TestKnownAddressesContract(t *testing.T) {
	t.Parallel()
	storetest.TestKnownAddresses(t, func(t *testing.T) ports.KnownAddresses { return open(t) })
}

func TestReplaysContract(t *testing.T) {
	t.Parallel()
	storetest.TestReplayCache(t, func(t *testing.T) ports.ReplayCache { return open(t) })
}

func TestUserStoreContract(t *testing.T) {
	t.Parallel()
	storetest.TestUserStore(t, func(t *testing.T, users ...domain.User) ports.UserStore {
		st := open(t)
		added, err := st.AddMissingUsers(context.Background(), users)
		require.NoError(t, err)
		require.Len(t, added, len(users))
		return st
	})
}

func TestUserAdminContract(t *testing.T) {
	t.Parallel()
	storetest.TestUserAdmin(t, func(t *testing.T) ports.UserAdmin { return open(t) })
}

func TestAuditLogContract(t *testing.T) {
	t.Parallel()
	storetest.TestAuditLog(t, func(t *testing.T) ports.AuditLog { return open(t) })
}

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	t.Parallel()
	url := pgtest.Database(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := postgres.Open(context.Background(), url)
			if !assert.NoError(t, err) {
				return
			}
			defer st.Close()
			assert.NoError(t, st.Migrate(context.Background()))
		}()
	}
	wg.Wait()
	st := open(t)
	require.NoError(t, st.Migrate(context.Background()))
}

func TestUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := open(t)
	seeded, err := st.SeedUsers(ctx, []domain.User{{ID: "1", Username: "chulsu", PasswordHash: "h1"}})
	require.NoError(t, err)
	assert.True(t, seeded)
	seeded, err = st.SeedUsers(ctx, []domain.User{{ID: "9", Username: "other", PasswordHash: "h9"}})
	require.NoError(t, err)
	assert.False(t, seeded, "only into an empty table")
	_, err = st.UserByUsername(ctx, "other")
	assert.ErrorIs(t, err, domain.ErrNotFound)

	// A deleted user still counts: the demo users never come back.
	require.NoError(t, st.DeleteUser(ctx, "1", time.Now()))
	seeded, err = st.SeedUsers(ctx, []domain.User{{ID: "1", Username: "chulsu", PasswordHash: "h1"}})
	require.NoError(t, err)
	assert.False(t, seeded, "a table whose users were deleted is not empty")
}

func TestWatchRevocations(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.Database(t)
	// Three stores on one database, as three instances would have: a and b
	// revoke, w watches. Closed by Cleanup, after cancel has stopped the
	// watcher.
	stores := make([]*postgres.Store, 3)
	for i := range stores {
		st, err := postgres.Open(ctx, url)
		require.NoError(t, err)
		t.Cleanup(st.Close)
		stores[i] = st
	}
	a, b, b2 := stores[0], stores[1], stores[2]
	require.NoError(t, a.Migrate(ctx))
	var err error

	p := domain.DefaultPolicy()
	early := domain.NewSession(storetest.NewID(), domain.User{ID: "1", Username: "u"}, time.Now(), p, "")
	require.NoError(t, a.CreateSession(ctx, early))
	_, err = a.RevokeSession(ctx, early.ID, domain.ReasonLogout, time.Now())
	require.NoError(t, err)

	var mu sync.Mutex
	seen := map[string]int{}
	go b2.WatchRevocations(ctx, 200*time.Millisecond, time.Hour, func(ss ...domain.Session) {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range ss {
			seen[s.ID]++
		}
	}, func(err error) { t.Logf("watch: %v", err) })
	count := func(id string) int { mu.Lock(); defer mu.Unlock(); return seen[id] }
	require.Eventually(t, func() bool { return count(early.ID) == 1 }, 5*time.Second, 10*time.Millisecond,
		"a revocation from before the watcher started is reported")

	s := domain.NewSession(storetest.NewID(), domain.User{ID: "2", Username: "v"}, time.Now(), p, "")
	require.NoError(t, a.CreateSession(ctx, s))
	_, err = a.RevokeSession(ctx, s.ID, domain.ReasonReuse, time.Now())
	require.NoError(t, err)
	require.Eventually(t, func() bool { return count(s.ID) == 1 }, 10*time.Second, 10*time.Millisecond)

	users := []domain.Session{
		domain.NewSession(storetest.NewID(), domain.User{ID: "3", Username: "w"}, time.Now(), p, ""),
		domain.NewSession(storetest.NewID(), domain.User{ID: "3", Username: "w"}, time.Now(), p, ""),
	}
	for _, us := range users {
		require.NoError(t, b.CreateSession(ctx, us))
	}
	_, err = b.RevokeUserSessions(ctx, "3", domain.ReasonLogout, time.Now())
	require.NoError(t, err)
	require.Eventually(t, func() bool { return count(users[0].ID) == 1 && count(users[1].ID) == 1 }, 10*time.Second, 10*time.Millisecond)

	_, err = a.RevokeSession(ctx, s.ID, domain.ReasonLogout, time.Now())
	require.NoError(t, err)
	time.Sleep(500 * time.Millisecond) // two catch-up intervals
	assert.Equal(t, 1, count(s.ID), "revoking again is not a new revocation")
	assert.Equal(t, 1, count(early.ID), "each revocation is reported once")
}

// TestHotQueriesUseIndexes explains every query on a hot path with
// sequential scans discouraged: each must be able to use an index, so none
// scans a table that holds a million sessions.
func TestHotQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.Database(t)
	st, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	require.NoError(t, st.Migrate(ctx))
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `SET enable_seqscan = off`)
	require.NoError(t, err)
	now := time.Now()
	for name, q := range map[string][]any{
		"session by id":      {`SELECT * FROM sessions WHERE id = $1`, "x"},
		"compare and rotate": {`UPDATE sessions SET generation = 2 WHERE id = $1 AND generation = 1 AND revoked_at IS NULL`, "x"},
		"user by username":   {`SELECT * FROM users WHERE username = $1 AND deleted_at IS NULL`, "minsu"},
		"list users":         {`SELECT * FROM users WHERE deleted_at IS NULL AND username COLLATE "C" > $1 ORDER BY username COLLATE "C" LIMIT 51`, "m"},
		"user's events":      {`SELECT * FROM audit_events WHERE id > $1 AND username = $2 ORDER BY id LIMIT 51`, int64(0), "minsu"},
		"events page":        {`SELECT * FROM audit_events WHERE id > $1 ORDER BY id LIMIT 51`, int64(0)},
		"purge events":       {`DELETE FROM audit_events WHERE at < $1`, now},
		"user by id":         {`SELECT * FROM users WHERE id = $1`, "2"},
		"user sessions":      {`SELECT * FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at, id`, "2", now},
		"revoke user":        {`UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, "2", now},
		"purge":              {`DELETE FROM sessions WHERE purge_at <= $1`, now},
		"catch up":           {postgres.UnseenQuery, int64(1000), []int64{990, 995}},
		"catch up at start":  {postgres.LookbackQuery, 3600.0},
		"failures":           {`SELECT at FROM login_failures WHERE key = $1 AND at > $2 ORDER BY at`, "user:minsu", now},
		"purge failures":     {`DELETE FROM login_failures WHERE at <= $1`, now},
	} {
		rows, err := conn.Query(ctx, "EXPLAIN "+q[0].(string), q[1:]...)
		require.NoError(t, err, name)
		var plan strings.Builder
		for rows.Next() {
			var line string
			require.NoError(t, rows.Scan(&line))
			plan.WriteString(line + "\n")
		}
		require.NoError(t, rows.Err())
		assert.NotContains(t, plan.String(), "Seq Scan", "%s:\n%s", name, plan.String())
	}
}

func TestCodeStoreContract(t *testing.T) {
	t.Parallel()
	storetest.TestCodeStore(t, func(t *testing.T) ports.CodeStore { return open(t) })
}

func TestBrowserSessionStoreContract(t *testing.T) {
	t.Parallel()
	storetest.TestBrowserSessionStore(t, func(t *testing.T) ports.BrowserSessionStore { return open(t) })
}
