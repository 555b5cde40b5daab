package metrics

import (
	"context"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// service counts the outcomes of the use cases it decorates.
type service struct {
	next ports.AuthService
	m    *Metrics
}

// Wrap returns svc decorated with outcome counters.
func (m *Metrics) Wrap(svc ports.AuthService) ports.AuthService { return &service{next: svc, m: m} }

// outcome names an error for a metric label: "success", or the contract's
// error code (domain.Code), so labels and response bodies use one table.
func outcome(err error) string {
	if err == nil {
		return "success"
	}
	return domain.Code(err)
}

func (s *service) Login(ctx context.Context, cred domain.Credentials, ip string, dpop domain.ProofRequest) (domain.TokenPair, error) {
	p, err := s.next.Login(ctx, cred, ip, dpop)
	o := outcome(err)
	s.m.logins.WithLabelValues(o).Inc()
	if o == "rate_limited" || o == "unavailable" {
		s.m.throttles.WithLabelValues(o).Inc()
	}
	return p, err
}

func (s *service) Refresh(ctx context.Context, token, clientID string, dpop domain.ProofRequest) (domain.TokenPair, error) {
	p, err := s.next.Refresh(ctx, token, clientID, dpop)
	s.countRefresh(err)
	return p, err
}

// countRefresh counts a refresh's outcome, and a detected reuse.
func (s *service) countRefresh(err error) {
	o := outcome(err)
	s.m.refreshes.WithLabelValues(o).Inc()
	if o == "refresh_token_reused" {
		s.m.reuse.Inc()
		s.m.revocations.WithLabelValues(string(domain.ReasonReuse)).Inc()
	}
}

func (s *service) RefreshScope(ctx context.Context, token, clientID, scope string, dpop domain.ProofRequest) (domain.TokenPair, error) {
	p, err := s.next.RefreshScope(ctx, token, clientID, scope, dpop)
	s.countRefresh(err)
	return p, err
}

func (s *service) IssueServiceToken(ctx context.Context, client domain.Client, scope string) (domain.ServiceToken, error) {
	return s.next.IssueServiceToken(ctx, client, scope)
}

func (s *service) Authenticate(ctx context.Context, token string, dpop domain.ProofRequest) (domain.Principal, error) {
	return s.next.Authenticate(ctx, token, dpop)
}

func (s *service) DPoPNonce(ctx context.Context) string { return s.next.DPoPNonce(ctx) }

func (s *service) Introspect(ctx context.Context, token string, hint domain.TokenKind) (domain.Claims, error) {
	return s.next.Introspect(ctx, token, hint)
}

func (s *service) Revoke(ctx context.Context, token, clientID string, hint domain.TokenKind, dpop domain.ProofRequest) error {
	err := s.next.Revoke(ctx, token, clientID, hint, dpop)
	if err == nil {
		s.m.revocations.WithLabelValues("oauth_revoke").Inc()
	}
	return err
}

func (s *service) Logout(ctx context.Context, token, clientID string, all bool, dpop domain.ProofRequest) error {
	err := s.next.Logout(ctx, token, clientID, all, dpop)
	if err == nil {
		reason := "logout"
		if all {
			reason = "logout_all"
		}
		s.m.revocations.WithLabelValues(reason).Inc()
	}
	return err
}

func (s *service) Sessions(ctx context.Context, p domain.Principal) ([]domain.SessionInfo, error) {
	return s.next.Sessions(ctx, p)
}

func (s *service) RevokeSession(ctx context.Context, p domain.Principal, id string) error {
	err := s.next.RevokeSession(ctx, p, id)
	if err == nil {
		s.m.revocations.WithLabelValues("session_deleted").Inc()
	}
	return err
}
