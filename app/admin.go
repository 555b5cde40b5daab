package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
)

// CreateUser adds an account for an administrator or the command line,
// under the sign-up rules; see ports.AdminService.
func (s *Service) CreateUser(ctx context.Context, actor domain.Actor, username, password string) (domain.User, error) {
	if s.accounts == nil {
		return domain.User{}, errNoAccounts
	}
	now := s.clock.Now()
	u, err := s.newUser(ctx, username, password, now)
	if err != nil {
		return domain.User{}, err
	}
	s.record(ctx, now, domain.AuditEvent{Kind: domain.AuditUserCreated, UserID: u.ID, Username: u.Username, Actor: actor})
	return u, nil
}

// ListUsers returns a page of accounts; see ports.AdminService.
func (s *Service) ListUsers(ctx context.Context, after string, limit int) ([]domain.User, string, error) {
	if s.accounts == nil {
		return nil, "", errNoAccounts
	}
	limit = pageSize(limit)
	list, err := s.accounts.ListUsers(ctx, after, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	if len(list) <= limit {
		return list, "", nil
	}
	list = list[:limit]
	return list, list[limit-1].Username, nil
}

// User returns an account and its live session count.
func (s *Service) User(ctx context.Context, username string) (domain.UserDetail, error) {
	if s.accounts == nil {
		return domain.UserDetail{}, errNoAccounts
	}
	return s.detail(ctx, username, s.clock.Now())
}

func (s *Service) detail(ctx context.Context, username string, now time.Time) (domain.UserDetail, error) {
	u, err := s.accounts.UserByUsername(ctx, username)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return domain.UserDetail{}, err
		}
		return domain.UserDetail{}, fmt.Errorf("find user: %w", err)
	}
	list, err := s.sessions.UserSessions(ctx, u.ID, now)
	if err != nil {
		return domain.UserDetail{}, fmt.Errorf("list sessions: %w", err)
	}
	return domain.UserDetail{User: u, Sessions: len(list)}, nil
}

// UpdateUser disables, enables or sets the password of an account; see
// ports.AdminService. The new password is judged before anything changes.
// Disabling or setting the password revokes every session of the account,
// so its access tokens fail on every instance within the revocation bound.
func (s *Service) UpdateUser(ctx context.Context, actor domain.Actor, username string, change domain.UserChange) (domain.UserDetail, error) {
	if s.accounts == nil {
		return domain.UserDetail{}, errNoAccounts
	}
	now := s.clock.Now()
	u, err := s.accounts.UserByUsername(ctx, username)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return domain.UserDetail{}, err
		}
		return domain.UserDetail{}, fmt.Errorf("find user: %w", err)
	}
	if change.Password != nil {
		if err := s.judgeNewPassword(u.Username, *change.Password); err != nil {
			return domain.UserDetail{}, err
		}
	}
	revoke := false
	if change.Password != nil {
		hash, err := s.hasher.Hash(ctx, *change.Password)
		if err != nil {
			return domain.UserDetail{}, fmt.Errorf("hash password: %w", err)
		}
		if err := s.accounts.SetPassword(ctx, u.ID, hash); err != nil {
			return domain.UserDetail{}, fmt.Errorf("set password: %w", err)
		}
		s.record(ctx, now, domain.AuditEvent{Kind: domain.AuditPasswordChanged, UserID: u.ID, Username: u.Username, Actor: actor})
		revoke = true
	}
	if change.Disabled != nil {
		if err := s.accounts.SetDisabled(ctx, u.ID, *change.Disabled); err != nil {
			return domain.UserDetail{}, fmt.Errorf("set disabled: %w", err)
		}
		kind := domain.AuditUserEnabled
		if *change.Disabled {
			kind, revoke = domain.AuditUserDisabled, true
		}
		s.record(ctx, now, domain.AuditEvent{Kind: kind, UserID: u.ID, Username: u.Username, Actor: actor})
	}
	if revoke {
		if err := s.revokeAll(ctx, u.ID, now); err != nil {
			return domain.UserDetail{}, err
		}
	}
	return s.detail(ctx, username, now)
}

// DeleteUser deletes an account and revokes its sessions; see
// ports.AdminService.
func (s *Service) DeleteUser(ctx context.Context, actor domain.Actor, username string) error {
	if s.accounts == nil {
		return errNoAccounts
	}
	now := s.clock.Now()
	u, err := s.accounts.UserByUsername(ctx, username)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return err
		}
		return fmt.Errorf("find user: %w", err)
	}
	if err := s.accounts.DeleteUser(ctx, u.ID, now); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	s.record(ctx, now, domain.AuditEvent{Kind: domain.AuditUserDeleted, UserID: u.ID, Username: u.Username, Actor: actor})
	return s.revokeAll(ctx, u.ID, now)
}

// revokeAll revokes every session of the user, by an administrator.
func (s *Service) revokeAll(ctx context.Context, userID string, now time.Time) error {
	revoked, err := s.sessions.RevokeUserSessions(ctx, userID, domain.ReasonAdmin, now)
	if err != nil {
		return fmt.Errorf("revoke user sessions: %w", err)
	}
	s.noteRevoked(now, revoked...)
	return nil
}
