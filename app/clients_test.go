package app_test

import (
	"context"
	"testing"

	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/app"
	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testClients is the client list of the app tests: the public client
// "authd", the code flow's public "app" and "second", and the
// confidential "confidential-app".
func testClients(t *testing.T) *memory.Clients {
	t.Helper()
	c, err := memory.NewClients(
		domain.Client{ID: "authd", Grants: []string{domain.GrantPassword, domain.GrantRefreshToken}},
		domain.Client{ID: "app"}, domain.Client{ID: "second"},
		domain.Client{ID: "confidential-app", SecretSHA256: make([]byte, 32), Grants: []string{domain.GrantPassword, domain.GrantRefreshToken}},
	)
	require.NoError(t, err)
	return c
}

// loginAs logs minsu in through the OAuth client id.
func loginAs(t *testing.T, svc *app.Service, id string) domain.TokenPair {
	t.Helper()
	cred := minsu
	cred.ClientID = id
	pair, err := svc.Login(context.Background(), cred, "", domain.ProofRequest{})
	require.NoError(t, err)
	return pair
}

// TestTheGateChecksTheTokensClient: a presentation that authenticates no
// client (the token endpoint's refresh without client_id) may use a public
// client's refresh token but not a confidential client's (RFC 6749 §3.2.1,
// §6); a resource request needs no client; and a client taken off the list
// loses its tokens at the next request, access tokens in the verified-token
// cache included, while tokens of /login/ live on.
func TestTheGateChecksTheTokensClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := dpopService(t, domain.DPoPOptional)

	public := loginAs(t, svc, "authd")
	_, err := svc.Refresh(ctx, public.Refresh, "", domain.ProofRequest{})
	assert.NoError(t, err, "a public client's token needs no client authentication")

	confidential := loginAs(t, svc, "confidential-app")
	_, err = svc.Refresh(ctx, confidential.Refresh, "", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrInvalidToken, "a confidential client must authenticate")
	_, err = svc.Refresh(ctx, confidential.Refresh, "confidential-app", domain.ProofRequest{})
	assert.NoError(t, err, "and may refresh when it did")
	_, err = svc.Authenticate(ctx, confidential.Access, domain.ProofRequest{})
	assert.NoError(t, err, "a resource request presents no client")
}

func TestRemovingAClientEndsItsTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := domain.DefaultPolicy()
	clients := testClients(t)
	svc, err := app.New(app.Deps{
		Clock: &countingClock{now: t0}, Users: &fakeUsers{users: map[string]domain.User{"minsu": {ID: "2", Username: "minsu", PasswordHash: "h"}}},
		Sessions: newMemorySessions(), Issuer: jsonTokens{p}, Verifier: jsonTokens{p}, Hasher: &fakeHasher{}, IDs: randIDs{},
		Failures: memory.NewFailures(), Proofs: jsonProofs{}, Replays: memory.NewReplays(), Policy: p,
		TokenCacheSize: app.DefaultTokenCacheSize, Clients: clients,
	})
	require.NoError(t, err)
	viaClient := loginAs(t, svc, "confidential-app")
	viaLogin := loginAs(t, svc, "")
	_, err = svc.Authenticate(ctx, viaClient.Access, domain.ProofRequest{})
	require.NoError(t, err, "accepted, and now in the verified-token cache")

	require.NoError(t, clients.Replace(domain.Client{ID: "authd"}))

	_, err = svc.Authenticate(ctx, viaClient.Access, domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrInvalidToken, "its access token")
	_, err = svc.Introspect(ctx, viaClient.Access, domain.Access)
	assert.ErrorIs(t, err, domain.ErrInvalidToken, "is inactive")
	_, err = svc.Refresh(ctx, viaClient.Refresh, "confidential-app", domain.ProofRequest{})
	assert.ErrorIs(t, err, domain.ErrInvalidToken, "its refresh token")
	_, err = svc.Authenticate(ctx, viaLogin.Access, domain.ProofRequest{})
	assert.NoError(t, err, "a token of /login/ names no client")
}
