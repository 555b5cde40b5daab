package e2e

import (
	"testing"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// publicURL is where both instances are reached behind one load balancer,
// so a proof names the same htu whichever instance it lands on.
const publicURL = "http://authd.example"

// callDPoP sends a request to the process with a DPoP-bound token and a
// proof (either may be empty) and returns status and body.
func callDPoP(p *harness.Process, t *testing.T, method, path, body, token, proof string) (int, map[string]any) {
	t.Helper()
	var headers []string
	if token != "" {
		headers = append(headers, "Authorization: DPoP "+token)
	}
	if proof != "" {
		headers = append(headers, "DPoP: "+proof)
	}
	return p.Send(t, method, path, body, headers...)
}

// TestDPoPAcrossTwoInstances: two authd processes on one PostgreSQL, behind
// one public URL. A session bound on one refreshes on either, across
// rotations; a proof used on one is refused on the other (the jti replay
// cache is the database's); a refresh without the key changes nothing on
// either.
func TestDPoPAcrossTwoInstances(t *testing.T) {
	t.Parallel()
	keys, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	env := map[string]string{
		"AUTH_STORE": "postgres", "AUTH_DATABASE_URL": pgtest.Database(t), "AUTH_DEMO_USERS": "true",
		"AUTH_JWT_KEYS_FILE": harness.KeysFile(t, keys), "AUTH_LOG_LEVEL": "warn", "AUTH_PUBLIC_URL": publicURL,
	}
	a := harness.StartProcess(t, env)
	b := harness.StartProcess(t, env)
	key, err := authclient.NewDPoPKey()
	require.NoError(t, err)
	proof := func(method, path, access string) string {
		p, err := key.Proof(method, publicURL+path, access, "", clock.System{}.Now())
		require.NoError(t, err)
		return p
	}

	status, m := callDPoP(a, t, "POST", "/login/", `{"username":"minsu","password":"1229"}`, "", proof("POST", "/login/", ""))
	require.Equal(t, 200, status, "%v", m)
	require.Equal(t, "DPoP", m["token_type"])
	refresh := m["refresh"].(string)
	for i, on := range []*harness.Process{b, a, b, a} {
		status, m = callDPoP(on, t, "POST", "/refresh/", "", refresh, proof("POST", "/refresh/", ""))
		require.Equal(t, 200, status, "refresh %d: %v", i+1, m)
		require.Equal(t, "DPoP", m["token_type"])
		refresh = m["refresh"].(string)
	}
	access := m["access"].(string)

	used := proof("GET", "/protected/", access)
	status, m = callDPoP(a, t, "GET", "/protected/", "", access, used)
	require.Equal(t, 200, status, "%v", m)
	status, m = callDPoP(b, t, "GET", "/protected/", "", access, used)
	assert.Equal(t, 401, status, "the proof A accepted, replayed on B")
	assert.Equal(t, "invalid_dpop_proof", m["error"])
	status, _ = callDPoP(b, t, "GET", "/protected/", "", access, proof("GET", "/protected/", access))
	assert.Equal(t, 200, status, "a fresh proof on B")

	usedRefresh := proof("POST", "/refresh/", "")
	status, m = callDPoP(b, t, "POST", "/refresh/", "", refresh, usedRefresh)
	require.Equal(t, 200, status, "%v", m)
	next := m["refresh"].(string)
	status, m = callDPoP(a, t, "POST", "/refresh/", "", next, usedRefresh)
	assert.Equal(t, 401, status, "B's refresh proof replayed on A with the new token")
	assert.Equal(t, "invalid_dpop_proof", m["error"])
	status, m = callDPoP(a, t, "POST", "/refresh/", "", next, "")
	assert.Equal(t, 401, status, "no proof")
	assert.Equal(t, "invalid_dpop_proof", m["error"])
	status, m = callDPoP(a, t, "POST", "/refresh/", "", next, proof("POST", "/refresh/", ""))
	assert.Equal(t, 200, status, "the refused attempts rotated and revoked nothing: %v", m)
}
