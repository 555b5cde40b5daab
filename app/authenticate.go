package app

import (
	"context"

	"github.com/authd/authd/domain"
)

// Principal is the caller an access token identifies.
type Principal struct {
	UserID    string
	Username  string
	SessionID string
}

// Authenticate checks an access token without reading any store: the
// signature and claims through the verifier, and the session against the
// in-process list of revoked sessions. It returns domain.ErrTokenMissing for
// an empty token, the verifier's token errors, and domain.ErrSessionRevoked
// when the token's session was revoked.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, domain.ErrTokenMissing
	}
	now := s.clock.Now()
	c, err := s.verifier.Verify(ctx, token, domain.Access, now)
	if err != nil {
		return Principal{}, err
	}
	if s.revoked.has(c.SessionID, now) {
		return Principal{}, domain.ErrSessionRevoked
	}
	return Principal{UserID: c.Subject, Username: c.Username, SessionID: c.SessionID}, nil
}
