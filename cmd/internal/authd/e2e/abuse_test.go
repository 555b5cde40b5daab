package e2e

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loginFrom sends a login as if from the client IP, through a trusted proxy
// (the test server's peer is 127.0.0.1).
func loginFrom(e *harness.Env, ip, username, password string) harness.Response {
	e.T.Helper()
	return e.Do("POST", "/login/", `{"username":"`+username+`","password":"`+password+`"}`, harness.JSONHeader, "X-Forwarded-For: "+ip)
}

// TestLoginThrottlePerUsernameAndAddress: ten failures for minsu from one
// address stop that address for minsu; another address is not locked out,
// only subject to the account's growing delay, and another username from
// the first address is not affected.
func TestLoginThrottlePerUsernameAndAddress(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.BehindProxy)
	for i := range 10 {
		harness.AssertError(t, loginFrom(e, "192.0.2.1", "minsu", "wrong"), 401, "invalid_credentials")
		e.Clock.Advance(time.Second)
		_ = i
	}
	r := loginFrom(e, "192.0.2.1", "minsu", "1229")
	harness.AssertError(t, r, 429, "rate_limited")
	assert.Equal(t, strconv.Itoa(15*60-10), r.Header.Get("Retry-After"), "until the first failure (at T) leaves the 15 min window")
	assert.Equal(t, 200, loginFrom(e, "198.51.100.7", "minsu", "1229").Status,
		"another address: the account's delay after ten failures (1 s after the last) has passed")
	assert.Equal(t, 200, loginFrom(e, "192.0.2.1", "chulsu", "1234").Status, "another username from the same IP")

	e.Clock.Set(harness.T.Add(15*time.Minute + time.Second))
	assert.Equal(t, 200, loginFrom(e, "192.0.2.1", "minsu", "1229").Status, "after the window the username works again")
}

func TestLoginSuccessResetsTheUsername(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.BehindProxy)
	for range 9 {
		harness.AssertError(t, loginFrom(e, "192.0.2.1", "minsu", "wrong"), 401, "invalid_credentials")
	}
	require.Equal(t, 200, loginFrom(e, "192.0.2.1", "minsu", "1229").Status)
	for range 10 {
		harness.AssertError(t, loginFrom(e, "192.0.2.1", "minsu", "wrong"), 401, "invalid_credentials")
	}
	harness.AssertError(t, loginFrom(e, "192.0.2.1", "minsu", "1229"), 429, "rate_limited")
}

func TestLoginThrottlePerIP(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.BehindProxy, func(c *authd.Config) { c.LoginMaxFails = 2 }) // per IP: 20
	for i := range 20 {
		harness.AssertError(t, loginFrom(e, "192.0.2.9", "user"+strconv.Itoa(i), "x"), 401, "invalid_credentials")
	}
	harness.AssertError(t, loginFrom(e, "192.0.2.9", "chulsu", "1234"), 429, "rate_limited")
	assert.Equal(t, 200, loginFrom(e, "192.0.2.10", "chulsu", "1234").Status, "another IP is not affected")
}

func TestForwardedForIsIgnoredFromUntrustedPeers(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, func(c *authd.Config) { c.LoginMaxFails = 2 }) // no trusted proxies
	for i := range 20 {
		// Each request claims another IP, but the peer is what counts.
		harness.AssertError(t, loginFrom(e, "203.0.113."+strconv.Itoa(i), "user"+strconv.Itoa(i), "x"), 401, "invalid_credentials")
	}
	harness.AssertError(t, loginFrom(e, "203.0.113.200", "chulsu", "1234"), 429, "rate_limited")
}

// TestConcurrentLoginsStayBounded fires 200 logins at once. Every one ends
// 200, 401, 429 or 503, and the heap stays under the argon2id cap's worth
// of memory plus 64 MiB. It runs with the production hash-queue wait (one
// hash's time), so 503 is among the answers, and not in parallel: the heap
// it samples is the whole test binary's.
func TestConcurrentLoginsStayBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("fires 200 argon2id logins")
	}
	e := harness.NewEnv(t, harness.BehindProxy, func(c *authd.Config) { c.HashQueueWait = 0 })
	var peak harness.HeapPeak
	stop := peak.Watch()
	results := make([]int, 200)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := "1229"
			if i%2 == 0 {
				pw = "wrong"
			}
			results[i] = loginFrom(e, "192.0.2."+strconv.Itoa(i%250), "minsu", pw).Status
		}()
	}
	wg.Wait()
	stop()
	counts := map[int]int{}
	for _, s := range results {
		counts[s]++
		assert.Contains(t, []int{200, 401, 429, 503}, s)
	}
	t.Logf("statuses %v, peak heap %.1f MiB", counts, float64(peak.Max)/(1<<20))
	limit := uint64(harness.HashCapacity())*19<<20 + 64<<20
	assert.Less(t, peak.Max, limit)
	assert.Positive(t, counts[200]+counts[401], "some logins were served")
}

// TestStrangersCannotLockTheOwnerOutThroughHTTP: ten addresses send 50
// wrong passwords each for minsu; minsu then logs in from her usual address
// on the first try.
func TestStrangersCannotLockTheOwnerOutThroughHTTP(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.BehindProxy)
	const home = "198.51.100.7"
	require.Equal(t, 200, loginFrom(e, home, "minsu", "1229").Status, "she has logged in from home before")
	e.Clock.Advance(time.Hour)
	statuses := map[int]int{}
	for round := range 50 {
		for a := range 10 {
			statuses[loginFrom(e, fmt.Sprintf("203.0.113.%d", a), "minsu", fmt.Sprintf("guess-%d", round)).Status]++
		}
		e.Clock.Advance(time.Second)
	}
	t.Logf("500 guesses: %v", statuses)
	assert.LessOrEqual(t, statuses[401], 20, "guesses evaluated")
	assert.Equal(t, 200, loginFrom(e, home, "minsu", "1229").Status, "the owner, from her usual address, on the first try")
}
