package e2e

import (
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReuseRevokesTheSession(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	p1 := e.Login("minsu", "1229")
	e.Clock.Advance(10 * time.Second)
	p2 := e.Refresh(p1.Refresh).Pair(t)
	assert.NotEqual(t, p1.Refresh, p2.Refresh)

	r := e.Refresh(p1.Refresh)
	harness.AssertError(t, r, 401, "refresh_token_reused")
	assert.Contains(t, r.Header.Get("WWW-Authenticate"), `error="invalid_token"`)

	harness.AssertError(t, e.Refresh(p2.Refresh), 401, "session_revoked")
	harness.AssertError(t, e.Protected(p2.Access), 401, "session_revoked")
	harness.AssertError(t, e.Protected(p1.Access), 401, "session_revoked")

	// Other sessions, of this user too, are untouched.
	other := e.Login("minsu", "1229")
	assert.Equal(t, 200, e.Protected(other.Access).Status)
	assert.Equal(t, 200, e.Refresh(other.Refresh).Status)
}

// TestStolenToken plays both orders of a stolen refresh token: whoever
// comes second presents a used token, and the session ends for both.
func TestStolenToken(t *testing.T) {
	t.Parallel()
	for _, order := range []string{"thief_first", "victim_first"} {
		t.Run(order, func(t *testing.T) {
			e := harness.NewEnv(t)
			victim := e.Login("minsu", "1229")
			stolen := victim.Refresh
			e.Clock.Advance(time.Minute)

			first := e.Refresh(stolen).Pair(t)
			harness.AssertError(t, e.Refresh(stolen), 401, "refresh_token_reused")
			harness.AssertError(t, e.Refresh(first.Refresh), 401, "session_revoked")
			harness.AssertError(t, e.Protected(first.Access), 401, "session_revoked")
		})
	}
}

// TestConcurrentRefresh fires 100 refreshes of the same current token at
// once. Exactly one rotation happens; without grace the others are reuse
// and the session dies; with a 10 s grace every caller gets the same pair
// and the session lives.
func TestConcurrentRefresh(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		grace time.Duration
	}{{"grace_0", 0}, {"grace_10s", 10 * time.Second}} {
		t.Run(tc.name, func(t *testing.T) {
			e := harness.NewEnv(t, harness.WithGrace(tc.grace))
			p := e.Login("minsu", "1229")
			e.Clock.Advance(30 * time.Second)
			results := make([]harness.Response, 100)
			var wg sync.WaitGroup
			for i := range results {
				wg.Add(1)
				go func() { defer wg.Done(); results[i] = e.Refresh(p.Refresh) }()
			}
			wg.Wait()

			pairs := map[harness.Pair]int{}
			codes := map[string]int{}
			for _, r := range results {
				if r.Status == 200 {
					pairs[r.Pair(t)]++
				} else {
					codes[r.Code()]++
				}
			}
			require.Len(t, pairs, 1, "one rotation, one child pair")
			var child harness.Pair
			for p := range pairs {
				child = p
			}
			if tc.grace == 0 {
				assert.Equal(t, 1, pairs[child])
				assert.Equal(t, 99, codes["refresh_token_reused"]+codes["session_revoked"], codes)
				assert.Positive(t, codes["refresh_token_reused"])
				harness.AssertError(t, e.Refresh(child.Refresh), 401, "session_revoked")
			} else {
				assert.Equal(t, 100, pairs[child], codes)
				assert.Equal(t, 200, e.Protected(child.Access).Status)
				assert.Equal(t, 200, e.Refresh(child.Refresh).Status, "the session lives on")
			}
		})
	}
}

func TestGraceWindow(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithGrace(10*time.Second))
	p1 := e.Login("minsu", "1229")
	e.Clock.Advance(time.Minute)
	p2 := e.Refresh(p1.Refresh).Pair(t)

	e.Clock.Advance(9999 * time.Millisecond)
	again := e.Refresh(p1.Refresh).Pair(t)
	assert.Equal(t, p2, again, "the predecessor inside the window gets the byte-identical pair")

	e.Clock.Advance(time.Millisecond) // the window has closed
	harness.AssertError(t, e.Refresh(p1.Refresh), 401, "refresh_token_reused")
	harness.AssertError(t, e.Refresh(p2.Refresh), 401, "session_revoked")
}

func TestGrandparentInsideGraceIsReuse(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithGrace(10*time.Second))
	p1 := e.Login("minsu", "1229")
	e.Clock.Advance(time.Second)
	p2 := e.Refresh(p1.Refresh).Pair(t)
	e.Clock.Advance(time.Second)
	e.Refresh(p2.Refresh).Pair(t)
	e.Clock.Advance(time.Second)
	harness.AssertError(t, e.Refresh(p1.Refresh), 401, "refresh_token_reused")
}

// TestRevokedSessionIsNeverRevived tries every token a revoked session
// ever issued, inside and after the grace window: none brings it back.
func TestRevokedSessionIsNeverRevived(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithGrace(10*time.Second))
	p1 := e.Login("minsu", "1229")
	e.Clock.Advance(time.Second)
	p2 := e.Refresh(p1.Refresh).Pair(t)
	e.Clock.Advance(time.Second)
	p3 := e.Refresh(p2.Refresh).Pair(t)
	harness.AssertError(t, e.Refresh(p1.Refresh), 401, "refresh_token_reused")
	for i := range 3 {
		for _, tok := range []string{p3.Refresh, p2.Refresh, p1.Refresh} {
			r := e.Refresh(tok)
			assert.Equal(t, 401, r.Status, "try %d", i)
			assert.Contains(t, []string{"session_revoked", "refresh_token_reused"}, r.Code())
		}
		harness.AssertError(t, e.Protected(p3.Access), 401, "session_revoked")
		e.Clock.Advance(5 * time.Second)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	p := e.Login("minsu", "1229")
	r := e.Do("POST", "/logout/", "", harness.Bearer(p.Refresh))
	assert.Equal(t, 204, r.Status, r.Raw)
	assert.Equal(t, 204, e.Do("POST", "/logout", `{"refresh":"`+p.Refresh+`"}`, harness.JSONHeader).Status, "twice is fine")
	harness.AssertError(t, e.Refresh(p.Refresh), 401, "session_revoked")
	harness.AssertError(t, e.Protected(p.Access), 401, "session_revoked")

	expired := e.Login("minsu", "1229")
	e.Clock.Advance(10 * time.Minute)
	assert.Equal(t, 204, e.Do("POST", "/logout/", "", harness.Bearer(expired.Refresh)).Status, "an expired token logs out quietly")

	harness.AssertError(t, e.Do("POST", "/logout/", ""), 401, "token_missing")
	harness.AssertError(t, e.Do("POST", "/logout/", "", harness.Bearer(p.Access)), 401, "invalid_token")
	harness.AssertError(t, e.Do("POST", "/logout/", "", harness.Bearer("a.b.c")), 401, "invalid_token")
}

func TestLogoutAll(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	a1, a2 := e.Login("minsu", "1229"), e.Login("minsu", "1229")
	b := e.Login("chulsu", "1234")
	assert.Equal(t, 204, e.Do("POST", "/logout/", `{"all": true}`, harness.JSONHeader, harness.Bearer(a1.Refresh)).Status)
	for _, p := range []harness.Pair{a1, a2} {
		harness.AssertError(t, e.Protected(p.Access), 401, "session_revoked")
		harness.AssertError(t, e.Refresh(p.Refresh), 401, "session_revoked")
	}
	assert.Equal(t, 200, e.Protected(b.Access).Status, "another user keeps their session")
	assert.Equal(t, 200, e.Refresh(b.Refresh).Status)
}

func TestSessions(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	a1 := e.Login("minsu", "1229")
	e.Clock.Advance(time.Second)
	a2 := e.Login("minsu", "1229")
	b := e.Login("chulsu", "1234")

	r := e.Do("GET", "/sessions/", "", harness.Bearer(a2.Access))
	require.Equal(t, 200, r.Status, r.Raw)
	list := r.Body["sessions"].([]any)
	require.Len(t, list, 2)
	first, second := list[0].(map[string]any), list[1].(map[string]any)
	assert.Equal(t, false, first["current"])
	assert.Equal(t, true, second["current"])
	assert.Equal(t, "2026-11-27T12:00:00Z", first["created_at"])
	assert.Equal(t, "2026-11-28T12:00:00Z", first["expires_at"])
	assert.Equal(t, "2026-11-27T12:00:01Z", second["last_used_at"])

	// chulsu cannot see or revoke minsu's sessions
	harness.AssertError(t, e.Do("DELETE", "/sessions/"+first["id"].(string)+"/", "", harness.Bearer(b.Access)), 404, "not_found")
	harness.AssertError(t, e.Do("DELETE", "/sessions/nonexistent/", "", harness.Bearer(b.Access)), 404, "not_found")
	assert.Equal(t, 200, e.Protected(a1.Access).Status)

	assert.Equal(t, 204, e.Do("DELETE", "/sessions/"+first["id"].(string), "", harness.Bearer(a2.Access)).Status)
	harness.AssertError(t, e.Protected(a1.Access), 401, "session_revoked")
	harness.AssertError(t, e.Refresh(a1.Refresh), 401, "session_revoked")
	assert.Equal(t, 200, e.Protected(a2.Access).Status)
	r = e.Do("GET", "/sessions", "", harness.Bearer(a2.Access))
	assert.Len(t, r.Body["sessions"].([]any), 1)
	harness.AssertError(t, e.Do("GET", "/sessions/", ""), 401, "token_missing")
}

// TestSessionMaxAge keeps a session alive by refreshing every four minutes
// up to its absolute end: a refresh a second before the end works and its
// refresh token's exp is capped at the end; at the end, refresh fails.
func TestSessionMaxAge(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, func(c *authd.Config) { c.Policy.SessionMaxAge = 10 * time.Minute })
	p := e.Login("minsu", "1229")
	end := harness.T.Add(10 * time.Minute)
	e.Clock.Set(harness.T.Add(4 * time.Minute))
	p = e.Refresh(p.Refresh).Pair(t)
	e.Clock.Set(harness.T.Add(8 * time.Minute))
	p = e.Refresh(p.Refresh).Pair(t)

	e.Clock.Set(end.Add(-time.Second))
	r := e.Refresh(p.Refresh)
	last := r.Pair(t)
	assert.Equal(t, float64(1), r.Body["refresh_expires_in"], "capped at the session end")
	assert.Equal(t, float64(1), r.Body["expires_in"])

	e.Clock.Set(end.Add(-time.Millisecond))
	assert.Equal(t, 200, e.Protected(last.Access).Status)
	e.Clock.Set(end)
	harness.AssertError(t, e.Protected(last.Access), 401, "token_expired")
	harness.AssertError(t, e.Refresh(last.Refresh), 401, "token_expired")

	// A refresh token that is still valid when the session ends is refused
	// with session_expired.
	e2 := harness.NewEnv(t, func(c *authd.Config) { c.Policy.SessionMaxAge = 2 * time.Minute; c.Policy.Leeway = 30 * time.Second })
	q := e2.Login("minsu", "1229")
	e2.Clock.Set(harness.T.Add(2*time.Minute + 10*time.Second))
	harness.AssertError(t, e2.Refresh(q.Refresh), 401, "session_expired")
}

// TestStayLoggedIn is the seed's final goal: a client that refreshes before
// the access token expires stays logged in for twenty minutes.
func TestStayLoggedIn(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	p := e.Login("minsu", "1229")
	refreshes := 0
	for step := 0; step < 20*60; step += 10 {
		e.Clock.Set(harness.T.Add(time.Duration(step) * time.Second))
		if r := e.Protected(p.Access); r.Status == 401 && r.Code() == "token_expired" {
			p = e.Refresh(p.Refresh).Pair(t)
			refreshes++
			r = e.Protected(p.Access)
			require.Equal(t, 200, r.Status, r.Raw)
		} else {
			require.Equal(t, 200, r.Status, r.Raw)
		}
	}
	assert.InDelta(t, 20, refreshes, 1)
}
