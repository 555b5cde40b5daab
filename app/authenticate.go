package app

import (
	"context"
	"time"

	"github.com/authd/authd/domain"
)

// Authenticate checks an access token without reading any store: the
// signature and shape through the verifier (or the cache of tokens that
// already passed it), the policy at now, and the session against the
// in-process list of revoked sessions (see verify). It returns domain.ErrTokenMissing for
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
// now. Authenticate and Introspect both judge tokens with it (through
// verify), so they cannot disagree.
func (s *Service) acceptAccess(ctx context.Context, token string, now time.Time) (domain.Claims, error) {
	return s.verify(ctx, token, domain.Access, now)
}
