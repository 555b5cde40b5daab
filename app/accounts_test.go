package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// plainHasher "hashes" a password as "plain:" + it and counts its work, so
// the account use cases can be driven without argon2id.
type plainHasher struct{ verifies, hashes atomic.Int32 }

func (h *plainHasher) Hash(_ context.Context, pw string) (string, error) {
	h.hashes.Add(1)
	return "plain:" + pw, nil
}

func (h *plainHasher) Verify(_ context.Context, encoded, pw string) error {
	h.verifies.Add(1)
	if encoded != "plain:"+pw {
		return domain.ErrInvalidCredentials
	}
	return nil
}

func (h *plainHasher) VerifyDummy(context.Context, string) error {
	h.verifies.Add(1)
	return domain.ErrInvalidCredentials
}

// listStrength calls the passwords of its list guessable.
type listStrength []string

func (l listStrength) Guessable(pw string, _ ...string) bool {
	for _, c := range l {
		if c == pw {
			return true
		}
	}
	return false
}

type accounts struct {
	svc    *app.Service
	clock  *countingClock
	users  *memory.Users
	audit  *memory.Audit
	hasher *plainHasher
}

const strongPW = "tangerine-orbit"

func newAccounts(t testing.TB, tune ...func(*app.Deps)) *accounts {
	t.Helper()
	users, err := memory.NewUsers(domain.User{ID: "2", Username: "minsu", PasswordHash: "plain:" + strongPW, CreatedAt: t0})
	require.NoError(t, err)
	a := &accounts{clock: &countingClock{now: t0}, users: users, audit: memory.NewAudit(0), hasher: &plainHasher{}}
	p := domain.DefaultPolicy()
	d := app.Deps{
		Clock: a.clock, Users: users, Accounts: users, Sessions: memory.NewSessions(), Issuer: jsonTokens{p}, Verifier: jsonTokens{p},
		Hasher: a.hasher, IDs: randIDs{}, Failures: memory.NewFailures(), Proofs: jsonProofs{}, Replays: memory.NewReplays(), Policy: p,
		Strength: listStrength{"password1234"}, Audit: a.audit,
		AddressThrottle: domain.ThrottlePolicy{MaxFailures: 3, Window: 15 * time.Minute},
		SignUpThrottle:  domain.ThrottlePolicy{MaxFailures: 3, Window: 15 * time.Minute},
	}
	for _, f := range tune {
		f(&d)
	}
	a.svc, err = app.New(d)
	require.NoError(t, err)
	return a
}

func (a *accounts) login(t *testing.T, user, pw string) domain.TokenPair {
	t.Helper()
	pair, err := a.svc.Login(context.Background(), domain.Credentials{Username: user, Password: pw}, "192.0.2.1", domain.ProofRequest{})
	require.NoError(t, err)
	return pair
}

func (a *accounts) loginErr(user, pw string) error {
	_, err := a.svc.Login(context.Background(), domain.Credentials{Username: user, Password: pw}, "192.0.2.1", domain.ProofRequest{})
	return err
}

func (a *accounts) events(t *testing.T) []domain.AuditEvent {
	t.Helper()
	list, _, err := a.svc.Events(context.Background(), "", 0, 500)
	require.NoError(t, err)
	return list
}

func kinds(list []domain.AuditEvent) []domain.AuditKind {
	out := make([]domain.AuditKind, 0, len(list))
	for _, e := range list {
		out = append(out, e.Kind)
	}
	return out
}

func rule(t *testing.T, err error) string {
	t.Helper()
	var pe *domain.PasswordError
	require.True(t, errors.As(err, &pe), "%v", err)
	return pe.Rule
}

func TestSignUp(t *testing.T) {
	t.Parallel()
	a := newAccounts(t)
	ctx := domain.WithRequest(context.Background(), domain.Request{ID: "req-7", ClientIP: "192.0.2.9"})
	signUp := func(user, pw, ip string) (domain.TokenPair, error) {
		return a.svc.SignUp(ctx, domain.Credentials{Username: user, Password: pw}, ip, domain.ProofRequest{})
	}
	pair, err := signUp("영희", strongPW, "192.0.2.9")
	require.NoError(t, err)
	p, err := a.svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
	require.NoError(t, err)
	assert.Equal(t, "영희", p.Username)
	a.login(t, "영희", strongPW)
	u, err := a.users.UserByUsername(ctx, "영희")
	require.NoError(t, err)
	assert.Equal(t, t0, u.CreatedAt, "created at the clock's instant")
	assert.Equal(t, []domain.AuditKind{domain.AuditSignedUp, domain.AuditLoginSucceeded}, kinds(a.events(t)))
	e := a.events(t)[0]
	assert.Equal(t, domain.AuditEvent{ID: e.ID, At: t0, Kind: domain.AuditSignedUp, UserID: u.ID, Username: "영희",
		Actor: domain.ActorSelf, RequestID: "req-7", ClientIP: "192.0.2.9"}, e)

	hashes := a.hasher.hashes.Load()
	_, err = signUp("minsu", strongPW, "192.0.2.10")
	assert.ErrorIs(t, err, domain.ErrUsernameTaken)
	assert.Equal(t, hashes, a.hasher.hashes.Load(), "a taken name costs no hash")
	_, err = signUp("jiwoo", "short", "192.0.2.10")
	assert.Equal(t, domain.RuleTooShort, rule(t, err))
	_, err = signUp("jiwoo", "password1234", "192.0.2.10")
	assert.Equal(t, domain.RuleCommon, rule(t, err))
	_, err = signUp("jiwoo", "jiwoo-jiwoo", "192.0.2.11")
	assert.Equal(t, domain.RuleUsername, rule(t, err))
	for _, name := range []string{"", "a\nb", strings.Repeat("u", 65)} {
		_, err = signUp(name, strongPW, "192.0.2.11")
		assert.ErrorIs(t, err, domain.ErrInvalidRequest, "%q", name)
	}
}

func TestSignUpIsThrottledPerAddress(t *testing.T) {
	t.Parallel()
	a := newAccounts(t)
	for i := range 3 {
		_, err := a.svc.SignUp(context.Background(), domain.Credentials{Username: fmt.Sprint("user", i), Password: strongPW}, "2001:db8::1", domain.ProofRequest{})
		require.NoError(t, err)
	}
	_, err := a.svc.SignUp(context.Background(), domain.Credentials{Username: "user9", Password: strongPW}, "2001:db8::2", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrRateLimited, "the same /64")
	_, err = a.svc.SignUp(context.Background(), domain.Credentials{Username: "user9", Password: strongPW}, "192.0.2.1", domain.ProofRequest{})
	assert.NoError(t, err, "another address")
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	a := newAccounts(t)
	ctx := context.Background()
	mine, other := a.login(t, "minsu", strongPW), a.login(t, "minsu", strongPW)
	change := func(current, next string) error {
		return a.svc.ChangePassword(ctx, mine.Access, domain.ProofRequest{}, current, next, "192.0.2.1")
	}
	assert.Equal(t, domain.RuleTooShort, rule(t, change(strongPW, "short")))
	assert.ErrorIs(t, change("wrong-password", "kettle-lantern-9"), domain.ErrInvalidCredentials)
	assert.ErrorIs(t, change(strongPW, ""), domain.ErrCredentialsMissing)
	a.login(t, "minsu", strongPW) // failed changes leave the old password working
	// (its success forgot this address's failures for the account)

	require.NoError(t, change(strongPW, "kettle-lantern-9"))
	assert.ErrorIs(t, a.loginErr("minsu", strongPW), domain.ErrInvalidCredentials)
	a.login(t, "minsu", "kettle-lantern-9")
	_, err := a.svc.Authenticate(ctx, mine.Access, domain.ProofRequest{})
	assert.NoError(t, err, "the calling session goes on")
	_, err = a.svc.Refresh(ctx, mine.Refresh, "", domain.ProofRequest{})
	assert.NoError(t, err)
	_, err = a.svc.Authenticate(ctx, other.Access, domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrSessionRevoked, "every other session ends")
	_, err = a.svc.Refresh(ctx, other.Refresh, "", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrSessionRevoked)
	assert.Contains(t, kinds(a.events(t)), domain.AuditPasswordChanged)
}

func TestChangePasswordCountsWrongGuesses(t *testing.T) {
	t.Parallel()
	a := newAccounts(t)
	pair := a.login(t, "minsu", strongPW)
	for range 3 {
		err := a.svc.ChangePassword(context.Background(), pair.Access, domain.ProofRequest{}, "guess", "kettle-lantern-9", "192.0.2.1")
		assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
	}
	err := a.svc.ChangePassword(context.Background(), pair.Access, domain.ProofRequest{}, strongPW, "kettle-lantern-9", "192.0.2.1")
	assert.ErrorIs(t, err, domain.ErrRateLimited, "the login throttle counted them")
	assert.ErrorIs(t, a.loginErr("minsu", strongPW), domain.ErrRateLimited, "logins too")
	err = a.svc.ChangePassword(context.Background(), "not a token", domain.ProofRequest{}, strongPW, "kettle-lantern-9", "192.0.2.1")
	assert.ErrorIs(t, err, domain.ErrInvalidToken)
}

func TestDisabledUserLogsInAsAWrongPassword(t *testing.T) {
	t.Parallel()
	a := newAccounts(t)
	ctx := context.Background()
	pair := a.login(t, "minsu", strongPW)
	yes, no := true, false
	d, err := a.svc.UpdateUser(ctx, domain.ActorAdmin, "minsu", domain.UserChange{Disabled: &yes})
	require.NoError(t, err)
	assert.True(t, d.User.Disabled)
	assert.Equal(t, 0, d.Sessions)
	_, err = a.svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrSessionRevoked)
	before := a.hasher.verifies.Load()
	err = a.loginErr("minsu", strongPW)
	assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
	assert.Equal(t, before+1, a.hasher.verifies.Load(), "one hash, as for a wrong password")
	_, err = a.svc.UpdateUser(ctx, domain.ActorAdmin, "minsu", domain.UserChange{Disabled: &no})
	require.NoError(t, err)
	a.login(t, "minsu", strongPW)
	evs := a.events(t)
	assert.Contains(t, kinds(evs), domain.AuditUserDisabled)
	assert.Contains(t, kinds(evs), domain.AuditUserEnabled)
	for _, e := range evs {
		if e.Kind == domain.AuditUserDisabled {
			assert.Equal(t, domain.ActorAdmin, e.Actor)
		}
	}
}

func TestAdminPasswordAndDelete(t *testing.T) {
	t.Parallel()
	a := newAccounts(t)
	ctx := context.Background()
	pair := a.login(t, "minsu", strongPW)
	weak := "short"
	_, err := a.svc.UpdateUser(ctx, domain.ActorAdmin, "minsu", domain.UserChange{Password: &weak})
	assert.Equal(t, domain.RuleTooShort, rule(t, err))
	_, err = a.svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
	assert.NoError(t, err, "a refused change changes nothing")
	next := "kettle-lantern-9"
	_, err = a.svc.UpdateUser(ctx, domain.ActorCLI, "minsu", domain.UserChange{Password: &next})
	require.NoError(t, err)
	_, err = a.svc.Authenticate(ctx, pair.Access, domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrSessionRevoked, "every session ends")
	pair = a.login(t, "minsu", next)

	require.NoError(t, a.svc.DeleteUser(ctx, domain.ActorAdmin, "minsu"))
	_, err = a.svc.Refresh(ctx, pair.Refresh, "", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrSessionRevoked)
	assert.ErrorIs(t, a.loginErr("minsu", next), domain.ErrInvalidCredentials)
	assert.ErrorIs(t, a.svc.DeleteUser(ctx, domain.ActorAdmin, "minsu"), domain.ErrNotFound)
	_, err = a.svc.User(ctx, "minsu")
	assert.ErrorIs(t, err, domain.ErrNotFound)
	u, err := a.svc.CreateUser(ctx, domain.ActorAdmin, "minsu", strongPW)
	require.NoError(t, err, "the name is free again")
	assert.NotEqual(t, "2", u.ID)
	assert.Equal(t, []domain.AuditKind{domain.AuditLoginSucceeded, domain.AuditPasswordChanged, domain.AuditLoginSucceeded,
		domain.AuditUserDeleted, domain.AuditLoginFailed, domain.AuditUserCreated}, kinds(a.events(t)))
	for _, e := range a.events(t) {
		assert.NotContains(t, fmt.Sprint(e), strongPW, "no secrets")
		assert.NotContains(t, fmt.Sprint(e), next)
	}
}

func TestListUsersAndEventsPage(t *testing.T) {
	t.Parallel()
	a := newAccounts(t)
	ctx := context.Background()
	for _, name := range []string{"a", "b", "c"} {
		_, err := a.svc.CreateUser(ctx, domain.ActorCLI, name, strongPW)
		require.NoError(t, err)
	}
	page, next, err := a.svc.ListUsers(ctx, "", 2)
	require.NoError(t, err)
	assert.Len(t, page, 2)
	assert.Equal(t, "b", next)
	page, next, err = a.svc.ListUsers(ctx, next, 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"c", "minsu"}, []string{page[0].Username, page[1].Username})
	assert.Equal(t, "", next)
	evs, cursor, err := a.svc.Events(ctx, "", 0, 2)
	require.NoError(t, err)
	assert.Len(t, evs, 2)
	assert.Equal(t, evs[1].ID, cursor)
	evs, cursor, err = a.svc.Events(ctx, "", cursor, 2)
	require.NoError(t, err)
	assert.Len(t, evs, 1)
	assert.Zero(t, cursor)
	assert.Equal(t, domain.ActorCLI, evs[0].Actor)
}

// failingAudit is an audit log that is down.
type failingAudit struct{ ports.AuditLog }

func (failingAudit) Record(context.Context, domain.AuditEvent) error { return domain.ErrUnavailable }

func TestAuditOutageDoesNotFailLogins(t *testing.T) {
	t.Parallel()
	a := newAccounts(t, func(d *app.Deps) { d.Audit = failingAudit{} })
	a.login(t, "minsu", strongPW)
}

// BenchmarkLoginAudit measures what the audit trail costs a login, with
// a hasher that costs nothing: the worst case, where the event is the
// largest part of the work. With argon2id's 20-46 ms per login, the event
// (an append in memory, one INSERT in PostgreSQL) is far below 1%.
func BenchmarkLoginAudit(b *testing.B) {
	for _, audit := range []string{"off", "memory"} {
		b.Run(audit, func(b *testing.B) {
			a := newAccounts(b, func(d *app.Deps) {
				d.AddressThrottle = domain.ThrottlePolicy{}
				if audit == "off" {
					d.Audit = nil
				}
			})
			cred := domain.Credentials{Username: "minsu", Password: strongPW}
			ctx := domain.WithRequest(context.Background(), domain.Request{ID: "req", ClientIP: "192.0.2.1"})
			for b.Loop() {
				if _, err := a.svc.Login(ctx, cred, "192.0.2.1", domain.ProofRequest{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
