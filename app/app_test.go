package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/app"
	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

type fixture struct {
	svc    *app.Service
	clock  *countingClock
	users  *fakeUsers
	hasher *fakeHasher
	store  *failingSessions
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		clock:  &countingClock{now: t0},
		users:  &fakeUsers{users: map[string]domain.User{"minsu": {ID: "2", Username: "minsu", PasswordHash: "h"}}},
		hasher: &fakeHasher{},
		store:  &failingSessions{SessionStore: newMemorySessions()},
	}
	p := domain.DefaultPolicy()
	svc, err := app.New(app.Deps{
		Clock: f.clock, Users: f.users, Sessions: f.store, Issuer: jsonTokens{p}, Verifier: jsonTokens{p},
		Hasher: f.hasher, IDs: randIDs{}, Failures: memory.NewFailures(), Proofs: jsonProofs{}, Replays: memory.NewReplays(), Policy: p,
	})
	require.NoError(t, err)
	f.svc = svc
	return f
}

func TestNewRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	_, err := app.New(app.Deps{Policy: domain.DefaultPolicy()})
	assert.Error(t, err)
	f := newFixture(t)
	_, err = app.New(app.Deps{Clock: f.clock, Users: f.users, Sessions: f.store, Issuer: jsonTokens{}, Verifier: jsonTokens{},
		Hasher: f.hasher, IDs: randIDs{}, Failures: memory.NewFailures(), Proofs: jsonProofs{}, Replays: memory.NewReplays(), Policy: domain.Policy{}})
	assert.Error(t, err, "a policy that cannot work")
}

// TestEachUseCaseReadsTheClockOnce: one request, one instant.
func TestEachUseCaseReadsTheClockOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	reads := func(do func()) int32 {
		before := f.clock.reads.Load()
		do()
		return f.clock.reads.Load() - before
	}
	var pair domain.TokenPair
	assert.Equal(t, int32(1), reads(func() {
		var err error
		pair, err = f.svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "127.0.0.1", domain.ProofRequest{})
		require.NoError(t, err)
	}))
	var p domain.Principal
	assert.Equal(t, int32(1), reads(func() {
		var err error
		p, err = f.svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
		require.NoError(t, err)
	}))
	assert.Equal(t, int32(1), reads(func() {
		var err error
		pair, err = f.svc.Refresh(ctx, pair.Refresh, "", domain.ProofRequest{})
		require.NoError(t, err)
	}))
	assert.Equal(t, int32(1), reads(func() { _, err := f.svc.Sessions(ctx, p); require.NoError(t, err) }))
	assert.Equal(t, int32(1), reads(func() { require.NoError(t, f.svc.Logout(ctx, pair.Refresh, "", false, domain.ProofRequest{})) }))

	// The account, administration and code-flow use cases: one instant
	// each, and none for the listings and the ID-token hint, which judge
	// no time.
	a := newAccounts(t, func(d *app.Deps) {
		d.OIDC = app.OIDC{Codes: memory.NewCodes(), Browsers: memory.NewBrowserSessions(), IDTokens: jsonIDTokens{}}
		d.Clients = testClients(t)
	})
	f.clock, f.svc = a.clock, a.svc
	once := func(name string, want int32, do func() error) {
		t.Helper()
		assert.Equal(t, want, reads(func() { require.NoError(t, do(), name) }), name)
	}
	once("SignUp", 1, func() error {
		var err error
		pair, err = a.svc.SignUp(ctx, domain.Credentials{Username: "younghee", Password: strongPW}, "192.0.2.1", domain.ProofRequest{})
		return err
	})
	once("ChangePassword", 1, func() error {
		return a.svc.ChangePassword(ctx, pair.Access, domain.ProofRequest{}, strongPW, "another-"+strongPW, "192.0.2.1")
	})
	once("CreateUser", 1, func() error {
		_, err := a.svc.CreateUser(ctx, domain.ActorAdmin, "chulsoo", strongPW)
		return err
	})
	once("ListUsers", 0, func() error { _, _, err := a.svc.ListUsers(ctx, "", 10); return err })
	once("User", 1, func() error { _, err := a.svc.User(ctx, "chulsoo"); return err })
	disabled := true
	once("UpdateUser", 1, func() error {
		_, err := a.svc.UpdateUser(ctx, domain.ActorAdmin, "chulsoo", domain.UserChange{Disabled: &disabled})
		return err
	})
	once("DeleteUser", 1, func() error { return a.svc.DeleteUser(ctx, domain.ActorAdmin, "chulsoo") })
	once("Events", 0, func() error { _, _, err := a.svc.Events(ctx, "", 0, 10); return err })
	var in domain.SignIn
	once("SignIn", 1, func() error {
		var err error
		in, err = a.svc.SignIn(ctx, domain.Credentials{Username: "minsu", Password: strongPW, ClientID: "app"}, "192.0.2.1")
		return err
	})
	var code string
	once("Authorize", 1, func() error {
		var err error
		code, err = a.svc.Authorize(ctx, domain.AuthRequest{Cookie: in.Cookie, ClientID: "app", RedirectURI: "https://app.example/cb",
			Challenge: challenge, Nonce: "n1", Scope: "openid", MaxAge: -1})
		return err
	})
	var g domain.CodeGrant
	once("ExchangeCode", 1, func() error {
		var err error
		g, err = a.svc.ExchangeCode(ctx, domain.CodeExchange{Code: code, ClientID: "app", RedirectURI: "https://app.example/cb",
			Verifier: verifier, ClientIP: "192.0.2.1"})
		return err
	})
	var hint domain.IDClaims
	once("IDTokenHint", 0, func() error { var err error; hint, err = a.svc.IDTokenHint(ctx, g.IDToken); return err })
	once("SignOut", 1, func() error {
		_, err := a.svc.SignOut(ctx, domain.SignOut{Cookie: in.Cookie, HintSID: hint.SessionID})
		return err
	})
}

func TestLoginUnknownUserDoesTheHashingWork(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.svc.Login(context.Background(), domain.Credentials{Username: "nobody", Password: "x"}, "", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
	assert.Equal(t, int32(1), f.hasher.dummies.Load())
	_, err = f.svc.Login(context.Background(), domain.Credentials{Username: "minsu", Password: "wrong"}, "", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
	assert.Equal(t, int32(1), f.hasher.dummies.Load(), "a known user is checked against the real hash")
	_, err = f.svc.Login(context.Background(), domain.Credentials{Username: "minsu"}, "", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrCredentialsMissing)
}

func TestFailuresPropagate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cred := domain.Credentials{Username: "minsu", Password: "right"}

	f := newFixture(t)
	f.hasher.err = fmt.Errorf("queue: %w", domain.ErrUnavailable)
	_, err := f.svc.Login(ctx, cred, "", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	_, err = f.svc.Login(ctx, domain.Credentials{Username: "nobody", Password: "x"}, "", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrUnavailable, "the dummy check's queue is the same queue")

	f = newFixture(t)
	f.users.err = fmt.Errorf("db: %w", domain.ErrUnavailable)
	_, err = f.svc.Login(ctx, cred, "", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrUnavailable)

	f = newFixture(t)
	pair, err := f.svc.Login(ctx, cred, "", domain.ProofRequest{})
	require.NoError(t, err)
	f.store.err = fmt.Errorf("db: %w", domain.ErrUnavailable)
	_, err = f.svc.Refresh(ctx, pair.Refresh, "", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	_, err = f.svc.Login(ctx, cred, "", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	_, err = f.svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
	assert.NoError(t, err, "the access path never reads the store")
	f.store.err = nil
	_, err = f.svc.Refresh(ctx, pair.Refresh, "", domain.ProofRequest{})
	assert.NoError(t, err, "a failed refresh used nothing up")
}

// TestRevokedListIsBounded: entries leave the in-process list once the
// session's last access token has expired.
func TestRevokedListIsBounded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cred := domain.Credentials{Username: "minsu", Password: "right"}
	for range 50 {
		pair, err := f.svc.Login(ctx, cred, "", domain.ProofRequest{})
		require.NoError(t, err)
		require.NoError(t, f.svc.Logout(ctx, pair.Refresh, "", false, domain.ProofRequest{}))
	}
	assert.Equal(t, 50, app.RevokedLen(f.svc))
	f.clock.advance(time.Minute + time.Second)
	pair, err := f.svc.Login(ctx, cred, "", domain.ProofRequest{})
	require.NoError(t, err)
	require.NoError(t, f.svc.Logout(ctx, pair.Refresh, "", false, domain.ProofRequest{}))
	assert.Equal(t, 1, app.RevokedLen(f.svc), "the expired entries were swept")
}

// TestObserveRevoked is how another instance's revocation arrives.
func TestObserveRevoked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	pair, err := f.svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "", domain.ProofRequest{})
	require.NoError(t, err)
	sess, err := f.store.RevokeSession(ctx, pair.SessionID, domain.ReasonAdmin, t0)
	require.NoError(t, err)
	_, err = f.svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
	assert.NoError(t, err, "this instance has not heard yet")
	f.svc.ObserveRevoked(sess)
	_, err = f.svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrSessionRevoked)
}

// failingSessions wraps a store and fails every call while err is set.
type failingSessions struct {
	ports.SessionStore
	err error
}

func (f *failingSessions) CreateSession(ctx context.Context, s domain.Session) error {
	if f.err != nil {
		return f.err
	}
	return f.SessionStore.CreateSession(ctx, s)
}

func (f *failingSessions) Session(ctx context.Context, id string) (domain.Session, error) {
	if f.err != nil {
		return domain.Session{}, f.err
	}
	return f.SessionStore.Session(ctx, id)
}

func newMemorySessions() ports.SessionStore { return memory.NewSessions() }
