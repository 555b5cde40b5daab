package app_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/app"
	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	keyA = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	keyB = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
)

// holder makes jsonProofs proofs of one key, each with a new jti.
type holder struct {
	jkt   string
	clock *countingClock
	n     int
}

func (h *holder) proof(method, url, accessToken string) string {
	h.n++
	p := domain.Proof{JKT: h.jkt, Algorithm: "ES256", ID: h.jkt[:4] + strconv.Itoa(h.n), Method: method, URL: url, IssuedAt: h.clock.now}
	if accessToken != "" {
		p.AccessTokenHash = domain.AccessTokenHash(accessToken)
	}
	b, _ := json.Marshal(p)
	return string(b)
}

const (
	loginURL     = "http://authd.test/login/"
	refreshURL   = "http://authd.test/refresh/"
	protectedURL = "http://authd.test/protected/"
)

func (h *holder) login() domain.ProofRequest {
	return domain.ProofRequest{Proof: h.proof("POST", loginURL, ""), Method: "POST", URL: loginURL}
}

func (h *holder) refresh() domain.ProofRequest {
	return domain.ProofRequest{Proof: h.proof("POST", refreshURL, ""), Method: "POST", URL: refreshURL}
}

func (h *holder) use(access string) domain.ProofRequest {
	return domain.ProofRequest{Proof: h.proof("GET", protectedURL, access), Method: "GET", URL: protectedURL, Scheme: "DPoP"}
}

func dpopService(t *testing.T, mode domain.DPoPMode) (*app.Service, *countingClock, *failingSessions) {
	t.Helper()
	clk := &countingClock{now: t0}
	store := &failingSessions{SessionStore: newMemorySessions()}
	return dpopServiceOn(t, mode, clk, store), clk, store
}

// dpopServiceOn is dpopService on a given clock and store, so two services
// of different modes can share them.
func dpopServiceOn(t *testing.T, mode domain.DPoPMode, clk *countingClock, store ports.SessionStore) *app.Service {
	t.Helper()
	p := domain.DefaultPolicy()
	dp := domain.DefaultDPoPPolicy()
	dp.Mode = mode
	svc, err := app.New(app.Deps{
		Clock: clk, Users: &fakeUsers{users: map[string]domain.User{"minsu": {ID: "2", Username: "minsu", PasswordHash: "h"}}},
		Sessions: store, Issuer: jsonTokens{p}, Verifier: jsonTokens{p}, Hasher: &fakeHasher{}, IDs: randIDs{},
		Failures: memory.NewFailures(), Proofs: jsonProofs{}, Replays: memory.NewReplays(), Policy: p, DPoP: dp,
		TokenCacheSize: app.DefaultTokenCacheSize, Clients: testClients(t),
	})
	require.NoError(t, err)
	return svc
}

var minsu = domain.Credentials{Username: "minsu", Password: "right"}

func TestLoginWithProofBindsTheSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk, store := dpopService(t, domain.DPoPOptional)
	a := &holder{jkt: keyA, clock: clk}

	pair, err := svc.Login(ctx, minsu, "", a.login())
	require.NoError(t, err)
	assert.Equal(t, keyA, pair.JKT)
	var access domain.Claims
	require.NoError(t, json.Unmarshal([]byte(pair.Access), &access))
	assert.Equal(t, keyA, access.JKT, "the access token carries cnf.jkt")
	sess, err := store.Session(ctx, pair.SessionID)
	require.NoError(t, err)
	assert.Equal(t, keyA, sess.JKT, "the session holds the binding")

	plain, err := svc.Login(ctx, minsu, "", domain.ProofRequest{Method: "POST", URL: loginURL})
	require.NoError(t, err)
	assert.Empty(t, plain.JKT, "no proof, no binding (optional mode)")
}

func TestBoundAccessTokenNeedsItsProofOnEveryRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk, _ := dpopService(t, domain.DPoPOptional)
	a := &holder{jkt: keyA, clock: clk}
	thief := &holder{jkt: keyB, clock: clk}
	pair, err := svc.Login(ctx, minsu, "", a.login())
	require.NoError(t, err)

	p, err := svc.Authenticate(ctx, pair.Access, a.use(pair.Access))
	require.NoError(t, err)
	assert.Equal(t, keyA, p.JKT)

	replay := a.use(pair.Access)
	_, err = svc.Authenticate(ctx, pair.Access, replay)
	require.NoError(t, err)

	for name, tc := range map[string]struct {
		req  domain.ProofRequest
		want error
	}{
		"sent as Bearer": {domain.ProofRequest{Method: "GET", URL: protectedURL}, domain.ErrInvalidToken},
		"sent as Bearer with a proof": {func() domain.ProofRequest {
			r := a.use(pair.Access)
			r.Scheme = ""
			return r
		}(), domain.ErrInvalidToken},
		"DPoP scheme, no proof":  {domain.ProofRequest{Method: "GET", URL: protectedURL, Scheme: "DPoP"}, domain.ErrInvalidDPoPProof},
		"another key's proof":    {thief.use(pair.Access), domain.ErrInvalidDPoPProof},
		"replayed proof":         {replay, domain.ErrInvalidDPoPProof},
		"proof for another path": {func() domain.ProofRequest { r := a.use(pair.Access); r.URL = "http://authd.test/sessions/"; return r }(), domain.ErrInvalidDPoPProof},
		"proof without ath":      {domain.ProofRequest{Proof: a.proof("GET", protectedURL, ""), Method: "GET", URL: protectedURL, Scheme: "DPoP"}, domain.ErrInvalidDPoPProof},
		"proof for another token": {domain.ProofRequest{Proof: a.proof("GET", protectedURL, "other.token.x"), Method: "GET", URL: protectedURL, Scheme: "DPoP"},
			domain.ErrInvalidDPoPProof},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := svc.Authenticate(ctx, pair.Access, tc.req)
			require.ErrorIs(t, err, tc.want)
			var pe *domain.ProofError
			assert.ErrorAs(t, err, &pe, "a DPoP challenge, not a Bearer one")
		})
	}
	assert.Positive(t, app.CachedTokens(svc), "the token itself is cached")
	_, err = svc.Authenticate(ctx, pair.Access, a.use(pair.Access))
	assert.NoError(t, err, "the owner still gets in")

	clk.advance(61 * time.Second)
	_, err = svc.Authenticate(ctx, pair.Access, a.use(pair.Access))
	assert.ErrorIs(t, err, domain.ErrTokenExpired, "a proof does not extend the token's life")
}

func TestUnboundTokenWithTheDPoPSchemeIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk, _ := dpopService(t, domain.DPoPOptional)
	a := &holder{jkt: keyA, clock: clk}
	pair, err := svc.Login(ctx, minsu, "", domain.ProofRequest{})
	require.NoError(t, err)
	_, err = svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
	require.NoError(t, err, "a bearer token as a bearer token")
	_, err = svc.Authenticate(ctx, pair.Access, a.use(pair.Access))
	assert.ErrorIs(t, err, domain.ErrInvalidToken)
}

// TestBoundRefreshWithoutTheKeyChangesNothing: a thief's refresh, with no
// proof or a proof of another key, with the current token or a used one,
// is refused before the rotation rules; the session neither rotates nor is
// revoked, and the owner's next refresh works.
func TestBoundRefreshWithoutTheKeyChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk, store := dpopService(t, domain.DPoPOptional)
	a := &holder{jkt: keyA, clock: clk}
	thief := &holder{jkt: keyB, clock: clk}
	first, err := svc.Login(ctx, minsu, "", a.login())
	require.NoError(t, err)
	clk.advance(time.Second)
	second, err := svc.Refresh(ctx, first.Refresh, "", a.refresh())
	require.NoError(t, err)
	assert.Equal(t, keyA, second.JKT, "the binding survives rotation")

	for name, tc := range map[string]struct {
		token string
		req   domain.ProofRequest
	}{
		"current token, no proof":        {second.Refresh, domain.ProofRequest{Method: "POST", URL: refreshURL}},
		"current token, another key":     {second.Refresh, thief.refresh()},
		"used token, no proof":           {first.Refresh, domain.ProofRequest{Method: "POST", URL: refreshURL}},
		"used token, another key":        {first.Refresh, thief.refresh()},
		"current token, broken proof":    {second.Refresh, domain.ProofRequest{Proof: "garbage", Method: "POST", URL: refreshURL}},
		"current token, proof for login": {second.Refresh, func() domain.ProofRequest { r := a.login(); r.URL = refreshURL; return r }()},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := svc.Refresh(ctx, tc.token, "", tc.req)
			require.ErrorIs(t, err, domain.ErrInvalidDPoPProof)
			sess, err := store.Session(ctx, second.SessionID)
			require.NoError(t, err)
			assert.False(t, sess.Revoked(), "not revoked")
			assert.Equal(t, uint64(2), sess.Generation, "not rotated")
		})
	}
	clk.advance(time.Second)
	third, err := svc.Refresh(ctx, second.Refresh, "", a.refresh())
	require.NoError(t, err, "the owner's refresh still works")
	assert.Equal(t, keyA, third.JKT)

	_, err = svc.Refresh(ctx, first.Refresh, "", a.refresh())
	assert.ErrorIs(t, err, domain.ErrRefreshReused, "the key holder replaying an old token is still reuse")
}

func TestBoundLogoutNeedsTheKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk, store := dpopService(t, domain.DPoPOptional)
	a := &holder{jkt: keyA, clock: clk}
	thief := &holder{jkt: keyB, clock: clk}
	pair, err := svc.Login(ctx, minsu, "", a.login())
	require.NoError(t, err)
	assert.ErrorIs(t, svc.Logout(ctx, pair.Refresh, "", true, thief.refresh()), domain.ErrInvalidDPoPProof)
	sess, err := store.Session(ctx, pair.SessionID)
	require.NoError(t, err)
	assert.False(t, sess.Revoked())
	require.NoError(t, svc.Logout(ctx, pair.Refresh, "", false, a.refresh()))
	sess, err = store.Session(ctx, pair.SessionID)
	require.NoError(t, err)
	assert.True(t, sess.Revoked())
}

func TestDPoPRequired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk, store := dpopService(t, domain.DPoPRequired)
	a := &holder{jkt: keyA, clock: clk}
	_, err := svc.Login(ctx, minsu, "", domain.ProofRequest{Method: "POST", URL: loginURL})
	assert.ErrorIs(t, err, domain.ErrInvalidDPoPProof, "no login without a proof")
	pair, err := svc.Login(ctx, minsu, "", a.login())
	require.NoError(t, err)
	_, err = svc.Authenticate(ctx, pair.Access, a.use(pair.Access))
	assert.NoError(t, err)

	// A session from before the switch to required is unbound: its tokens
	// are refused, with or without a proof.
	before := dpopServiceOn(t, domain.DPoPOptional, clk, store)
	old, err := before.Login(ctx, minsu, "", domain.ProofRequest{})
	require.NoError(t, err)
	_, err = svc.Authenticate(ctx, old.Access, domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrInvalidToken)
	_, err = svc.Refresh(ctx, old.Refresh, "", a.refresh())
	assert.ErrorIs(t, err, domain.ErrInvalidToken)
	var pe *domain.ProofError
	assert.ErrorAs(t, err, &pe)
}

// TestBrokenProofAtLoginCostsNoHash: the proof is judged before the
// password, so a broken one spends no hashing and records no failure.
func TestBrokenProofAtLoginCostsNoHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clk, _ := dpopService(t, domain.DPoPOptional)
	a := &holder{jkt: keyA, clock: clk}
	stale := a.login()
	clk.advance(2 * time.Minute)
	_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "wrong"}, "192.0.2.1", stale)
	assert.ErrorIs(t, err, domain.ErrInvalidDPoPProof)
	for range 10 {
		_, err = svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "wrong"}, "192.0.2.1", domain.ProofRequest{Proof: "garbage"})
		require.ErrorIs(t, err, domain.ErrInvalidDPoPProof)
	}
	_, err = svc.Login(ctx, minsu, "192.0.2.1", a.login())
	assert.NoError(t, err, "ten broken proofs are not ten failed logins")
}

// purgeCounter is a replay cache that records its purges.
type purgeCounter struct {
	*memory.Replays
	at []time.Time
}

func (p *purgeCounter) PurgeReplays(ctx context.Context, now time.Time) (int, error) {
	p.at = append(p.at, now)
	return p.Replays.PurgeReplays(ctx, now)
}

// TestPurgeForgetsUsedProofs: the purge loop empties the replay cache of
// proofs past their window, at the earlier of the two clocks, as it does
// sessions.
func TestPurgeForgetsUsedProofs(t *testing.T) {
	t.Parallel()
	p := domain.DefaultPolicy()
	clk := &countingClock{now: t0}
	replays := &purgeCounter{Replays: memory.NewReplays()}
	svc, err := app.New(app.Deps{
		Clock: clk, Users: &fakeUsers{}, Sessions: newMemorySessions(), Issuer: jsonTokens{p}, Verifier: jsonTokens{p},
		Hasher: &fakeHasher{}, IDs: randIDs{}, Failures: memory.NewFailures(), Proofs: jsonProofs{}, Replays: replays, Policy: p,
	})
	require.NoError(t, err)
	_, err = svc.Purge(context.Background(), t0.Add(-time.Second))
	require.NoError(t, err)
	assert.Equal(t, []time.Time{t0.Add(-time.Second)}, replays.at)
}
