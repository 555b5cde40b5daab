package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
)

// Sessions lists the live sessions of the principal's user, oldest first.
// It returns an error wrapping domain.ErrUnavailable when the store fails.
func (s *Service) Sessions(ctx context.Context, p domain.Principal) ([]domain.SessionInfo, error) {
	if err := p.RequireUser(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	list, err := s.sessions.UserSessions(ctx, p.UserID, now)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	out := make([]domain.SessionInfo, 0, len(list))
	for _, sess := range list {
		out = append(out, domain.SessionInfo{
			ID: sess.ID, CreatedAt: sess.CreatedAt, LastUsedAt: sess.LastUsedAt,
			ExpiresAt: sess.ExpiresAt, Current: sess.ID == p.SessionID,
		})
	}
	return out, nil
}

// RevokeSession revokes one of the principal's own sessions. It returns
// domain.ErrNotFound when no session has the id or it belongs to another
// user, so a caller cannot probe for other users' session ids.
func (s *Service) RevokeSession(ctx context.Context, p domain.Principal, id string) error {
	if err := p.RequireUser(); err != nil {
		return err
	}
	now := s.clock.Now()
	sess, err := s.sessions.Session(ctx, id)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && sess.UserID != p.UserID) {
		return domain.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("load session: %w", err)
	}
	revoked, err := s.sessions.RevokeSession(ctx, id, domain.ReasonLogout, now)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	s.noteRevoked(now, revoked)
	s.recordSessions(ctx, now, domain.AuditRevoke, "", revoked)
	return nil
}

// AuditRetention is how long the audit trail keeps an event: a year, for
// the questions a security review asks about last quarter.
const AuditRetention = 365 * 24 * time.Hour

// Purge lets the session store forget sessions none of whose tokens can be
// accepted any more, the failure log forget failures that have left every
// throttle window, the known-address store addresses unused for
// KnownAddressTTL, and the replay cache forget DPoP proofs past their
// window. It returns how many sessions it removed.
//
// It judges at the earlier of the clock port's instant and notAfter, which
// the caller reads from the real clock: forgetting cannot be undone, so a
// clock that was moved forward (the development clock's {"advance":"25h"},
// or a wall clock that jumps) must not make it forget sessions that are
// live in real time, or failures still inside their window.
func (s *Service) Purge(ctx context.Context, notAfter time.Time) (int, error) {
	now := s.clock.Now()
	if notAfter.Before(now) {
		now = notAfter
	}
	if _, err := s.failures.PurgeFailures(ctx, now.Add(-s.throttle.window())); err != nil {
		return 0, fmt.Errorf("purge login failures: %w", err)
	}
	if s.known != nil {
		if _, err := s.known.PurgeAddresses(ctx, now.Add(-KnownAddressTTL)); err != nil {
			return 0, fmt.Errorf("purge known addresses: %w", err)
		}
	}
	if _, err := s.replays.PurgeReplays(ctx, now); err != nil {
		return 0, fmt.Errorf("purge DPoP proofs: %w", err)
	}
	if s.oidc.on() {
		if _, err := s.oidc.Codes.PurgeCodes(ctx, now); err != nil {
			return 0, fmt.Errorf("purge authorization codes: %w", err)
		}
		if _, err := s.oidc.Browsers.PurgeBrowserSessions(ctx, now); err != nil {
			return 0, fmt.Errorf("purge browser sessions: %w", err)
		}
	}
	if s.audit != nil {
		if _, err := s.audit.PurgeEvents(ctx, now.Add(-AuditRetention)); err != nil {
			return 0, fmt.Errorf("purge audit events: %w", err)
		}
	}
	return s.sessions.PurgeSessions(ctx, now)
}
