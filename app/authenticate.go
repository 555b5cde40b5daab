package app

import (
	"context"
	"time"

	"github.com/authd/authd/domain"
)

// Authenticate checks an access token without reading any store: the
// signature and claims through the verifier (or the cache of tokens that
// already passed it, re-checked against the policy at now), and the session
// against the in-process list of revoked sessions. It returns domain.ErrTokenMissing for
// an empty token, the verifier's token errors, and domain.ErrSessionRevoked
// when the token's session was revoked.
func (s *Service) Authenticate(ctx context.Context, token string) (domain.Principal, error) {
	if token == "" {
		return domain.Principal{}, domain.ErrTokenMissing
	}
	c, err := s.acceptAccess(ctx, token, s.clock.Now())
	if err != nil {
		return domain.Principal{}, err
	}
	return domain.Principal{UserID: c.Subject, Username: c.Username, SessionID: c.SessionID}, nil
}

// acceptAccess returns the claims of an access token that is accepted at
// now: verified (or found in the cache and re-checked for time) and of a
// session that is not on the revocation list. Authenticate and Introspect
// both judge tokens with it, so they cannot disagree.
func (s *Service) acceptAccess(ctx context.Context, token string, now time.Time) (domain.Claims, error) {
	c, err := s.verifyAccess(token, now, func() (domain.Claims, error) {
		return s.verifier.Verify(ctx, token, domain.Access, now)
	})
	if err != nil {
		return domain.Claims{}, err
	}
	if s.revoked.has(c.SessionID, now) {
		return domain.Claims{}, domain.ErrSessionRevoked
	}
	return c, nil
}
