package authd

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/adapters/authclient"
	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newClient returns an authclient for the env's server on the given clock,
// counting its refreshes.
func (e *env) newClient(clk ports.Clock, refreshes *atomic.Int32) *authclient.Client {
	e.t.Helper()
	c, err := authclient.New(authclient.Config{
		BaseURL: e.srv.URL, Clock: clk, HTTP: e.srv.Client(),
		OnRefresh: func(authclient.Tokens) { refreshes.Add(1) },
	})
	require.NoError(e.t, err)
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
	e := newEnv(t)
	var refreshes atomic.Int32
	c := e.newClient(e.clock, &refreshes)
	require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
	for step := 0; step < 20*60/10; step++ {
		status, err := get(t, c, e.srv.URL+"/protected/")
		require.NoError(t, err)
		require.Equal(t, 200, status, "at %s", time.Duration(step*10)*time.Second)
		e.clock.Advance(10 * time.Second)
	}
	// A token lives 60 s and is refreshed 10 s before its exp: every 50 s,
	// or 24 times in 20 minutes.
	assert.InDelta(t, 24, refreshes.Load(), 1, "about one refresh a minute")
}

// TestClientSingleFlightRefresh sends 50 concurrent requests with an
// expired access token: they share exactly one refresh, so the server sees
// no reuse, and all succeed.
func TestClientSingleFlightRefresh(t *testing.T) {
	e := newEnv(t)
	var refreshes atomic.Int32
	c := e.newClient(e.clock, &refreshes)
	require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
	e.clock.Advance(61 * time.Second)
	var wg sync.WaitGroup
	statuses := make([]int, 50)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = get(t, c, e.srv.URL+"/protected/")
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
	e := newEnv(t)
	var refreshes atomic.Int32
	behind := clock.NewFrozen(T)
	c := e.newClient(behind, &refreshes)
	require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
	e.clock.Advance(70 * time.Second) // the server's clock moved, the client's did not
	status, err := get(t, c, e.srv.URL+"/protected/")
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.Equal(t, int32(1), refreshes.Load())
}

func TestClientLoggedOutErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(e *env, tokens authclient.Tokens)
		code string
	}{
		{"session_revoked", func(e *env, tk authclient.Tokens) {
			require.Equal(e.t, 204, e.do("POST", "/logout/", `{"all":true}`, jsonCT, bearer(tk.Refresh)).status)
		}, "session_revoked"},
		{"refresh_token_reused", func(e *env, tk authclient.Tokens) {
			e.refresh(tk.Refresh).pair(e.t) // a thief used the client's refresh token first
		}, "refresh_token_reused"},
		{"refresh token expired", func(e *env, tk authclient.Tokens) {
			e.clock.Advance(6 * time.Minute)
		}, "token_expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			var refreshes atomic.Int32
			c := e.newClient(e.clock, &refreshes)
			require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
			tk, err := c.Tokens()
			require.NoError(t, err)
			tc.end(e, tk)
			e.clock.Advance(61 * time.Second)
			_, err = get(t, c, e.srv.URL+"/protected/")
			require.Error(t, err)
			assert.True(t, errors.Is(err, authclient.ErrLoggedOut), "%v", err)
			var lo *authclient.LoggedOutError
			require.True(t, errors.As(err, &lo))
			assert.Equal(t, tc.code, lo.Code)
			_, err = get(t, c, e.srv.URL+"/protected/")
			assert.True(t, errors.Is(err, authclient.ErrLoggedOut), "it stays logged out")
		})
	}
}

func TestClientLogout(t *testing.T) {
	e := newEnv(t)
	var refreshes atomic.Int32
	c := e.newClient(e.clock, &refreshes)
	require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
	tk, _ := c.Tokens()
	require.NoError(t, c.Logout(context.Background(), false))
	assertError(t, e.protected(tk.Access), 401, "session_revoked")
	_, err := c.AccessToken(context.Background())
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
	e := newEnv(t)
	fetches := &countingTransport{base: e.srv.Client().Transport}
	v, err := authclient.NewVerifier(authclient.VerifierConfig{
		JWKSURL: e.srv.URL + "/.well-known/jwks.json", Clock: e.clock, HTTP: &http.Client{Transport: fetches},
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
	p := e.login("minsu", "1229")
	status, body := call(p.access)
	assert.Equal(t, 200, status)
	assert.Equal(t, "hello minsu", body)
	for i := 0; i < 5; i++ {
		call(p.access)
	}
	assert.Equal(t, int32(1), fetches.n.Load(), "the keys are cached")

	status, _ = call(p.refresh)
	assert.Equal(t, 401, status, "a refresh token is not an access token")
	status, _ = call("")
	assert.Equal(t, 401, status)

	other := newEnv(t) // signs with a key this JWKS does not have
	otherToken := func() string { other.clock.Set(e.clock.Now()); return other.login("minsu", "1229").access }
	status, _ = call(otherToken())
	assert.Equal(t, 401, status)
	assert.Equal(t, int32(1), fetches.n.Load(), "the keys were fetched less than 30 s ago")

	e.clock.Advance(31 * time.Second)
	status, _ = call(otherToken())
	assert.Equal(t, 401, status)
	assert.Equal(t, int32(2), fetches.n.Load(), "an unknown kid fetches the keys again")
	call(otherToken())
	call(otherToken())
	assert.Equal(t, int32(2), fetches.n.Load(), "but at most once per 30 s")

	e.clock.Advance(30 * time.Second) // p.access expired (61 s after issue)
	status, _ = call(p.access)
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
