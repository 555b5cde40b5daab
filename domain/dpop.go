package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DPoP (RFC 9449) binds tokens to a key pair the client holds: the client
// signs a short "proof" JWT for every request with its private key, the
// proof's header carries the public key, and tokens issued with a proof
// carry (access tokens: cnf.jkt) or are stored with (refresh tokens: the
// session) the key's RFC 7638 thumbprint. A copied token alone is then
// worthless: whoever uses it must sign a fresh proof with the same key.

// The DPoP sentinels, with their error codes of RFC 9449 §12.2.
var (
	// ErrInvalidDPoPProof means a DPoP proof was missing where one is
	// required, or is wrong in any way, or was made with another key than
	// the one the token is bound to.
	ErrInvalidDPoPProof = errors.New("invalid DPoP proof")
	// ErrUseDPoPNonce means the proof must carry the server's current nonce,
	// which the response sends in its DPoP-Nonce header.
	ErrUseDPoPNonce = errors.New("use DPoP nonce")
)

// ProofError is returned when DPoP rejects a request. Err is
// ErrInvalidDPoPProof, ErrUseDPoPNonce, or ErrInvalidToken for a
// DPoP-bound token presented without DPoP (RFC 9449 §7.1); either way the
// transport answers with a DPoP challenge rather than a Bearer one. Reason
// is for tests and logs, never for the client.
type ProofError struct {
	Err    error
	Reason string
}

// Error implements error.
func (e *ProofError) Error() string { return e.Err.Error() + ": " + e.Reason }

// Unwrap returns the sentinel the error stands for.
func (e *ProofError) Unwrap() error { return e.Err }

// InvalidProof returns a *ProofError for ErrInvalidDPoPProof with the reason.
func InvalidProof(reason string) error { return &ProofError{Err: ErrInvalidDPoPProof, Reason: reason} }

// Proof is a DPoP proof whose signature, header and claim types a
// ports.ProofVerifier has checked. Its claims still have to be judged
// against the request and the clock: DPoPPolicy.CheckProof.
type Proof struct {
	// JKT is the RFC 7638 SHA-256 thumbprint of the public key in the
	// proof's header, in base64url without padding (43 characters).
	JKT string
	// Algorithm is the proof's alg, one the verifier was told to accept.
	Algorithm string
	ID        string    // jti
	Method    string    // htm
	URL       string    // htu
	IssuedAt  time.Time // iat, whole seconds
	// AccessTokenHash is ath: base64url(SHA-256(access token)); empty when
	// the proof has none.
	AccessTokenHash string
	// Nonce is the server nonce the proof carries; empty when none.
	Nonce string
}

// ProofRequest is what a transport knows about a request's DPoP: the proof
// header, and the method and URL the proof must name.
type ProofRequest struct {
	// Proof is the DPoP header's value, "" when the request has none.
	Proof string
	// Method is the request's HTTP method.
	Method string
	// URL is the request's URL as the client addressed it, without query
	// and fragment: the htu the proof must carry (RFC 9449 §4.3).
	URL string
	// Scheme is "DPoP" when the token came in an "Authorization: DPoP"
	// header, "" otherwise (Bearer, or a token in a body).
	Scheme string
	// Client is the client's address as the transport found it (behind
	// trusted proxies only), "" when unknown: the proofs it may have
	// remembered are budgeted per AddressGroup of it.
	Client string
}

// DPoPScheme is the Authorization scheme of DPoP-bound access tokens
// (RFC 9449 §7.1) and the token_type of responses that issue them.
const DPoPScheme = "DPoP"

// DPoPMode says when tokens must be bound.
type DPoPMode string

// The two modes of AUTH_DPOP.
const (
	// DPoPOptional binds the tokens of a login that carries a proof and
	// issues plain bearer tokens to one that does not.
	DPoPOptional DPoPMode = "optional"
	// DPoPRequired refuses logins and refreshes without a proof and
	// accepts no unbound access token.
	DPoPRequired DPoPMode = "required"
)

// DPoPMaxAhead is how far ahead of the server's clock a proof's iat may lie
// (at most the policy's Window): a client's clock a little fast is
// forgiven, but a proof dated far ahead would stay acceptable, and its jti
// remembered, for longer than one window.
const DPoPMaxAhead = 5 * time.Second

// DPoPPolicy holds the rules proofs are judged by.
type DPoPPolicy struct {
	Mode DPoPMode
	// Window is how old a proof's iat may be by the server's clock (it may
	// also lie up to DPoPMaxAhead, or Window if shorter, ahead of it); a
	// proof's jti is remembered until the window after its iat ends.
	Window time.Duration
	// Algorithms are the proof algorithms accepted, of
	// SupportedDPoPAlgorithms.
	Algorithms []string
	// Nonce, when set, makes proofs carry a server nonce (RFC 9449 §8).
	Nonce bool
}

// SupportedDPoPAlgorithms are the proof algorithms authd can verify: ES256
// (ECDSA on P-256) and Ed25519 under both of its names, "EdDSA" (RFC 8037)
// and the fully specified "Ed25519" (RFC 9864) that newer clients such as
// the npm package dpop send.
var SupportedDPoPAlgorithms = []string{"ES256", "EdDSA", "Ed25519"}

// DefaultDPoPPolicy returns the contract's defaults: optional, ±60 s, every
// supported algorithm, no nonce.
func DefaultDPoPPolicy() DPoPPolicy {
	return DPoPPolicy{Mode: DPoPOptional, Window: time.Minute, Algorithms: slices.Clone(SupportedDPoPAlgorithms)}
}

// Check returns a *PolicyError naming the first field that cannot work.
func (p DPoPPolicy) Check() error {
	switch {
	case p.Mode != DPoPOptional && p.Mode != DPoPRequired:
		return &PolicyError{"Mode", `must be "optional" or "required", not "` + string(p.Mode) + `"`}
	case p.Window < time.Second || p.Window%time.Second != 0:
		return &PolicyError{"Window", "must be a whole number of seconds, at least 1s, not " + p.Window.String()}
	case len(p.Algorithms) == 0:
		return &PolicyError{"Algorithms", "must name at least one algorithm"}
	}
	for _, a := range p.Algorithms {
		if !slices.Contains(SupportedDPoPAlgorithms, a) {
			return &PolicyError{"Algorithms", "may hold " + strings.Join(SupportedDPoPAlgorithms, ", ") + `, not "` + a + `"`}
		}
	}
	return nil
}

// Required reports whether every token must be bound.
func (p DPoPPolicy) Required() bool { return p.Mode == DPoPRequired }

// CheckProof judges a verified proof against the request at now (RFC 9449
// §4.3, checks 5 and 8 to 11): alg one of the policy's, htm the request's
// method, htu its URL (compared
// after normalization, see SameURL), iat no more than Window before now and
// no more than DPoPMaxAhead (or Window if shorter) after it, ath the
// hash of accessToken when one is presented (resource requests; the token
// endpoints pass ""), and, when the policy asks for nonces, a nonce that
// nonces accepts at now. jti replay is the caller's to check, against a
// shared cache. Every failure is a *ProofError.
func (p DPoPPolicy) CheckProof(pr Proof, req ProofRequest, accessToken string, now time.Time, nonces DPoPNonces) error {
	switch {
	case !slices.Contains(p.Algorithms, pr.Algorithm):
		return InvalidProof("alg")
	case pr.Method != req.Method:
		return InvalidProof("htm")
	case !SameURL(pr.URL, req.URL):
		return InvalidProof("htu")
	case pr.IssuedAt.After(now.Add(min(DPoPMaxAhead, p.Window))):
		return InvalidProof("iat in the future")
	case pr.IssuedAt.Before(now.Add(-p.Window)):
		return InvalidProof("iat too old")
	}
	if accessToken != "" {
		want := AccessTokenHash(accessToken)
		if subtle.ConstantTimeCompare([]byte(pr.AccessTokenHash), []byte(want)) != 1 {
			return InvalidProof("ath")
		}
	}
	if p.Nonce && !nonces.Valid(pr.Nonce, now) {
		return &ProofError{Err: ErrUseDPoPNonce, Reason: "nonce"}
	}
	return nil
}

// ReplayUntil is the instant after which a proof can no longer be accepted
// (its iat plus the window, plus the second iat was truncated to), so its
// jti need not be remembered longer. Since CheckProof refuses an iat more
// than DPoPMaxAhead ahead, that is at most Window plus six seconds after
// the proof was accepted.
func (p DPoPPolicy) ReplayUntil(pr Proof) time.Time {
	return pr.IssuedAt.Add(p.Window + time.Second)
}

// ReplayKey returns the key a replay cache remembers a proof by: 128 bits of
// SHA-256 over the key's thumbprint and the jti, in base64url (22
// characters), so stores hold keys of one small size whatever jti a client
// chose, and one client's jti cannot collide with another's.
func ReplayKey(pr Proof) string {
	sum := sha256.Sum256([]byte(strconv.Itoa(len(pr.JKT)) + ":" + pr.JKT + pr.ID))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// AccessTokenHash returns the ath of a token: base64url(SHA-256(token)).
func AccessTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// SameURL reports whether two htu values name the same URL under RFC 9449
// §4.3: query and fragment ignored, then the syntax- and scheme-based
// normalization of RFC 3986 §6.2.2 and §6.2.3 (scheme and host case,
// default ports, an empty path as "/", percent-encoding case and
// unreserved characters). Anything that is not an absolute http or https
// URL matches nothing.
func SameURL(a, b string) bool {
	na, ok := normalURL(a)
	if !ok {
		return false
	}
	nb, ok := normalURL(b)
	return ok && na == nb
}

func normalURL(s string) (string, bool) {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.Opaque != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" || u.Host == "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") { // an IPv6 literal
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host += ":" + port
	}
	path := normalPath(u.EscapedPath())
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, true
}

// normalPath upper-cases percent-encodings and decodes those of unreserved
// characters (RFC 3986 §6.2.2.1 and §6.2.2.2).
func normalPath(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			c := unhex(p[i+1])<<4 | unhex(p[i+2])
			if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
				b.WriteByte(c)
			} else {
				b.WriteString(strings.ToUpper(p[i : i+3]))
			}
			i += 2
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// DPoPNonces makes and checks server nonces (RFC 9449 §8) without state:
// a nonce is an HMAC of the current period's number, so every instance
// that shares the key accepts every other's nonces, and a nonce stays good
// for its period and the next.
type DPoPNonces struct {
	Key    []byte
	Period time.Duration
}

// Current returns the nonce to hand out at now.
func (n DPoPNonces) Current(now time.Time) string { return n.at(n.period(now)) }

// Valid reports whether nonce is the current or the previous period's.
func (n DPoPNonces) Valid(nonce string, now time.Time) bool {
	if len(n.Key) == 0 || nonce == "" {
		return false
	}
	p := n.period(now)
	return subtle.ConstantTimeCompare([]byte(nonce), []byte(n.at(p))) == 1 ||
		subtle.ConstantTimeCompare([]byte(nonce), []byte(n.at(p-1))) == 1
}

func (n DPoPNonces) period(now time.Time) int64 {
	d := n.Period
	if d <= 0 {
		d = time.Minute
	}
	return now.UnixNano() / int64(d)
}

func (n DPoPNonces) at(period int64) string {
	m := hmac.New(sha256.New, n.Key)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(period))
	m.Write(b[:])
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}
