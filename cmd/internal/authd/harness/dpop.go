package harness

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DPoPClient is a client holding a DPoP key, making proofs on the Env's
// frozen clock.
type DPoPClient struct {
	Env *Env
	Key *authclient.DPoPKey
}

// NewDPoPClient returns a DPoP client of e with a new key
// (authclient.NewDPoPKey).
func NewDPoPClient(t *testing.T, e *Env) *DPoPClient {
	t.Helper()
	key, err := authclient.NewDPoPKey()
	require.NoError(t, err)
	return &DPoPClient{Env: e, Key: key}
}

// Proof makes a proof for method and path on the Env's server.
func (c *DPoPClient) Proof(method, path, access string) string {
	c.Env.T.Helper()
	p, err := c.Key.Proof(method, c.Env.Server.URL+path, access, "", c.Env.Clock.Now())
	require.NoError(c.Env.T, err)
	return p
}

// Login logs minsu in with a proof, binding the session to the key.
func (c *DPoPClient) Login() Response {
	return c.Env.Do("POST", "/login/", `{"username":"minsu","password":"1229"}`, JSONHeader, "DPoP: "+c.Proof("POST", "/login/", ""))
}

// Refresh presents the refresh token with a proof.
func (c *DPoPClient) Refresh(refresh string) Response {
	return c.Env.Do("POST", "/refresh/", "", "Authorization: DPoP "+refresh, "DPoP: "+c.Proof("POST", "/refresh/", ""))
}

// Get sends a GET for path with the access token in the DPoP scheme and a
// proof.
func (c *DPoPClient) Get(path, access string) Response {
	return c.Env.Do("GET", path, "", "Authorization: DPoP "+access, "DPoP: "+c.Proof("GET", path, access))
}

// AssertDPoPError checks a 401 with the body's code and a DPoP challenge.
func AssertDPoPError(t *testing.T, r Response, code string) {
	t.Helper()
	AssertError(t, r, 401, code)
	challenge := r.Header.Get("WWW-Authenticate")
	assert.True(t, strings.HasPrefix(challenge, `DPoP realm="authd", algs="ES256 EdDSA Ed25519"`), challenge)
	want := "invalid_token" // RFC 6750's code for every token error
	if code == "invalid_dpop_proof" || code == "use_dpop_nonce" {
		want = code
	}
	assert.Contains(t, challenge, `error="`+want+`"`)
}

// TrustedGateway makes the test's own loopback connections a trusted
// gateway's (AUTH_TRUSTED_PROXIES=127.0.0.1/32) in front of the origins
// (AUTH_VERIFY_ORIGINS).
func TrustedGateway(origins ...string) func(*authd.Config) {
	return func(c *authd.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		c.VerifyOrigins = origins
	}
}

// VerifyWith sends the proof for method and url to /auth/verify with the
// gateway's headers.
func (c *DPoPClient) VerifyWith(access, method, url string, headers ...string) Response {
	c.Env.T.Helper()
	proof, err := c.Key.Proof(method, url, access, "", c.Env.Clock.Now())
	require.NoError(c.Env.T, err)
	return c.Env.Do("GET", "/auth/verify", "", append([]string{"Authorization: DPoP " + access, "DPoP: " + proof}, headers...)...)
}
