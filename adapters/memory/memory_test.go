package memory_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/adapters/storetest"
	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	_ ports.SessionStore = (*memory.Sessions)(nil)
	_ ports.UserStore    = (*memory.Users)(nil)
)

func TestSessionStoreContract(t *testing.T) {
	t.Parallel()
	storetest.TestSessionStore(t, func(*testing.T) ports.SessionStore { return memory.NewSessions() })
}

func TestUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	users, err := memory.NewUsers(memory.SeedUsers()...)
	require.NoError(t, err)
	u, err := users.UserByUsername(ctx, "minsu")
	require.NoError(t, err)
	assert.Equal(t, "2", u.ID)
	assert.Contains(t, u.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$")
	_, err = users.UserByUsername(ctx, "MINSU")
	assert.ErrorIs(t, err, domain.ErrNotFound, "usernames match exactly, as in the seed")
	u, err = users.UserByUsername(ctx, "satangsusu")
	require.NoError(t, err)
	assert.Equal(t, "3", u.ID)

	_, err = memory.NewUsers(domain.User{ID: "1", Username: "a", PasswordHash: "h"}, domain.User{ID: "2", Username: "a", PasswordHash: "h"})
	assert.Error(t, err, "duplicate username")
	_, err = memory.NewUsers(domain.User{ID: "1", Username: "a", PasswordHash: "h"}, domain.User{ID: "1", Username: "b", PasswordHash: "h"})
	assert.Error(t, err, "duplicate id")
	_, err = memory.NewUsers(domain.User{ID: "1", Username: "a"})
	assert.Error(t, err, "no hash")
}

// TestPurgeFreesEndedSessions is not in parallel: the heap it measures is
// the whole test binary's.
func TestPurgeFreesEndedSessions(t *testing.T) {
	ctx := context.Background()
	st := memory.NewSessions()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		s := domain.NewSession(storetest.NewID(), domain.User{ID: fmt.Sprint(i % 10), Username: "u"}, t0, domain.DefaultPolicy(), "")
		require.NoError(t, st.CreateSession(ctx, s))
	}
	assert.Equal(t, 1000, st.Len())
	n, err := st.PurgeSessions(ctx, t0.Add(5*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 1000, n)
	assert.Equal(t, 0, st.Len())
}

// BenchmarkLiveSessions fills the store with b.N live sessions of 10,000
// users and reports the heap bytes each one costs. The target is 1,000,000
// sessions in at most 256 MiB, 268 bytes each: run it with
// -bench LiveSessions -benchtime 1000000x.
func BenchmarkLiveSessions(b *testing.B) {
	ctx := context.Background()
	p := domain.DefaultPolicy()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = storetest.NewID()
	}
	users := make([]domain.User, 10000)
	for i := range users {
		users[i] = domain.User{ID: fmt.Sprint(i), Username: fmt.Sprint("user", i)}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	st := memory.NewSessions()
	b.ResetTimer()
	for i := range b.N {
		s := domain.NewSession(ids[i], users[i%len(users)], t0, p, "")
		if err := st.CreateSession(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "B/session")
	runtime.KeepAlive(st)
}

// BenchmarkRotate measures one compare-and-rotate in the memory store.
func BenchmarkRotate(b *testing.B) {
	ctx := context.Background()
	p := domain.DefaultPolicy()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := memory.NewSessions()
	s := domain.NewSession(storetest.NewID(), domain.User{ID: "1", Username: "u"}, t0, p, "")
	require.NoError(b, st.CreateSession(ctx, s))
	for b.Loop() {
		next, _, err := s.DecideRefresh(s.Generation, t0.Add(time.Second), p)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.CompareAndRotate(ctx, s.Generation, next); err != nil {
			b.Fatal(err)
		}
		s = next
	}
}

var _ ports.FailureLog = (*memory.Failures)(nil)

func TestFailureLogContract(t *testing.T) {
	t.Parallel()
	storetest.TestFailureLog(t, func(*testing.T) ports.FailureLog { return memory.NewFailures() })
}

func TestReplaysContract(t *testing.T) {
	t.Parallel()
	storetest.TestReplayCache(t, func(*testing.T) ports.ReplayCache { return memory.NewReplays() })
}

// TestReplaysRefuseWhenFullRatherThanForget: a full cache of keys still
// within their time answers unavailable; forgetting one would let its
// proof be replayed. Keys past their time make room.
func TestReplaysRefuseWhenFullRatherThanForget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := memory.NewReplaysWithLimit(2)
	t0 := time.Unix(1_800_000_000, 0)
	for _, k := range []string{"a", "b"} {
		fresh, err := r.Remember(ctx, k, t0, t0.Add(time.Minute))
		require.NoError(t, err)
		require.True(t, fresh)
	}
	_, err := r.Remember(ctx, "c", t0, t0.Add(time.Minute))
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	fresh, err := r.Remember(ctx, "a", t0, t0.Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, fresh, "a full cache still knows its keys")
	fresh, err = r.Remember(ctx, "c", t0.Add(time.Minute), t0.Add(2*time.Minute))
	require.NoError(t, err)
	assert.True(t, fresh, "expired keys made room")
}

func TestUserStoreContract(t *testing.T) {
	t.Parallel()
	storetest.TestUserStore(t, func(t *testing.T, users ...domain.User) ports.UserStore {
		st, err := memory.NewUsers(users...)
		require.NoError(t, err)
		return st
	})
}

// TestPurgeInBatchesWhileOthersWrite purges a store larger than one purge
// batch while other goroutines add sessions and rotate due ones: exactly
// the sessions still due when the purge reaches them go; every session
// added meanwhile stays, and so does every one whose rotation succeeded.
func TestPurgeInBatchesWhileOthersWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.NewSessions()
	p := domain.DefaultPolicy()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	old := make([]domain.Session, 20_000)
	for i := range old {
		old[i] = domain.NewSession(storetest.NewID(), domain.User{ID: fmt.Sprint(i % 100), Username: "u"}, t0, p, "")
		require.NoError(t, st.CreateSession(ctx, old[i]))
	}
	later := t0.Add(time.Hour)
	type result struct{ added, rotated []string }
	done := make(chan result)
	go func() {
		var res result
		for i := range 2_000 {
			s := domain.NewSession(storetest.NewID(), domain.User{ID: fmt.Sprint(i % 100), Username: "u"}, later, p, "")
			if assert.NoError(t, st.CreateSession(ctx, s)) {
				res.added = append(res.added, s.ID)
			}
			// Rotating a due session moves its PurgeAt past later.
			o := old[len(old)-1-i]
			next, _, err := o.DecideRefresh(1, later, p)
			require.NoError(t, err)
			if st.CompareAndRotate(ctx, 1, next) == nil {
				res.rotated = append(res.rotated, o.ID)
			}
		}
		done <- res
	}()
	n, err := st.PurgeSessions(ctx, later)
	require.NoError(t, err)
	res := <-done
	assert.Equal(t, 20_000-len(res.rotated), n, "every old session went, but those rotated before the purge reached them")
	assert.Equal(t, len(res.added)+len(res.rotated), st.Len())
	for _, id := range append(res.added, res.rotated...) {
		_, err := st.Session(ctx, id)
		assert.NoError(t, err, "a session added or rotated during the purge survives it")
	}
	assert.Equal(t, len(res.added)+len(res.rotated), st.Live(later))
}

func TestFailuresAreBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := memory.NewFailuresWithLimit(100)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		require.NoError(t, f.AddFailure(ctx, fmt.Sprint("user:", i), t0, 10))
	}
	assert.Equal(t, 100, f.Keys(), "sprayed keys never pass the limit")
	require.NoError(t, f.AddFailure(ctx, "user:999", t0.Add(time.Second), 10))
	got, err := f.Failures(ctx, "user:999", t0.Add(-time.Hour))
	require.NoError(t, err)
	assert.Len(t, got, 2, "a key already held is not evicted to record its own failure")
	assert.Equal(t, 100, f.Keys())
}

// TestFillingTheFailureLogKeepsTheVictim: filling the log with new keys of
// one failure each evicts such keys, never the fuller record of an account
// under attack (nor any key of another kind), and counts the evictions.
func TestFillingTheFailureLogKeepsTheVictim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	f := memory.NewFailuresWithLimit(1000)
	for i := range 10 {
		require.NoError(t, f.AddFailure(ctx, "user:victim", start.Add(time.Duration(i)*time.Second), 21))
	}
	for i := range 20_000 {
		require.NoError(t, f.AddFailure(ctx, fmt.Sprintf("pair:filler-%d", i), start.Add(time.Hour), 11))
	}
	got, err := f.Failures(ctx, "user:victim", start.Add(-time.Hour))
	require.NoError(t, err)
	assert.Len(t, got, 10, "the victim's count is intact")
	assert.LessOrEqual(t, f.Keys(), 1000+1, "1,000 pair keys, and the victim of its own kind")
	assert.GreaterOrEqual(t, f.Evictions(), uint64(19_000))
}

// BenchmarkRememberFull: a cache full of keys still within their time
// refuses a new key without scanning them (the first version scanned the
// whole map under the lock on every such call: 1.4 to 2.6 s a request at
// 2^20 keys), and one whose keys have just passed frees a second's bucket.
func BenchmarkRememberFull(b *testing.B) {
	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0)
	const size = 1 << 20
	b.Run("full_live", func(b *testing.B) {
		r := memory.NewReplaysWithLimit(size)
		for i := range size {
			_, _ = r.Remember(ctx, strconv.Itoa(i), t0, t0.Add(time.Duration(1+i%60)*time.Second))
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := r.Remember(ctx, "new", t0, t0.Add(time.Minute)); err == nil {
				b.Fatal("a full cache took a key")
			}
		}
	})
	b.Run("rolling", func(b *testing.B) {
		// A steady stream at the cache's size: every second's keys expire
		// as new ones come.
		r := memory.NewReplaysWithLimit(size)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			now := t0.Add(time.Duration(i) * time.Millisecond)
			if _, err := r.Remember(ctx, strconv.Itoa(i), now, now.Add(time.Minute)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestUserAdminContract(t *testing.T) {
	t.Parallel()
	storetest.TestUserAdmin(t, func(t *testing.T) ports.UserAdmin {
		st, err := memory.NewUsers()
		require.NoError(t, err)
		return st
	})
}

func TestAuditLogContract(t *testing.T) {
	t.Parallel()
	storetest.TestAuditLog(t, func(*testing.T) ports.AuditLog { return memory.NewAudit(0) })
}

func TestAuditKeepsTheMostRecent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := memory.NewAudit(3)
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		require.NoError(t, a.Record(ctx, domain.AuditEvent{At: t0.Add(time.Duration(i) * time.Second), Kind: domain.AuditLoginFailed}))
	}
	got, err := a.Events(ctx, "", 0, 10)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, []int64{3, 4, 5}, []int64{got[0].ID, got[1].ID, got[2].ID})
}

// BenchmarkReplaysHeap reports the heap a full replay cache holds per key
// (keys shaped as domain.ReplayKey makes them), the figure behind
// DefaultMaxReplayKeys' comment and docs/operations.md.
func BenchmarkReplaysHeap(b *testing.B) {
	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0)
	size := 1 << 20
	if s := os.Getenv("REPLAYS"); s != "" {
		size, _ = strconv.Atoi(s)
	}
	var per float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r := memory.NewReplaysWithLimit(size)
		for i := range size {
			// A fresh key string per call, as each request makes its own.
			k := domain.ReplayKey(domain.Proof{JKT: "thumbprint", ID: strconv.Itoa(i)})
			_, _ = r.Remember(ctx, k, t0, t0.Add(time.Duration(1+i%66)*time.Second))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		per = float64(after.HeapAlloc-before.HeapAlloc) / float64(size)
		runtime.KeepAlive(r)
	}
	b.ReportMetric(per, "heap-bytes/key")
}
