package app_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/app"
	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonIDTokens "signs" ID tokens as their JSON, so tests can read them.
type jsonIDTokens struct{}

type idTokenWithHash struct {
	domain.IDClaims
	AccessToken string
}

func (jsonIDTokens) IssueIDToken(_ context.Context, c domain.IDClaims, access string) (string, error) {
	b, err := json.Marshal(idTokenWithHash{c, access})
	return string(b), err
}

func (jsonIDTokens) VerifyIDToken(_ context.Context, token string) (domain.IDClaims, error) {
	var c idTokenWithHash
	if json.Unmarshal([]byte(token), &c) != nil {
		return domain.IDClaims{}, domain.InvalidToken("json")
	}
	return c.IDClaims, nil
}

type oidcFixture struct {
	*fixture
	sessions *memory.Sessions
}

func newOIDCFixture(t *testing.T) *oidcFixture {
	t.Helper()
	f := &fixture{
		clock:  &countingClock{now: t0},
		users:  &fakeUsers{users: map[string]domain.User{"minsu": {ID: "2", Username: "minsu", PasswordHash: "h"}}},
		hasher: &fakeHasher{},
	}
	sessions := memory.NewSessions()
	p := domain.DefaultPolicy()
	svc, err := app.New(app.Deps{
		Clock: f.clock, Users: f.users, Sessions: sessions, Issuer: jsonTokens{p}, Verifier: jsonTokens{p},
		Hasher: f.hasher, IDs: randIDs{}, Failures: memory.NewFailures(), Proofs: jsonProofs{}, Replays: memory.NewReplays(), Policy: p,
		AddressThrottle: domain.ThrottlePolicy{MaxFailures: 3, Window: time.Minute},
		OIDC:            app.OIDC{Codes: memory.NewCodes(), Browsers: memory.NewBrowserSessions(), IDTokens: jsonIDTokens{}},
		Clients:         testClients(t),
	})
	require.NoError(t, err)
	f.svc = svc
	return &oidcFixture{f, sessions}
}

// RFC 7636 Appendix B.
const verifier, challenge = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

func (f *oidcFixture) request(cookie string) domain.AuthRequest {
	return domain.AuthRequest{Cookie: cookie, ClientID: "app", RedirectURI: "https://app.example/cb", Challenge: challenge,
		Nonce: "n1", Scope: "openid profile", MaxAge: -1}
}

func (f *oidcFixture) exchange(code string) domain.CodeExchange {
	return domain.CodeExchange{Code: code, ClientID: "app", RedirectURI: "https://app.example/cb", Verifier: verifier, ClientIP: "192.0.2.1"}
}

func TestCodeFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newOIDCFixture(t)

	_, err := f.svc.Authorize(ctx, f.request(""))
	assert.ErrorIs(t, err, domain.ErrLoginRequired, "no browser session")
	_, err = f.svc.SignIn(ctx, domain.Credentials{Username: "minsu", Password: "wrong"}, "192.0.2.1")
	assert.ErrorIs(t, err, domain.ErrInvalidCredentials)
	in, err := f.svc.SignIn(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "192.0.2.1")
	require.NoError(t, err)
	id, _, _ := domain.SplitBrowserCookie(in.Cookie)
	_, err = f.svc.Authorize(ctx, f.request(id+".forged"))
	assert.ErrorIs(t, err, domain.ErrLoginRequired, "a cookie with the wrong secret")

	code, err := f.svc.Authorize(ctx, f.request(in.Cookie))
	require.NoError(t, err)
	f.clock.mu.Lock()
	f.clock.now = t0.Add(10 * time.Second)
	f.clock.mu.Unlock()
	g, err := f.svc.ExchangeCode(ctx, f.exchange(code))
	require.NoError(t, err)
	assert.Equal(t, "openid profile", g.Scope)
	var idt idTokenWithHash
	require.NoError(t, json.Unmarshal([]byte(g.IDToken), &idt))
	assert.Equal(t, domain.IDClaims{Issuer: "authd", Subject: "2", Username: "minsu", Audience: "app",
		IssuedAt: t0.Add(10 * time.Second), ExpiresAt: t0.Add(70 * time.Second), AuthTime: t0, Nonce: "n1", SessionID: id}, idt.IDClaims)
	assert.Equal(t, g.Pair.Access, idt.AccessToken, "at_hash is of this access token")

	// The session works like a login's: refresh with the same client.
	_, err = f.svc.Refresh(ctx, g.Pair.Refresh, "app", domain.ProofRequest{})
	require.NoError(t, err)

	// A second use is invalid_grant and revokes what the first issued.
	_, err = f.svc.ExchangeCode(ctx, f.exchange(code))
	assert.ErrorIs(t, err, domain.ErrInvalidGrant)
	sess, err := f.sessions.Session(ctx, g.Pair.SessionID)
	require.NoError(t, err)
	assert.Equal(t, domain.ReasonReuse, sess.RevokeReason)

	// SSO: a second client's request completes without the password.
	other := f.request(in.Cookie)
	other.ClientID = "second"
	code2, err := f.svc.Authorize(ctx, other)
	require.NoError(t, err)
	x := f.exchange(code2)
	_, err = f.svc.ExchangeCode(ctx, x)
	assert.ErrorIs(t, err, domain.ErrInvalidGrant, "exchanged by another client than it was issued to")

	// max_age older than the password: login again.
	old := f.request(in.Cookie)
	old.MaxAge = 5 * time.Second
	_, err = f.svc.Authorize(ctx, old)
	assert.ErrorIs(t, err, domain.ErrLoginRequired)
}

func TestCodeRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, tc := range map[string]struct {
		change func(*domain.CodeExchange)
		later  time.Duration
	}{
		"expired":      {later: domain.CodeTTL},
		"wrong_pkce":   {change: func(x *domain.CodeExchange) { x.Verifier = verifier[:42] + "Q" }},
		"other_uri":    {change: func(x *domain.CodeExchange) { x.RedirectURI = "https://app.example/cb/" }},
		"unknown_code": {change: func(x *domain.CodeExchange) { x.Code += "x" }},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newOIDCFixture(t)
			in, err := f.svc.SignIn(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "192.0.2.1")
			require.NoError(t, err)
			code, err := f.svc.Authorize(ctx, f.request(in.Cookie))
			require.NoError(t, err)
			f.clock.mu.Lock()
			f.clock.now = t0.Add(tc.later)
			f.clock.mu.Unlock()
			x := f.exchange(code)
			if tc.change != nil {
				tc.change(&x)
			}
			_, err = f.svc.ExchangeCode(ctx, x)
			assert.ErrorIs(t, err, domain.ErrInvalidGrant)
			assert.Equal(t, 0, f.sessions.Len(), "nothing was issued")
		})
	}
}

func TestSignOutEndsTheTokensIssuedThroughIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newOIDCFixture(t)
	in, err := f.svc.SignIn(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "192.0.2.1")
	require.NoError(t, err)
	code, err := f.svc.Authorize(ctx, f.request(in.Cookie))
	require.NoError(t, err)
	g, err := f.svc.ExchangeCode(ctx, f.exchange(code))
	require.NoError(t, err)
	hint, err := f.svc.IDTokenHint(ctx, g.IDToken)
	require.NoError(t, err)

	n, err := f.svc.SignOut(ctx, domain.SignOut{Cookie: in.Cookie, HintSID: hint.SessionID})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = f.svc.Refresh(ctx, g.Pair.Refresh, "app", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrSessionRevoked)
	_, err = f.svc.Authorize(ctx, f.request(in.Cookie))
	assert.ErrorIs(t, err, domain.ErrLoginRequired, "the browser session ended")
	n, err = f.svc.SignOut(ctx, domain.SignOut{Cookie: in.Cookie, HintSID: hint.SessionID})
	assert.NoError(t, err, "ending an ended session is no error")
	assert.Zero(t, n)
}

func TestSignOutWithoutAMatchingHintKeepsTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newOIDCFixture(t)
	in, err := f.svc.SignIn(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "192.0.2.1")
	require.NoError(t, err)
	code, err := f.svc.Authorize(ctx, f.request(in.Cookie))
	require.NoError(t, err)
	g, err := f.svc.ExchangeCode(ctx, f.exchange(code))
	require.NoError(t, err)
	n, err := f.svc.SignOut(ctx, domain.SignOut{Cookie: in.Cookie, HintSID: "another-sid", Confirmed: true})
	require.NoError(t, err)
	assert.Zero(t, n)
	_, err = f.svc.Refresh(ctx, g.Pair.Refresh, "app", domain.ProofRequest{})
	assert.NoError(t, err, "only the browser session ended")
}
