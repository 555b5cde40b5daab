package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/authd/authd/domain"
)

// Login checks the credentials and starts a session. It returns
// domain.ErrCredentialsMissing when a field is empty,
// domain.ErrInvalidCredentials for an unknown user or a wrong password (after
// the same amount of hashing work in both cases), and a
// *domain.RateLimitError, before any hashing, when the username or the
// client IP failed too often recently.
func (s *Service) Login(ctx context.Context, cred domain.Credentials, clientIP string) (domain.TokenPair, error) {
	if err := cred.Validate(); err != nil {
		return domain.TokenPair{}, err
	}
	now := s.clock.Now()
	keys := s.throttle.keys(cred.Username, clientIP)
	if err := s.throttle.check(ctx, s.failures, keys, now); err != nil {
		return domain.TokenPair{}, err
	}
	u, err := s.checkPassword(ctx, cred)
	if errors.Is(err, domain.ErrInvalidCredentials) {
		if ferr := s.throttle.fail(ctx, s.failures, keys, now); ferr != nil {
			return domain.TokenPair{}, ferr
		}
	}
	if err != nil {
		return domain.TokenPair{}, err
	}
	if err := s.failures.ResetFailures(ctx, keys[0].key); err != nil {
		return domain.TokenPair{}, fmt.Errorf("reset login failures: %w", err)
	}
	sess := domain.NewSession(s.ids.NewID(), u, now, s.policy)
	if err := s.sessions.CreateSession(ctx, sess); err != nil {
		return domain.TokenPair{}, fmt.Errorf("create session: %w", err)
	}
	return s.issuePair(ctx, sess, now, cred.ClientID)
}

// checkPassword returns the user whose password it is, or
// domain.ErrInvalidCredentials.
func (s *Service) checkPassword(ctx context.Context, cred domain.Credentials) (domain.User, error) {
	u, err := s.users.UserByUsername(ctx, cred.Username)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		// Spend what a real check costs, so response time does not tell
		// which usernames exist.
		if err := s.hasher.VerifyDummy(ctx, cred.Password); !errors.Is(err, domain.ErrInvalidCredentials) {
			return domain.User{}, err
		}
		return domain.User{}, domain.ErrInvalidCredentials
	case err != nil:
		return domain.User{}, fmt.Errorf("find user: %w", err)
	}
	if err := s.hasher.Verify(ctx, u.PasswordHash, cred.Password); err != nil {
		return domain.User{}, err
	}
	return u, nil
}
