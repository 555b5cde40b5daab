package app

import (
	"context"
	"errors"

	"github.com/authd/authd/domain"
)

// Revoke ends the session of a token of either kind (RFC 7009) presented
// by the OAuth client clientID: a refresh token's or an access token's
// session is revoked at once, and the access tokens of it fail from then
// on. The token goes through the acceptance gate (see accept), like every
// use case's: a token of another client changes nothing, and a token of a
// DPoP-bound session needs a proof of its key (dpop; htu the revocation
// endpoint, no ath), without which the request is refused with the DPoP
// errors and nothing changes. A refresh token must be its session's
// current one (see current); an old, rotated one changes nothing. A token
// that is invalid, expired, of another client, rotated, or whose session
// is already revoked or gone changes nothing and is not an error, as RFC
// 7009 §2.2 asks. It returns an error wrapping domain.ErrUnavailable when
// the store fails.
func (s *Service) Revoke(ctx context.Context, token, clientID string, hint domain.TokenKind, dpop domain.ProofRequest) error {
	if token == "" {
		return nil
	}
	now := s.clock.Now()
	kinds := []domain.TokenKind{domain.Refresh, domain.Access}
	if hint == domain.Access {
		kinds[0], kinds[1] = kinds[1], kinds[0]
	}
	for _, kind := range kinds {
		a, err := s.accept(ctx, token, presentation{kind: kind, clientID: clientID, proof: dpop}, now)
		var pe *domain.ProofError
		switch {
		case errors.As(err, &pe), errors.Is(err, domain.ErrUnavailable):
			return err // the holder must prove its key; the store must answer
		case err != nil:
			continue // not this kind, or nothing to revoke
		case kind == domain.Refresh && !s.current(a.session, a.claims.Generation, now):
			return nil
		}
		return s.endSession(ctx, a.claims.SessionID, now, domain.AuditRevoke, clientID)
	}
	return nil
}
