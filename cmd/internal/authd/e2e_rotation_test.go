package authd

import (
	"context"

	"github.com/authd/authd/adapters/memory"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func withGrace(d time.Duration) func(*Config) {
	return func(c *Config) { c.Policy.ReuseGrace = d }
}

func TestReuseRevokesTheSession(t *testing.T) {
	e := newEnv(t)
	p1 := e.login("minsu", "1229")
	e.clock.Advance(10 * time.Second)
	p2 := e.refresh(p1.refresh).pair(t)
	assert.NotEqual(t, p1.refresh, p2.refresh)

	r := e.refresh(p1.refresh)
	assertError(t, r, 401, "refresh_token_reused")
	assert.Contains(t, r.header.Get("WWW-Authenticate"), `error="invalid_token"`)

	assertError(t, e.refresh(p2.refresh), 401, "session_revoked")
	assertError(t, e.protected(p2.access), 401, "session_revoked")
	assertError(t, e.protected(p1.access), 401, "session_revoked")

	// Other sessions, of this user too, are untouched.
	other := e.login("minsu", "1229")
	assert.Equal(t, 200, e.protected(other.access).status)
	assert.Equal(t, 200, e.refresh(other.refresh).status)
}

// TestStolenToken plays both orders of a stolen refresh token: whoever
// comes second presents a used token, and the session ends for both.
func TestStolenToken(t *testing.T) {
	for _, order := range []string{"thief_first", "victim_first"} {
		t.Run(order, func(t *testing.T) {
			e := newEnv(t)
			victim := e.login("minsu", "1229")
			stolen := victim.refresh
			e.clock.Advance(time.Minute)

			first := e.refresh(stolen).pair(t)
			assertError(t, e.refresh(stolen), 401, "refresh_token_reused")
			assertError(t, e.refresh(first.refresh), 401, "session_revoked")
			assertError(t, e.protected(first.access), 401, "session_revoked")
		})
	}
}

// TestConcurrentRefresh fires 100 refreshes of the same current token at
// once. Exactly one rotation happens; without grace the others are reuse
// and the session dies; with a 10 s grace every caller gets the same pair
// and the session lives.
func TestConcurrentRefresh(t *testing.T) {
	for _, tc := range []struct {
		name  string
		grace time.Duration
	}{{"grace_0", 0}, {"grace_10s", 10 * time.Second}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, withGrace(tc.grace))
			p := e.login("minsu", "1229")
			e.clock.Advance(30 * time.Second)
			results := make([]response, 100)
			var wg sync.WaitGroup
			for i := range results {
				wg.Add(1)
				go func() { defer wg.Done(); results[i] = e.refresh(p.refresh) }()
			}
			wg.Wait()

			pairs := map[pair]int{}
			codes := map[string]int{}
			for _, r := range results {
				if r.status == 200 {
					pairs[r.pair(t)]++
				} else {
					codes[r.code()]++
				}
			}
			require.Len(t, pairs, 1, "one rotation, one child pair")
			var child pair
			for p := range pairs {
				child = p
			}
			if tc.grace == 0 {
				assert.Equal(t, 1, pairs[child])
				assert.Equal(t, 99, codes["refresh_token_reused"]+codes["session_revoked"], codes)
				assert.Positive(t, codes["refresh_token_reused"])
				assertError(t, e.refresh(child.refresh), 401, "session_revoked")
			} else {
				assert.Equal(t, 100, pairs[child], codes)
				assert.Equal(t, 200, e.protected(child.access).status)
				assert.Equal(t, 200, e.refresh(child.refresh).status, "the session lives on")
			}
		})
	}
}

func TestGraceWindow(t *testing.T) {
	e := newEnv(t, withGrace(10*time.Second))
	p1 := e.login("minsu", "1229")
	e.clock.Advance(time.Minute)
	p2 := e.refresh(p1.refresh).pair(t)

	e.clock.Advance(9999 * time.Millisecond)
	again := e.refresh(p1.refresh).pair(t)
	assert.Equal(t, p2, again, "the predecessor inside the window gets the byte-identical pair")

	e.clock.Advance(time.Millisecond) // the window has closed
	assertError(t, e.refresh(p1.refresh), 401, "refresh_token_reused")
	assertError(t, e.refresh(p2.refresh), 401, "session_revoked")
}

func TestGrandparentInsideGraceIsReuse(t *testing.T) {
	e := newEnv(t, withGrace(10*time.Second))
	p1 := e.login("minsu", "1229")
	e.clock.Advance(time.Second)
	p2 := e.refresh(p1.refresh).pair(t)
	e.clock.Advance(time.Second)
	e.refresh(p2.refresh).pair(t)
	e.clock.Advance(time.Second)
	assertError(t, e.refresh(p1.refresh), 401, "refresh_token_reused")
}

// TestRevokedSessionIsNeverRevived tries every token a revoked session
// ever issued, inside and after the grace window: none brings it back.
func TestRevokedSessionIsNeverRevived(t *testing.T) {
	e := newEnv(t, withGrace(10*time.Second))
	p1 := e.login("minsu", "1229")
	e.clock.Advance(time.Second)
	p2 := e.refresh(p1.refresh).pair(t)
	e.clock.Advance(time.Second)
	p3 := e.refresh(p2.refresh).pair(t)
	assertError(t, e.refresh(p1.refresh), 401, "refresh_token_reused")
	for i := range 3 {
		for _, tok := range []string{p3.refresh, p2.refresh, p1.refresh} {
			r := e.refresh(tok)
			assert.Equal(t, 401, r.status, "try %d", i)
			assert.Contains(t, []string{"session_revoked", "refresh_token_reused"}, r.code())
		}
		assertError(t, e.protected(p3.access), 401, "session_revoked")
		e.clock.Advance(5 * time.Second)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	p := e.login("minsu", "1229")
	r := e.do("POST", "/logout/", "", bearer(p.refresh))
	assert.Equal(t, 204, r.status, r.raw)
	assert.Equal(t, 204, e.do("POST", "/logout", `{"refresh":"`+p.refresh+`"}`, jsonCT).status, "twice is fine")
	assertError(t, e.refresh(p.refresh), 401, "session_revoked")
	assertError(t, e.protected(p.access), 401, "session_revoked")

	expired := e.login("minsu", "1229")
	e.clock.Advance(10 * time.Minute)
	assert.Equal(t, 204, e.do("POST", "/logout/", "", bearer(expired.refresh)).status, "an expired token logs out quietly")

	assertError(t, e.do("POST", "/logout/", ""), 401, "token_missing")
	assertError(t, e.do("POST", "/logout/", "", bearer(p.access)), 401, "invalid_token")
	assertError(t, e.do("POST", "/logout/", "", bearer("a.b.c")), 401, "invalid_token")
}

func TestLogoutAll(t *testing.T) {
	e := newEnv(t)
	a1, a2 := e.login("minsu", "1229"), e.login("minsu", "1229")
	b := e.login("chulsu", "1234")
	assert.Equal(t, 204, e.do("POST", "/logout/", `{"all": true}`, jsonCT, bearer(a1.refresh)).status)
	for _, p := range []pair{a1, a2} {
		assertError(t, e.protected(p.access), 401, "session_revoked")
		assertError(t, e.refresh(p.refresh), 401, "session_revoked")
	}
	assert.Equal(t, 200, e.protected(b.access).status, "another user keeps their session")
	assert.Equal(t, 200, e.refresh(b.refresh).status)
}

func TestSessions(t *testing.T) {
	e := newEnv(t)
	a1 := e.login("minsu", "1229")
	e.clock.Advance(time.Second)
	a2 := e.login("minsu", "1229")
	b := e.login("chulsu", "1234")

	r := e.do("GET", "/sessions/", "", bearer(a2.access))
	require.Equal(t, 200, r.status, r.raw)
	list := r.body["sessions"].([]any)
	require.Len(t, list, 2)
	first, second := list[0].(map[string]any), list[1].(map[string]any)
	assert.Equal(t, false, first["current"])
	assert.Equal(t, true, second["current"])
	assert.Equal(t, "2026-11-27T12:00:00Z", first["created_at"])
	assert.Equal(t, "2026-11-28T12:00:00Z", first["expires_at"])
	assert.Equal(t, "2026-11-27T12:00:01Z", second["last_used_at"])

	// chulsu cannot see or revoke minsu's sessions
	assertError(t, e.do("DELETE", "/sessions/"+first["id"].(string)+"/", "", bearer(b.access)), 404, "not_found")
	assertError(t, e.do("DELETE", "/sessions/nonexistent/", "", bearer(b.access)), 404, "not_found")
	assert.Equal(t, 200, e.protected(a1.access).status)

	assert.Equal(t, 204, e.do("DELETE", "/sessions/"+first["id"].(string), "", bearer(a2.access)).status)
	assertError(t, e.protected(a1.access), 401, "session_revoked")
	assertError(t, e.refresh(a1.refresh), 401, "session_revoked")
	assert.Equal(t, 200, e.protected(a2.access).status)
	r = e.do("GET", "/sessions", "", bearer(a2.access))
	assert.Len(t, r.body["sessions"].([]any), 1)
	assertError(t, e.do("GET", "/sessions/", ""), 401, "token_missing")
}

// TestSessionMaxAge keeps a session alive by refreshing every four minutes
// up to its absolute end: a refresh a second before the end works and its
// refresh token's exp is capped at the end; at the end, refresh fails.
func TestSessionMaxAge(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Policy.SessionMaxAge = 10 * time.Minute })
	p := e.login("minsu", "1229")
	end := T.Add(10 * time.Minute)
	e.clock.Set(T.Add(4 * time.Minute))
	p = e.refresh(p.refresh).pair(t)
	e.clock.Set(T.Add(8 * time.Minute))
	p = e.refresh(p.refresh).pair(t)

	e.clock.Set(end.Add(-time.Second))
	r := e.refresh(p.refresh)
	last := r.pair(t)
	assert.Equal(t, float64(1), r.body["refresh_expires_in"], "capped at the session end")
	assert.Equal(t, float64(1), r.body["expires_in"])

	e.clock.Set(end.Add(-time.Millisecond))
	assert.Equal(t, 200, e.protected(last.access).status)
	e.clock.Set(end)
	assertError(t, e.protected(last.access), 401, "token_expired")
	assertError(t, e.refresh(last.refresh), 401, "token_expired")

	// A refresh token that is still valid when the session ends is refused
	// with session_expired.
	e2 := newEnv(t, func(c *Config) { c.Policy.SessionMaxAge = 2 * time.Minute; c.Policy.Leeway = 30 * time.Second })
	q := e2.login("minsu", "1229")
	e2.clock.Set(T.Add(2*time.Minute + 10*time.Second))
	assertError(t, e2.refresh(q.refresh), 401, "session_expired")
}

// TestStayLoggedIn is the seed's final goal: a client that refreshes before
// the access token expires stays logged in for twenty minutes.
func TestStayLoggedIn(t *testing.T) {
	e := newEnv(t)
	p := e.login("minsu", "1229")
	refreshes := 0
	for step := 0; step < 20*60; step += 10 {
		e.clock.Set(T.Add(time.Duration(step) * time.Second))
		if r := e.protected(p.access); r.status == 401 && r.code() == "token_expired" {
			p = e.refresh(p.refresh).pair(t)
			refreshes++
			r = e.protected(p.access)
			require.Equal(t, 200, r.status, r.raw)
		} else {
			require.Equal(t, 200, r.status, r.raw)
		}
	}
	assert.InDelta(t, 20, refreshes, 1)
}

// TestPurgeLoopBoundsMemory runs the purge loop as run does and checks that
// ended and revoked sessions leave the store once none of their tokens can
// be accepted, while live ones stay.
func TestPurgeLoopBoundsMemory(t *testing.T) {
	e := newEnv(t)
	e.login("minsu", "1229")
	gone := e.login("chulsu", "1234")
	require.Equal(t, 204, e.do("POST", "/logout/", "", bearer(gone.refresh)).status)
	e.clock.Advance(4 * time.Minute)
	live := e.login("satangsusu", "4321")
	stored := e.app.stores.sessions.(*memory.Sessions)
	require.Equal(t, 3, stored.Len())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.app.purgeLoop(ctx, time.Millisecond)
	e.clock.Advance(time.Minute + time.Second) // the first two are past PurgeAt
	require.Eventually(t, func() bool { return stored.Len() == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, 200, e.refresh(live.refresh).status)
}
