package authd

import (
	"testing"
	"time"

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
	e := newEnv(t)
	c := newDPoPClient(t, e)
	p := c.login().pair(t)
	for name, token := range map[string]string{"access token": p.access, "refresh token": p.refresh} {
		r := e.do("POST", "/oauth/revoke", form("token", token, "client_id", "authd"), formCT)
		assertOAuthError(t, r, 400, "invalid_dpop_proof")
		assert.Equal(t, 200, c.get("/protected/", p.access).status, "%s without the key ended nothing", name)
	}

	e.clock.Advance(time.Second)
	r := c.refresh(p.refresh)
	require.Equal(t, 200, r.status, r.raw)
	next := r.pair(t)
	revokeWithKey := func(token string) response {
		return e.do("POST", "/oauth/revoke", form("token", token, "client_id", "authd"), formCT,
			"DPoP: "+c.proof("POST", "/oauth/revoke", ""))
	}
	assert.Equal(t, 200, revokeWithKey(p.refresh).status, "a rotated token: 200, as RFC 7009 asks")
	assert.Equal(t, 200, c.get("/protected/", next.access).status, "and nothing ended")

	assert.Equal(t, 200, revokeWithKey(next.refresh).status)
	assertDPoPError(t, c.get("/protected/", next.access), "session_revoked")
}

// TestLogoutEverywhereNeedsTheCurrentTokenOfAuthdsClient: /logout/ with
// {"all": true} ends every session of the user only for the current
// refresh token of a session of authd's own client; a confidential
// client's token (which needs its secret at /oauth/token) and an old,
// rotated token are refused with invalid_token and end nothing.
func TestLogoutEverywhereNeedsTheCurrentTokenOfAuthdsClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withOAuthClients(t))
	other := e.login("minsu", "1229")
	logoutAll := func(refresh string) response {
		return e.do("POST", "/logout/", `{"all":true}`, jsonCT, bearer(refresh))
	}

	backend := e.do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229"), formCT,
		basic("backend", oauthSecret)).oauthPair(t)
	assertError(t, logoutAll(backend.refresh), 401, "invalid_token")

	first := e.login("minsu", "1229")
	e.clock.Advance(time.Second)
	second := e.refresh(first.refresh).pair(t)
	assertError(t, logoutAll(first.refresh), 401, "invalid_token")
	for _, access := range []string{other.access, backend.access, second.access} {
		assert.Equal(t, 200, e.protected(access).status, "nothing ended")
	}

	assert.Equal(t, 204, logoutAll(second.refresh).status)
	for _, access := range []string{other.access, backend.access, second.access} {
		assertError(t, e.protected(access), 401, "session_revoked")
	}
}
