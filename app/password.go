package app

import (
	"context"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
)

// ChangePassword changes the password of the access token's user. The
// token goes through the acceptance gate as at Authenticate (a bound one
// needs its proof); the current password is checked exactly as a login
// checks it, under the login throttle, so a stolen access token cannot
// guess it faster than a login could, and a wrong one is
// domain.ErrInvalidCredentials and counts; the new password meets the
// sign-up rules. Only then is the new hash stored, in one write, so any
// failure before it leaves the old password working. Every other session
// of the user is revoked (their access tokens fail on every instance
// within the revocation bound); the caller's own session goes on.
func (s *Service) ChangePassword(ctx context.Context, token string, dpop domain.ProofRequest, current, next, clientIP string) error {
	if s.accounts == nil {
		return errNoAccounts
	}
	if token == "" {
		return domain.ErrTokenMissing
	}
	now := s.clock.Now()
	a, err := s.accept(ctx, token, presentation{kind: domain.Access, proof: dpop, resource: true}, now)
	if err != nil {
		return err
	}
	c := a.claims
	if current == "" || next == "" {
		return domain.ErrCredentialsMissing
	}
	if err := s.judgeNewPassword(c.Username, next); err != nil {
		return err
	}
	cred := domain.Credentials{Username: c.Username, Password: current}
	u, err := s.checkThrottled(ctx, cred, clientIP, now, nil)
	if err != nil {
		return err
	}
	if u.ID != c.Subject {
		// The name now belongs to another account (the token's was
		// deleted and the name signed up again): not this token's user.
		return domain.ErrInvalidCredentials
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if err := s.accounts.SetPassword(ctx, u.ID, hash); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	s.record(ctx, now, domain.AuditEvent{Kind: domain.AuditPasswordChanged, UserID: u.ID, Username: u.Username, ClientID: c.ClientID})
	return s.revokeOthers(ctx, u.ID, c.SessionID, now)
}

// revokeOthers revokes every live session of the user but keep.
func (s *Service) revokeOthers(ctx context.Context, userID, keep string, now time.Time) error {
	list, err := s.sessions.UserSessions(ctx, userID, now)
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	for _, sess := range list {
		if sess.ID == keep {
			continue
		}
		revoked, err := s.sessions.RevokeSession(ctx, sess.ID, domain.ReasonAdmin, now)
		if err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
		s.noteRevoked(now, revoked)
	}
	return nil
}
