package jwx

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"time"

	"github.com/authd/authd/domain"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
)

// MaxTokenSize is the largest token Verify looks at; larger ones are
// rejected before any decoding.
const MaxTokenSize = 8 << 10

// Verifier checks tokens against Keys. It is safe for concurrent use.
//
// It reads the compact serialization itself, strictly, and leaves only the
// signature arithmetic to jwx (jws/jwsbb): a general JWT parser accepts
// things authd never issues (numeric dates as strings or fractions, null
// string claims, several audiences, the JSON serialization) and costs more
// than the signature check it guards. Time, issuer, audience and lifetimes
// are the application's to judge, with domain.Policy at the instant it read
// from its clock. See docs/adr/0002.
type Verifier struct {
	keys *Keys
}

// NewVerifier returns a verifier that accepts tokens signed by any of keys'
// keys with that key's own algorithm.
func NewVerifier(keys *Keys) *Verifier {
	return &Verifier{keys: keys}
}

// verifyHeader is the protected header as read for verification. Fields
// authd does not use (jwk, jku, x5u, x5c, …) are ignored: no key ever comes
// from the token itself.
type verifyHeader struct {
	Alg  *string         `json:"alg"`
	Kid  *string         `json:"kid"`
	Typ  *string         `json:"typ"`
	Crit json.RawMessage `json:"crit"`
	B64  json.RawMessage `json:"b64"`
}

// Verify checks the token and returns its claims; see ports.TokenVerifier.
// The order is: shape and size, header, key by kid with its own algorithm,
// signature, claims with strict types.
func (v *Verifier) Verify(_ context.Context, token string, kind domain.TokenKind) (domain.Claims, error) {
	if err := checkCompact(token); err != nil {
		return domain.Claims{}, err
	}
	dot1 := strings.IndexByte(token, '.')
	dot2 := dot1 + 1 + strings.IndexByte(token[dot1+1:], '.')

	hdrJSON, err := decodeSegment(token[:dot1])
	if err != nil {
		return domain.Claims{}, err
	}
	var h verifyHeader
	if err := decodeMembers(hdrJSON, headerMembers, &h); err != nil {
		return domain.Claims{}, domain.InvalidToken("header: " + err.Error())
	}
	switch {
	case h.Crit != nil || h.B64 != nil:
		return domain.Claims{}, domain.InvalidToken("header: crit or b64 is not supported")
	case h.Typ == nil || *h.Typ != kind.Typ():
		return domain.Claims{}, domain.InvalidToken("header: typ")
	case h.Kid == nil || h.Alg == nil:
		return domain.Claims{}, domain.InvalidToken("header: kid and alg are required")
	}
	k, ok := v.keys.byKID[*h.Kid]
	if !ok || *h.Alg != k.alg {
		return domain.Claims{}, domain.InvalidToken("header: no such key for this algorithm")
	}

	sig, err := decodeSegment(token[dot2+1:])
	if err != nil {
		return domain.Claims{}, err
	}
	if err := jwsbb.Verify(k.verify, k.alg, []byte(token[:dot2]), sig); err != nil {
		return domain.Claims{}, domain.InvalidToken("signature")
	}

	body, err := decodeSegment(token[dot1+1 : dot2])
	if err != nil {
		return domain.Claims{}, err
	}
	return decodeClaims(body)
}

// The member names Verify reads. encoding/json matches names without
// regard to case and keeps the last of a repeated name, so without
// decodeMembers a token with "EXP", "ALG" or two "sub" members would be read
// as if its names were the ones authd writes, and two readers of the same
// signed bytes could disagree about what they say.
var (
	headerMembers = []string{"alg", "kid", "typ", "crit", "b64"}
	claimMembers  = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "preferred_username", "type", "client_id", "scope", "cnf"}
	cnfMembers    = []string{"jkt"}
)

// rawClaims keeps each claim raw, so its JSON type can be checked.
type rawClaims struct {
	Iss, Sub, Aud, Exp, Nbf, Iat, Jti, Sid json.RawMessage
	Username                               json.RawMessage `json:"preferred_username"`
	Type                                   json.RawMessage `json:"type"`
	ClientID                               json.RawMessage `json:"client_id"`
	Scope                                  json.RawMessage `json:"scope"`
	Cnf                                    json.RawMessage `json:"cnf"`
}

// decodeClaims reads the payload with the types authd issues: strings for
// iss, sub, jti, sid, type, preferred_username, client_id and scope, an object of one
// jkt string for cnf, a string or one-element
// array for aud, and non-negative integers of at most 10 digits for exp,
// nbf and iat. Anything else, null included, is invalid.
func decodeClaims(body []byte) (domain.Claims, error) {
	var r rawClaims
	if err := decodeMembers(body, claimMembers, &r); err != nil {
		return domain.Claims{}, domain.InvalidToken("payload: " + err.Error())
	}
	var c domain.Claims
	var typ string
	for _, f := range []struct {
		name     string
		raw      json.RawMessage
		dst      *string
		optional bool
	}{
		{"iss", r.Iss, &c.Issuer, false}, {"sub", r.Sub, &c.Subject, false}, {"jti", r.Jti, &c.ID, false},
		{"sid", r.Sid, &c.SessionID, true}, {"type", r.Type, &typ, false},
		{"preferred_username", r.Username, &c.Username, true}, {"client_id", r.ClientID, &c.ClientID, true},
		{"scope", r.Scope, &c.Scope, true},
	} {
		if f.raw == nil && f.optional {
			continue
		}
		if !isString(f.raw) || json.Unmarshal(f.raw, f.dst) != nil {
			return domain.Claims{}, domain.InvalidToken(f.name + " must be a string")
		}
	}
	switch {
	case isString(r.Aud):
		_ = json.Unmarshal(r.Aud, &c.Audience)
	case len(r.Aud) > 0 && r.Aud[0] == '[':
		var aud []string
		if json.Unmarshal(r.Aud, &aud) != nil || len(aud) != 1 {
			return domain.Claims{}, domain.InvalidToken("aud must be one string")
		}
		c.Audience = aud[0]
	default:
		return domain.Claims{}, domain.InvalidToken("aud must be a string")
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *time.Time
	}{{"exp", r.Exp, &c.ExpiresAt}, {"nbf", r.Nbf, &c.NotBefore}, {"iat", r.Iat, &c.IssuedAt}} {
		secs, ok := numericDate(f.raw)
		if !ok {
			return domain.Claims{}, domain.InvalidToken(f.name + " must be an integer NumericDate")
		}
		*f.dst = time.Unix(secs, 0).UTC()
	}
	if r.Cnf != nil {
		jkt, err := decodeCnf(r.Cnf)
		if err != nil {
			return domain.Claims{}, err
		}
		c.JKT = jkt
	}
	switch typ {
	case domain.Access.String():
		c.Kind = domain.Access
	case domain.Refresh.String():
		c.Kind = domain.Refresh
	default:
		return domain.Claims{}, domain.InvalidToken("type")
	}
	return c, nil
}

// decodeCnf reads cnf as authd writes it: an object whose one member jkt
// is a SHA-256 thumbprint in base64url (43 characters).
func decodeCnf(raw json.RawMessage) (string, error) {
	var m struct {
		JKT json.RawMessage `json:"jkt"`
	}
	if len(raw) == 0 || raw[0] != '{' || decodeMembers(raw, cnfMembers, &m) != nil {
		return "", domain.InvalidToken("cnf must be an object")
	}
	var jkt string
	if names, _ := memberNames(raw); len(names) != 1 || !isString(m.JKT) || json.Unmarshal(m.JKT, &jkt) != nil || len(jkt) != 43 {
		return "", domain.InvalidToken("cnf must hold one jkt thumbprint")
	}
	if _, err := b64.Strict().DecodeString(jkt); err != nil {
		return "", domain.InvalidToken("cnf.jkt must be base64url")
	}
	return jkt, nil
}

func isString(raw json.RawMessage) bool { return len(raw) >= 2 && raw[0] == '"' }

// numericDate parses a NumericDate as authd writes it: a JSON integer of 1
// to 10 digits without a sign, exponent, fraction or leading zero (so at
// most the year 2286).
func numericDate(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 || len(raw) > 10 || (raw[0] == '0' && len(raw) > 1) {
		return 0, false
	}
	var n int64
	for _, ch := range raw {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + int64(ch-'0')
	}
	return n, true
}

func sha256Sum(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}
