package app

import (
	"context"

	"github.com/authd/authd/domain"
)

// Authenticate checks an access token without reading any store, through
// the acceptance gate (see accept): the signature and shape through the
// verifier (or the cache of tokens that already passed it), the policy at
// now, the session against the in-process list of revoked sessions, then
// the DPoP binding of a bound token, whose proof must come with the DPoP
// scheme and the token's hash. It returns domain.ErrTokenMissing for an
// empty token, the verifier's token errors, domain.ErrSessionRevoked when
// the token's session was revoked, and the DPoP errors.
func (s *Service) Authenticate(ctx context.Context, token string, dpop domain.ProofRequest) (domain.Principal, error) {
	if token == "" {
		return domain.Principal{}, domain.ErrTokenMissing
	}
	now := s.clock.Now()
	// The token may come from the cache; its proof never does.
	a, err := s.accept(ctx, token, presentation{kind: domain.Access, proof: dpop, resource: true}, now)
	if err != nil {
		return domain.Principal{}, err
	}
	c := a.claims
	if c.Service() {
		return domain.Principal{ClientID: c.ClientID, Scope: c.Scope, Service: true}, nil
	}
	return domain.Principal{UserID: c.Subject, Username: c.Username, SessionID: c.SessionID, JKT: c.JKT,
		ClientID: c.ClientID, Scope: c.Scope}, nil
}
