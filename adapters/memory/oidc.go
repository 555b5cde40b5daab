package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/authd/authd/domain"
)

// MaxCodes bounds the authorization codes held at once. A code is made only
// for a user who signed in, lives a minute at most, and is purged after;
// a million is far beyond any real sign-in rate yet bounds memory (about
// 500 bytes a code) when a signed-in browser is scripted to ask for codes.
const MaxCodes = 1 << 20

// MaxBrowserSessions bounds the single sign-on sessions held at once; each
// costs a password check to create, so the throttle and the hashing queue
// come long before this bound.
const MaxBrowserSessions = 1 << 20

// Codes is an authorization code store in memory. It is safe for
// concurrent use.
type Codes struct {
	mu    sync.Mutex
	byKey map[string]domain.AuthCode
	max   int
}

// NewCodes returns an empty code store holding at most MaxCodes codes.
func NewCodes() *Codes { return &Codes{byKey: map[string]domain.AuthCode{}, max: MaxCodes} }

// CreateCode stores a new code; a full store is domain.ErrUnavailable.
func (s *Codes) CreateCode(_ context.Context, c domain.AuthCode) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.byKey[c.Hash]; taken {
		return domain.ErrConflict
	}
	if len(s.byKey) >= s.max {
		return fmt.Errorf("memory: %d authorization codes held: %w", len(s.byKey), domain.ErrUnavailable)
	}
	s.byKey[c.Hash] = c
	return nil
}

// UseCode marks the code used and returns it as it was.
func (s *Codes) UseCode(_ context.Context, hash string, at time.Time) (domain.AuthCode, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.byKey[hash]
	switch {
	case !ok:
		return domain.AuthCode{}, domain.ErrNotFound
	case !c.UsedAt.IsZero():
		return c, domain.ErrCodeUsed
	}
	used := c
	used.UsedAt = at.UTC()
	s.byKey[hash] = used
	return c, nil
}

// PurgeCodes forgets the codes that expired at or before now.
func (s *Codes) PurgeCodes(_ context.Context, now time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, c := range s.byKey {
		if !now.Before(c.ExpiresAt) {
			delete(s.byKey, k)
			n++
		}
	}
	return n, nil
}

// BrowserSessions is a single sign-on session store in memory. It is safe
// for concurrent use.
type BrowserSessions struct {
	mu   sync.Mutex
	byID map[string]domain.BrowserSession
	max  int
}

// NewBrowserSessions returns an empty store holding at most
// MaxBrowserSessions sessions.
func NewBrowserSessions() *BrowserSessions {
	return &BrowserSessions{byID: map[string]domain.BrowserSession{}, max: MaxBrowserSessions}
}

// CreateBrowserSession stores a new session.
func (s *BrowserSessions) CreateBrowserSession(_ context.Context, b domain.BrowserSession) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.byID[b.ID]; taken {
		return domain.ErrConflict
	}
	if len(s.byID) >= s.max {
		return fmt.Errorf("memory: %d browser sessions held: %w", len(s.byID), domain.ErrUnavailable)
	}
	b.Sessions = slices.Clone(b.Sessions)
	s.byID[b.ID] = b
	return nil
}

// BrowserSession returns the session with the id.
func (s *BrowserSessions) BrowserSession(_ context.Context, id string) (domain.BrowserSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.byID[id]
	if !ok {
		return domain.BrowserSession{}, domain.ErrNotFound
	}
	b.Sessions = slices.Clone(b.Sessions)
	return b, nil
}

// AddBrowserToken records a token session issued through the session.
func (s *BrowserSessions) AddBrowserToken(_ context.Context, id, sessionID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.byID[id]
	if !ok {
		return domain.ErrNotFound
	}
	s.byID[id] = b.WithToken(sessionID)
	return nil
}

// EndBrowserSession marks the session ended.
func (s *BrowserSessions) EndBrowserSession(_ context.Context, id string, at time.Time) (domain.BrowserSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.byID[id]
	if !ok {
		return domain.BrowserSession{}, domain.ErrNotFound
	}
	if b.EndedAt.IsZero() {
		b.EndedAt = at.UTC()
		s.byID[id] = b
	}
	b.Sessions = slices.Clone(b.Sessions)
	return b, nil
}

// PurgeBrowserSessions forgets the sessions that expired at or before now.
func (s *BrowserSessions) PurgeBrowserSessions(_ context.Context, now time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, b := range s.byID {
		if !now.Before(b.ExpiresAt) {
			delete(s.byID, id)
			n++
		}
	}
	return n, nil
}
