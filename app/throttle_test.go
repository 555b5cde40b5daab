package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/app"
	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gateHasher holds every Verify until the gate opens, counting how many got
// that far.
type gateHasher struct {
	fakeHasher
	entered atomic.Int32
	gate    chan struct{}
}

func (g *gateHasher) Verify(ctx context.Context, encoded, password string) error {
	g.entered.Add(1)
	<-g.gate
	return g.fakeHasher.Verify(ctx, encoded, password)
}

func (g *gateHasher) VerifyDummy(ctx context.Context, password string) error {
	g.entered.Add(1)
	<-g.gate
	return g.fakeHasher.VerifyDummy(ctx, password)
}

// recordingLog is a memory failure log that remembers every key it saw.
type recordingLog struct {
	ports.FailureLog
	mu   sync.Mutex
	keys []string
}

func (r *recordingLog) AddFailure(ctx context.Context, key string, at time.Time, keep int) error {
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.mu.Unlock()
	return r.FailureLog.AddFailure(ctx, key, at, keep)
}

func throttled(t *testing.T, h ports.PasswordHasher, log ports.FailureLog) *app.Service {
	t.Helper()
	svc, _ := throttledOn(t, h, log)
	return svc
}

// throttledOn is throttled with the clock it runs on; options change the
// dependencies before the service is built. The users are minsu and
// mallory, both with the password "right".
func throttledOn(t *testing.T, h ports.PasswordHasher, log ports.FailureLog, options ...func(*app.Deps)) (*app.Service, *countingClock) {
	t.Helper()
	p := domain.DefaultPolicy()
	clk := &countingClock{now: t0}
	d := app.Deps{
		Clock: clk, Sessions: newMemorySessions(), Issuer: jsonTokens{p}, Verifier: jsonTokens{p},
		Users: &fakeUsers{users: map[string]domain.User{
			"minsu":   {ID: "2", Username: "minsu", PasswordHash: "h"},
			"mallory": {ID: "66", Username: "mallory", PasswordHash: "h"},
		}},
		Hasher: h, IDs: randIDs{}, Failures: log, Proofs: jsonProofs{}, Replays: memory.NewReplays(), Policy: p,
		AddressThrottle: domain.ThrottlePolicy{MaxFailures: 10, Window: 15 * time.Minute},
		IPThrottle:      domain.ThrottlePolicy{MaxFailures: 100, Window: 15 * time.Minute},
		AccountDelay:    domain.DelayPolicy{Free: 10, Base: time.Second, Max: 15 * time.Minute, Window: 24 * time.Hour},
		KnownAddresses:  memory.NewKnownAddresses(),
	}
	for _, o := range options {
		o(&d)
	}
	svc, err := app.New(d)
	require.NoError(t, err)
	return svc, clk
}

// countingHasher counts the passwords it was asked to check.
type countingHasher struct {
	fakeHasher
	checks atomic.Int32
}

func (c *countingHasher) Verify(ctx context.Context, encoded, password string) error {
	c.checks.Add(1)
	return c.fakeHasher.Verify(ctx, encoded, password)
}

func (c *countingHasher) VerifyDummy(ctx context.Context, password string) error {
	c.checks.Add(1)
	return c.fakeHasher.VerifyDummy(ctx, password)
}

// TestStrangersCannotLockTheOwnerOut: ten addresses send 50 wrong passwords
// each for minsu; minsu then logs in from her usual address on the first
// try. From an address she never used she waits, as a guesser would.
func TestStrangersCannotLockTheOwnerOut(t *testing.T) {
	t.Parallel()
	svc, clk := throttledOn(t, &fakeHasher{}, memory.NewFailures())
	ctx := context.Background()
	const home = "198.51.100.7"
	_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, home, domain.ProofRequest{})
	require.NoError(t, err, "her usual address: she logged in from it before")

	clk.advance(time.Hour)
	refused := 0
	for round := range 50 {
		for a := range 10 {
			_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: fmt.Sprintf("guess-%d", round)}, fmt.Sprintf("203.0.113.%d", a), domain.ProofRequest{})
			if errors.Is(err, domain.ErrRateLimited) {
				refused++
			}
		}
		clk.advance(time.Second)
	}
	assert.Greater(t, refused, 400, "the guessers are throttled")

	_, err = svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, home, domain.ProofRequest{})
	assert.NoError(t, err, "the owner, from her usual address, on the first try")
	_, err = svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "192.0.2.99", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrRateLimited, "from an address she never used, she waits like a stranger")
}

// TestDistributedGuesserIsBounded: a guesser using a new address for every
// attempt, trying once a second for an hour, gets no more guesses than
// documented (22 in the first hour).
func TestDistributedGuesserIsBounded(t *testing.T) {
	t.Parallel()
	h := &countingHasher{}
	svc, clk := throttledOn(t, h, memory.NewFailures())
	ctx := context.Background()
	for i := range 3600 {
		_, _ = svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "guess"}, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), domain.ProofRequest{})
		clk.advance(time.Second)
	}
	bound := domain.DelayPolicy{Free: 10, Base: time.Second, Max: 15 * time.Minute, Window: 24 * time.Hour}.MaxGuessesPerHour(0)
	assert.LessOrEqual(t, int(h.checks.Load()), bound)
	assert.GreaterOrEqual(t, int(h.checks.Load()), 10, "the free allowance was used")
	t.Logf("%d guesses evaluated in an hour (bound %d)", h.checks.Load(), bound)
}

// TestOneAddressSprayingUsernamesIsStopped: one address trying 1,000
// usernames gets the per-address limit (100 in the window), no more.
func TestOneAddressSprayingUsernamesIsStopped(t *testing.T) {
	t.Parallel()
	h := &countingHasher{}
	svc := throttled(t, h, memory.NewFailures())
	ctx := context.Background()
	limited := 0
	for i := range 1000 {
		_, err := svc.Login(ctx, domain.Credentials{Username: fmt.Sprintf("user%d", i), Password: "123456"}, "203.0.113.66", domain.ProofRequest{})
		if errors.Is(err, domain.ErrRateLimited) {
			limited++
		}
	}
	assert.Equal(t, int32(100), h.checks.Load(), "the address's limit")
	assert.Equal(t, 900, limited)
}

// TestParallelGuessesCannotOverrunTheLimit: 60 guesses in flight at once,
// from 60 addresses, the last with the right password: at most 10 reach the
// hasher, the rest are refused before it.
func TestParallelGuessesCannotOverrunTheLimit(t *testing.T) {
	t.Parallel()
	h := &gateHasher{gate: make(chan struct{})}
	svc := throttled(t, h, memory.NewFailures())
	var limited atomic.Int32
	results := make(chan error, 60)
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			password := "wrong"
			if i == 59 {
				password = "right"
			}
			_, err := svc.Login(context.Background(), domain.Credentials{Username: "minsu", Password: password}, fmt.Sprintf("192.0.2.%d", i), domain.ProofRequest{})
			if errors.Is(err, domain.ErrRateLimited) {
				limited.Add(1)
			}
			results <- err
		})
	}
	require.Eventually(t, func() bool { return h.entered.Load()+limited.Load() == 60 },
		5*time.Second, time.Millisecond, "every attempt is either at the hasher or refused")
	close(h.gate)
	wg.Wait()
	close(results)
	assert.LessOrEqual(t, h.entered.Load(), int32(10), "no more guesses than the limit reach the hasher")
	assert.GreaterOrEqual(t, limited.Load(), int32(50))
}

// TestOnlyWrongPasswordsCount: a login that succeeds, or that fails for a
// reason other than the password (a full hashing queue), takes its record
// back, so neither counts against the username or the address.
func TestOnlyWrongPasswordsCount(t *testing.T) {
	t.Parallel()
	h := &fakeHasher{}
	svc := throttled(t, h, memory.NewFailures())
	ctx := context.Background()
	for range 150 { // more than the address's limit of 100
		_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "198.51.100.1", domain.ProofRequest{})
		require.NoError(t, err)
	}
	h.err = fmt.Errorf("queue full: %w", domain.ErrUnavailable)
	for range 20 {
		_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "wrong"}, "198.51.100.1", domain.ProofRequest{})
		require.ErrorIs(t, err, domain.ErrUnavailable)
	}
	h.err = nil
	_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "198.51.100.1", domain.ProofRequest{})
	assert.NoError(t, err, "neither the successes nor the outages counted")
}

// TestFailureKeysHaveAFixedSize: the longest username costs the failure log
// what a short one does.
func TestFailureKeysHaveAFixedSize(t *testing.T) {
	t.Parallel()
	log := &recordingLog{FailureLog: memory.NewFailures()}
	svc := throttled(t, &fakeHasher{}, log)
	long := strings.Repeat("u", domain.MaxUsernameBytes)
	_, err := svc.Login(context.Background(), domain.Credentials{Username: long, Password: "x"}, "192.0.2.1", domain.ProofRequest{})
	require.ErrorIs(t, err, domain.ErrInvalidCredentials)
	require.NotEmpty(t, log.keys)
	for _, k := range log.keys {
		assert.LessOrEqual(t, len(k), 64, "key %.80q", k)
		assert.NotContains(t, k, "uuuu", "the username itself is not stored")
	}
}

// TestIPv6SprayFromOneSlash64IsStopped: one /64 is one address to the
// throttle. 300 usernames sprayed from 300 addresses of one /64 get the
// per-address limit (100), and eleven guesses on one account from eleven
// addresses of the /64 meet the per-username-and-address limit (10).
func TestIPv6SprayFromOneSlash64IsStopped(t *testing.T) {
	t.Parallel()
	h := &countingHasher{}
	svc, clk := throttledOn(t, h, memory.NewFailures())
	ctx := context.Background()
	limited := 0
	for i := range 300 {
		_, err := svc.Login(ctx, domain.Credentials{Username: fmt.Sprintf("user%d", i), Password: "123456"}, fmt.Sprintf("2001:db8:1:2::%x", i+1), domain.ProofRequest{})
		if errors.Is(err, domain.ErrRateLimited) {
			limited++
		}
	}
	assert.Equal(t, int32(100), h.checks.Load(), "the /64's limit across usernames")
	assert.Equal(t, 200, limited)

	clk.advance(time.Hour) // the spray's window has passed
	for i := range 10 {
		_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "guess"}, fmt.Sprintf("2001:db8:5:6:%x::1", i+1), domain.ProofRequest{})
		require.ErrorIs(t, err, domain.ErrInvalidCredentials)
	}
	clk.advance(2 * time.Second) // past the account's first delay (1 s)
	_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "guess"}, "2001:db8:5:6:ffff::1", domain.ProofRequest{})
	var rl *domain.RateLimitError
	require.ErrorAs(t, err, &rl, "the eleventh guess from the same /64")
	assert.Greater(t, rl.RetryAfter, 10*time.Minute, "the pair's limit (15 min window), not the account's delay")
}

// TestOwnerKnownAcrossHerSlash64: IPv6 privacy addresses change the
// interface half every day; the /64 stays. After she logged in from one
// address of it, another address of the same /64 is known to her account
// and skips its delay while the account is under attack.
func TestOwnerKnownAcrossHerSlash64(t *testing.T) {
	t.Parallel()
	svc, clk := throttledOn(t, &fakeHasher{}, memory.NewFailures())
	ctx := context.Background()
	_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "2001:db8:aa:bb:1111:2222:3333:4444", domain.ProofRequest{})
	require.NoError(t, err)
	for i := range 12 {
		_, _ = svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "guess"}, fmt.Sprintf("203.0.113.%d", i), domain.ProofRequest{})
	}
	_, err = svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "192.0.2.200", domain.ProofRequest{})
	require.ErrorIs(t, err, domain.ErrRateLimited, "the account is being delayed for unknown addresses")
	clk.advance(time.Millisecond)
	_, err = svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "2001:db8:aa:bb:9999:8888:7777:6666", domain.ProofRequest{})
	assert.NoError(t, err, "another address of her /64")
}

// TestSuccessfulLoginsCannotEvictTheDelayRecord: minsu's account has used
// its ten free failures; mallory, who has an account of her own, then logs
// in successfully from 20,000 new addresses, twenty times what the failure
// log (here limited to 1,000 keys of a kind) holds. The next guess on minsu
// still waits: her delay record was not evicted, and mallory's known
// addresses, capped at KnownAddressesPerAccount, cost nothing in the
// failure log. (Known addresses were one-failure keys in that log, the
// "most informative" kind to its eviction: such a flood evicted the delay
// record and gave the guesser ten free guesses again.)
func TestSuccessfulLoginsCannotEvictTheDelayRecord(t *testing.T) {
	t.Parallel()
	log := memory.NewFailuresWithLimit(1000)
	svc, _ := throttledOn(t, &fakeHasher{}, log)
	ctx := context.Background()
	for i := range 10 {
		_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "guess"}, fmt.Sprintf("203.0.113.%d", i), domain.ProofRequest{})
		require.ErrorIs(t, err, domain.ErrInvalidCredentials)
	}
	for i := range 20_000 {
		_, err := svc.Login(ctx, domain.Credentials{Username: "mallory", Password: "right"}, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), domain.ProofRequest{})
		require.NoError(t, err)
	}
	_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "guess"}, "192.0.2.1", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrRateLimited, "the eleventh guess waits: the delay record is intact")
	assert.Zero(t, log.Evictions(), "successful logins add nothing to the failure log")
}
