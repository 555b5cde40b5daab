package authclient_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/cmd/authdtest"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run the client against a real authd, started by the test kit
// on a clock the test moves (the kit's server is itself a ports.Clock that
// reads it).

// T is a whole second; the servers' clocks start there.
var T = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// newClient returns a client of the server on the given clock, counting its
// refreshes.
func newClient(t *testing.T, srv *authdtest.Server, clk ports.Clock, refreshes *atomic.Int32) *authclient.Client {
	t.Helper()
	c, err := authclient.New(authclient.Config{
		BaseURL: srv.URL, Clock: clk, HTTP: srv.Client(),
		OnRefresh: func(authclient.Tokens) { refreshes.Add(1) },
	})
	require.NoError(t, err)
	return c
}

// get calls a path through the client's transport.
func get(t *testing.T, c *authclient.Client, url string) (int, error) {
	t.Helper()
	hc := &http.Client{Transport: c.Transport(nil)}
	res, err := hc.Get(url)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// TestClientStaysLoggedIn is the seed's final goal as a library: over 20
// simulated minutes of requests every 10 s, not one fails, and the client
// refreshes about once a minute.
func TestClientStaysLoggedIn(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	var refreshes atomic.Int32
	c := newClient(t, srv, srv, &refreshes)
	require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
	for step := 0; step < 20*60/10; step++ {
		status, err := get(t, c, srv.URL+"/protected/")
		require.NoError(t, err)
		require.Equal(t, 200, status, "at %s", time.Duration(step*10)*time.Second)
		srv.Advance(10 * time.Second)
	}
	// A token lives 60 s and is refreshed 10 s before its exp: every 50 s,
	// or 24 times in 20 minutes.
	assert.InDelta(t, 24, refreshes.Load(), 1, "about one refresh a minute")
}

// TestClientSingleFlightRefresh sends 50 concurrent requests with an
// expired access token: they share exactly one refresh, so the server sees
// no reuse, and all succeed.
func TestClientSingleFlightRefresh(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	var refreshes atomic.Int32
	c := newClient(t, srv, srv, &refreshes)
	require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
	srv.Advance(61 * time.Second)
	var wg sync.WaitGroup
	statuses := make([]int, 50)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = get(t, c, srv.URL+"/protected/")
		}()
	}
	wg.Wait()
	for _, s := range statuses {
		assert.Equal(t, 200, s)
	}
	assert.Equal(t, int32(1), refreshes.Load())
}

// TestClientRetriesOnceOnTokenExpired: a client whose clock runs behind the
// server's sends an access token it thinks valid; the server answers 401
// token_expired, and the transport refreshes once and retries.
func TestClientRetriesOnceOnTokenExpired(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	var refreshes atomic.Int32
	behind := clock.NewFrozen(T)
	c := newClient(t, srv, behind, &refreshes)
	require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
	srv.Advance(70 * time.Second) // the server's clock moved, the client's did not
	status, err := get(t, c, srv.URL+"/protected/")
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.Equal(t, int32(1), refreshes.Load())
}

func TestClientLoggedOutErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, srv *authdtest.Server, tokens authclient.Tokens)
		code string
	}{
		{"session_revoked", func(t *testing.T, srv *authdtest.Server, tk authclient.Tokens) {
			status, _, err := srv.Do("POST", "/logout/", `{"all":true}`, tk.Refresh)
			require.NoError(t, err)
			require.Equal(t, 204, status)
		}, "session_revoked"},
		{"refresh_token_reused", func(t *testing.T, srv *authdtest.Server, tk authclient.Tokens) {
			srv.Refresh(t, tk.Refresh) // a thief used the client's refresh token first
		}, "refresh_token_reused"},
		{"refresh token expired", func(t *testing.T, srv *authdtest.Server, tk authclient.Tokens) {
			srv.Advance(6 * time.Minute)
		}, "token_expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := authdtest.Start(t, authdtest.WithStart(T))
			var refreshes atomic.Int32
			c := newClient(t, srv, srv, &refreshes)
			require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
			tk, err := c.Tokens()
			require.NoError(t, err)
			tc.end(t, srv, tk)
			srv.Advance(61 * time.Second)
			_, err = get(t, c, srv.URL+"/protected/")
			require.Error(t, err)
			assert.True(t, errors.Is(err, authclient.ErrLoggedOut), "%v", err)
			var lo *authclient.LoggedOutError
			require.True(t, errors.As(err, &lo))
			assert.Equal(t, tc.code, lo.Code)
			_, err = get(t, c, srv.URL+"/protected/")
			assert.True(t, errors.Is(err, authclient.ErrLoggedOut), "it stays logged out")
		})
	}
}

func TestClientLogout(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	var refreshes atomic.Int32
	c := newClient(t, srv, srv, &refreshes)
	require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
	tk, _ := c.Tokens()
	require.NoError(t, c.Logout(context.Background(), false))
	status, raw, err := srv.Do("GET", "/protected/", "", tk.Access)
	require.NoError(t, err)
	assert.Equal(t, 401, status)
	assert.Contains(t, string(raw), "session_revoked")
	_, err = c.AccessToken(context.Background())
	assert.True(t, errors.Is(err, authclient.ErrLoggedOut))
	err = c.Login(context.Background(), "minsu", "wrong")
	var api *authclient.APIError
	require.True(t, errors.As(err, &api))
	assert.Equal(t, "invalid_credentials", api.Code)
}

// countingTransport counts the requests it sends.
type countingTransport struct {
	n    atomic.Int32
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

// TestVerifierMiddleware is another service accepting authd's access
// tokens with the JWKS alone.
func TestVerifierMiddleware(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	fetches := &countingTransport{base: srv.Client().Transport}
	v, err := authclient.NewVerifier(authclient.VerifierConfig{
		JWKSURL: srv.URL + "/.well-known/jwks.json", Clock: srv, HTTP: &http.Client{Transport: fetches},
	})
	require.NoError(t, err)
	api := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := authclient.ClaimsFrom(r.Context())
		_, _ = io.WriteString(w, "hello "+c.Username)
	}))
	call := func(token string) (int, string) {
		req, _ := http.NewRequest("GET", "/api", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := &recorder{header: http.Header{}}
		api.ServeHTTP(rec, req)
		return rec.status, rec.body
	}
	p := srv.Login(t, "minsu", "1229")
	status, body := call(p.Access)
	assert.Equal(t, 200, status)
	assert.Equal(t, "hello minsu", body)
	base := fetches.n.Load()
	require.Equal(t, int32(1), base, "one fetch for the first token")
	for i := 0; i < 5; i++ {
		call(p.Access)
	}
	assert.Equal(t, base, fetches.n.Load(), "the keys are cached")

	status, _ = call(p.Refresh)
	assert.Equal(t, 401, status, "a refresh token is not an access token")
	status, _ = call("")
	assert.Equal(t, 401, status)

	other := authdtest.Start(t) // signs with a key this JWKS does not have
	otherToken := func() string { other.Set(srv.Now()); return other.Login(t, "minsu", "1229").Access }
	status, _ = call(otherToken())
	assert.Equal(t, 401, status)
	assert.Equal(t, base, fetches.n.Load(), "the keys were fetched less than 30 s ago")

	srv.Advance(31 * time.Second)
	status, _ = call(otherToken())
	assert.Equal(t, 401, status)
	assert.Equal(t, base+1, fetches.n.Load(), "an unknown kid fetches the keys again")
	call(otherToken())
	call(otherToken())
	assert.Equal(t, base+1, fetches.n.Load(), "but at most once per 30 s")

	srv.Advance(30 * time.Second) // p.access expired (61 s after issue)
	status, _ = call(p.Access)
	assert.Equal(t, 401, status)
}

// recorder is a minimal http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   string
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	r.body += string(b)
	return len(b), nil
}
func (r *recorder) WriteHeader(s int) { r.status = s }
