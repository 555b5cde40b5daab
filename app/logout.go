package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
)

// Logout revokes the session of a refresh token, or with all every session
// of its user. A well-signed token that expired, or whose session is already
// revoked or gone, is accepted and changes nothing, so logging out twice
// succeeds twice. It returns domain.ErrTokenMissing for an empty token and
// domain.ErrInvalidToken for anything that is not a well-signed refresh
// token of this issuer, and the DPoP errors when the session is bound and
// the request has no proof of its key.
func (s *Service) Logout(ctx context.Context, token string, all bool, dpop domain.ProofRequest) error {
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
	sess, err := s.session(ctx, c)
	if errors.Is(err, domain.ErrSessionRevoked) {
		return nil // gone already
	}
	if err != nil {
		return err
	}
	if err := s.checkHolder(ctx, sess.JKT, dpop, "", now); err != nil {
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
	return s.endSession(ctx, c.SessionID, now)
}

// endSession revokes one session as logged out and puts it on the
// revocation list, so its access tokens fail at once. A session the store
// no longer knows is over already, which is not an error.
func (s *Service) endSession(ctx context.Context, id string, now time.Time) error {
	sess, err := s.sessions.RevokeSession(ctx, id, domain.ReasonLogout, now)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	s.noteRevoked(now, sess)
	return nil
}
