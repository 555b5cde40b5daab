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

// TestServiceTokens: the client_credentials grant issues a token of no
// session for a confidential client listing the grant, with its own
// lifetime; it is accepted as a service principal, refused where a user
// is needed, and ends when the client leaves the list, cached or not.
func TestServiceTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := domain.DefaultPolicy()
	p.ServiceTTL = 10 * time.Minute
	job := domain.Client{ID: "orders-job", SecretSHA256: make([]byte, 32), Grants: []string{domain.GrantClientCredentials}, Scopes: []string{"orders:read"}}
	clients, err := memory.NewClients(job, domain.Client{ID: "authd"})
	require.NoError(t, err)
	clk := &countingClock{now: t0}
	svc, err := app.New(app.Deps{
		Clock: clk, Users: &fakeUsers{users: map[string]domain.User{}},
		Sessions: newMemorySessions(), Issuer: jsonTokens{p}, Verifier: jsonTokens{p}, Hasher: &fakeHasher{}, IDs: randIDs{},
		Failures: memory.NewFailures(), Proofs: jsonProofs{}, Replays: memory.NewReplays(), Policy: p,
		TokenCacheSize: app.DefaultTokenCacheSize, Clients: clients,
	})
	require.NoError(t, err)

	_, err = svc.IssueServiceToken(ctx, domain.Client{ID: "authd", Grants: []string{domain.GrantClientCredentials}}, "")
	assert.ErrorIs(t, err, domain.ErrUnauthorizedClient, "a public client")
	_, err = svc.IssueServiceToken(ctx, domain.Client{ID: "x", SecretSHA256: make([]byte, 32)}, "")
	assert.ErrorIs(t, err, domain.ErrUnauthorizedClient, "a client without the grant")

	tok, err := svc.IssueServiceToken(ctx, job, "orders:read")
	require.NoError(t, err)
	assert.EqualValues(t, 600, tok.ExpiresIn, "ServiceTTL, not AccessTTL")
	who, err := svc.Authenticate(ctx, tok.Access, domain.ProofRequest{})
	require.NoError(t, err)
	assert.Equal(t, domain.Principal{ClientID: "orders-job", Scope: "orders:read", Service: true}, who)
	assert.Equal(t, "orders-job", who.Subject())
	assert.ErrorIs(t, who.RequireUser(), domain.ErrInsufficientScope)
	_, err = svc.Sessions(ctx, who)
	assert.ErrorIs(t, err, domain.ErrInsufficientScope, "a service has no sessions")
	c, err := svc.Introspect(ctx, tok.Access, 0)
	require.NoError(t, err)
	assert.Equal(t, "orders-job", c.Subject)

	clk.now = t0.Add(10 * time.Minute)
	_, err = svc.Authenticate(ctx, tok.Access, domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrTokenExpired, "at exp, to the second")

	clk.now = t0
	again, err := svc.IssueServiceToken(ctx, job, "")
	require.NoError(t, err)
	_, err = svc.Authenticate(ctx, again.Access, domain.ProofRequest{})
	require.NoError(t, err, "in the verified-token cache now")
	require.NoError(t, clients.Replace(domain.Client{ID: "authd"}))
	_, err = svc.Authenticate(ctx, again.Access, domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrInvalidToken, "its client is gone")
	require.NoError(t, clients.Replace(domain.Client{ID: "orders-job", SecretSHA256: make([]byte, 32)}))
	_, err = svc.Authenticate(ctx, again.Access, domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrInvalidToken, "its client may no longer use the grant")
}
