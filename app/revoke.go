package app

import (
	"context"

	"github.com/authd/authd/domain"
)

// Revoke ends the session of a token of either kind (RFC 7009): a refresh
// token's or an access token's session is revoked at once, and the access
// tokens of it fail from then on. A token that is invalid, expired, of
// another client than clientID (when both name one), or whose session is
// already revoked or gone changes nothing and is not an error, as RFC 7009
// §2.2 asks. It returns an error wrapping domain.ErrUnavailable when the
// store fails.
func (s *Service) Revoke(ctx context.Context, token, clientID string, hint domain.TokenKind) error {
	if token == "" {
		return nil
	}
	now := s.clock.Now()
	kinds := []domain.TokenKind{domain.Refresh, domain.Access}
	if hint == domain.Access {
		kinds[0], kinds[1] = kinds[1], kinds[0]
	}
	for _, kind := range kinds {
		c, err := s.verify(ctx, token, kind, now)
		if err != nil {
			continue
		}
		if !clientMayUse(c, clientID) {
			return nil
		}
		return s.endSession(ctx, c.SessionID, now)
	}
	return nil
}
