package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
)

// errNoAccounts is what the account use cases answer when the service was
// built without a store that manages users.
var errNoAccounts = fmt.Errorf("app: no user administration store: %w", domain.ErrUnavailable)

// SignUp creates an account and logs it in. In order: the username's and
// password's rules (domain.ValidateNewUsername, domain.CheckNewPassword),
// which cost nothing; the DPoP proof as at Login; the sign-up throttle per
// address, where every attempt counts (a successful one adds a row, so
// successes are bounded too); the strength estimator; the hash; the store
// (domain.ErrUsernameTaken); then a session exactly as a login starts
// one, with its own audit event. An empty password is too short, not
// missing: sign-up has no seed behaviour to keep.
func (s *Service) SignUp(ctx context.Context, cred domain.Credentials, clientIP string, dpop domain.ProofRequest) (domain.TokenPair, error) {
	if s.accounts == nil {
		return domain.TokenPair{}, errNoAccounts
	}
	if err := domain.ValidateNewUsername(cred.Username); err != nil {
		return domain.TokenPair{}, err
	}
	if err := domain.CheckNewPassword(cred.Username, cred.Password); err != nil {
		return domain.TokenPair{}, err
	}
	now := s.clock.Now()
	proof, err := s.loginProof(ctx, dpop, now)
	if err != nil {
		return domain.TokenPair{}, err
	}
	if err := s.throttleSignUp(ctx, clientIP, now); err != nil {
		return domain.TokenPair{}, err
	}
	u, err := s.newUser(ctx, cred.Username, cred.Password, now)
	if err != nil {
		return domain.TokenPair{}, err
	}
	jkt := ""
	if proof != nil {
		if err := s.spendProof(ctx, *proof, clientIP, now); err != nil {
			return domain.TokenPair{}, err // the account exists: the client logs in
		}
		jkt = proof.JKT
	}
	s.record(ctx, now, domain.AuditEvent{Kind: domain.AuditSignedUp, UserID: u.ID, Username: u.Username, ClientID: cred.ClientID})
	sess := domain.NewSession(s.ids.NewID(), u, now, s.policy, jkt)
	if err := s.sessions.CreateSession(ctx, sess); err != nil {
		return domain.TokenPair{}, fmt.Errorf("create session: %w", err)
	}
	return s.issuePair(ctx, sess, now, grantOf(cred.ClientID, cred.Scope))
}

// throttleSignUp counts a sign-up attempt from the address and refuses it
// when the address made SignUpThrottle's limit of them in its window.
func (s *Service) throttleSignUp(ctx context.Context, clientIP string, now time.Time) error {
	if s.signups.MaxFailures <= 0 {
		return nil
	}
	k := throttleKey{key: "signup:" + domain.AddressGroup(clientIP), limit: s.signups}
	if err := s.throttle.check(ctx, s.failures, []throttleKey{k}, now); err != nil {
		return err
	}
	_, err := s.throttle.reserve(ctx, s.failures, []throttleKey{k}, now)
	return err
}

// judgeNewPassword applies every password rule: the domain's, then the
// strength estimator's with the username as a word it knows.
func (s *Service) judgeNewPassword(username, password string) error {
	if err := domain.CheckNewPassword(username, password); err != nil {
		return err
	}
	if s.strength != nil && s.strength.Guessable(password, username) {
		return &domain.PasswordError{Rule: domain.RuleCommon}
	}
	return nil
}

// newUser judges the username and password, hashes the password and
// stores the account, created at now.
func (s *Service) newUser(ctx context.Context, username, password string, now time.Time) (domain.User, error) {
	if err := domain.ValidateNewUsername(username); err != nil {
		return domain.User{}, err
	}
	if err := s.judgeNewPassword(username, password); err != nil {
		return domain.User{}, err
	}
	// A taken name is answered before the hash, which it would waste.
	if _, err := s.accounts.UserByUsername(ctx, username); err == nil {
		return domain.User{}, domain.ErrUsernameTaken
	} else if !errors.Is(err, domain.ErrNotFound) {
		return domain.User{}, fmt.Errorf("find user: %w", err)
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return domain.User{}, fmt.Errorf("hash password: %w", err)
	}
	u := domain.User{ID: s.ids.NewID(), Username: username, PasswordHash: hash, CreatedAt: now}
	if err := s.accounts.CreateUser(ctx, u); err != nil {
		return domain.User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}
