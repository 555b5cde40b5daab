package authd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/domain"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dpopClient is a client holding a DPoP key, making proofs on the env's
// frozen clock.
type dpopClient struct {
	e   *env
	key *authclient.DPoPKey
}

func newDPoPClient(t *testing.T, e *env) *dpopClient {
	t.Helper()
	key, err := authclient.NewDPoPKey()
	require.NoError(t, err)
	return &dpopClient{e: e, key: key}
}

// proof makes a proof for method and path on the env's server.
func (c *dpopClient) proof(method, path, access string) string {
	c.e.t.Helper()
	p, err := c.key.Proof(method, c.e.srv.URL+path, access, "", c.e.clock.Now())
	require.NoError(c.e.t, err)
	return p
}

func (c *dpopClient) login() response {
	return c.e.do("POST", "/login/", `{"username":"minsu","password":"1229"}`, jsonCT, "DPoP: "+c.proof("POST", "/login/", ""))
}

func (c *dpopClient) refresh(refresh string) response {
	return c.e.do("POST", "/refresh/", "", "Authorization: DPoP "+refresh, "DPoP: "+c.proof("POST", "/refresh/", ""))
}

func (c *dpopClient) get(path, access string) response {
	return c.e.do("GET", path, "", "Authorization: DPoP "+access, "DPoP: "+c.proof("GET", path, access))
}

// assertDPoPError checks a 401 with the body's code and a DPoP challenge.
func assertDPoPError(t *testing.T, r response, code string) {
	t.Helper()
	assertError(t, r, 401, code)
	challenge := r.header.Get("WWW-Authenticate")
	assert.True(t, strings.HasPrefix(challenge, `DPoP realm="authd", algs="ES256 EdDSA Ed25519"`), challenge)
	want := "invalid_token" // RFC 6750's code for every token error
	if code == "invalid_dpop_proof" || code == "use_dpop_nonce" {
		want = code
	}
	assert.Contains(t, challenge, `error="`+want+`"`)
}

// TestDPoPFlow: a login with a proof gets a DPoP-bound pair; every call
// needs the DPoP scheme and a fresh proof; refreshes keep the binding; the
// expiry rules are unchanged, to the second.
func TestDPoPFlow(t *testing.T) {
	e := newEnv(t, trustedGateway("https://api.example"))
	c := newDPoPClient(t, e)
	r := c.login()
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, "DPoP", r.body["token_type"])
	p := r.pair(t)
	_, claims, err := authclient.Decode(p.access)
	require.NoError(t, err)
	assert.Equal(t, c.key.Thumbprint(), claims.Cnf.JKT, "cnf.jkt is the key's RFC 7638 thumbprint")

	assert.Equal(t, 200, c.get("/protected/", p.access).status)
	assert.Equal(t, 200, c.get("/sessions/", p.access).status)
	assertDPoPError(t, e.protected(p.access), "invalid_token") // as a Bearer token
	assertDPoPError(t, e.do("GET", "/protected/", "", "Authorization: DPoP "+p.access), "invalid_dpop_proof")

	// Forward auth: the proof names the client's request to the gateway,
	// which a trusted gateway describes (nginx's headers, the default).
	proof, err := c.key.Proof("GET", "https://api.example/orders/7", p.access, "", e.clock.Now())
	require.NoError(t, err)
	v := e.do("GET", "/auth/verify", "", "Authorization: DPoP "+p.access, "DPoP: "+proof,
		"X-Original-Method: GET", "X-Original-URI: /orders/7?page=2")
	assert.Equal(t, 200, v.status, v.raw)
	assertDPoPError(t, e.do("GET", "/auth/verify", "", "Authorization: DPoP "+p.access, "DPoP: "+c.proof("GET", "/auth/verify", p.access),
		"X-Original-Method: GET", "X-Original-URI: /orders/7"), "invalid_dpop_proof")

	for i := range 3 {
		e.clock.Advance(59 * time.Second)
		assert.Equal(t, 200, c.get("/protected/", p.access).status, "second 59 of the access token, round %d", i)
		e.clock.Advance(time.Second)
		assertDPoPError(t, c.get("/protected/", p.access), "token_expired")
		r := c.refresh(p.refresh)
		require.Equal(t, 200, r.status, r.raw)
		assert.Equal(t, "DPoP", r.body["token_type"])
		p = r.pair(t)
		assert.Equal(t, 200, c.get("/protected/", p.access).status)
	}
	assert.Equal(t, 204, e.do("POST", "/logout/", "", "Authorization: DPoP "+p.refresh, "DPoP: "+c.proof("POST", "/logout/", "")).status)
	assertError(t, c.get("/protected/", p.access), 401, "session_revoked")
}

// TestDPoPProofRules: each rule of a proof at a resource, each a 401
// invalid_dpop_proof with a DPoP challenge, and the owner's next proof
// still works.
func TestDPoPProofRules(t *testing.T) {
	e := newEnv(t)
	c := newDPoPClient(t, e)
	p := c.login().pair(t)
	now := e.clock.Now()
	url := e.srv.URL + "/protected/"
	sign := func(t *testing.T, hdrJSON, claimsJSON string, key any, alg string) string {
		in := base64.RawURLEncoding.EncodeToString([]byte(hdrJSON)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claimsJSON))
		sig, err := jwsbb.Sign(key, alg, []byte(in), rand.Reader)
		require.NoError(t, err)
		return in + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	// A key of the test's own, to forge proofs with any header.
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pubJWK, err := jwk.Import(&priv.PublicKey)
	require.NoError(t, err)
	privJWK, err := jwk.Import(priv)
	require.NoError(t, err)
	pubJSON, _ := json.Marshal(pubJWK)
	privJSON, _ := json.Marshal(privJWK)
	claims := func(extra string) string {
		return `{"jti":"` + rand.Text() + `","htm":"GET","htu":"` + url + `","iat":` + jsonInt(now.Unix()) + `,"ath":"` + domain.AccessTokenHash(p.access) + `"` + extra + `}`
	}
	mk := func(method, u, access string, at time.Time) string {
		proof, err := c.key.Proof(method, u, access, "", at)
		require.NoError(t, err)
		return proof
	}
	replayed := mk("GET", url, p.access, now)
	require.Equal(t, 200, e.do("GET", "/protected/", "", "Authorization: DPoP "+p.access, "DPoP: "+replayed).status)

	for name, proof := range map[string]string{
		"wrong htm":            mk("POST", url, p.access, now),
		"wrong htu":            mk("GET", e.srv.URL+"/sessions/", p.access, now),
		"htu of another host":  mk("GET", "http://evil.example/protected/", p.access, now),
		"stale iat":            mk("GET", url, p.access, now.Add(-61*time.Second)),
		"future iat":           mk("GET", url, p.access, now.Add(61*time.Second)),
		"replayed jti":         replayed,
		"missing ath":          mk("GET", url, "", now),
		"wrong ath":            mk("GET", url, "another.access.token", now),
		"private key in jwk":   sign(t, `{"typ":"dpop+jwt","alg":"ES256","jwk":`+string(privJSON)+`}`, claims(""), priv, "ES256"),
		"alg none":             base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"dpop+jwt","alg":"none","jwk":`+string(pubJSON)+`}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims(""))) + ".",
		"alg HS256":            sign(t, `{"typ":"dpop+jwt","alg":"HS256","jwk":`+string(pubJSON)+`}`, claims(""), []byte("the-public-key-as-an-hmac-secret!"), "HS256"),
		"wrong typ":            sign(t, `{"typ":"JWT","alg":"ES256","jwk":`+string(pubJSON)+`}`, claims(""), priv, "ES256"),
		"oversized":            sign(t, `{"typ":"dpop+jwt","alg":"ES256","jwk":`+string(pubJSON)+`}`, claims(`,"pad":"`+strings.Repeat("x", 4096)+`"`), priv, "ES256"),
		"another key's proof":  sign(t, `{"typ":"dpop+jwt","alg":"ES256","jwk":`+string(pubJSON)+`}`, claims(""), priv, "ES256"),
		"signed by a stranger": sign(t, `{"typ":"dpop+jwt","alg":"ES256","jwk":`+string(pubJSON)+`}`, claims(""), mustKey(t), "ES256"),
		"not a JWS":            "garbage",
	} {
		t.Run(name, func(t *testing.T) {
			assertDPoPError(t, e.do("GET", "/protected/", "", "Authorization: DPoP "+p.access, "DPoP: "+proof), "invalid_dpop_proof")
		})
	}
	two := e.do("GET", "/protected/", "", "Authorization: DPoP "+p.access, "DPoP: "+c.proof("GET", "/protected/", p.access), "DPoP: "+c.proof("GET", "/protected/", p.access))
	assertDPoPError(t, two, "invalid_dpop_proof")
	assert.Equal(t, 200, c.get("/protected/", p.access).status, "the owner is not locked out")
}

func mustKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestDPoPStolenRefreshToken: a copied refresh token, current or used, with
// no proof or another key's, is refused and neither rotates nor revokes the
// session; the owner's next refresh works.
func TestDPoPStolenRefreshToken(t *testing.T) {
	e := newEnv(t)
	owner := newDPoPClient(t, e)
	thief := newDPoPClient(t, e)
	first := owner.login().pair(t)
	e.clock.Advance(time.Second)
	second := owner.refresh(first.refresh).pair(t)

	for name, r := range map[string]response{
		"current, as Bearer, no proof": e.refresh(second.refresh),
		"current, DPoP, no proof":      e.do("POST", "/refresh/", "", "Authorization: DPoP "+second.refresh),
		"current, in the body":         e.do("POST", "/refresh/", `{"refresh":"`+second.refresh+`"}`, jsonCT),
		"current, the thief's key":     thief.refresh(second.refresh),
		"used, the thief's key":        thief.refresh(first.refresh),
		"used, no proof":               e.refresh(first.refresh),
		"current, through OAuth":       e.do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", second.refresh, "client_id", "authd"), formCT),
	} {
		t.Run(name, func(t *testing.T) {
			if name == "current, through OAuth" {
				assert.Equal(t, 400, r.status, r.raw)
				assert.Equal(t, "invalid_dpop_proof", r.body["error"])
				return
			}
			assertDPoPError(t, r, "invalid_dpop_proof")
		})
	}
	logout := e.do("POST", "/logout/", `{"refresh":"`+second.refresh+`","all":true}`, jsonCT)
	assertDPoPError(t, logout, "invalid_dpop_proof")
	e.clock.Advance(time.Second)
	third := owner.refresh(second.refresh)
	require.Equal(t, 200, third.status, "the session was neither rotated nor revoked: %s", third.raw)
	assert.Equal(t, 200, owner.get("/protected/", third.pair(t).access).status)
}

// TestDPoPOverOAuth: the password and refresh_token grants bind with a
// proof (token_type DPoP), a bad proof is 400 invalid_dpop_proof (RFC 9449
// §5), introspection reports the binding, and the metadata the algorithms.
func TestDPoPOverOAuth(t *testing.T) {
	e := newEnv(t, withOAuthClients(t))
	c := newDPoPClient(t, e)
	r := e.do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd"), formCT,
		"DPoP: "+c.proof("POST", "/oauth/token", ""))
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, "DPoP", r.body["token_type"])
	p := r.oauthPair(t)

	bad := e.do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.refresh, "client_id", "authd"), formCT,
		"DPoP: "+c.proof("POST", "/login/", ""))
	assert.Equal(t, 400, bad.status)
	assert.Equal(t, "invalid_dpop_proof", bad.body["error"])
	next := e.do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.refresh, "client_id", "authd"), formCT,
		"DPoP: "+c.proof("POST", "/oauth/token", ""))
	require.Equal(t, 200, next.status, "the refused request changed nothing: %s", next.raw)
	assert.Equal(t, "DPoP", next.body["token_type"])
	p = next.oauthPair(t)

	in := e.do("POST", "/oauth/introspect", form("token", p.access), formCT, basic("backend", oauthSecret))
	require.Equal(t, 200, in.status)
	assert.Equal(t, "DPoP", in.body["token_type"])
	assert.Equal(t, map[string]any{"jkt": c.key.Thumbprint()}, in.body["cnf"])
	// A bound session's refresh token is used with the DPoP scheme too
	// (RFC 7662's token_type is RFC 6749's); token_use says which it is.
	in = e.do("POST", "/oauth/introspect", form("token", p.refresh), formCT, basic("backend", oauthSecret))
	require.Equal(t, 200, in.status)
	assert.Equal(t, "DPoP", in.body["token_type"])
	assert.Equal(t, "refresh_token", in.body["token_use"])
	assert.Equal(t, map[string]any{"jkt": c.key.Thumbprint()}, in.body["cnf"])

	md := e.do("GET", "/.well-known/oauth-authorization-server", "")
	assert.Equal(t, []any{"ES256", "EdDSA", "Ed25519"}, md.body["dpop_signing_alg_values_supported"])
}

// TestDPoPRequired: AUTH_DPOP=required refuses a login without a proof.
func TestDPoPRequired(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.DPoPMode = "required" })
	assertDPoPError(t, e.do("POST", "/login/", `{"username":"minsu","password":"1229"}`, jsonCT), "invalid_dpop_proof")
	c := newDPoPClient(t, e)
	p := c.login().pair(t)
	assert.Equal(t, 200, c.get("/protected/", p.access).status)
}

// TestDPoPNonce: with AUTH_DPOP_NONCE every answer offers DPoP-Nonce; a
// proof without it is use_dpop_nonce (401 on authd's own endpoints, 400 at
// /oauth/token), with it the request goes through.
func TestDPoPNonce(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.DPoPNonce = true })
	c := newDPoPClient(t, e)
	r := c.login()
	assertDPoPError(t, r, "use_dpop_nonce")
	nonce := r.header.Get("DPoP-Nonce")
	require.NotEmpty(t, nonce)
	proof, err := c.key.Proof("POST", e.srv.URL+"/login/", "", nonce, e.clock.Now())
	require.NoError(t, err)
	ok := e.do("POST", "/login/", `{"username":"minsu","password":"1229"}`, jsonCT, "DPoP: "+proof)
	require.Equal(t, 200, ok.status, ok.raw)
	o := e.do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd"), formCT,
		"DPoP: "+c.proof("POST", "/oauth/token", ""))
	assert.Equal(t, 400, o.status)
	assert.Equal(t, "use_dpop_nonce", o.body["error"])
	assert.NotEmpty(t, o.header.Get("DPoP-Nonce"))
}

// TestBothChallengesWithoutCredentials: a request with no token at all is
// offered both schemes (RFC 9449 §7.2), Bearer first; a request that used
// one scheme gets that scheme's challenge alone.
func TestBothChallengesWithoutCredentials(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/protected/", "")
	assertError(t, r, 401, "token_missing")
	assert.Equal(t, []string{`Bearer realm="authd"`, `DPoP realm="authd", algs="ES256 EdDSA Ed25519"`}, r.header.Values("WWW-Authenticate"))
	p := e.login("minsu", "1229")
	e.clock.Advance(time.Minute)
	assert.Len(t, e.protected(p.access).header.Values("WWW-Authenticate"), 1, "an expired bearer token: the Bearer challenge alone")
}
