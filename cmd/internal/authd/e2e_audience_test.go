package authd

import (
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefreshTokensFailAnAccessTokenVerifier: a resource server set up the
// usual way (the JWKS, iss and aud, no typ check; here lestrrat-go/jwx's
// jwt.Parse) accepts authd's access token and refuses its refresh token,
// although both are signed with the same published key: the refresh token's
// audience is one no resource server is configured with.
func TestRefreshTokensFailAnAccessTokenVerifier(t *testing.T) {
	e := newEnv(t)
	p := e.login("minsu", "1229")
	set, err := jwk.Parse([]byte(e.do("GET", "/.well-known/jwks.json", "").raw))
	require.NoError(t, err)
	verify := func(token string) error {
		_, err := jwt.Parse([]byte(token), jwt.WithKeySet(set), jwt.WithIssuer("authd"), jwt.WithAudience("authd"),
			jwt.WithValidate(true), jwt.WithClock(jwt.ClockFunc(func() time.Time { return T.Add(time.Second) })))
		return err
	}
	assert.NoError(t, verify(p.access), "the access token is accepted")
	assert.Error(t, verify(p.refresh), "the refresh token is not")

	// A used refresh token is not a bearer credential anywhere either.
	next := e.refresh(p.refresh).pair(t)
	assert.Error(t, verify(p.refresh))
	assert.NoError(t, verify(next.access))
	// authd itself still takes its refresh tokens.
	assert.Equal(t, 200, e.refresh(next.refresh).status)
}
