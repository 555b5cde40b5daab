package domain_test

import (
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAllowsRedirect(t *testing.T) {
	t.Parallel()
	c := domain.Client{RedirectURIs: []string{"https://app.example/cb", "http://127.0.0.1/native/cb", "http://[::1]/cb?x=1", "com.example.app:/oauth"}}
	for uri, want := range map[string]bool{
		"https://app.example/cb":               true,
		"http://127.0.0.1/native/cb":           true,
		"http://127.0.0.1:51004/native/cb":     true, // any port, RFC 8252 §7.3
		"http://[::1]:8080/cb?x=1":             true,
		"com.example.app:/oauth":               true,
		"https://app.example/cb/":              false, // path suffix
		"https://app.example/cb/../evil":       false,
		"https://app.example/cb?next=evil":     false,
		"https://app.example/cb#frag":          false,
		"https://APP.example/cb":               false, // nothing is normalized
		"https://app.example:443/cb":           false,
		"https://app.example.evil.example/cb":  false,
		"https://evil.example/cb":              false,
		"https://app.example@evil.example/cb":  false,
		"https://evil.example@app.example/cb":  false,
		"https://app.example%2F@evil.example/": false,
		"https://app.example/%63b":             false, // encoded characters
		"http://app.example/cb":                false,
		"http://127.0.0.1:51004/native/cb/":    false,
		"http://127.0.0.1:51004/native/CB":     false,
		"http://127.0.0.1:51004/native/cb#x":   false,
		"http://u@127.0.0.1:51004/native/cb":   false,
		"http://localhost:51004/native/cb":     false,
		"http://127.0.0.2:51004/native/cb":     false,
		"https://127.0.0.1:51004/native/cb":    false,
		"http://127.0.0.1:51004/native/cb?":    false,
		"http://127.0.0.1:x/native/cb":         false,
		"http://[::1]:8080/cb?x=2":             false,
		"http://[::1]:8080/cb":                 false,
		"//app.example/cb":                     false,
		"":                                     false,
	} {
		assert.Equal(t, want, c.AllowsRedirect(uri), "%q", uri)
	}
}

func TestCheckRedirectURI(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"https://app.example/cb", "http://127.0.0.1/cb", "http://[::1]:9/cb", "http://localhost:3000/cb", "com.example.app:/cb"} {
		assert.Empty(t, domain.CheckRedirectURI(ok), ok)
	}
	for _, bad := range []string{"", "/cb", "app.example/cb", "https://app.example/cb#x", "https://u:p@app.example/cb", "http://app.example/cb", "javascript:alert(1)", "data:text/html,x"} {
		assert.NotEmpty(t, domain.CheckRedirectURI(bad), bad)
	}
}

func TestGrantScope(t *testing.T) {
	t.Parallel()
	c := domain.Client{Scopes: []string{"openid", "profile"}}
	got, err := c.GrantScope("profile openid profile")
	require.NoError(t, err)
	assert.Equal(t, "profile openid", got)
	got, err = c.GrantScope("")
	require.NoError(t, err)
	assert.Empty(t, got)
	_, err = c.GrantScope("openid admin")
	var se *domain.ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "admin", se.Scope)
	assert.ErrorIs(t, err, domain.ErrInvalidScope)
}

func TestPKCE(t *testing.T) {
	t.Parallel()
	// RFC 7636 Appendix B.
	const verifier, challenge = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	assert.True(t, domain.ValidChallenge(challenge))
	assert.False(t, domain.ValidChallenge(verifier[:42]))
	assert.False(t, domain.ValidChallenge(challenge+"A"))
	assert.True(t, domain.VerifyPKCE(challenge, verifier))
	assert.False(t, domain.VerifyPKCE(challenge, verifier[:42]), "too short")
	assert.False(t, domain.VerifyPKCE(challenge, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"))
	assert.False(t, domain.VerifyPKCE(challenge, challenge), "plain is refused: the challenge is not its own verifier")

	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c := domain.AuthCode{ClientID: "app", RedirectURI: "https://app.example/cb", Challenge: challenge, ExpiresAt: now.Add(domain.CodeTTL)}
	assert.NoError(t, c.Redeem("app", "https://app.example/cb", verifier, now))
	for name, err := range map[string]error{
		"expired":      c.Redeem("app", "https://app.example/cb", verifier, now.Add(domain.CodeTTL)),
		"other_client": c.Redeem("other", "https://app.example/cb", verifier, now),
		"other_uri":    c.Redeem("app", "https://app.example/cb2", verifier, now),
		"bad_verifier": c.Redeem("app", "https://app.example/cb", verifier[1:]+"x", now),
	} {
		assert.ErrorIs(t, err, domain.ErrInvalidGrant, name)
	}
}
