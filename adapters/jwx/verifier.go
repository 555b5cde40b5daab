package jwx

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/authd/authd/domain"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// MaxTokenSize is the largest token Verify looks at; larger ones are
// rejected before any parsing.
const MaxTokenSize = 8 << 10

// Verifier checks tokens against Keys and a domain.Policy. It is safe for
// concurrent use.
type Verifier struct {
	keys   *Keys
	policy domain.Policy
	opts   map[domain.TokenKind][]jwt.ParseOption // built once; Verify only appends the clock
}

// NewVerifier returns a verifier that accepts tokens signed by any of keys'
// keys with that key's algorithm, and validates them with the policy.
func NewVerifier(keys *Keys, p domain.Policy) *Verifier {
	v := &Verifier{keys: keys, policy: p, opts: make(map[domain.TokenKind][]jwt.ParseOption, 2)}
	for _, kind := range []domain.TokenKind{domain.Access, domain.Refresh} {
		v.opts[kind] = []jwt.ParseOption{
			jwt.WithKeyProvider(v.keyProvider(kind)),
			jwt.WithValidate(true),
			jwt.WithStrictStringClaims(true),
			jwt.WithIssuer(p.Issuer),
			jwt.WithAudience(p.Audience),
			jwt.WithAcceptableSkew(p.Leeway),
			jwt.WithRequiredClaim(jwt.ExpirationKey),
			jwt.WithRequiredClaim(jwt.IssuedAtKey),
			jwt.WithRequiredClaim(jwt.NotBeforeKey),
			jwt.WithRequiredClaim(jwt.SubjectKey),
			jwt.WithRequiredClaim(jwt.JwtIDKey),
			jwt.WithRequiredClaim(claimSession),
			jwt.WithRequiredClaim(claimType),
		}
	}
	return v
}

var errKeyRejected = errors.New("no configured key for this header")

// keyProvider hands jwx the one configured key named by the header's kid, and
// only when the header's alg is that key's algorithm and its typ is the
// kind's. Nothing else in the header can bring a key in.
func (v *Verifier) keyProvider(kind domain.TokenKind) jws.KeyProviderFunc {
	want := kind.Typ()
	return func(_ context.Context, sink jws.KeySink, sig *jws.Signature, msg *jws.Message) error {
		h := sig.ProtectedHeaders()
		if typ, _ := h.Type(); typ != want {
			return errKeyRejected
		}
		if crit, ok := h.Critical(); ok || len(crit) > 0 {
			return errKeyRejected
		}
		kid, _ := h.KeyID()
		k, ok := v.keys.byKID[kid]
		if !ok {
			return errKeyRejected
		}
		if alg, ok := h.Algorithm(); !ok || alg != k.alg {
			return errKeyRejected
		}
		if err := checkNumericDates(msg.Payload()); err != nil {
			return err
		}
		sink.Key(k.alg, k.verify)
		return nil
	}
}

// fixedClock is a jwt.Clock standing at one instant.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// Verify checks the token and returns its claims; see ports.TokenVerifier.
func (v *Verifier) Verify(_ context.Context, token string, kind domain.TokenKind, now time.Time) (domain.Claims, error) {
	if err := checkCompact(token); err != nil {
		return domain.Claims{}, err
	}
	base := v.opts[kind]
	opts := append(base[:len(base):len(base)], jwt.WithClock(fixedClock(now)))
	tok, err := jwt.ParseString(token, opts...)
	if err != nil {
		if errors.Is(err, jwt.TokenExpiredError()) {
			return domain.Claims{}, &domain.TokenError{Err: domain.ErrTokenExpired, Reason: "exp"}
		}
		return domain.Claims{}, domain.InvalidToken("jwt: " + err.Error())
	}
	c, err := v.claims(tok)
	if err != nil {
		return domain.Claims{}, err
	}
	if err := v.policy.Validate(c, kind, now); err != nil {
		return domain.Claims{}, err
	}
	return c, nil
}

// claims converts a verified jwt.Token into domain claims, insisting on
// string types for the private claims.
func (v *Verifier) claims(tok jwt.Token) (domain.Claims, error) {
	var c domain.Claims
	var typ string
	for name, dst := range map[string]*string{claimSession: &c.SessionID, claimType: &typ} {
		if err := tok.Get(name, dst); err != nil {
			return c, domain.InvalidToken(name)
		}
	}
	if tok.Has(claimUsername) {
		if err := tok.Get(claimUsername, &c.Username); err != nil {
			return c, domain.InvalidToken(claimUsername)
		}
	}
	switch typ {
	case domain.Access.String():
		c.Kind = domain.Access
	case domain.Refresh.String():
		c.Kind = domain.Refresh
	default:
		return c, domain.InvalidToken("type")
	}
	c.Issuer, _ = tok.Issuer()
	c.Subject, _ = tok.Subject()
	c.ID, _ = tok.JwtID()
	if aud, _ := tok.Audience(); len(aud) == 1 {
		c.Audience = aud[0]
	}
	c.IssuedAt, _ = tok.IssuedAt()
	c.NotBefore, _ = tok.NotBefore()
	c.ExpiresAt, _ = tok.Expiration()
	c.IssuedAt, c.NotBefore, c.ExpiresAt = c.IssuedAt.UTC(), c.NotBefore.UTC(), c.ExpiresAt.UTC()
	return c, nil
}

// numericDates are the time claims, kept raw so their JSON type is visible.
type numericDates struct {
	Exp, Iat, Nbf json.RawMessage
}

// checkNumericDates insists that exp, iat and nbf, where present, are
// non-negative integers of at most 10 digits (seconds before the year 2286).
// jwx would read "1700000000", 1700000000.5 or an RFC 3339 string as a date;
// authd never issues those, so a token that carries one is not its own.
func checkNumericDates(payload []byte) error {
	var d numericDates
	if err := json.Unmarshal(payload, &d); err != nil {
		return domain.InvalidToken("payload is not a JSON object")
	}
	for _, raw := range []json.RawMessage{d.Exp, d.Iat, d.Nbf} {
		if raw == nil {
			continue
		}
		if len(raw) == 0 || len(raw) > 10 {
			return domain.InvalidToken("numeric date")
		}
		for _, c := range raw {
			if c < '0' || c > '9' {
				return domain.InvalidToken("numeric date")
			}
		}
	}
	return nil
}

// checkCompact accepts only the JWS compact serialization with unpadded
// base64url segments, so the JSON serialization and lenient encodings never
// reach the parser.
func checkCompact(token string) error {
	if len(token) > MaxTokenSize {
		return domain.InvalidToken("too large")
	}
	if strings.Count(token, ".") != 2 {
		return domain.InvalidToken("not compact")
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return domain.InvalidToken("not base64url")
		}
	}
	for _, seg := range strings.Split(token, ".") {
		if len(seg) == 0 || len(seg)%4 == 1 {
			return domain.InvalidToken("empty or truncated segment")
		}
	}
	return nil
}
