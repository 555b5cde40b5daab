package app

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/domain"
)

// Introspect returns the claims of a token that is accepted at this instant
// (RFC 7662): an access token exactly when Authenticate would accept it, and
// a refresh token while it is the current one of a live session, that is,
// while presenting it would rotate the session. hint, domain.Access or
// domain.Refresh, only decides which kind is tried first; 0 tries access
// first. Any error means the token is not active: the verifier's token
// errors, domain.ErrSessionRevoked, domain.ErrSessionExpired,
// domain.ErrRefreshReused for a refresh token already rotated, and an error
// wrapping domain.ErrUnavailable when the session store cannot say.
func (s *Service) Introspect(ctx context.Context, token string, hint domain.TokenKind) (domain.Claims, error) {
	if token == "" {
		return domain.Claims{}, domain.ErrTokenMissing
	}
	now := s.clock.Now()
	access := func() (domain.Claims, error) {
		a, err := s.accept(ctx, token, presentation{kind: domain.Access, inspect: true}, now)
		return a.claims, err
	}
	refresh := func() (domain.Claims, error) { return s.currentRefresh(ctx, token, now) }
	first, second := access, refresh
	if hint == domain.Refresh {
		first, second = refresh, access
	}
	c, err := first()
	if err == nil || !isWrongKind(err) {
		return c, err
	}
	return second()
}

// currentRefresh returns the claims of a refresh token that is the current
// one of a live session at now, without changing the session. (Unlike
// current, it calls the grace window's predecessor inactive: presenting it
// would not rotate the session.)
func (s *Service) currentRefresh(ctx context.Context, token string, now time.Time) (domain.Claims, error) {
	a, err := s.accept(ctx, token, presentation{kind: domain.Refresh, inspect: true}, now)
	if err != nil {
		return domain.Claims{}, err
	}
	if err := a.session.Current(a.claims.Generation, now); err != nil {
		return domain.Claims{}, err
	}
	return a.claims, nil
}

// isWrongKind reports whether a verification error may only mean that the
// token is of the other kind, so the other kind is worth a try.
func isWrongKind(err error) bool {
	var te *domain.TokenError
	return errors.As(err, &te) && errors.Is(err, domain.ErrInvalidToken)
}
