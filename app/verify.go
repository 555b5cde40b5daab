package app

import (
	"context"
	"time"

	"github.com/authd/authd/domain"
)

// verify returns the claims of a token of the kind that is accepted at now.
// It is the one place every use case judges tokens: the verifier's checks
// of signature, typ and shape, then domain.Policy.Validate at now (kind,
// issuer, audience, lifetime, nbf and exp), then, for access tokens, the
// in-process list of revoked sessions. An access token found in the cache
// passed all of that when it was stored, and of it only the time rule can
// change its answer, so a hit runs Policy.ValidateTime alone (about 115 ns a
// hit rather than 145 with the whole policy). It returns the verifier's and the policy's token
// errors, and domain.ErrSessionRevoked.
func (s *Service) verify(ctx context.Context, token string, kind domain.TokenKind, now time.Time) (domain.Claims, error) {
	var c domain.Claims
	cached := false
	if kind == domain.Access {
		c, cached = s.cache.get(token)
	}
	if !cached {
		var err error
		if c, err = s.verifier.Verify(ctx, token, kind); err != nil {
			return domain.Claims{}, err
		}
	}
	var err error
	if cached {
		err = s.policy.ValidateTime(c, now)
	} else {
		c, err = s.policy.Validate(c, kind, now)
	}
	if err != nil {
		if cached {
			s.cache.drop(token) // it expired: forget it
		}
		return domain.Claims{}, err
	}
	if kind != domain.Access {
		return c, nil
	}
	if !cached {
		s.cache.put(token, c) // only a token that passed every check
	}
	if s.revoked.has(c.SessionID, now) {
		return domain.Claims{}, domain.ErrSessionRevoked
	}
	return c, nil
}

// presentation says how a use case was handed a token: of which kind, by
// which OAuth client, with which DPoP proof, and in what role.
type presentation struct {
	kind domain.TokenKind
	// clientID is the OAuth client presenting the token; "" only where no
	// client presents it (a resource request).
	clientID string
	proof    domain.ProofRequest
	// resource marks an access token in a resource request's Authorization
	// header, where a bound token needs the DPoP scheme and a proof with
	// its hash (ath).
	resource bool
	// inspect marks introspection: the caller asks what the token is and
	// acts with nothing, so the binding is reported, not checked.
	inspect bool
}

// accepted is a token the acceptance gate let through.
type accepted struct {
	claims domain.Claims
	// session is a refresh token's session, as read; zero for an access
	// token.
	session domain.Session
}

// accept is the acceptance gate: every use case that takes a token (to
// act with it: Authenticate, Refresh, Logout, Revoke; or to describe it:
// Introspect) gets its meaning here and nowhere else, so none can forget a
// check. In order: the token itself (verify: signature, shape, policy,
// revocation list); the client (a token issued to an OAuth client is that
// client's alone, and only while the client is listed, see clientMayUse); for a refresh token, its session
// (domain.ErrSessionRevoked when the store no longer has it); and the key
// binding (checkHolder: a bound token or session needs a proof of its key,
// spent only then). Nothing is changed before all of them passed. What
// each use case then does with a session's generation (rotate, replay,
// detect reuse, refuse a stale token) is its own rule, applied to what
// the gate returns.
func (s *Service) accept(ctx context.Context, token string, p presentation, now time.Time) (accepted, error) {
	c, err := s.verify(ctx, token, p.kind, now)
	if err != nil {
		return accepted{}, err
	}
	if err := s.clientMayUse(c, p); err != nil {
		return accepted{}, err
	}
	a := accepted{claims: c}
	jkt := c.JKT
	if p.kind == domain.Refresh {
		if a.session, err = s.session(ctx, c); err != nil {
			return accepted{}, err
		}
		jkt = a.session.JKT // the session holds a refresh token's binding
		a.claims.JKT = jkt
	}
	if p.inspect {
		return a, nil
	}
	access := ""
	if p.resource {
		access = token
	}
	if err := s.checkHolder(ctx, jkt, p.proof, access, now); err != nil {
		return accepted{}, err
	}
	return a, nil
}

// current reports whether a refresh token of generation gen is its
// session's current one at now, by the rotation rules themselves (see
// decide): one that presenting would rotate, or replay (inside the grace
// window, or as the retry of an unacknowledged rotation). Logout and
// Revoke act only on such a token; an older one is refused and changes
// nothing.
func (s *Service) current(sess domain.Session, gen uint64, now time.Time) bool {
	_, outcome, err := s.decide(sess, gen, now)
	return err == nil && (outcome == domain.Rotated || outcome == domain.Replayed)
}
