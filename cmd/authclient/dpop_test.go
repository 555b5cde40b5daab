package authclient_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/cmd/authdtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newDPoPClient returns a client of the server that binds its logins to a
// fresh key, keeping its pair in store.
func newDPoPClient(t *testing.T, srv *authdtest.Server, store authclient.TokenStore) (*authclient.Client, *authclient.DPoPKey) {
	t.Helper()
	key, err := authclient.NewDPoPKey()
	require.NoError(t, err)
	c, err := authclient.New(authclient.Config{BaseURL: srv.URL, Clock: srv, HTTP: srv.Client(), Store: store, DPoP: key})
	require.NoError(t, err)
	return c, key
}

// TestClientDPoPStaysLoggedIn: a DPoP client stays logged in over ten
// simulated minutes, every request and refresh proven with its key, while a
// copy of its tokens is refused everywhere.
func TestClientDPoPStaysLoggedIn(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	c, key := newDPoPClient(t, srv, nil)
	require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
	tokens, err := c.Tokens()
	require.NoError(t, err)
	assert.Equal(t, "DPoP", tokens.TokenType)
	_, claims, err := authclient.Decode(tokens.Access)
	require.NoError(t, err)
	assert.Equal(t, key.Thumbprint(), claims.Cnf.JKT)

	for step := 0; step < 10*60/10; step++ {
		status, err := get(t, c, srv.URL+"/protected/")
		require.NoError(t, err)
		require.Equal(t, 200, status, "at %s", time.Duration(step*10)*time.Second)
		srv.Advance(10 * time.Second)
	}

	stolen, err := c.Tokens()
	require.NoError(t, err)
	status, _, err := srv.Do("GET", "/protected/", "", stolen.Access)
	require.NoError(t, err)
	assert.Equal(t, 401, status, "the access token alone, as Bearer")
	status, _, err = srv.Do("POST", "/refresh/", "", stolen.Refresh)
	require.NoError(t, err)
	assert.Equal(t, 401, status, "the refresh token alone")
	// The thief has the tokens and a key of its own, not the owner's.
	thiefKey, err := authclient.NewDPoPKey()
	require.NoError(t, err)
	loot := &authclient.MemoryStore{}
	require.NoError(t, loot.Save(authclient.Tokens{Access: stolen.Access, Refresh: stolen.Refresh, DPoPKey: thiefKey}))
	thief, err := authclient.New(authclient.Config{BaseURL: srv.URL, Clock: srv, HTTP: srv.Client(), Store: loot})
	require.NoError(t, err)
	_, err = thief.Refresh(context.Background())
	var out *authclient.LoggedOutError
	require.ErrorAs(t, err, &out)
	assert.Equal(t, "invalid_dpop_proof", out.Code)

	status, err = get(t, c, srv.URL+"/protected/")
	require.NoError(t, err)
	assert.Equal(t, 200, status, "the owner is unaffected")
}

// TestClientDPoPKeyLivesInTheTokenFile: the key is saved with the pair, so
// a new process (a new client on the same file) goes on with it, as authctl
// does between commands.
func TestClientDPoPKeyLivesInTheTokenFile(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	file := authclient.FileStore{Path: filepath.Join(t.TempDir(), "tokens.json")}
	c, key := newDPoPClient(t, srv, file)
	require.NoError(t, c.Login(context.Background(), "minsu", "1229"))

	later, err := authclient.New(authclient.Config{BaseURL: srv.URL, Clock: srv, HTTP: srv.Client(), Store: file})
	require.NoError(t, err)
	saved, err := later.Tokens()
	require.NoError(t, err)
	require.NotNil(t, saved.DPoPKey)
	assert.Equal(t, key.Thumbprint(), saved.DPoPKey.Thumbprint())
	srv.Advance(61 * time.Second)
	status, err := get(t, later, srv.URL+"/sessions/")
	require.NoError(t, err)
	assert.Equal(t, 200, status, "refreshed and called with the key from the file")
	require.NoError(t, later.Logout(context.Background(), false))
}

// TestClientDPoPNonce: against a server that wants nonces the client takes
// the nonce from the refusal and retries once, at login and at resources.
func TestClientDPoPNonce(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T), authdtest.WithDPoPNonce())
	c, _ := newDPoPClient(t, srv, nil)
	require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
	srv.Advance(2 * time.Minute) // the nonce it knows is stale now
	status, err := get(t, c, srv.URL+"/protected/")
	require.NoError(t, err)
	assert.Equal(t, 200, status)
}

// TestVerifierMiddlewareChecksBoundTokens: another service's middleware
// judges a bound token as authd does: the DPoP scheme and a proof of the
// token's key for this very request, once.
func TestVerifierMiddlewareChecksBoundTokens(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	owner, _ := newDPoPClient(t, srv, nil)
	require.NoError(t, owner.Login(context.Background(), "minsu", "1229"))
	tokens, err := owner.Tokens()
	require.NoError(t, err)

	api := httptest.NewUnstartedServer(nil)
	public := "http://" + api.Listener.Addr().String()
	v, err := authclient.NewVerifier(authclient.VerifierConfig{JWKSURL: srv.URL + "/.well-known/jwks.json", Clock: srv, HTTP: srv.Client(),
		PublicURL: public})
	require.NoError(t, err)
	api.Config.Handler = v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := authclient.ClaimsFrom(r.Context())
		_, _ = w.Write([]byte(c.Username))
	}))
	api.Start()
	t.Cleanup(api.Close)
	other, err := authclient.NewDPoPKey()
	require.NoError(t, err)

	call := func(scheme, proof string, host ...string) (int, string) {
		req, err := http.NewRequest("GET", api.URL+"/orders", nil)
		require.NoError(t, err)
		if len(host) > 0 {
			req.Host = host[0]
		}
		req.Header.Set("Authorization", scheme+" "+tokens.Access)
		if proof != "" {
			req.Header.Set("DPoP", proof)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode, res.Header.Get("WWW-Authenticate")
	}
	proof := func(key *authclient.DPoPKey, url string) string {
		p, err := key.Proof("GET", url, tokens.Access, "", srv.Now())
		require.NoError(t, err)
		return p
	}
	good := proof(tokens.DPoPKey, api.URL+"/orders")
	status, _ := call("DPoP", good)
	assert.Equal(t, 200, status)
	for name, tc := range map[string]struct {
		scheme, proof, code string
	}{
		"as Bearer":           {"Bearer", "", "invalid_token"},
		"no proof":            {"DPoP", "", "invalid_dpop_proof"},
		"replayed proof":      {"DPoP", good, "invalid_dpop_proof"},
		"another key's proof": {"DPoP", proof(other, api.URL+"/orders"), "invalid_dpop_proof"},
		"another URL's proof": {"DPoP", proof(tokens.DPoPKey, api.URL+"/admin"), "invalid_dpop_proof"},
	} {
		t.Run(name, func(t *testing.T) {
			status, challenge := call(tc.scheme, tc.proof)
			assert.Equal(t, 401, status)
			assert.True(t, strings.HasPrefix(challenge, "DPoP "), challenge)
			assert.Contains(t, challenge, `error="`+tc.code+`"`)
		})
	}
	// A proof made for another service, sent with that service's name as
	// Host: the URL comes from PublicURL, never from the Host.
	status, _ = call("DPoP", proof(tokens.DPoPKey, "http://other.example/orders"), "other.example")
	assert.Equal(t, 401, status, "a proof for another host")

	// Without PublicURL a verifier cannot tell which URL a proof must name,
	// so it refuses bound tokens, even with a proof for the Host the
	// request came with.
	bare, err := authclient.NewVerifier(authclient.VerifierConfig{JWKSURL: srv.URL + "/.well-known/jwks.json", Clock: srv, HTTP: srv.Client()})
	require.NoError(t, err)
	req := httptest.NewRequest("GET", "http://example.com/orders", nil)
	req.Header.Set("Authorization", "DPoP "+tokens.Access)
	req.Header.Set("DPoP", proof(tokens.DPoPKey, "http://example.com/orders"))
	rec := httptest.NewRecorder()
	bare.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("reached the handler") })).ServeHTTP(rec, req)
	assert.Equal(t, 401, rec.Code)

	srv.Advance(61 * time.Second)
	status, _ = call("DPoP", proof(tokens.DPoPKey, api.URL+"/orders"))
	assert.Equal(t, 401, status, "a proof does not outlive the token")
}

// TestDPoPKeysOfBothAlgorithms: an Ed25519 key binds and proves like an
// ES256 one, and both survive the token file's JSON.
func TestDPoPKeysOfBothAlgorithms(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(T))
	for _, alg := range []string{"ES256", "Ed25519"} {
		t.Run(alg, func(t *testing.T) {
			key, err := authclient.NewDPoPKeyFor(alg)
			require.NoError(t, err)
			data, err := json.Marshal(key)
			require.NoError(t, err)
			var back authclient.DPoPKey
			require.NoError(t, json.Unmarshal(data, &back))
			assert.Equal(t, key.Thumbprint(), back.Thumbprint())

			c, err := authclient.New(authclient.Config{BaseURL: srv.URL, Clock: srv, HTTP: srv.Client(), DPoP: &back})
			require.NoError(t, err)
			require.NoError(t, c.Login(context.Background(), "minsu", "1229"))
			status, err := get(t, c, srv.URL+"/protected/")
			require.NoError(t, err)
			assert.Equal(t, 200, status)
		})
	}
	_, err := authclient.NewDPoPKeyFor("HS256")
	assert.Error(t, err)
}
