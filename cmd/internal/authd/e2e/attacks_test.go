package e2e

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// attackEnv is authd with a signing key the test holds, so it can forge
// tokens that are well signed but wrong in every other way.
type attackEnv struct {
	*harness.Env
	priv    any
	alg     string
	kid     string
	pub     []byte // the public key's bytes, as a key-confusion attacker would use them
	jwks    string
	good    string // a valid access token
	header  map[string]any
	payload map[string]any
}

func newAttackEnv(t *testing.T, alg string, raw any) *attackEnv {
	t.Helper()
	keys, err := jwx.FromPrivateKey(raw, alg)
	require.NoError(t, err)
	e := harness.NewEnv(t, harness.WithKeys(alg, harness.KeysFile(t, keys)))
	a := &attackEnv{Env: e, priv: raw, alg: alg, kid: keys.SignerKID()}
	a.good = e.Login("minsu", "1229").Access
	a.jwks = e.Do("GET", "/.well-known/jwks.json", "").Raw
	parts := strings.Split(a.good, ".")
	for i, dst := range []*map[string]any{&a.header, &a.payload} {
		b, err := b64.DecodeString(parts[i])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, dst))
	}
	if p, ok := raw.(ed25519.PrivateKey); ok {
		a.pub = p.Public().(ed25519.PublicKey)
	}
	return a
}

// with returns a copy of m with key set to v (deleted when v is nil and
// del is true).
func with(m map[string]any, key string, v any, del bool) string {
	c := map[string]any{}
	for k, x := range m {
		c[k] = x
	}
	if del {
		delete(c, key)
	} else {
		c[key] = v
	}
	b, _ := json.Marshal(c)
	return string(b)
}

func (a *attackEnv) hdr(key string, v any) string { return with(a.header, key, v, false) }
func (a *attackEnv) claims(key string, v any) string {
	return with(a.payload, key, v, false)
}
func (a *attackEnv) signed(header, payload string) string {
	return forge(a.T, header, payload, a.priv, a.alg)
}
func (a *attackEnv) goodHeader() string  { b, _ := json.Marshal(a.header); return string(b) }
func (a *attackEnv) goodPayload() string { b, _ := json.Marshal(a.payload); return string(b) }

// TestAttacks is the attack list of ADR 0002, one row per attack. Each must
// get 401 invalid_token, never a 5xx, and the original token must still work
// afterwards.
func TestAttacks(t *testing.T) {
	t.Parallel()
	_, edPriv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	a := newAttackEnv(t, jwx.EdDSA, edPriv)
	parts := strings.Split(a.good, ".")
	_, otherPriv, _ := ed25519.GenerateKey(nil)
	gp := a.goodPayload()

	rows := map[string]string{}
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		rows["alg "+alg] = forge(t, a.hdr("alg", alg), gp, nil, "none")
		rows["alg "+alg+" with the original signature"] = b64.EncodeToString([]byte(a.hdr("alg", alg))) + "." + parts[1] + "." + parts[2]
	}
	rows["empty signature"] = parts[0] + "." + parts[1] + "."
	rows["HS256 with the public key bytes"] = forge(t, a.hdr("alg", "HS256"), gp, []byte(a.pub), "HS256")
	rows["HS256 with the JWKS text"] = forge(t, a.hdr("alg", "HS256"), gp, []byte(a.jwks), "HS256")
	rows["HS256 with an empty key"] = forge(t, a.hdr("alg", "HS256"), gp, []byte{}, "HS256")
	rows["ES256 header on an EdDSA key"] = a.signed(a.hdr("alg", "ES256"), gp)
	rows["RS256 header on an EdDSA key"] = a.signed(a.hdr("alg", "RS256"), gp)
	rows["EdDSA signed by another key"] = forge(t, a.goodHeader(), gp, otherPriv, "EdDSA")
	otherPub := otherPriv.Public().(ed25519.PublicKey)
	jwk := map[string]any{"kty": "OKP", "crv": "Ed25519", "x": b64.EncodeToString(otherPub)}
	rows["embedded jwk"] = forge(t, a.hdr("jwk", jwk), gp, otherPriv, "EdDSA")
	rows["embedded jwk without kid"] = forge(t, with(map[string]any{"alg": "EdDSA", "typ": "at+jwt", "jwk": jwk}, "x", nil, true), gp, otherPriv, "EdDSA")
	rows["jku"] = forge(t, a.hdr("jku", "http://127.0.0.1:1/jwks.json"), gp, otherPriv, "EdDSA")
	rows["x5u"] = forge(t, a.hdr("x5u", "http://127.0.0.1:1/cert.pem"), gp, otherPriv, "EdDSA")
	rows["x5c"] = forge(t, a.hdr("x5c", []string{"MIIBkTCB+wIJAK"}), gp, otherPriv, "EdDSA")
	for _, kid := range []string{"../../dev/null", "/dev/null", "", "' OR '1'='1", "1; DROP TABLE keys;--", "$(rm -rf /)", "`id`"} {
		rows["kid "+kid] = forge(t, a.hdr("kid", kid), gp, otherPriv, "EdDSA")
		rows["kid "+kid+" signed by the real key"] = a.signed(a.hdr("kid", kid), gp)
	}
	rows["kid missing"] = a.signed(with(a.header, "kid", nil, true), gp)
	rows["kid number"] = a.signed(a.hdr("kid", 7), gp)
	rows["unknown crit"] = a.signed(with(map[string]any{"alg": "EdDSA", "kid": a.kid, "typ": "at+jwt", "crit": []string{"x-unknown"}, "x-unknown": 1}, "y", nil, true), gp)
	rows["crit exp"] = a.signed(a.hdr("crit", []string{"exp"}), gp)
	rows["b64 false"] = a.signed(a.hdr("b64", false), gp)
	rows["padding"] = a.good + "=="
	rows["padding in the header"] = parts[0] + "=." + parts[1] + "." + parts[2]
	rows["plus (standard base64)"] = parts[0] + "." + parts[1] + ".+" + parts[2][1:]
	rows["slash (standard base64)"] = parts[0] + "." + parts[1] + "./" + parts[2][1:]
	rows["space"] = parts[0] + ". " + parts[1] + "." + parts[2]
	rows["tab"] = parts[0] + "\t." + parts[1] + "." + parts[2]
	rows["non-canonical last character"] = parts[0] + "." + parts[1] + "." + noncanonical(parts[2], t)
	rows["header an array"] = a.signed(`["EdDSA"]`, gp)
	rows["header a string"] = a.signed(`"at+jwt"`, gp)
	rows["payload an array"] = a.signed(a.goodHeader(), `[1,2]`)
	rows["payload null"] = a.signed(a.goodHeader(), `null`)
	rows["header not UTF-8"] = a.signed("{\"alg\":\"EdDSA\",\"kid\":\""+a.kid+"\",\"typ\":\"at+jwt\",\"x\":\"\xff\"}", gp)
	rows["payload not UTF-8"] = a.signed(a.goodHeader(), strings.Replace(gp, `"minsu"`, "\"min\xffsu\"", 1))
	rows["payload not JSON"] = a.signed(a.goodHeader(), `{"sub":`)
	rows["two JSON objects"] = a.signed(a.goodHeader(), gp+`{}`)
	for _, claim := range []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "type", "preferred_username"} {
		for name, v := range map[string]any{"null": nil, "true": true, "false": false, "0": 0, "a string": "x", "an object": map[string]any{}} {
			if v == "x" && (claim == "preferred_username" || claim == "sub") {
				continue // a string is these claims' type, and the signature vouches for the value
			}
			rows[claim+" "+name] = a.signed(a.goodHeader(), a.claims(claim, v))
		}
		if claim != "preferred_username" {
			rows[claim+" missing"] = a.signed(a.goodHeader(), with(a.payload, claim, nil, true))
		}
	}
	exp := a.payload["exp"].(float64)
	rows["exp a numeric string"] = a.signed(a.goodHeader(), a.claims("exp", "1999999999"))
	rows["exp a float"] = a.signed(a.goodHeader(), strings.Replace(gp, `"exp":`+jsonNum(exp), `"exp":`+jsonNum(exp)+".5", 1))
	rows["exp negative"] = a.signed(a.goodHeader(), a.claims("exp", -1))
	rows["exp huge"] = a.signed(a.goodHeader(), strings.Replace(gp, `"exp":`+jsonNum(exp), `"exp":1e300`, 1))
	rows["exp past 2286"] = a.signed(a.goodHeader(), a.claims("exp", 99999999999))
	rows["lifetime longer than the TTL"] = a.signed(a.goodHeader(), a.claims("exp", exp+3600))
	rows["wrong iss"] = a.signed(a.goodHeader(), a.claims("iss", "https://evil.example"))
	rows["wrong aud"] = a.signed(a.goodHeader(), a.claims("aud", "other-service"))
	rows["two audiences"] = a.signed(a.goodHeader(), a.claims("aud", []string{"authd", "other"}))
	rows["wrong typ"] = a.signed(a.hdr("typ", "JWT"), gp)
	rows["refresh typ"] = a.signed(a.hdr("typ", "rt+jwt"), gp)
	rows["wrong type"] = a.signed(a.goodHeader(), a.claims("type", "refresh"))
	rows["over 8 KiB"] = a.signed(a.goodHeader(), a.claims("pad", strings.Repeat("x", 8<<10)))
	rows["JSON serialization"] = `{"payload":"` + parts[1] + `","signatures":[{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"}]}`
	rows["four segments"] = a.good + ".AAAA"
	rows["two segments"] = parts[0] + "." + parts[1]
	// Member names in another case, or given twice, signed with the real
	// key: Go's encoding/json alone would read them as authd's own.
	gh := a.goodHeader()
	renamed := func(json, from, to string) string { return strings.Replace(json, `"`+from+`"`, `"`+to+`"`, 1) }
	repeated := func(json, member string) string { return strings.TrimSuffix(json, "}") + "," + member + "}" }
	rows["header ALG"] = a.signed(renamed(gh, "alg", "ALG"), gp)
	rows["header KID"] = a.signed(renamed(gh, "kid", "KID"), gp)
	rows["header Typ"] = a.signed(renamed(gh, "typ", "Typ"), gp)
	rows["claim EXP"] = a.signed(gh, renamed(gp, "exp", "EXP"))
	rows["claim Sub"] = a.signed(gh, renamed(gp, "sub", "Sub"))
	rows["typ twice, same value"] = a.signed(repeated(gh, `"typ":"at+jwt"`), gp)
	rows["typ twice, refresh last"] = a.signed(repeated(renamed(gh, "typ", "typ"), `"typ":"rt+jwt"`), gp)
	rows["sub twice, another user last"] = a.signed(gh, repeated(gp, `"sub":"1"`))
	rows["exp twice, later last"] = a.signed(gh, repeated(gp, `"exp":4102444800`))

	for name, token := range rows {
		t.Run(name, func(t *testing.T) {
			r := a.Protected(token)
			assert.Less(t, r.Status, 500)
			harness.AssertError(t, r, 401, "invalid_token")
		})
	}
	require.Equal(t, 200, a.Protected(a.good).Status, "the original token still works after all of that")
	assert.NotContains(t, a.Logs.String(), `"level":"error"`)
}

// TestECDSAZeroSignature: r or s of zero must never verify (CVE-2022-21449,
// "psychic signatures").
func TestECDSAZeroSignature(t *testing.T) {
	t.Parallel()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	a := newAttackEnv(t, jwx.ES256, priv)
	parts := strings.Split(a.good, ".")
	sig, err := b64.DecodeString(parts[2])
	require.NoError(t, err)
	zero := make([]byte, 32)
	for name, s := range map[string][]byte{
		"r and s zero": make([]byte, 64),
		"r zero":       append(append([]byte{}, zero...), sig[32:]...),
		"s zero":       append(append([]byte{}, sig[:32]...), zero...),
		"too short":    sig[:63],
		"DER encoded":  append([]byte{0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00}, sig[:56]...),
	} {
		t.Run(name, func(t *testing.T) {
			harness.AssertError(t, a.Protected(parts[0]+"."+parts[1]+"."+b64.EncodeToString(s)), 401, "invalid_token")
		})
	}
	assert.Equal(t, 200, a.Protected(a.good).Status)
}

func jsonNum(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// noncanonical changes the unused low bits of a base64url segment's last
// character, which a lenient decoder would accept as the same bytes.
func noncanonical(seg string, t *testing.T) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	require.NotZero(t, len(seg)%4, "the segment must end in a partial group")
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last|1])
}
