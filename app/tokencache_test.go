package app_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/app"
	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingVerifier counts the full verifications it performs.
type countingVerifier struct {
	jsonTokens
	calls atomic.Int32
}

func (c *countingVerifier) Verify(ctx context.Context, token string, kind domain.TokenKind) (domain.Claims, error) {
	c.calls.Add(1)
	return c.jsonTokens.Verify(ctx, token, kind)
}

func newCachedService(t *testing.T, size int) (*app.Service, *countingVerifier, *countingClock) {
	t.Helper()
	p := domain.DefaultPolicy()
	ver := &countingVerifier{jsonTokens: jsonTokens{p}}
	clk := &countingClock{now: t0}
	svc, err := app.New(app.Deps{
		Clock: clk, Users: &fakeUsers{users: map[string]domain.User{"minsu": {ID: "2", Username: "minsu", PasswordHash: "h"}}},
		Sessions: newMemorySessions(), Issuer: jsonTokens{p}, Verifier: ver, Hasher: &fakeHasher{}, IDs: randIDs{}, Failures: memory.NewFailures(),
		Proofs: jsonProofs{}, Replays: memory.NewReplays(), Policy: p, TokenCacheSize: size,
	})
	require.NoError(t, err)
	return svc, ver, clk
}

func TestTokenCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, ver, clk := newCachedService(t, 100)
	pair, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "", domain.ProofRequest{})
	require.NoError(t, err)

	for range 5 {
		_, err := svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), ver.calls.Load(), "verified once, then served from the cache")

	t.Run("a hit still checks exp against the clock", func(t *testing.T) {
		clk.advance(59999 * time.Millisecond)
		_, err := svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
		require.NoError(t, err)
		clk.advance(time.Millisecond)
		_, err = svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
		assert.ErrorIs(t, err, domain.ErrTokenExpired)
		assert.Equal(t, 0, app.CachedTokens(svc), "an expired token leaves the cache")
		clk.advance(-time.Minute)
	})

	t.Run("a hit still checks revocation", func(t *testing.T) {
		p2, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "", domain.ProofRequest{})
		require.NoError(t, err)
		_, err = svc.Authenticate(ctx, p2.Access, domain.ProofRequest{})
		require.NoError(t, err)
		require.NoError(t, svc.Logout(ctx, p2.Refresh, "", false, domain.ProofRequest{}))
		_, err = svc.Authenticate(ctx, p2.Access, domain.ProofRequest{})
		assert.ErrorIs(t, err, domain.ErrSessionRevoked)
	})

	t.Run("a token that failed is never cached", func(t *testing.T) {
		before := ver.calls.Load()
		for range 3 {
			_, err := svc.Authenticate(ctx, "garbage", domain.ProofRequest{})
			assert.ErrorIs(t, err, domain.ErrInvalidToken)
		}
		assert.Equal(t, before+3, ver.calls.Load())
	})
}

func TestTokenCacheIsBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newCachedService(t, 10)
	for range 50 {
		pair, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "", domain.ProofRequest{})
		require.NoError(t, err)
		_, err = svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
		require.NoError(t, err)
	}
	assert.Equal(t, 10, app.CachedTokens(svc))
}

func TestTokenCacheOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, ver, _ := newCachedService(t, 0)
	pair, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "", domain.ProofRequest{})
	require.NoError(t, err)
	for range 3 {
		_, err := svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
		require.NoError(t, err)
	}
	assert.Equal(t, int32(3), ver.calls.Load())
	assert.Equal(t, 0, app.CachedTokens(svc))
}
