package app

import (
	"context"
	"time"

	"github.com/authd/authd/domain"
)

// Authenticate checks an access token without reading any store: the
// signature and shape through the verifier (or the cache of tokens that
// already passed it), the policy at now, and the session against the
// in-process list of revoked sessions (see verify), then the DPoP binding
// of a bound token (see checkHolder). It returns domain.ErrTokenMissing for
// an empty token, the verifier's token errors, domain.ErrSessionRevoked
// when the token's session was revoked, and the DPoP errors.
func (s *Service) Authenticate(ctx context.Context, token string, dpop domain.ProofRequest) (domain.Principal, error) {
	if token == "" {
		return domain.Principal{}, domain.ErrTokenMissing
	}
	now := s.clock.Now()
	c, err := s.acceptAccess(ctx, token, now)
	if err != nil {
		return domain.Principal{}, err
	}
	// The token may come from the cache; its proof never does.
	if err := s.checkHolder(ctx, c.JKT, dpop, token, now); err != nil {
		return domain.Principal{}, err
	}
	return domain.Principal{UserID: c.Subject, Username: c.Username, SessionID: c.SessionID, JKT: c.JKT}, nil
}

// acceptAccess returns the claims of an access token that is accepted at
// now. Authenticate and Introspect both judge tokens with it (through
// verify), so they cannot disagree.
func (s *Service) acceptAccess(ctx context.Context, token string, now time.Time) (domain.Claims, error) {
	return s.verify(ctx, token, domain.Access, now)
}
