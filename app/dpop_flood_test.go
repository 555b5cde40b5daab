package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/app"
	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// floodService is a DPoP service with the login throttle on (3 failures
// per username and address) and a replay budget, on a memory replay cache
// the test can count.
func floodService(t *testing.T, budget int) (*app.Service, *countingClock, *memory.Replays) {
	t.Helper()
	p := domain.DefaultPolicy()
	clk := &countingClock{now: t0}
	replays := memory.NewReplays()
	svc, err := app.New(app.Deps{
		Clock: clk, Users: &fakeUsers{users: map[string]domain.User{"minsu": {ID: "2", Username: "minsu", PasswordHash: "h"}}},
		Sessions: newMemorySessions(), Issuer: jsonTokens{p}, Verifier: jsonTokens{p}, Hasher: &fakeHasher{}, IDs: randIDs{},
		Failures: memory.NewFailures(), Proofs: jsonProofs{}, Replays: replays, Policy: p,
		AddressThrottle:   domain.ThrottlePolicy{MaxFailures: 3, Window: 15 * time.Minute},
		DPoPAddressBudget: budget, TokenCacheSize: app.DefaultTokenCacheSize,
	})
	require.NoError(t, err)
	return svc, clk, replays
}

func entries(t *testing.T, r *memory.Replays) int {
	t.Helper()
	n, err := r.Entries(context.Background())
	require.NoError(t, err)
	return n
}

// TestLoginSpendsItsProofOnlyWhenItCanSucceed: a wrong password or a
// throttled login remembers nothing, however many fresh proofs come (the
// replay cache was once filled this way, without an account); the right
// password spends its proof, and the same proof again is refused without
// counting as a guess.
func TestLoginSpendsItsProofOnlyWhenItCanSucceed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk, replays := floodService(t, 0)
	attacker := &holder{jkt: keyB, clock: clk}
	wrong := domain.Credentials{Username: "minsu", Password: "wrong"}
	for range 3 {
		_, err := svc.Login(ctx, wrong, "198.51.100.9", attacker.login())
		require.ErrorIs(t, err, domain.ErrInvalidCredentials)
	}
	assert.Zero(t, entries(t, replays), "wrong passwords spend no proof")
	for range 200 {
		_, err := svc.Login(ctx, wrong, "198.51.100.9", attacker.login())
		require.ErrorIs(t, err, domain.ErrRateLimited)
	}
	assert.Zero(t, entries(t, replays), "throttled logins spend no proof")

	owner := &holder{jkt: keyA, clock: clk}
	proof := owner.login()
	pair, err := svc.Login(ctx, minsu, "192.0.2.1", proof)
	require.NoError(t, err)
	assert.Equal(t, keyA, pair.JKT)
	assert.Equal(t, 1, entries(t, replays), "a successful login spends its proof")

	// The same proof again, with the right password: refused, and not a
	// failure of the pair (whose limit, 3, the next logins would hit).
	for range 3 {
		_, err = svc.Login(ctx, minsu, "192.0.2.1", proof)
		require.ErrorIs(t, err, domain.ErrInvalidDPoPProof)
	}
	_, err = svc.Login(ctx, minsu, "192.0.2.1", owner.login())
	assert.NoError(t, err, "replayed proofs were not counted as guesses")
}

// TestReplayBudgetPerAddress: one address (an IPv6 /64 as one) may have at
// most its budget of proofs remembered a window, answered 429 beyond it
// with the wait to the next window; other addresses are not affected, and
// a new window starts afresh.
func TestReplayBudgetPerAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk, replays := floodService(t, 5)
	a := &holder{jkt: keyA, clock: clk}
	pair, err := svc.Login(ctx, minsu, "2001:db8:1:2::1", a.login()) // the first of the /64's five
	require.NoError(t, err)
	use := func(ip string) error {
		req := a.use(pair.Access)
		req.Client = ip
		_, err := svc.Authenticate(ctx, pair.Access, req)
		return err
	}
	for i := range 4 {
		require.NoError(t, use("2001:db8:1:2::"+string(rune('a'+i))), "another address of the same /64")
	}
	err = use("2001:db8:1:2:ffff::1")
	var rl *domain.RateLimitError
	require.ErrorAs(t, err, &rl, "the sixth proof of the /64 in one window")
	assert.Positive(t, rl.RetryAfter)
	assert.LessOrEqual(t, rl.RetryAfter, time.Minute)
	assert.Equal(t, 5, entries(t, replays), "refused before the cache")
	assert.NoError(t, use("2001:db8:1:3::1"), "the next /64 has its own budget")
	assert.NoError(t, use("192.0.2.1"))

	clk.advance(rl.RetryAfter)
	pair, err = svc.Login(ctx, minsu, "2001:db8:1:2::1", a.login())
	assert.NoError(t, err, "a new window, a new budget")
	assert.NoError(t, use("2001:db8:1:2::1"))
}
