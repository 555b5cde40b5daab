package memory

import (
	"context"
	"fmt"

	"github.com/authd/authd/domain"
)

// Users is a read-only user store. It is safe for concurrent use.
type Users struct {
	byName map[string]domain.User
	byID   map[string]domain.User
}

// NewUsers returns a store holding the users. It refuses empty or duplicate
// ids and usernames and users without a password hash.
func NewUsers(users ...domain.User) (*Users, error) {
	s := &Users{byName: make(map[string]domain.User, len(users)), byID: make(map[string]domain.User, len(users))}
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
		s.byName[u.Username], s.byID[u.ID] = u, u
	}
	return s, nil
}

// UserByUsername returns the user with exactly that username, or
// domain.ErrNotFound.
func (s *Users) UserByUsername(_ context.Context, username string) (domain.User, error) {
	if u, ok := s.byName[username]; ok {
		return u, nil
	}
	return domain.User{}, domain.ErrNotFound
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
