package authclient_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// issue signs an access token for minsu with keys, issued at t.
func issue(t *testing.T, keys *jwx.Keys, at time.Time) string {
	t.Helper()
	p := domain.DefaultPolicy()
	s := domain.NewSession("AAAAAAAAAAAAAAAAAAAAAA", domain.User{ID: "2", Username: "minsu"}, at, p, "")
	access, _ := s.Tokens(p)
	tok, err := jwx.NewIssuer(keys).Issue(context.Background(), access)
	require.NoError(t, err)
	return tok
}

// TestVerifierFetchesOutsideTheLock: while a JWKS fetch for a new kid is
// under way, tokens of known kids are verified without waiting for it, and
// the requests with the new kid share that one fetch.
func TestVerifierFetchesOutsideTheLock(t *testing.T) {
	t.Parallel()
	old, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	rotated, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	oldSet, err := old.PublicJWKS()
	require.NoError(t, err)
	bothKeys, err := jwx.ParseKeySet(append(append([]byte(`{"keys":[`), privateKeys(t, rotated, old)...), ']', '}'), jwx.EdDSA)
	require.NoError(t, err)
	bothSet, err := bothKeys.PublicJWKS()
	require.NoError(t, err)

	var fetches atomic.Int32
	gate := make(chan struct{})
	var serving atomic.Value
	serving.Store(oldSet)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fetches.Add(1) > 1 {
			<-gate // the second fetch hangs until the test lets it go
		}
		_, _ = w.Write(serving.Load().([]byte))
	}))
	t.Cleanup(srv.Close)

	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFrozen(t0)
	v, err := authclient.NewVerifier(authclient.VerifierConfig{JWKSURL: srv.URL, Clock: clk})
	require.NoError(t, err)
	known := issue(t, old, t0)
	_, err = v.Verify(context.Background(), known)
	require.NoError(t, err)

	clk.Advance(time.Minute - time.Second) // past MinRefetch, before the token's exp
	serving.Store(bothSet)
	fresh := issue(t, rotated, clk.Now())
	var wg sync.WaitGroup
	results := make(chan error, 20)
	for range 20 {
		wg.Go(func() { _, err := v.Verify(context.Background(), fresh); results <- err })
	}
	require.Eventually(t, func() bool { return fetches.Load() == 2 }, 5*time.Second, time.Millisecond, "the new kid started a fetch")

	done := make(chan error, 1)
	go func() { _, err := v.Verify(context.Background(), known); done <- err }()
	select {
	case err := <-done:
		assert.NoError(t, err, "a known kid is verified while the fetch hangs")
	case <-time.After(2 * time.Second):
		t.Fatal("a known kid waited for the fetch: the lock is held across it")
	}

	close(gate)
	wg.Wait()
	close(results)
	for err := range results {
		assert.NoError(t, err)
	}
	assert.Equal(t, int32(2), fetches.Load(), "the twenty requests shared one fetch")
}

// privateKeys returns the JSON of the keys of each set, comma-separated, for
// one JWK Set holding them all.
func privateKeys(t *testing.T, sets ...*jwx.Keys) []byte {
	t.Helper()
	var out []byte
	for _, k := range sets {
		data, err := k.PrivateJWKS()
		require.NoError(t, err)
		var set struct{ Keys []json.RawMessage }
		require.NoError(t, json.Unmarshal(data, &set))
		for _, key := range set.Keys {
			if len(out) > 0 {
				out = append(out, ',')
			}
			out = append(out, key...)
		}
	}
	return out
}
