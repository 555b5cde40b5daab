package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
)

// Login checks the credentials and starts a session. It returns
// domain.ErrCredentialsMissing when a field is empty,
// domain.ErrInvalidCredentials for an unknown user or a wrong password (after
// the same amount of hashing work in both cases), and a
// *domain.RateLimitError, before any hashing, when the username or the
// client IP failed too often recently, or the account is being guessed
// from addresses it does not know (see throttle). The attempt is recorded
// before the hash and taken back unless the password was wrong, so
// concurrent guesses cannot overrun a limit. A login that presents a valid
// device token of its username is judged by that token's limit instead;
// every successful login hands out a new device token (when they are on).
//
// A request with a DPoP proof gets a session bound to the proof's key. The
// proof is judged first (a broken one, or none when the policy requires
// one, is a *domain.ProofError before any throttle record or hashing) but
// spent only once the password proved right: a throttled or failed login
// leaves nothing in the replay cache, so logins cannot fill it. A replayed
// proof with the right password is refused, and is not counted as a guess.
func (s *Service) Login(ctx context.Context, cred domain.Credentials, clientIP string, dpop domain.ProofRequest) (domain.TokenPair, error) {
	if err := cred.Validate(); err != nil {
		return domain.TokenPair{}, err
	}
	now := s.clock.Now()
	proof, err := s.loginProof(ctx, dpop, now)
	if err != nil {
		return domain.TokenPair{}, err
	}
	jkt := ""
	u, err := s.checkThrottled(ctx, cred, clientIP, now, func() error {
		if proof == nil {
			return nil
		}
		if err := s.spendProof(ctx, *proof, clientIP, now); err != nil {
			return err // the right password with a used proof: a replay, not a guess
		}
		jkt = proof.JKT
		return nil
	})
	if err != nil {
		return domain.TokenPair{}, err
	}
	sess := domain.NewSession(s.ids.NewID(), u, now, s.policy, jkt)
	if err := s.sessions.CreateSession(ctx, sess); err != nil {
		return domain.TokenPair{}, fmt.Errorf("create session: %w", err)
	}
	pair, err := s.issuePair(ctx, sess, now, grantOf(cred.ClientID, cred.Scope))
	if err != nil {
		return domain.TokenPair{}, err
	}
	pair.DeviceToken, pair.DeviceExpiresIn = s.throttle.deviceToken(u.Username, sess.ID, now)
	s.record(ctx, now, domain.AuditEvent{Kind: domain.AuditLoginSucceeded, UserID: u.ID, Username: u.Username, ClientID: cred.ClientID})
	return pair, nil
}

// checkThrottled is the password check of every login, on /login/, the
// token endpoint and the login page alike: the throttle's check and
// reservation before any hashing, the password, then right (a password
// that proved right) before the reservation counts as a success; an error
// of right takes the reservation back, as does any error that is not a
// wrong password (a full hashing queue, a store outage). A wrong password
// (or a disabled user) is recorded in the audit trail as a failed login.
func (s *Service) checkThrottled(ctx context.Context, cred domain.Credentials, clientIP string, now time.Time, right func() error) (domain.User, error) {
	a := s.throttle.attemptOf(cred, clientIP, now)
	keys, err := s.throttle.keys(ctx, s.failures, s.known, a, now)
	if err != nil {
		return domain.User{}, err
	}
	if err := s.throttle.check(ctx, s.failures, keys, now); err != nil {
		return domain.User{}, err // over a limit already: not even recorded
	}
	reserved, err := s.throttle.reserve(ctx, s.failures, keys, now)
	if err != nil {
		return domain.User{}, err
	}
	u, err := s.checkPassword(ctx, cred)
	if err == nil && right != nil {
		err = right()
	}
	switch {
	case errors.Is(err, domain.ErrInvalidCredentials):
		s.record(ctx, now, domain.AuditEvent{Kind: domain.AuditLoginFailed, Username: cred.Username, ClientID: cred.ClientID})
		return domain.User{}, err // the reserved records are the failure
	case err != nil:
		return domain.User{}, errors.Join(err, s.throttle.release(ctx, s.failures, reserved, now))
	}
	if err := s.throttle.succeeded(ctx, s.failures, s.known, a, reserved, now); err != nil {
		return domain.User{}, err
	}
	return u, nil
}

// checkPassword returns the user whose password it is, or
// domain.ErrInvalidCredentials: for an unknown user, a wrong password, and
// a disabled user whatever the password, each after one hash's work, so
// neither the answer nor its time tells them apart.
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
	if u.Disabled {
		return domain.User{}, domain.ErrInvalidCredentials
	}
	return u, nil
}
