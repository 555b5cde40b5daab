package interop

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// TestInteropXOAuth2 drives authd with golang.org/x/oauth2, a stock client
// nobody here wrote: the password grant, then an http.Client whose token
// source refreshes by itself across several rotations, then reuse
// detection surfacing as invalid_grant in the client.
//
// x/oauth2 judges expiry by the wall clock (time.Now), so this one test runs
// authd on the system clock with a 4-second access token and lets real time
// pass: a few seconds in all. The client
// refreshes 2 s before the expiry it computed from expires_in (rounded
// down, so early already): a request may take up to that long on a loaded
// machine before its token expires in flight, so the verdict does not
// depend on speed. (1 s would not do: x/oauth2 reads expires_in 0 as
// "never expires".)
func TestInteropXOAuth2(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	cfg.Policy.AccessTTL = 4 * time.Second
	e := harness.StartEnv(t, cfg, clock.System{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a bound on a hang, never reached
	defer cancel()

	conf := oauth2.Config{
		ClientID: "authd",
		Endpoint: oauth2.Endpoint{TokenURL: e.Server.URL + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams},
	}
	first, err := conf.PasswordCredentialsToken(ctx, "minsu", "1229")
	require.NoError(t, err)
	require.Equal(t, "Bearer", first.TokenType)
	require.NotEmpty(t, first.RefreshToken)
	require.False(t, first.Expiry.IsZero(), "expires_in must reach the client")

	// conf.TokenSource refreshes whenever its token is within 10 s of
	// expiry, which a 4-second token always is; the outer source decides
	// when, 2 s before expiry.
	src := oauth2.ReuseTokenSourceWithExpiry(first, conf.TokenSource(ctx, first), 2*time.Second)
	client := oauth2.NewClient(ctx, src)

	seen := map[string]bool{first.RefreshToken: true}
	calls := 0
	for len(seen) < 4 { // the first token and at least 3 rotations
		require.NoError(t, ctx.Err(), "fewer than 3 rotations before the deadline")
		res, err := client.Get(e.Server.URL + "/protected/")
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, "call %d failed: %s", calls, body)
		calls++
		tok, err := src.Token()
		require.NoError(t, err)
		seen[tok.RefreshToken] = true
		time.Sleep(100 * time.Millisecond) // pacing of a client's calls, not a wait for expiry
	}
	t.Logf("%d calls to /protected/ across %d rotations", calls, len(seen)-1)

	// A thief replays the first refresh token: reuse ends the session ...
	_, err = conf.TokenSource(ctx, &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "invalid_grant", re.ErrorCode)

	// ... so the client's own next refresh fails with invalid_grant too.
	for {
		require.NoError(t, ctx.Err(), "the client never needed to refresh")
		res, err := client.Get(e.Server.URL + "/protected/")
		if err != nil {
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "invalid_grant", re.ErrorCode)
			break
		}
		res.Body.Close()
		// Until then its access token is refused: its session was revoked.
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
		time.Sleep(100 * time.Millisecond)
	}
}
