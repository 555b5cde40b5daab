package e2e

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
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/authd/authd/domain"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDPoPFlow: a login with a proof gets a DPoP-bound pair; every call
// needs the DPoP scheme and a fresh proof; refreshes keep the binding; the
// expiry rules are unchanged, to the second.
func TestDPoPFlow(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.TrustedGateway("https://api.example"))
	c := harness.NewDPoPClient(t, e)
	r := c.Login()
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "DPoP", r.Body["token_type"])
	p := r.Pair(t)
	_, claims, err := authclient.Decode(p.Access)
	require.NoError(t, err)
	assert.Equal(t, c.Key.Thumbprint(), claims.Cnf.JKT, "cnf.jkt is the key's RFC 7638 thumbprint")

	assert.Equal(t, 200, c.Get("/protected/", p.Access).Status)
	assert.Equal(t, 200, c.Get("/sessions/", p.Access).Status)
	harness.AssertDPoPError(t, e.Protected(p.Access), "invalid_token") // as a Bearer token
	harness.AssertDPoPError(t, e.Do("GET", "/protected/", "", "Authorization: DPoP "+p.Access), "invalid_dpop_proof")

	// Forward auth: the proof names the client's request to the gateway,
	// which a trusted gateway describes (nginx's headers, the default).
	proof, err := c.Key.Proof("GET", "https://api.example/orders/7", p.Access, "", e.Clock.Now())
	require.NoError(t, err)
	v := e.Do("GET", "/auth/verify", "", "Authorization: DPoP "+p.Access, "DPoP: "+proof,
		"X-Original-Method: GET", "X-Original-URI: /orders/7?page=2")
	assert.Equal(t, 200, v.Status, v.Raw)
	harness.AssertDPoPError(t, e.Do("GET", "/auth/verify", "", "Authorization: DPoP "+p.Access, "DPoP: "+c.Proof("GET", "/auth/verify", p.Access),
		"X-Original-Method: GET", "X-Original-URI: /orders/7"), "invalid_dpop_proof")

	for i := range 3 {
		e.Clock.Advance(59 * time.Second)
		assert.Equal(t, 200, c.Get("/protected/", p.Access).Status, "second 59 of the access token, round %d", i)
		e.Clock.Advance(time.Second)
		harness.AssertDPoPError(t, c.Get("/protected/", p.Access), "token_expired")
		r := c.Refresh(p.Refresh)
		require.Equal(t, 200, r.Status, r.Raw)
		assert.Equal(t, "DPoP", r.Body["token_type"])
		p = r.Pair(t)
		assert.Equal(t, 200, c.Get("/protected/", p.Access).Status)
	}
	assert.Equal(t, 204, e.Do("POST", "/logout/", "", "Authorization: DPoP "+p.Refresh, "DPoP: "+c.Proof("POST", "/logout/", "")).Status)
	harness.AssertError(t, c.Get("/protected/", p.Access), 401, "session_revoked")
}

// TestDPoPProofRules: each rule of a proof at a resource, each a 401
// invalid_dpop_proof with a DPoP challenge, and the owner's next proof
// still works.
func TestDPoPProofRules(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	c := harness.NewDPoPClient(t, e)
	p := c.Login().Pair(t)
	now := e.Clock.Now()
	url := e.Server.URL + "/protected/"
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
		return `{"jti":"` + rand.Text() + `","htm":"GET","htu":"` + url + `","iat":` + jsonInt(now.Unix()) + `,"ath":"` + domain.AccessTokenHash(p.Access) + `"` + extra + `}`
	}
	mk := func(method, u, access string, at time.Time) string {
		proof, err := c.Key.Proof(method, u, access, "", at)
		require.NoError(t, err)
		return proof
	}
	replayed := mk("GET", url, p.Access, now)
	require.Equal(t, 200, e.Do("GET", "/protected/", "", "Authorization: DPoP "+p.Access, "DPoP: "+replayed).Status)

	for name, proof := range map[string]string{
		"wrong htm":            mk("POST", url, p.Access, now),
		"wrong htu":            mk("GET", e.Server.URL+"/sessions/", p.Access, now),
		"htu of another host":  mk("GET", "http://evil.example/protected/", p.Access, now),
		"stale iat":            mk("GET", url, p.Access, now.Add(-61*time.Second)),
		"future iat":           mk("GET", url, p.Access, now.Add(61*time.Second)),
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
			harness.AssertDPoPError(t, e.Do("GET", "/protected/", "", "Authorization: DPoP "+p.Access, "DPoP: "+proof), "invalid_dpop_proof")
		})
	}
	two := e.Do("GET", "/protected/", "", "Authorization: DPoP "+p.Access, "DPoP: "+c.Proof("GET", "/protected/", p.Access), "DPoP: "+c.Proof("GET", "/protected/", p.Access))
	harness.AssertDPoPError(t, two, "invalid_dpop_proof")
	assert.Equal(t, 200, c.Get("/protected/", p.Access).Status, "the owner is not locked out")
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
	t.Parallel()
	e := harness.NewEnv(t)
	owner := harness.NewDPoPClient(t, e)
	thief := harness.NewDPoPClient(t, e)
	first := owner.Login().Pair(t)
	e.Clock.Advance(time.Second)
	second := owner.Refresh(first.Refresh).Pair(t)

	for name, r := range map[string]harness.Response{
		"current, as Bearer, no proof": e.Refresh(second.Refresh),
		"current, DPoP, no proof":      e.Do("POST", "/refresh/", "", "Authorization: DPoP "+second.Refresh),
		"current, in the body":         e.Do("POST", "/refresh/", `{"refresh":"`+second.Refresh+`"}`, harness.JSONHeader),
		"current, the thief's key":     thief.Refresh(second.Refresh),
		"used, the thief's key":        thief.Refresh(first.Refresh),
		"used, no proof":               e.Refresh(first.Refresh),
		"current, through OAuth":       e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", second.Refresh, "client_id", "authd"), formCT),
	} {
		t.Run(name, func(t *testing.T) {
			if name == "current, through OAuth" {
				assert.Equal(t, 400, r.Status, r.Raw)
				assert.Equal(t, "invalid_dpop_proof", r.Body["error"])
				return
			}
			harness.AssertDPoPError(t, r, "invalid_dpop_proof")
		})
	}
	logout := e.Do("POST", "/logout/", `{"refresh":"`+second.Refresh+`","all":true}`, harness.JSONHeader)
	harness.AssertDPoPError(t, logout, "invalid_dpop_proof")
	e.Clock.Advance(time.Second)
	third := owner.Refresh(second.Refresh)
	require.Equal(t, 200, third.Status, "the session was neither rotated nor revoked: %s", third.Raw)
	assert.Equal(t, 200, owner.Get("/protected/", third.Pair(t).Access).Status)
}

// TestDPoPOverOAuth: the password and refresh_token grants bind with a
// proof (token_type DPoP), a bad proof is 400 invalid_dpop_proof (RFC 9449
// §5), introspection reports the binding, and the metadata the algorithms.
func TestDPoPOverOAuth(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, withOAuthClients(t))
	c := harness.NewDPoPClient(t, e)
	r := e.Do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd"), formCT,
		"DPoP: "+c.Proof("POST", "/oauth/token", ""))
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "DPoP", r.Body["token_type"])
	p := r.OAuthPair(t)

	bad := e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.Refresh, "client_id", "authd"), formCT,
		"DPoP: "+c.Proof("POST", "/login/", ""))
	assert.Equal(t, 400, bad.Status)
	assert.Equal(t, "invalid_dpop_proof", bad.Body["error"])
	next := e.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", p.Refresh, "client_id", "authd"), formCT,
		"DPoP: "+c.Proof("POST", "/oauth/token", ""))
	require.Equal(t, 200, next.Status, "the refused request changed nothing: %s", next.Raw)
	assert.Equal(t, "DPoP", next.Body["token_type"])
	p = next.OAuthPair(t)

	in := e.Do("POST", "/oauth/introspect", form("token", p.Access), formCT, basic("backend", oauthSecret))
	require.Equal(t, 200, in.Status)
	assert.Equal(t, "DPoP", in.Body["token_type"])
	assert.Equal(t, map[string]any{"jkt": c.Key.Thumbprint()}, in.Body["cnf"])
	// A bound session's refresh token is used with the DPoP scheme too
	// (RFC 7662's token_type is RFC 6749's); token_use says which it is.
	in = e.Do("POST", "/oauth/introspect", form("token", p.Refresh), formCT, basic("backend", oauthSecret))
	require.Equal(t, 200, in.Status)
	assert.Equal(t, "DPoP", in.Body["token_type"])
	assert.Equal(t, "refresh_token", in.Body["token_use"])
	assert.Equal(t, map[string]any{"jkt": c.Key.Thumbprint()}, in.Body["cnf"])

	md := e.Do("GET", "/.well-known/oauth-authorization-server", "")
	assert.Equal(t, []any{"ES256", "EdDSA", "Ed25519"}, md.Body["dpop_signing_alg_values_supported"])
}

// TestDPoPRequired: AUTH_DPOP=required refuses a login without a proof.
func TestDPoPRequired(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, func(c *authd.Config) { c.DPoPMode = "required" })
	harness.AssertDPoPError(t, e.Do("POST", "/login/", `{"username":"minsu","password":"1229"}`, harness.JSONHeader), "invalid_dpop_proof")
	c := harness.NewDPoPClient(t, e)
	p := c.Login().Pair(t)
	assert.Equal(t, 200, c.Get("/protected/", p.Access).Status)
}

// TestDPoPNonce: with AUTH_DPOP_NONCE every answer offers DPoP-Nonce; a
// proof without it is use_dpop_nonce (401 on authd's own endpoints, 400 at
// /oauth/token), with it the request goes through.
func TestDPoPNonce(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, func(c *authd.Config) { c.DPoPNonce = true })
	c := harness.NewDPoPClient(t, e)
	r := c.Login()
	harness.AssertDPoPError(t, r, "use_dpop_nonce")
	nonce := r.Header.Get("DPoP-Nonce")
	require.NotEmpty(t, nonce)
	proof, err := c.Key.Proof("POST", e.Server.URL+"/login/", "", nonce, e.Clock.Now())
	require.NoError(t, err)
	ok := e.Do("POST", "/login/", `{"username":"minsu","password":"1229"}`, harness.JSONHeader, "DPoP: "+proof)
	require.Equal(t, 200, ok.Status, ok.Raw)
	o := e.Do("POST", "/oauth/token", form("grant_type", "password", "username", "minsu", "password", "1229", "client_id", "authd"), formCT,
		"DPoP: "+c.Proof("POST", "/oauth/token", ""))
	assert.Equal(t, 400, o.Status)
	assert.Equal(t, "use_dpop_nonce", o.Body["error"])
	assert.NotEmpty(t, o.Header.Get("DPoP-Nonce"))
}

// TestBothChallengesWithoutCredentials: a request with no token at all is
// offered both schemes (RFC 9449 §7.2), Bearer first; a request that used
// one scheme gets that scheme's challenge alone.
func TestBothChallengesWithoutCredentials(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	r := e.Do("GET", "/protected/", "")
	harness.AssertError(t, r, 401, "token_missing")
	assert.Equal(t, []string{`Bearer realm="authd"`, `DPoP realm="authd", algs="ES256 EdDSA Ed25519"`}, r.Header.Values("WWW-Authenticate"))
	p := e.Login("minsu", "1229")
	e.Clock.Advance(time.Minute)
	assert.Len(t, e.Protected(p.Access).Header.Values("WWW-Authenticate"), 1, "an expired bearer token: the Bearer challenge alone")
}
