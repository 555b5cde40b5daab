package authclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// MinRefetch is the least time between two JWKS fetches caused by unknown
// kids, so a flood of tokens with made-up kids cannot turn into a flood of
// requests to authd.
const MinRefetch = 30 * time.Second

// ErrInvalidToken is what every verification failure is.
var ErrInvalidToken = errors.New("authclient: invalid access token")

// VerifierConfig configures a Verifier. JWKSURL and Clock are required;
// the rest default to authd's own defaults (domain.DefaultPolicy,
// domain.DefaultDPoPPolicy), and must match the authd's settings they name.
type VerifierConfig struct {
	JWKSURL  string // e.g. http://authd:5000/.well-known/jwks.json
	Issuer   string // AUTH_ISSUER
	Audience string // AUTH_AUDIENCE
	Leeway   time.Duration
	// AccessTTL is the longest access-token lifetime accepted
	// (AUTH_ACCESS_TTL): a token whose exp lies further from its iat is
	// refused, as authd refuses it.
	AccessTTL time.Duration
	// ServiceTTL is the longest service-token lifetime accepted
	// (AUTH_SERVICE_TOKEN_TTL); 0 means AccessTTL, as at authd.
	ServiceTTL time.Duration
	Clock      ports.Clock
	HTTP       *http.Client
	// PublicURL is the base URL clients reach this service at, which the
	// htu of their DPoP proofs names, such as https://api.example. It is
	// required to accept DPoP-bound tokens: without it every bound token is
	// refused, since a request's Host is the client's to choose (a proof
	// made for another service would pass if the URL came from it).
	PublicURL string
	// DPoPWindow is how old a proof's iat may be (AUTH_DPOP_WINDOW).
	DPoPWindow time.Duration
}

// Verifier checks authd's access tokens in another service, with nothing
// but the public keys. It cannot see revocations: a revoked session's access
// token passes here until its exp, at most one access TTL, which is the
// price of not calling authd on every request.
type Verifier struct {
	cfg    VerifierConfig
	policy domain.Policy     // authd's rules, with this service's settings
	dpop   domain.DPoPPolicy // likewise, for proofs
	proofs *jwx.ProofVerifier
	mu     sync.Mutex
	keys   *jwx.Keys // verify-only, from the JWKS; nil before the first fetch
	tokens *jwx.Verifier
	// lastFetch is when the keys were last fetched.
	lastFetch time.Time
	// fetching is closed when the fetch under way ends; nil when none is.
	// No lock is held while a fetch runs: requests whose kid is known are
	// served meanwhile, the others wait for that one fetch.
	fetching chan struct{}
	replays  *memory.Replays // the DPoP proofs already used
}

// NewVerifier returns a verifier; it fetches the keys on first use. Tokens
// and proofs are read by authd's own strict readers (adapters/jwx, ADR
// 0002) and judged by its own rules (domain.Policy, domain.DPoPPolicy).
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if cfg.JWKSURL == "" || cfg.Clock == nil {
		return nil, errors.New("authclient: JWKSURL and Clock are required")
	}
	policy, dpop := domain.DefaultPolicy(), domain.DefaultDPoPPolicy()
	if cfg.Issuer != "" {
		policy.Issuer = cfg.Issuer
	}
	if cfg.Audience != "" {
		policy.Audience = cfg.Audience
	}
	if cfg.AccessTTL > 0 {
		policy.AccessTTL = cfg.AccessTTL
	}
	policy.ServiceTTL = cfg.ServiceTTL
	if cfg.DPoPWindow > 0 {
		dpop.Window = cfg.DPoPWindow
	}
	policy.Leeway = cfg.Leeway
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 5 * time.Second}
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	proofs, err := jwx.NewProofVerifier(dpop.Algorithms)
	if err != nil {
		return nil, err
	}
	return &Verifier{cfg: cfg, policy: policy, dpop: dpop, proofs: proofs, replays: memory.NewReplaysWithLimit(maxReplayKeys)}, nil
}

// verifierFor returns a token verifier holding the key with the kid,
// fetching the JWKS when the kid is unknown and the last fetch is older
// than MinRefetch. One fetch runs at a time, outside the lock.
func (v *Verifier) verifierFor(ctx context.Context, kid string) (*jwx.Verifier, error) {
	for {
		v.mu.Lock()
		if v.keys != nil && v.keys.Has(kid) {
			tokens := v.tokens
			v.mu.Unlock()
			return tokens, nil
		}
		if wait := v.fetching; wait != nil {
			v.mu.Unlock()
			select {
			case <-wait:
				continue // look again in what it fetched
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		now := v.cfg.Clock.Now()
		if v.keys != nil && now.Sub(v.lastFetch) < MinRefetch {
			v.mu.Unlock()
			return nil, fmt.Errorf("%w: unknown kid", ErrInvalidToken)
		}
		v.lastFetch = now
		done := make(chan struct{})
		v.fetching = done
		v.mu.Unlock()

		keys, err := v.fetch(ctx)
		v.mu.Lock()
		if err == nil {
			v.keys, v.tokens = keys, jwx.NewVerifier(keys)
		}
		tokens := v.tokens
		v.fetching = nil
		close(done)
		v.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if keys.Has(kid) {
			return tokens, nil
		}
		return nil, fmt.Errorf("%w: unknown kid", ErrInvalidToken)
	}
}

func (v *Verifier) fetch(ctx context.Context) (*jwx.Keys, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.cfg.JWKSURL, nil)
	if err != nil {
		return nil, err
	}
	res, err := v.cfg.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("authclient: fetch JWKS: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("authclient: fetch JWKS: status %d", res.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("authclient: fetch JWKS: %w", err)
	}
	keys, err := jwx.ParsePublicKeySet(data)
	if err != nil {
		return nil, fmt.Errorf("authclient: JWKS: %w", err)
	}
	return keys, nil
}

// Verify checks an access token as authd does: the strict reader and the
// signature check of adapters/jwx with the published key its kid names, in
// that key's algorithm only, then domain.Policy (typ, type, iss, aud,
// lifetime, nbf, exp) at the clock's now. It returns the claims, or an
// error wrapping ErrInvalidToken (or a fetch error when the keys cannot be
// had). It cannot see revocations.
func (v *Verifier) Verify(ctx context.Context, token string) (Claims, error) {
	kid, err := jwx.TokenKeyID(token)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	tokens, err := v.verifierFor(ctx, kid)
	if err != nil {
		return Claims{}, err
	}
	c, err := tokens.Verify(ctx, token, domain.Access)
	if err == nil {
		c, err = v.policy.Validate(c, domain.Access, v.cfg.Clock.Now())
	}
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return claimsOf(c), nil
}

// claimsOf is the client's view of verified claims.
func claimsOf(c domain.Claims) Claims {
	out := Claims{
		Subject: c.Subject, Username: c.Username, SessionID: c.SessionID, ID: c.ID,
		Type: c.Kind.String(), IssuedAt: c.IssuedAt.Unix(), ExpiresAt: c.ExpiresAt.Unix(),
	}
	out.Cnf.JKT = c.JKT
	return out
}

type claimsKey struct{}

// ClaimsFrom returns the claims Middleware verified for the request.
func ClaimsFrom(ctx context.Context) (Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(Claims)
	return c, ok
}

// VerifyRequest checks the request's access token as Verify does and, when
// the token is bound to a DPoP key (cnf.jkt), that it came with the DPoP
// scheme and a valid proof of that key for this very request (RFC 9449
// §7.1). A bound token sent as a Bearer token, or an unbound one sent with
// the DPoP scheme, is invalid.
func (v *Verifier) VerifyRequest(r *http.Request) (Claims, error) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	dpop := strings.EqualFold(scheme, "DPoP")
	if !dpop && !strings.EqualFold(scheme, "Bearer") || token == "" {
		return Claims{}, errMissing
	}
	claims, err := v.Verify(r.Context(), token)
	if err != nil {
		return Claims{}, err
	}
	switch {
	case claims.Cnf.JKT == "" && dpop:
		return Claims{}, fmt.Errorf("%w: the DPoP scheme with an unbound token", errBinding)
	case claims.Cnf.JKT != "" && !dpop:
		return Claims{}, fmt.Errorf("%w: a DPoP-bound token sent as a bearer token", errBinding)
	case claims.Cnf.JKT != "":
		if err := v.checkProof(r, token, claims.Cnf.JKT); err != nil {
			return Claims{}, err
		}
	}
	return claims, nil
}

var (
	errMissing = errors.New("authclient: no access token")
	// errBinding is a token presented with the wrong scheme for its
	// binding: invalid_token, with a DPoP challenge.
	errBinding = fmt.Errorf("%w: DPoP binding", ErrInvalidToken)
)

// Middleware lets through only requests that VerifyRequest accepts, with
// the token's claims in the context (ClaimsFrom); others get 401 with a
// Bearer challenge, a DPoP one when DPoP was involved, or 503 when the keys
// cannot be fetched.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, err := v.VerifyRequest(r)
		scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		challenge := `Bearer realm="authd"`
		if strings.EqualFold(scheme, "DPoP") || errors.Is(err, ErrInvalidProof) || errors.Is(err, errBinding) {
			challenge = `DPoP realm="authd", algs="` + strings.Join(v.dpop.Algorithms, " ") + `"`
		}
		switch {
		case errors.Is(err, errMissing):
			deny(w, http.StatusUnauthorized, "token_missing", challenge)
			return
		case errors.Is(err, ErrInvalidProof):
			deny(w, http.StatusUnauthorized, "invalid_dpop_proof", challenge+`, error="invalid_dpop_proof"`)
			return
		case errors.Is(err, ErrInvalidToken):
			deny(w, http.StatusUnauthorized, "invalid_token", challenge+`, error="invalid_token"`)
			return
		case err != nil:
			deny(w, http.StatusServiceUnavailable, "unavailable", "")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, claims)))
	})
}

func deny(w http.ResponseWriter, status int, code, challenge string) {
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Error: code, Message: http.StatusText(status)})
}
