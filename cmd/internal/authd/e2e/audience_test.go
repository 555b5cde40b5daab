package e2e

import (
	"testing"
	"time"

	"github.com/authd/authd/cmd/internal/authd/harness"
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
	t.Parallel()
	e := harness.NewEnv(t)
	p := e.Login("minsu", "1229")
	set, err := jwk.Parse([]byte(e.Do("GET", "/.well-known/jwks.json", "").Raw))
	require.NoError(t, err)
	verify := func(token string) error {
		_, err := jwt.Parse([]byte(token), jwt.WithKeySet(set), jwt.WithIssuer("authd"), jwt.WithAudience("authd"),
			jwt.WithValidate(true), jwt.WithClock(jwt.ClockFunc(func() time.Time { return harness.T.Add(time.Second) })))
		return err
	}
	assert.NoError(t, verify(p.Access), "the access token is accepted")
	assert.Error(t, verify(p.Refresh), "the refresh token is not")

	// A used refresh token is not a bearer credential anywhere either.
	next := e.Refresh(p.Refresh).Pair(t)
	assert.Error(t, verify(p.Refresh))
	assert.NoError(t, verify(next.Access))
	// authd itself still takes its refresh tokens.
	assert.Equal(t, 200, e.Refresh(next.Refresh).Status)
}
