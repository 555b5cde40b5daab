package memory

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/authd/authd/domain"
)

// Users is a user store (ports.UserAdmin) in memory. It is safe for
// concurrent use. Deleted users are remembered by ID only.
type Users struct {
	mu      sync.RWMutex
	byName  map[string]domain.User // live users
	byID    map[string]string      // live users' usernames
	deleted map[string]time.Time   // IDs of deleted users
}

// NewUsers returns a store holding the users. It refuses empty or duplicate
// ids and usernames and users without a password hash.
func NewUsers(users ...domain.User) (*Users, error) {
	s := &Users{byName: make(map[string]domain.User, len(users)), byID: make(map[string]string, len(users)),
		deleted: map[string]time.Time{}}
	for _, u := range users {
		if u.ID == "" || u.Username == "" || u.PasswordHash == "" {
			return nil, fmt.Errorf("memory: user %q: id, username and password hash are required", u.Username)
		}
		if _, dup := s.byName[u.Username]; dup {
			return nil, fmt.Errorf("memory: duplicate username %q", u.Username)
		}
		if _, dup := s.byID[u.ID]; dup {
			return nil, fmt.Errorf("memory: duplicate user id %q", u.ID)
		}
		s.byName[u.Username], s.byID[u.ID] = u, u.Username
	}
	return s, nil
}

// UserByUsername returns the live user with exactly that username, or
// domain.ErrNotFound.
func (s *Users) UserByUsername(_ context.Context, username string) (domain.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if u, ok := s.byName[username]; ok {
		return u, nil
	}
	return domain.User{}, domain.ErrNotFound
}

// CreateUser adds the user: domain.ErrUsernameTaken when a live user has
// its username, domain.ErrConflict when any user had its ID.
func (s *Users) CreateUser(_ context.Context, u domain.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.create(u)
}

func (s *Users) create(u domain.User) error {
	if _, taken := s.byName[u.Username]; taken {
		return domain.ErrUsernameTaken
	}
	if s.known(u.ID) {
		return domain.ErrConflict
	}
	s.byName[u.Username], s.byID[u.ID] = u, u.Username
	return nil
}

// known reports whether a live or deleted user has the ID.
func (s *Users) known(id string) bool {
	_, live := s.byID[id]
	_, gone := s.deleted[id]
	return live || gone
}

// AddMissingUsers adds each user whose ID is unknown and whose username is
// free, and returns those it added.
func (s *Users) AddMissingUsers(_ context.Context, users []domain.User) ([]domain.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var added []domain.User
	for _, u := range users {
		if s.create(u) == nil {
			added = append(added, u)
		}
	}
	return added, nil
}

// ListUsers returns up to limit live users whose username sorts after
// after, in byte order.
func (s *Users) ListUsers(_ context.Context, after string, limit int) ([]domain.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.byName))
	for name := range s.byName {
		if name > after {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) > limit {
		names = names[:max(limit, 0)]
	}
	out := make([]domain.User, 0, len(names))
	for _, name := range names {
		out = append(out, s.byName[name])
	}
	return out, nil
}

// SetPassword replaces the live user's password hash.
func (s *Users) SetPassword(_ context.Context, id, hash string) error {
	return s.update(id, func(u *domain.User) { u.PasswordHash = hash })
}

// SetDisabled disables or enables the live user.
func (s *Users) SetDisabled(_ context.Context, id string, disabled bool) error {
	return s.update(id, func(u *domain.User) { u.Disabled = disabled })
}

func (s *Users) update(id string, change func(*domain.User)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, ok := s.byID[id]
	if !ok {
		return domain.ErrNotFound
	}
	u := s.byName[name]
	change(&u)
	s.byName[name] = u
	return nil
}

// DeleteUser deletes the live user, keeping its ID as deleted.
func (s *Users) DeleteUser(_ context.Context, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, ok := s.byID[id]
	if !ok {
		return domain.ErrNotFound
	}
	delete(s.byName, name)
	delete(s.byID, id)
	s.deleted[id] = at
	return nil
}

// SeedUsers returns the seed server's three demo users. Their passwords
// (1234, 1229, 4321) are public, as in the seed's README; only their argon2id
// hashes (OWASP parameters) are stored, so they log in with the same cost and
// code path as any real user.
func SeedUsers() []domain.User {
	return []domain.User{
		{ID: "1", Username: "chulsu", PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$TboxeBoCmbmD/raRosu9+g$Gn/AdBFfGh3Up/ZjOb5LavPsCPh61IiGnRRRCfYCQuY"},
		{ID: "2", Username: "minsu", PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$bmoUrvIpUEbPbGgrJidWEw$Sm5sZC4ZFtxRHHp/uZJ2WdK3Gj39RurLTA9XxP9oyVk"},
		{ID: "3", Username: "satangsusu", PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$mvtJzd68juj54GxFduuAAg$rRT9O0eapr4FCwTM8PfMaeaXA6aExzoMzRsFlYU6oUQ"},
	}
}
