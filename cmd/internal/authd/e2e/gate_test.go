package e2e

import (
	"testing"
	"time"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRevokingABoundSessionNeedsItsKey: /oauth/revoke of a DPoP-bound
// session's tokens, copied without the key (the access token, or the
// refresh token), is refused with RFC 9449's code and ends nothing; with a
// proof of the key (htu the revocation endpoint) it ends the session. A
// rotated refresh token revokes nothing (200, RFC 7009). Before, a copied
// token alone logged the victim out.
func TestRevokingABoundSessionNeedsItsKey(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	c := harness.NewDPoPClient(t, e)
	p := c.Login().Pair(t)
	for name, token := range map[string]string{"access token": p.Access, "refresh token": p.Refresh} {
		r := e.Do("POST", "/oauth/revoke", form("token", token, "client_id", "authd"), formCT)
		assertOAuthError(t, r, 400, "invalid_dpop_proof")
		assert.Equal(t, 200, c.Get("/protected/", p.Access).Status, "%s without the key ended nothing", name)
	}

	e.Clock.Advance(time.Second)
	r := c.Refresh(p.Refresh)
	require.Equal(t, 200, r.Status, r.Raw)
	next := r.Pair(t)
	revokeWithKey := func(token string) harness.Response {
		return e.Do("POST", "/oauth/revoke", form("token", token, "client_id", "authd"), formCT,
			"DPoP: "+c.Proof("POST", "/oauth/revoke", ""))
	}
	assert.Equal(t, 200, revokeWithKey(p.Refresh).Status, "a rotated token: 200, as RFC 7009 asks")
	assert.Equal(t, 200, c.Get("/protected/", next.Access).Status, "and nothing ended")

	assert.Equal(t, 200, revokeWithKey(next.Refresh).Status)
	harness.AssertDPoPError(t, c.Get("/protected/", next.Access), "session_revoked")
}

// TestLogoutEverywhereNeedsTheCurrentTokenOfAuthdsClient: /logout/ with
// {"all": true} ends every session of the user only for the current
// refresh token of a session of authd's own client; a confidential
// client's token (which needs its secret at /oauth/token) and an old,
// rotated token are refused with invalid_token and end nothing.
func TestLogoutEverywhereNeedsTheCurrentTokenOfAuthdsClient(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withOAuthClients(t))
	other := e.Login("minsu", "1229")
	logoutAll := func(refresh string) harness.Response {
		return e.Do("POST", "/logout/", `{"all":true}`, harness.JSONHeader, harness.Bearer(refresh))
	}

	backend := e.Do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229"), formCT,
		basic("backend", oauthSecret)).OAuthPair(t)
	harness.AssertError(t, logoutAll(backend.Refresh), 401, "invalid_token")

	first := e.Login("minsu", "1229")
	e.Clock.Advance(time.Second)
	second := e.Refresh(first.Refresh).Pair(t)
	harness.AssertError(t, logoutAll(first.Refresh), 401, "invalid_token")
	for _, access := range []string{other.Access, backend.Access, second.Access} {
		assert.Equal(t, 200, e.Protected(access).Status, "nothing ended")
	}

	assert.Equal(t, 204, logoutAll(second.Refresh).Status)
	for _, access := range []string{other.Access, backend.Access, second.Access} {
		harness.AssertError(t, e.Protected(access), 401, "session_revoked")
	}
}
