package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/authd/authd/domain"
)

// Logout revokes the session of a refresh token, or with all every session
// of its user. A well-signed token that expired, or whose session is already
// revoked or gone, is accepted and changes nothing, so logging out twice
// succeeds twice. It returns domain.ErrTokenMissing for an empty token and
// domain.ErrInvalidToken for anything that is not a well-signed refresh
// token of this issuer.
func (s *Service) Logout(ctx context.Context, token string, all bool) error {
	if token == "" {
		return domain.ErrTokenMissing
	}
	now := s.clock.Now()
	c, err := s.verify(ctx, token, domain.Refresh, now)
	if errors.Is(err, domain.ErrTokenExpired) {
		return nil
	}
	if err != nil {
		return err
	}
	if all {
		revoked, err := s.sessions.RevokeUserSessions(ctx, c.Subject, domain.ReasonLogout, now)
		if err != nil {
			return fmt.Errorf("revoke user sessions: %w", err)
		}
		s.noteRevoked(now, revoked...)
		return nil
	}
	sess, err := s.sessions.RevokeSession(ctx, c.SessionID, domain.ReasonLogout, now)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	s.noteRevoked(now, sess)
	return nil
}
