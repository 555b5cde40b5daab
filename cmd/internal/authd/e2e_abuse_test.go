package authd

import (
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loginFrom sends a login as if from the client IP, through a trusted proxy
// (the test server's peer is 127.0.0.1).
func (e *env) loginFrom(ip, username, password string) response {
	e.t.Helper()
	return e.do("POST", "/login/", `{"username":"`+username+`","password":"`+password+`"}`, jsonCT, "X-Forwarded-For: "+ip)
}

func behindProxy(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} }

// TestLoginThrottlePerUsernameAndAddress: ten failures for minsu from one
// address stop that address for minsu; another address is not locked out,
// only subject to the account's growing delay, and another username from
// the first address is not affected.
func TestLoginThrottlePerUsernameAndAddress(t *testing.T) {
	e := newEnv(t, behindProxy)
	for i := range 10 {
		assertError(t, e.loginFrom("192.0.2.1", "minsu", "wrong"), 401, "invalid_credentials")
		e.clock.Advance(time.Second)
		_ = i
	}
	r := e.loginFrom("192.0.2.1", "minsu", "1229")
	assertError(t, r, 429, "rate_limited")
	assert.Equal(t, strconv.Itoa(15*60-10), r.header.Get("Retry-After"), "until the first failure (at T) leaves the 15 min window")
	assert.Equal(t, 200, e.loginFrom("198.51.100.7", "minsu", "1229").status,
		"another address: the account's delay after ten failures (1 s after the last) has passed")
	assert.Equal(t, 200, e.loginFrom("192.0.2.1", "chulsu", "1234").status, "another username from the same IP")

	e.clock.Set(T.Add(15*time.Minute + time.Second))
	assert.Equal(t, 200, e.loginFrom("192.0.2.1", "minsu", "1229").status, "after the window the username works again")
}

func TestLoginSuccessResetsTheUsername(t *testing.T) {
	e := newEnv(t, behindProxy)
	for range 9 {
		assertError(t, e.loginFrom("192.0.2.1", "minsu", "wrong"), 401, "invalid_credentials")
	}
	require.Equal(t, 200, e.loginFrom("192.0.2.1", "minsu", "1229").status)
	for range 10 {
		assertError(t, e.loginFrom("192.0.2.1", "minsu", "wrong"), 401, "invalid_credentials")
	}
	assertError(t, e.loginFrom("192.0.2.1", "minsu", "1229"), 429, "rate_limited")
}

func TestLoginThrottlePerIP(t *testing.T) {
	e := newEnv(t, behindProxy, func(c *Config) { c.LoginMaxFails = 2 }) // per IP: 20
	for i := range 20 {
		assertError(t, e.loginFrom("192.0.2.9", "user"+strconv.Itoa(i), "x"), 401, "invalid_credentials")
	}
	assertError(t, e.loginFrom("192.0.2.9", "chulsu", "1234"), 429, "rate_limited")
	assert.Equal(t, 200, e.loginFrom("192.0.2.10", "chulsu", "1234").status, "another IP is not affected")
}

func TestForwardedForIsIgnoredFromUntrustedPeers(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.LoginMaxFails = 2 }) // no trusted proxies
	for i := range 20 {
		// Each request claims another IP, but the peer is what counts.
		assertError(t, e.loginFrom("203.0.113."+strconv.Itoa(i), "user"+strconv.Itoa(i), "x"), 401, "invalid_credentials")
	}
	assertError(t, e.loginFrom("203.0.113.200", "chulsu", "1234"), 429, "rate_limited")
}

// TestConcurrentLoginsStayBounded fires 200 logins at once. Every one ends
// 200, 401, 429 or 503, and the heap stays under the argon2id cap's worth
// of memory plus 64 MiB.
func TestConcurrentLoginsStayBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("fires 200 argon2id logins")
	}
	e := newEnv(t, behindProxy)
	var peak heapPeak
	stop := peak.watch()
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
			results[i] = e.loginFrom("192.0.2."+strconv.Itoa(i%250), "minsu", pw).status
		}()
	}
	wg.Wait()
	stop()
	counts := map[int]int{}
	for _, s := range results {
		counts[s]++
		assert.Contains(t, []int{200, 401, 429, 503}, s)
	}
	t.Logf("statuses %v, peak heap %.1f MiB", counts, float64(peak.max)/(1<<20))
	limit := uint64(hashCapacity())*19<<20 + 64<<20
	assert.Less(t, peak.max, limit)
	assert.Positive(t, counts[200]+counts[401], "some logins were served")
}

// TestStrangersCannotLockTheOwnerOutThroughHTTP: ten addresses send 50
// wrong passwords each for minsu; minsu then logs in from her usual address
// on the first try.
func TestStrangersCannotLockTheOwnerOutThroughHTTP(t *testing.T) {
	e := newEnv(t, behindProxy)
	const home = "198.51.100.7"
	require.Equal(t, 200, e.loginFrom(home, "minsu", "1229").status, "she has logged in from home before")
	e.clock.Advance(time.Hour)
	statuses := map[int]int{}
	for round := range 50 {
		for a := range 10 {
			statuses[e.loginFrom(fmt.Sprintf("203.0.113.%d", a), "minsu", fmt.Sprintf("guess-%d", round)).status]++
		}
		e.clock.Advance(time.Second)
	}
	t.Logf("500 guesses: %v", statuses)
	assert.LessOrEqual(t, statuses[401], 20, "guesses evaluated")
	assert.Equal(t, 200, e.loginFrom(home, "minsu", "1229").status, "the owner, from her usual address, on the first try")
}
