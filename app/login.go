package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/authd/authd/domain"
)

// Login checks the credentials and starts a session. It returns
// domain.ErrCredentialsMissing when a field is empty and
// domain.ErrInvalidCredentials for an unknown user or a wrong password, after
// the same amount of hashing work in both cases.
func (s *Service) Login(ctx context.Context, cred domain.Credentials, clientIP string) (domain.TokenPair, error) {
	if err := cred.Validate(); err != nil {
		return domain.TokenPair{}, err
	}
	u, err := s.users.UserByUsername(ctx, cred.Username)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		// Spend what a real check costs, so response time does not tell
		// which usernames exist.
		if err := s.hasher.VerifyDummy(ctx, cred.Password); !errors.Is(err, domain.ErrInvalidCredentials) {
			return domain.TokenPair{}, err
		}
		return domain.TokenPair{}, domain.ErrInvalidCredentials
	case err != nil:
		return domain.TokenPair{}, fmt.Errorf("find user: %w", err)
	}
	if err := s.hasher.Verify(ctx, u.PasswordHash, cred.Password); err != nil {
		return domain.TokenPair{}, err
	}
	now := s.clock.Now()
	sess := domain.NewSession(s.ids.NewID(), u, now, s.policy)
	if err := s.sessions.CreateSession(ctx, sess); err != nil {
		return domain.TokenPair{}, fmt.Errorf("create session: %w", err)
	}
	return s.issuePair(ctx, sess, now)
}
