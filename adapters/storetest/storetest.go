// Package storetest is the contract every store port must meet (sessions,
// users, the failure log, known addresses, replays, the audit log). Each
// store's own tests call TestSessionStore with a constructor, so the memory
// store and every store after it are held to the same behaviour, concurrency
// included.
//
// Each rule is a named subtest (TestSessionStore/compare_and_rotate, ...)
// that calls the constructor for a store of its own and runs in parallel
// with the others (t.Parallel), so a constructor must return an
// independent store on every call: the memory stores a new value, the
// PostgreSQL store a database of its own (pgtest.Database).
//
// It imports only domain, ports, testify and the standard library.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 has microsecond precision at most, which every store can keep.
var t0 = time.Date(2026, 11, 27, 12, 0, 0, 123456000, time.UTC)

// NewID returns a session id of the form ports.IDGenerator makes.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func newSession(userID string, at time.Time) domain.Session {
	return domain.NewSession(NewID(), domain.User{ID: userID, Username: "user" + userID}, at, domain.DefaultPolicy(), "")
}

// TestSessionStore runs the contract against stores made by newStore; each
// subtest gets a fresh, empty store.
func TestSessionStore(t *testing.T, newStore func(t *testing.T) ports.SessionStore) {
	ctx := context.Background()
	p := domain.DefaultPolicy()

	t.Run("ids_no_store_can_hold", func(t *testing.T) {
		t.Parallel()
		// A client can put anything into a path: NUL and invalid UTF-8 are
		// simply ids no session has, never an outage.
		st := newStore(t)
		for _, id := range []string{"a\x00b", "\x00", "\xff\xfe", strings.Repeat("x", 10_000)} {
			_, err := st.Session(ctx, id)
			assert.ErrorIs(t, err, domain.ErrNotFound, "%q", id)
			_, err = st.RevokeSession(ctx, id, domain.ReasonLogout, t0)
			assert.ErrorIs(t, err, domain.ErrNotFound, "%q", id)
		}
	})

	t.Run("create_and_get", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		s := newSession("1", t0)
		require.NoError(t, st.CreateSession(ctx, s))
		got, err := st.Session(ctx, s.ID)
		require.NoError(t, err)
		assertSame(t, s, got)
		assert.ErrorIs(t, st.CreateSession(ctx, s), domain.ErrConflict)
	})

	t.Run("dpop_binding_is_kept", func(t *testing.T) {
		t.Parallel()
		// A bound session keeps its key's thumbprint through rotation,
		// revocation and listing: every refresh is judged by it.
		st := newStore(t)
		const jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
		s := domain.NewSession(NewID(), domain.User{ID: "1", Username: "user1"}, t0, p, jkt)
		require.NoError(t, st.CreateSession(ctx, s))
		got, err := st.Session(ctx, s.ID)
		require.NoError(t, err)
		assertSame(t, s, got)
		next, _, err := got.DecideRefresh(1, t0.Add(time.Second), p)
		require.NoError(t, err)
		require.NoError(t, st.CompareAndRotate(ctx, 1, next))
		got, err = st.Session(ctx, s.ID)
		require.NoError(t, err)
		assert.Equal(t, jkt, got.JKT)
		list, err := st.UserSessions(ctx, "1", t0.Add(time.Second))
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, jkt, list[0].JKT)
		revoked, err := st.RevokeSession(ctx, s.ID, domain.ReasonLogout, t0.Add(2*time.Second))
		require.NoError(t, err)
		assert.Equal(t, jkt, revoked.JKT)
	})

	t.Run("unknown_session", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		_, err := st.Session(ctx, NewID())
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = st.Session(ctx, "not-an-id")
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = st.RevokeSession(ctx, NewID(), domain.ReasonLogout, t0)
		assert.ErrorIs(t, err, domain.ErrNotFound)
		err = st.CompareAndRotate(ctx, 1, newSession("1", t0))
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("compare_and_rotate", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		s := newSession("1", t0)
		require.NoError(t, st.CreateSession(ctx, s))
		next, out, err := s.DecideRefresh(1, t0.Add(time.Second), p)
		require.NoError(t, err)
		require.Equal(t, domain.Rotated, out)
		require.NoError(t, st.CompareAndRotate(ctx, 1, next))
		got, err := st.Session(ctx, s.ID)
		require.NoError(t, err)
		assertSame(t, next, got)

		assert.ErrorIs(t, st.CompareAndRotate(ctx, 1, next), domain.ErrConflict, "stale generation")
		_, err = st.RevokeSession(ctx, s.ID, domain.ReasonReuse, t0.Add(2*time.Second))
		require.NoError(t, err)
		after, _, _ := got.DecideRefresh(2, t0.Add(3*time.Second), p)
		assert.ErrorIs(t, st.CompareAndRotate(ctx, 2, after), domain.ErrConflict, "revoked sessions never rotate")
		got, err = st.Session(ctx, s.ID)
		require.NoError(t, err)
		assert.True(t, got.Revoked())
		assert.Equal(t, uint64(2), got.Generation)
	})

	t.Run("concurrent_rotations_succeed_once", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		s := newSession("1", t0)
		require.NoError(t, st.CreateSession(ctx, s))
		next, _, err := s.DecideRefresh(1, t0.Add(time.Second), p)
		require.NoError(t, err)
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				switch err := st.CompareAndRotate(ctx, 1, next); {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, domain.ErrConflict):
					conflicts.Add(1)
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, int32(1), wins.Load())
		assert.Equal(t, int32(49), conflicts.Load())
	})

	t.Run("revoke_is_idempotent", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		s := newSession("1", t0)
		require.NoError(t, st.CreateSession(ctx, s))
		r1, err := st.RevokeSession(ctx, s.ID, domain.ReasonReuse, t0.Add(time.Second))
		require.NoError(t, err)
		assert.Equal(t, domain.ReasonReuse, r1.RevokeReason)
		r2, err := st.RevokeSession(ctx, s.ID, domain.ReasonLogout, t0.Add(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, domain.ReasonReuse, r2.RevokeReason, "the first reason stays")
		assert.True(t, r2.RevokedAt.Equal(t0.Add(time.Second)))
	})

	t.Run("revoke_user_sessions", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		a1, a2, b := newSession("1", t0), newSession("1", t0.Add(time.Second)), newSession("2", t0)
		for _, s := range []domain.Session{a1, a2, b} {
			require.NoError(t, st.CreateSession(ctx, s))
		}
		_, err := st.RevokeSession(ctx, a2.ID, domain.ReasonLogout, t0)
		require.NoError(t, err)
		revoked, err := st.RevokeUserSessions(ctx, "1", domain.ReasonAdmin, t0.Add(time.Minute))
		require.NoError(t, err)
		require.Len(t, revoked, 1, "only the one not yet revoked")
		assert.Equal(t, a1.ID, revoked[0].ID)
		assert.Equal(t, domain.ReasonAdmin, revoked[0].RevokeReason)
		got, err := st.Session(ctx, b.ID)
		require.NoError(t, err)
		assert.False(t, got.Revoked(), "other users keep their sessions")
		none, err := st.RevokeUserSessions(ctx, "nobody", domain.ReasonAdmin, t0)
		require.NoError(t, err)
		assert.Empty(t, none)
	})

	t.Run("user_sessions_lists_live_ones_oldest_first", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		newer, older, revoked, other := newSession("1", t0.Add(time.Minute)), newSession("1", t0), newSession("1", t0), newSession("2", t0)
		for _, s := range []domain.Session{newer, older, revoked, other} {
			require.NoError(t, st.CreateSession(ctx, s))
		}
		_, err := st.RevokeSession(ctx, revoked.ID, domain.ReasonLogout, t0)
		require.NoError(t, err)
		list, err := st.UserSessions(ctx, "1", t0.Add(2*time.Minute))
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, older.ID, list[0].ID)
		assert.Equal(t, newer.ID, list[1].ID)
		list, err = st.UserSessions(ctx, "1", t0.Add(5*time.Minute+time.Second))
		require.NoError(t, err)
		require.Len(t, list, 1, "the older one's refresh token has expired")
		list, err = st.UserSessions(ctx, "nobody", t0)
		require.NoError(t, err)
		assert.Empty(t, list)
	})

	t.Run("purge_forgets_only_ended_sessions", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		old, fresh := newSession("1", t0), newSession("1", t0.Add(4*time.Minute))
		require.NoError(t, st.CreateSession(ctx, old))
		require.NoError(t, st.CreateSession(ctx, fresh))
		n, err := st.PurgeSessions(ctx, old.PurgeAt.Add(-time.Microsecond))
		require.NoError(t, err)
		assert.Equal(t, 0, n)
		n, err = st.PurgeSessions(ctx, old.PurgeAt)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		_, err = st.Session(ctx, old.ID)
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = st.Session(ctx, fresh.ID)
		assert.NoError(t, err)
	})

	t.Run("concurrent_mixed_use", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := newSession("1", t0.Add(time.Duration(i)*time.Second))
				assert.NoError(t, st.CreateSession(ctx, s))
				next, _, _ := s.DecideRefresh(1, t0.Add(time.Minute), p)
				assert.NoError(t, st.CompareAndRotate(ctx, 1, next))
				_, err := st.UserSessions(ctx, "1", t0.Add(time.Minute))
				assert.NoError(t, err)
				if i%2 == 0 {
					_, err := st.RevokeSession(ctx, s.ID, domain.ReasonLogout, t0.Add(time.Minute))
					assert.NoError(t, err)
				}
				_, err = st.PurgeSessions(ctx, t0)
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		list, err := st.UserSessions(ctx, "1", t0.Add(time.Minute))
		require.NoError(t, err)
		assert.Len(t, list, 10)
	})
}

// assertSame compares sessions field by field at microsecond precision.
func assertSame(t *testing.T, want, got domain.Session) {
	t.Helper()
	us := func(x time.Time) time.Time { return x.Truncate(time.Microsecond) }
	for _, s := range []*domain.Session{&want, &got} {
		s.CreatedAt, s.LastUsedAt, s.ExpiresAt = us(s.CreatedAt), us(s.LastUsedAt), us(s.ExpiresAt)
		s.RotatedAt, s.PurgeAt, s.RevokedAt = us(s.RotatedAt), us(s.PurgeAt), us(s.RevokedAt)
	}
	assert.Equal(t, want, got)
}

// TestFailureLog runs the contract of ports.FailureLog against logs made by
// newLog; each subtest gets a fresh, empty log.
func TestFailureLog(t *testing.T, newLog func(t *testing.T) ports.FailureLog) {
	ctx := context.Background()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

	t.Run("add_keep_and_read", func(t *testing.T) {
		t.Parallel()
		f := newLog(t)
		for i := range 5 {
			require.NoError(t, f.AddFailure(ctx, "user:a", at(i), 3))
		}
		got, err := f.Failures(ctx, "user:a", t0.Add(-time.Hour))
		require.NoError(t, err)
		require.Len(t, got, 3, "only the 3 most recent are kept")
		assert.True(t, got[0].Equal(at(2)) && got[2].Equal(at(4)), "oldest first: %v", got)
		got, err = f.Failures(ctx, "user:a", at(3))
		require.NoError(t, err)
		assert.Len(t, got, 1, "only those after since")
		none, err := f.Failures(ctx, "user:b", t0.Add(-time.Hour))
		require.NoError(t, err)
		assert.Empty(t, none)
	})

	t.Run("reset_and_purge", func(t *testing.T) {
		t.Parallel()
		f := newLog(t)
		require.NoError(t, f.AddFailure(ctx, "user:a", at(0), 10))
		require.NoError(t, f.AddFailure(ctx, "user:a", at(5), 10))
		require.NoError(t, f.AddFailure(ctx, "ip:1", at(0), 10))
		n, err := f.PurgeFailures(ctx, at(1))
		require.NoError(t, err)
		assert.Positive(t, n)
		got, _ := f.Failures(ctx, "user:a", t0.Add(-time.Hour))
		assert.Len(t, got, 1)
		got, _ = f.Failures(ctx, "ip:1", t0.Add(-time.Hour))
		assert.Empty(t, got)
		require.NoError(t, f.ResetFailures(ctx, "user:a"))
		got, _ = f.Failures(ctx, "user:a", t0.Add(-time.Hour))
		assert.Empty(t, got)
	})

	t.Run("remove_one", func(t *testing.T) {
		t.Parallel()
		f := newLog(t)
		require.NoError(t, f.AddFailure(ctx, "ip:1", at(0), 10))
		require.NoError(t, f.AddFailure(ctx, "ip:1", at(1), 10))
		require.NoError(t, f.AddFailure(ctx, "ip:1", at(1), 10))
		require.NoError(t, f.RemoveFailure(ctx, "ip:1", at(1)))
		got, err := f.Failures(ctx, "ip:1", t0.Add(-time.Hour))
		require.NoError(t, err)
		require.Len(t, got, 2, "exactly one of the two at that instant is gone")
		assert.True(t, got[0].Equal(at(0)) && got[1].Equal(at(1)), "%v", got)
		require.NoError(t, f.RemoveFailure(ctx, "ip:1", at(7)), "no failure at that instant: nothing to do")
		require.NoError(t, f.RemoveFailure(ctx, "ip:2", at(0)), "an unknown key: nothing to do")
		got, _ = f.Failures(ctx, "ip:1", t0.Add(-time.Hour))
		assert.Len(t, got, 2)
	})

	t.Run("add_then_count_is_linearizable", func(t *testing.T) {
		t.Parallel()
		// The login throttle records an attempt, then counts: of N
		// concurrent attempts the k-th to record must see at least k, so at
		// most MaxFailures of them see a count within the limit.
		f := newLog(t)
		const attempts, limit = 30, 5
		within := make(chan bool, attempts)
		var wg sync.WaitGroup
		for range attempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				assert.NoError(t, f.AddFailure(ctx, "user:x", at(0), limit+1))
				got, err := f.Failures(ctx, "user:x", t0.Add(-time.Hour))
				assert.NoError(t, err)
				within <- len(got) <= limit
			}()
		}
		wg.Wait()
		close(within)
		n := 0
		for ok := range within {
			if ok {
				n++
			}
		}
		assert.LessOrEqual(t, n, limit)
	})

	t.Run("concurrent", func(t *testing.T) {
		t.Parallel()
		f := newLog(t)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				assert.NoError(t, f.AddFailure(ctx, "ip:1", at(i), 100))
			}()
		}
		wg.Wait()
		got, err := f.Failures(ctx, "ip:1", t0.Add(-time.Hour))
		require.NoError(t, err)
		assert.Len(t, got, 20)
	})
}

// TestUserStore runs the contract of ports.UserStore against stores made by
// newStore, which holds exactly the users given; each subtest gets a fresh
// store.
func TestUserStore(t *testing.T, newStore func(t *testing.T, users ...domain.User) ports.UserStore) {
	ctx := context.Background()
	users := []domain.User{
		{ID: "1", Username: "chulsu", PasswordHash: "hash-1", CreatedAt: t0},
		{ID: "2", Username: "민수", PasswordHash: "hash-2", Disabled: true, CreatedAt: t0},
	}
	t.Run("by_username", func(t *testing.T) {
		t.Parallel()
		st := newStore(t, users...)
		for _, u := range users {
			got, err := st.UserByUsername(ctx, u.Username)
			require.NoError(t, err)
			assert.Equal(t, u, got)
		}
	})
	t.Run("exact_match_only", func(t *testing.T) {
		t.Parallel()
		st := newStore(t, users...)
		for _, name := range []string{"Chulsu", "chulsu ", " chulsu", "chul", "", "nobody"} {
			_, err := st.UserByUsername(ctx, name)
			assert.ErrorIs(t, err, domain.ErrNotFound, "%q", name)
		}
	})
	t.Run("names_no_store_can_hold", func(t *testing.T) {
		t.Parallel()
		st := newStore(t, users...)
		for _, name := range []string{"chulsu\x00", "\x00", "\xff", strings.Repeat("u", 16<<10)} {
			_, err := st.UserByUsername(ctx, name)
			assert.ErrorIs(t, err, domain.ErrNotFound, "%q", name)
		}
	})
}

// TestReplayCache runs the contract of ports.ReplayCache against caches
// made by newCache; each subtest gets a fresh, empty cache.
func TestReplayCache(t *testing.T, newCache func(t *testing.T) ports.ReplayCache) {
	ctx := context.Background()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

	t.Run("once", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		fresh, err := c.Remember(ctx, "k1", at(0), at(121))
		require.NoError(t, err)
		assert.True(t, fresh)
		fresh, err = c.Remember(ctx, "k1", at(60), at(180))
		require.NoError(t, err)
		assert.False(t, fresh, "a key within its time is a replay")
		fresh, err = c.Remember(ctx, "k2", at(60), at(180))
		require.NoError(t, err)
		assert.True(t, fresh, "another key is not")
	})

	t.Run("forgets_after_until", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		_, err := c.Remember(ctx, "k", at(0), at(10))
		require.NoError(t, err)
		fresh, err := c.Remember(ctx, "k", at(10), at(20))
		require.NoError(t, err)
		assert.True(t, fresh, "at its until the key is free again")
		fresh, err = c.Remember(ctx, "k", at(15), at(25))
		require.NoError(t, err)
		assert.False(t, fresh, "and taken anew")
	})

	t.Run("purge", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		_, _ = c.Remember(ctx, "old", at(0), at(10))
		_, _ = c.Remember(ctx, "new", at(0), at(100))
		n, err := c.PurgeReplays(ctx, at(10))
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		fresh, err := c.Remember(ctx, "new", at(11), at(111))
		require.NoError(t, err)
		assert.False(t, fresh, "purge keeps the keys still within their time")
	})

	t.Run("entries", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		n, err := c.Entries(ctx)
		require.NoError(t, err)
		assert.Zero(t, n)
		for i, until := range []int{10, 20, 30} {
			_, err := c.Remember(ctx, fmt.Sprintf("e%d", i), at(0), at(until))
			require.NoError(t, err)
		}
		_, _ = c.Remember(ctx, "e0", at(1), at(40)) // a replay adds nothing
		n, err = c.Entries(ctx)
		require.NoError(t, err)
		assert.Equal(t, 3, n)
		_, err = c.PurgeReplays(ctx, at(20))
		require.NoError(t, err)
		n, err = c.Entries(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "purged keys are no longer held")
	})

	t.Run("clock_set_back", func(t *testing.T) {
		t.Parallel()
		// The dev clock may move back: keys remembered then are still
		// forgotten when their time comes.
		c := newCache(t)
		_, err := c.Remember(ctx, "late", at(1000), at(1100))
		require.NoError(t, err)
		_, err = c.Remember(ctx, "early", at(0), at(10))
		require.NoError(t, err)
		fresh, err := c.Remember(ctx, "early", at(5), at(15))
		require.NoError(t, err)
		assert.False(t, fresh)
		_, err = c.PurgeReplays(ctx, at(11))
		require.NoError(t, err)
		fresh, err = c.Remember(ctx, "early", at(11), at(21))
		require.NoError(t, err)
		assert.True(t, fresh, "forgotten at its until though the clock went back")
		n, err := c.Entries(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, n)
	})

	t.Run("concurrent_one_wins", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fresh, err := c.Remember(ctx, "same", at(0), at(60))
				assert.NoError(t, err)
				if fresh {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, int32(1), wins.Load())
	})
}

// TestFailureLogFlood holds a failure log to the promise of
// ports.FailureLog about kinds: flooding it with keys of one kind (many
// times maxKeys, the limit newLog's log is made with; a store without a
// limit ignores it) leaves the keys of another kind as they were.
func TestFailureLogFlood(t *testing.T, newLog func(t *testing.T, maxKeys int) ports.FailureLog) {
	ctx := context.Background()
	f := newLog(t, 20)
	for i := range 3 {
		require.NoError(t, f.AddFailure(ctx, "user:victim", t0.Add(time.Duration(i)*time.Second), 21))
	}
	for i := range 200 { // keys as full as they can be: more informative than the victim's
		require.NoError(t, f.AddFailure(ctx, fmt.Sprintf("pair:flood-%d", i), t0.Add(time.Minute), 1))
	}
	got, err := f.Failures(ctx, "user:victim", t0.Add(-time.Hour))
	require.NoError(t, err)
	assert.Len(t, got, 3, "a flood of another kind evicts none of the victim's failures")
}

// TestKnownAddresses runs the contract of ports.KnownAddresses against
// stores made by newStore; each subtest gets a fresh, empty store.
func TestKnownAddresses(t *testing.T, newStore func(t *testing.T) ports.KnownAddresses) {
	ctx := context.Background()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	known := func(t *testing.T, k ports.KnownAddresses, account, address string, since time.Time) bool {
		t.Helper()
		ok, err := k.AddressKnown(ctx, account, address, since)
		require.NoError(t, err)
		return ok
	}

	t.Run("remember_and_know", func(t *testing.T) {
		t.Parallel()
		k := newStore(t)
		assert.False(t, known(t, k, "user:a", "addr:1", at(-3600)), "an empty store knows nothing")
		require.NoError(t, k.RememberAddress(ctx, "user:a", "addr:1", at(0), 20))
		assert.True(t, known(t, k, "user:a", "addr:1", at(-3600)))
		assert.False(t, known(t, k, "user:a", "addr:1", at(0)), "only a use after since counts")
		assert.False(t, known(t, k, "user:a", "addr:2", at(-3600)), "another address")
		assert.False(t, known(t, k, "user:b", "addr:1", at(-3600)), "another account")
		require.NoError(t, k.RememberAddress(ctx, "user:a", "addr:1", at(10), 20))
		assert.True(t, known(t, k, "user:a", "addr:1", at(5)), "a later use moves the last use on")
		require.NoError(t, k.RememberAddress(ctx, "user:a", "addr:1", at(1), 20))
		assert.True(t, known(t, k, "user:a", "addr:1", at(5)), "an earlier one does not move it back")
	})

	t.Run("keeps_the_most_recent", func(t *testing.T) {
		t.Parallel()
		k := newStore(t)
		for i := range 25 {
			require.NoError(t, k.RememberAddress(ctx, "user:a", fmt.Sprint("addr:", i), at(i), 20))
		}
		for i := range 25 {
			assert.Equal(t, i >= 5, known(t, k, "user:a", fmt.Sprint("addr:", i), at(-3600)), "address %d", i)
		}
		require.NoError(t, k.RememberAddress(ctx, "user:a", "addr:5", at(100), 20))
		require.NoError(t, k.RememberAddress(ctx, "user:a", "addr:new", at(101), 20))
		assert.True(t, known(t, k, "user:a", "addr:5", at(-3600)), "used again: among the most recent")
		assert.False(t, known(t, k, "user:a", "addr:6", at(-3600)), "now the least recent: gone")
		require.NoError(t, k.RememberAddress(ctx, "user:a", "addr:old", at(-100), 20))
		assert.False(t, known(t, k, "user:a", "addr:old", at(-3600)), "older than every kept address: not kept")
		require.NoError(t, k.RememberAddress(ctx, "user:b", "addr:0", at(0), 20))
		assert.True(t, known(t, k, "user:b", "addr:0", at(-3600)), "another account has its own addresses")
	})

	t.Run("purge", func(t *testing.T) {
		t.Parallel()
		k := newStore(t)
		require.NoError(t, k.RememberAddress(ctx, "user:a", "addr:old", at(0), 20))
		require.NoError(t, k.RememberAddress(ctx, "user:a", "addr:new", at(100), 20))
		require.NoError(t, k.RememberAddress(ctx, "user:b", "addr:old", at(0), 20))
		n, err := k.PurgeAddresses(ctx, at(50))
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		assert.False(t, known(t, k, "user:a", "addr:old", at(-3600)))
		assert.True(t, known(t, k, "user:a", "addr:new", at(-3600)))
		assert.False(t, known(t, k, "user:b", "addr:old", at(-3600)))
	})

	t.Run("concurrent_logins_keep_the_limit", func(t *testing.T) {
		t.Parallel()
		// 50 logins of one account at once, from 50 addresses: the 20
		// most recent stay, however the calls interleave.
		k := newStore(t)
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() {
				assert.NoError(t, k.RememberAddress(ctx, "user:a", fmt.Sprint("addr:", i), at(i), 20))
			})
		}
		wg.Wait()
		for i := range 50 {
			assert.Equal(t, i >= 30, known(t, k, "user:a", fmt.Sprint("addr:", i), at(-3600)), "address %d", i)
		}
	})
}
