package jwx_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	_ ports.TokenIssuer   = (*jwx.Issuer)(nil)
	_ ports.TokenVerifier = (*jwx.Verifier)(nil)
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

const sid = "AAAAAAAAAAAAAAAAAAAAAA"

func claims(kind domain.TokenKind) domain.Claims {
	p := domain.DefaultPolicy()
	s := domain.NewSession(sid, domain.User{ID: "2", Username: "minsu"}, t0, p, "")
	return p.NewClaims(kind, s, 1, t0)
}

func setup(t testing.TB) (*jwx.Keys, ed25519.PrivateKey, *jwx.Issuer, *jwx.Verifier) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	keys, err := jwx.FromPrivateKey(priv, jwx.EdDSA)
	require.NoError(t, err)
	return keys, priv, jwx.NewIssuer(keys), jwx.NewVerifier(keys)
}

func decodeSeg(t *testing.T, seg string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	require.NoError(t, err)
	m := map[string]any{}
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestIssueShape(t *testing.T) {
	t.Parallel()
	keys, _, iss, _ := setup(t)
	tok, err := iss.Issue(context.Background(), claims(domain.Access))
	require.NoError(t, err)
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	hdr := decodeSeg(t, parts[0])
	assert.Equal(t, "EdDSA", hdr["alg"])
	assert.Equal(t, "at+jwt", hdr["typ"])
	assert.Equal(t, keys.SignerKID(), hdr["kid"])
	body := decodeSeg(t, parts[1])
	assert.Equal(t, "authd", body["iss"])
	assert.Equal(t, "2", body["sub"])
	assert.Equal(t, "minsu", body["preferred_username"])
	assert.Equal(t, sid, body["sid"])
	assert.Equal(t, sid+".a1", body["jti"])
	assert.Equal(t, "access", body["type"])
	assert.Equal(t, float64(t0.Unix()), body["iat"])
	assert.Equal(t, float64(t0.Unix()), body["nbf"])
	assert.Equal(t, float64(t0.Unix()+60), body["exp"])

	rt, err := iss.Issue(context.Background(), claims(domain.Refresh))
	require.NoError(t, err)
	assert.Equal(t, "rt+jwt", decodeSeg(t, strings.Split(rt, ".")[0])["typ"])
}

func TestIssueIsDeterministic(t *testing.T) {
	t.Parallel()
	_, _, iss, _ := setup(t)
	a, err := iss.Issue(context.Background(), claims(domain.Refresh))
	require.NoError(t, err)
	b, err := iss.Issue(context.Background(), claims(domain.Refresh))
	require.NoError(t, err)
	assert.Equal(t, a, b)
}

func TestVerifyExpiryBoundaries(t *testing.T) {
	t.Parallel()
	_, _, iss, ver := setup(t)
	ctx := context.Background()
	for _, tc := range []struct {
		kind domain.TokenKind
		at   time.Duration
		ok   bool
	}{
		{domain.Access, 0, true},
		{domain.Access, 59*time.Second + 999*time.Millisecond, true},
		{domain.Access, 59*time.Second + 999999999, true},
		{domain.Access, 60 * time.Second, false},
		{domain.Refresh, 299*time.Second + 999*time.Millisecond, true},
		{domain.Refresh, 300 * time.Second, false},
	} {
		tok, err := iss.Issue(ctx, claims(tc.kind))
		require.NoError(t, err)
		c, err := verifyAt(ctx, ver, tok, tc.kind, t0.Add(tc.at))
		if tc.ok {
			require.NoError(t, err, "%v at +%v", tc.kind, tc.at)
			assert.Equal(t, claims(tc.kind), c)
		} else {
			assert.ErrorIs(t, err, domain.ErrTokenExpired, "%v at +%v", tc.kind, tc.at)
		}
	}
}

// sign builds a token from raw header and payload JSON with the key.
func sign(priv ed25519.PrivateKey, header, payload string) string {
	enc := base64.RawURLEncoding
	in := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	return in + "." + enc.EncodeToString(ed25519.Sign(priv, []byte(in)))
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	keys, priv, iss, ver := setup(t)
	ctx := context.Background()
	good, err := iss.Issue(ctx, claims(domain.Access))
	require.NoError(t, err)
	parts := strings.Split(good, ".")
	hdr := `{"alg":"EdDSA","kid":"` + keys.SignerKID() + `","typ":"at+jwt"}`
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	withClaim := func(name, raw string) string {
		m := map[string]json.RawMessage{}
		require.NoError(t, json.Unmarshal(payload, &m))
		if raw == "" {
			delete(m, name)
		} else {
			m[name] = json.RawMessage(raw)
		}
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return sign(priv, hdr, string(b))
	}
	_, other, _ := ed25519.GenerateKey(nil)
	refresh, err := iss.Issue(ctx, claims(domain.Refresh))
	require.NoError(t, err)

	cases := map[string]string{
		"empty":              "",
		"garbage":            "abc",
		"tampered payload":   parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"2"`, `"1"`, 1))) + "." + parts[2],
		"other key":          sign(other, hdr, string(payload)),
		"alg none":           base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt","kid":"`+keys.SignerKID()+`"}`)) + "." + parts[1] + ".",
		"empty signature":    parts[0] + "." + parts[1] + ".",
		"refresh as access":  refresh,
		"padding":            good + "=",
		"json serialization": `{"payload":"` + parts[1] + `","signatures":[]}`,
		"exp string":         withClaim("exp", `"1900000000"`),
		"exp float":          withClaim("exp", strconv.FormatInt(t0.Unix()+30, 10)+".5"),
		"exp negative":       withClaim("exp", `-1`),
		"exp huge":           withClaim("exp", `1e300`),
		"exp missing":        withClaim("exp", ""),
		"iat string":         withClaim("iat", `"x"`),
		"sub missing":        withClaim("sub", ""),
		"sub number":         withClaim("sub", `2`),
		"sid missing":        withClaim("sid", ""),
		"sid number":         withClaim("sid", `1`),
		"sid null":           withClaim("sid", `null`),
		"type refresh":       withClaim("type", `"refresh"`),
		"type missing":       withClaim("type", ""),
		"jti other session":  withClaim("jti", `"BBBBBBBBBBBBBBBBBBBBBB.a1"`),
		"iss wrong":          withClaim("iss", `"evil"`),
		"iss null":           withClaim("iss", `null`),
		"aud wrong":          withClaim("aud", `"evil"`),
		"lifetime too long":  withClaim("exp", strconv.FormatInt(t0.Unix()+3600, 10)),
		"username number":    withClaim("preferred_username", `7`),
		"typ JWT":            sign(priv, `{"alg":"EdDSA","kid":"`+keys.SignerKID()+`","typ":"JWT"}`, string(payload)),
		"kid unknown":        sign(priv, `{"alg":"EdDSA","kid":"../../dev/null","typ":"at+jwt"}`, string(payload)),
		"crit":               sign(priv, `{"alg":"EdDSA","kid":"`+keys.SignerKID()+`","typ":"at+jwt","crit":["exp"],"exp":1}`, string(payload)),
		"too large":          good + strings.Repeat("A", jwx.MaxTokenSize),
		"cnf a string":       withClaim("cnf", `"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"`),
		"cnf.jkt short":      withClaim("cnf", `{"jkt":"abc"}`),
		"cnf.jkt number":     withClaim("cnf", `{"jkt":7}`),
		"cnf two members":    withClaim("cnf", `{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I","x5t#S256":"a"}`),
		"cnf.JKT":            withClaim("cnf", `{"JKT":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}`),
		"cnf null":           withClaim("cnf", `null`),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := verifyAt(ctx, ver, tok, domain.Access, t0.Add(time.Second))
			assert.ErrorIs(t, err, domain.ErrInvalidToken)
		})
	}
	_, err = verifyAt(ctx, ver, good, domain.Access, t0.Add(time.Second))
	assert.NoError(t, err, "the original token still works")
}

func TestHS256(t *testing.T) {
	t.Parallel()
	_, err := jwx.HMAC([]byte("short"))
	assert.Error(t, err)
	keys, err := jwx.HMAC([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	tok, err := jwx.NewIssuer(keys).Issue(context.Background(), claims(domain.Access))
	require.NoError(t, err)
	assert.Equal(t, "HS256", decodeSeg(t, strings.Split(tok, ".")[0])["alg"])
	_, err = verifyAt(context.Background(), jwx.NewVerifier(keys), tok, domain.Access, t0)
	assert.NoError(t, err)

	// An HS256 token is refused by an EdDSA verifier, whatever its kid.
	_, _, _, edVer := setup(t)
	_, err = verifyAt(context.Background(), edVer, tok, domain.Access, t0)
	assert.ErrorIs(t, err, domain.ErrInvalidToken)
}

// verifyAt does what the application does with the verifier: verify, then
// judge the claims with the domain policy at the instant.
func verifyAt(ctx context.Context, ver *jwx.Verifier, tok string, kind domain.TokenKind, at time.Time) (domain.Claims, error) {
	c, err := ver.Verify(ctx, tok, kind)
	if err != nil {
		return domain.Claims{}, err
	}
	return domain.DefaultPolicy().Validate(c, kind, at)
}

// TestBoundAccessTokenCarriesCnf: a bound access token carries cnf.jkt
// (RFC 9449 §6.1) and reads back with it; an unbound one has no cnf.
func TestBoundAccessTokenCarriesCnf(t *testing.T) {
	t.Parallel()
	_, _, iss, ver := setup(t)
	ctx := context.Background()
	c := claims(domain.Access)
	c.JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
	tok, err := iss.Issue(ctx, c)
	require.NoError(t, err)
	body := decodeSeg(t, strings.Split(tok, ".")[1])
	assert.Equal(t, map[string]any{"jkt": c.JKT}, body["cnf"])
	got, err := verifyAt(ctx, ver, tok, domain.Access, t0.Add(time.Second))
	require.NoError(t, err)
	assert.Equal(t, c.JKT, got.JKT)

	plain, err := iss.Issue(ctx, claims(domain.Access))
	require.NoError(t, err)
	assert.NotContains(t, decodeSeg(t, strings.Split(plain, ".")[1]), "cnf")
}
