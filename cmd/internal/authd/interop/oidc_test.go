package interop

import (
	"context"
	"testing"
	"time"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// TestInteropGoOIDC is github.com/coreos/go-oidc, the Go relying-party
// library nobody here wrote, against authd with its defaults: NewProvider
// reads the discovery document (its issuer must be the URL it was fetched
// from), x/oauth2 runs the code flow with PKCE (the scripted browser signs
// in), and the ID token verifier checks signature (RS256, its only default
// algorithm), iss, aud, exp, nonce and at_hash. go-oidc takes the instant
// from Config.Now, so authd stays on its frozen clock.
func TestInteropGoOIDC(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithOIDCClients(t))
	ctx := oidc.ClientContext(context.Background(), e.Server.Client())
	provider, err := oidc.NewProvider(ctx, e.Server.URL)
	require.NoError(t, err, "go-oidc reads the discovery document")
	conf := oauth2.Config{ClientID: "web", ClientSecret: harness.WebSecret, Endpoint: provider.Endpoint(),
		RedirectURL: "https://web.example/oauth2/callback", Scopes: []string{oidc.ScopeOpenID, "profile"}}
	verifier := oauth2.GenerateVerifier()
	b := harness.NewBrowser(t, e.Server.URL)
	login := b.Get(conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-1")))
	q := harness.Redirected(t, b.Submit(login, "minsu", "1229"), conf.RedirectURL)
	assert.Equal(t, "state-1", q.Get("state"))

	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	raw, ok := tok.Extra("id_token").(string)
	require.True(t, ok)
	idt, err := provider.Verifier(&oidc.Config{ClientID: "web", Now: func() time.Time { return harness.T }}).Verify(ctx, raw)
	require.NoError(t, err, "go-oidc verifies the ID token with its defaults")
	assert.Equal(t, "2", idt.Subject)
	assert.Equal(t, "nonce-1", idt.Nonce)
	require.NoError(t, idt.VerifyAccessToken(tok.AccessToken), "at_hash")
	var claims struct {
		Username string `json:"preferred_username"`
		Sid      string `json:"sid"`
	}
	require.NoError(t, idt.Claims(&claims))
	assert.Equal(t, "minsu", claims.Username)
	assert.NotEmpty(t, claims.Sid)

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	require.NoError(t, err, "go-oidc's UserInfo")
	assert.Equal(t, "2", info.Subject)

	// An ID token for another client is refused by the same verifier.
	_, err = provider.Verifier(&oidc.Config{ClientID: "spa", Now: func() time.Time { return harness.T }}).Verify(ctx, raw)
	assert.Error(t, err)
}
