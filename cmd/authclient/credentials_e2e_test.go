package authclient_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/cmd/authdtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokenFetches counts the token requests it carries.
type tokenFetches struct{ n atomic.Int32 }

func (c *tokenFetches) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// TestClientCredentialsRoundTripper: a service calls another through
// authd's forward auth with the round tripper; 50 goroutines share one
// token fetch, and after the token expired (the server's frozen clock,
// which the client reads too) they share one more.
func TestClientCredentialsRoundTripper(t *testing.T) {
	t.Parallel()
	const secret = "orders-job-secret-for-tests-0123456789abcdef"
	sum := sha256.Sum256([]byte(secret))
	clients := filepath.Join(t.TempDir(), "clients.json")
	require.NoError(t, os.WriteFile(clients, []byte(`[{"client_id": "orders-job", "client_secret_sha256": "`+hex.EncodeToString(sum[:])+
		`", "grant_types": ["client_credentials"], "scope": "orders:read orders:write"}]`), 0o600))
	srv := authdtest.Start(t, authdtest.WithStart(T), authdtest.WithClientsFile(clients))

	fetches := &tokenFetches{}
	rt, err := authclient.NewClientCredentials(authclient.ClientCredentialsConfig{
		TokenURL: srv.URL + "/oauth/token", ClientID: "orders-job", ClientSecret: secret, Scope: "orders:read",
		Clock: srv, HTTP: &http.Client{Transport: fetches},
	})
	require.NoError(t, err)
	c := &http.Client{Transport: rt, Timeout: 10 * time.Second}

	burst := func() {
		var wg sync.WaitGroup
		statuses := make([]int, 50)
		scopes := make([]string, 50)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := c.Get(srv.URL + "/auth/verify?scope=orders:read")
				if err != nil {
					return
				}
				res.Body.Close()
				statuses[i], scopes[i] = res.StatusCode, res.Header.Get("X-Auth-Scope")
			}()
		}
		wg.Wait()
		for i := range statuses {
			assert.Equal(t, 200, statuses[i])
			assert.Equal(t, "orders:read", scopes[i])
		}
	}
	burst()
	assert.Equal(t, int32(1), fetches.n.Load(), "one fetch for 50 goroutines")
	burst()
	assert.Equal(t, int32(1), fetches.n.Load(), "the token is reused until due")

	srv.Advance(61 * time.Second) // the service token lives AUTH_ACCESS_TTL (1 minute) here
	burst()
	assert.Equal(t, int32(2), fetches.n.Load(), "one more fetch after expiry")

	bad, err := authclient.NewClientCredentials(authclient.ClientCredentialsConfig{
		TokenURL: srv.URL + "/oauth/token", ClientID: "orders-job", ClientSecret: "wrong", Clock: srv,
	})
	require.NoError(t, err)
	_, err = bad.Token(context.Background())
	var api *authclient.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "invalid_client", api.Code)
}
