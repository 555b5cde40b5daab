package metrics

import (
	"context"
	"errors"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// accounts counts the outcomes of the self-service use cases.
type accounts struct {
	next ports.AccountService
	m    *Metrics
}

// WrapAccounts returns svc decorated with outcome counters.
func (m *Metrics) WrapAccounts(svc ports.AccountService) ports.AccountService {
	return &accounts{next: svc, m: m}
}

func (a *accounts) SignUp(ctx context.Context, cred domain.Credentials, ip string, dpop domain.ProofRequest) (domain.TokenPair, error) {
	p, err := a.next.SignUp(ctx, cred, ip, dpop)
	a.m.signUps.WithLabelValues(outcome(err)).Inc()
	return p, err
}

func (a *accounts) ChangePassword(ctx context.Context, token string, dpop domain.ProofRequest, current, next, ip string) error {
	err := a.next.ChangePassword(ctx, token, dpop, current, next, ip)
	a.m.passwordChanges.WithLabelValues(outcome(err)).Inc()
	return err
}

// admin counts the changes made through the administration use cases;
// reads are not counted (the HTTP metrics show them).
type admin struct {
	next ports.AdminService
	m    *Metrics
}

// WrapAdmin returns svc decorated with counters of its changes.
func (m *Metrics) WrapAdmin(svc ports.AdminService) ports.AdminService {
	return &admin{next: svc, m: m}
}

func (a *admin) CreateUser(ctx context.Context, actor domain.Actor, username, password string) (domain.User, error) {
	u, err := a.next.CreateUser(ctx, actor, username, password)
	a.m.adminActions.WithLabelValues("create", outcome(err)).Inc()
	return u, err
}

func (a *admin) ListUsers(ctx context.Context, after string, limit int) ([]domain.User, string, error) {
	return a.next.ListUsers(ctx, after, limit)
}

func (a *admin) User(ctx context.Context, username string) (domain.UserDetail, error) {
	return a.next.User(ctx, username)
}

func (a *admin) UpdateUser(ctx context.Context, actor domain.Actor, username string, change domain.UserChange) (domain.UserDetail, error) {
	d, err := a.next.UpdateUser(ctx, actor, username, change)
	a.m.adminActions.WithLabelValues("update", outcome(err)).Inc()
	return d, err
}

func (a *admin) DeleteUser(ctx context.Context, actor domain.Actor, username string) error {
	err := a.next.DeleteUser(ctx, actor, username)
	a.m.adminActions.WithLabelValues("delete", outcome(err)).Inc()
	return err
}

func (a *admin) Events(ctx context.Context, username string, after int64, limit int) ([]domain.AuditEvent, int64, error) {
	return a.next.Events(ctx, username, after, limit)
}

// signIn counts the outcomes of the code flow's use cases: the login
// page's sign-ins as logins, authorizations, code exchanges (a reused
// code as a revocation) and browser logouts (with the sessions they
// revoked).
type signIn struct {
	next ports.SignInService
	m    *Metrics
}

// WrapSignIn returns svc decorated with outcome counters.
func (m *Metrics) WrapSignIn(svc ports.SignInService) ports.SignInService {
	return &signIn{next: svc, m: m}
}

func (s *signIn) SignIn(ctx context.Context, cred domain.Credentials, ip string) (domain.SignIn, error) {
	in, err := s.next.SignIn(ctx, cred, ip)
	o := outcome(err)
	s.m.logins.WithLabelValues(o).Inc()
	if o == "rate_limited" || o == "unavailable" {
		s.m.throttles.WithLabelValues(o).Inc()
	}
	return in, err
}

func (s *signIn) Authorize(ctx context.Context, req domain.AuthRequest) (string, error) {
	code, err := s.next.Authorize(ctx, req)
	s.m.authorizations.WithLabelValues(outcome(err)).Inc()
	return code, err
}

func (s *signIn) ExchangeCode(ctx context.Context, x domain.CodeExchange) (domain.CodeGrant, error) {
	g, err := s.next.ExchangeCode(ctx, x)
	s.m.codeExchanges.WithLabelValues(outcome(err)).Inc()
	if errors.Is(err, domain.ErrCodeUsed) {
		s.m.revocations.WithLabelValues("code_reuse").Inc()
	}
	return g, err
}

func (s *signIn) IDTokenHint(ctx context.Context, token string) (domain.IDClaims, error) {
	return s.next.IDTokenHint(ctx, token)
}

func (s *signIn) SignOut(ctx context.Context, req domain.SignOut) (int, error) {
	n, err := s.next.SignOut(ctx, req)
	s.m.browserLogouts.WithLabelValues(outcome(err)).Inc()
	if n > 0 {
		s.m.revocations.WithLabelValues("browser_logout").Add(float64(n))
	}
	return n, err
}
