package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
)

// Logout revokes the session of a refresh token presented by the OAuth
// client clientID ("authd" on authd's own /logout/), or with all every
// session of its user. The token goes through the acceptance gate (see
// accept), so another client's token, or a bound session's token without
// its key's proof, changes nothing; and it must be the session's current
// refresh token (see current): an old, rotated one is refused, so a copy
// of a token the client has long replaced cannot end the session, let
// alone every session of the user. A well-signed token that expired, or
// whose session is already revoked, ended or gone, is accepted and changes
// nothing, so logging out twice succeeds twice. It returns
// domain.ErrTokenMissing for an empty token, domain.ErrInvalidToken for
// anything that is not a well-signed refresh token of this issuer, of this
// client, current in its session, and the DPoP errors.
func (s *Service) Logout(ctx context.Context, token, clientID string, all bool, dpop domain.ProofRequest) error {
	if token == "" {
		return domain.ErrTokenMissing
	}
	now := s.clock.Now()
	a, err := s.accept(ctx, token, presentation{kind: domain.Refresh, clientID: clientID, proof: dpop}, now)
	switch {
	case errors.Is(err, domain.ErrTokenExpired), errors.Is(err, domain.ErrSessionRevoked):
		return nil // over already
	case err != nil:
		return err
	case a.session.Revoked() || !now.Before(a.session.ExpiresAt):
		return nil // over already
	case !s.current(a.session, a.claims.Generation, now):
		return domain.InvalidToken("not the session's current refresh token")
	}
	if all {
		revoked, err := s.sessions.RevokeUserSessions(ctx, a.claims.Subject, domain.ReasonLogout, now)
		if err != nil {
			return fmt.Errorf("revoke user sessions: %w", err)
		}
		s.noteRevoked(now, revoked...)
		s.recordSessions(ctx, now, domain.AuditLogout, clientID, revoked...)
		return nil
	}
	return s.endSession(ctx, a.claims.SessionID, now, domain.AuditLogout, clientID)
}

// endSession revokes one session as logged out and puts it on the
// revocation list, so its access tokens fail at once, and records the
// event of the kind. A session the store no longer knows is over already,
// which is not an error.
func (s *Service) endSession(ctx context.Context, id string, now time.Time, kind domain.AuditKind, clientID string) error {
	sess, err := s.sessions.RevokeSession(ctx, id, domain.ReasonLogout, now)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	s.noteRevoked(now, sess)
	s.recordSessions(ctx, now, kind, clientID, sess)
	return nil
}
