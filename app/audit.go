package app

import (
	"context"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// record writes the event to the audit trail at now, the instant the use
// case read from the clock, with the request id and client address the
// transport put in ctx (the event's own, when it has them). The actor is
// the user themself unless the event names another. Events never hold a
// secret: callers pass names and ids only. A store that fails loses the
// event, which is logged: the trail must not take logins down with it.
func (s *Service) record(ctx context.Context, now time.Time, e domain.AuditEvent) {
	if s.audit == nil {
		return
	}
	req := domain.RequestOf(ctx)
	e.At = now
	if e.Actor == "" {
		e.Actor = domain.ActorSelf
	}
	if e.RequestID == "" {
		e.RequestID = req.ID
	}
	if e.ClientIP == "" {
		e.ClientIP = req.ClientIP
	}
	if len(e.Username) > domain.MaxAuditUsernameBytes {
		e.Username = e.Username[:domain.MaxAuditUsernameBytes]
	}
	if err := s.audit.Record(ctx, e); err != nil && s.log != nil {
		s.log.Warn("audit: event not recorded", ports.F("kind", string(e.Kind)), ports.F("error", err.Error()))
	}
}

// recordSessions records one event of the kind for each session, as the
// user's own act.
func (s *Service) recordSessions(ctx context.Context, now time.Time, kind domain.AuditKind, clientID string, sessions ...domain.Session) {
	for _, sess := range sessions {
		s.record(ctx, now, domain.AuditEvent{Kind: kind, UserID: sess.UserID, Username: sess.Username, ClientID: clientID})
	}
}

// Events returns a page of the audit trail; see ports.AdminService.
func (s *Service) Events(ctx context.Context, username string, after int64, limit int) ([]domain.AuditEvent, int64, error) {
	if s.audit == nil {
		return nil, 0, nil
	}
	limit = pageSize(limit)
	list, err := s.audit.Events(ctx, username, after, limit+1)
	if err != nil {
		return nil, 0, err
	}
	if len(list) <= limit {
		return list, 0, nil
	}
	list = list[:limit]
	return list, list[limit-1].ID, nil
}

// DefaultPageSize and MaxPageSize bound the pages of the admin lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// pageSize returns the page size asked for, within 1 and MaxPageSize
// (DefaultPageSize when none was asked for).
func pageSize(n int) int {
	switch {
	case n <= 0:
		return DefaultPageSize
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}
