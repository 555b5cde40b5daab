package memory

import (
	"context"
	"encoding/base64"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/authd/authd/domain"
)

// sessionKey is a session id decoded from its 22 base64url characters.
type sessionKey [16]byte

// owner is shared by every session of one user, so the user's id and name
// are stored once however many sessions the user has.
type owner struct {
	id, username string
	sessions     map[sessionKey]struct{}
}

// record is a session in about 80 bytes, times as Unix nanoseconds; with
// the map and the per-user index a live session costs about 200 bytes.
type record struct {
	owner                                      *owner
	created, lastUsed, expires, rotated, purge int64
	revoked                                    int64
	generation                                 uint64
	reason                                     domain.RevokeReason
	jkt                                        string // the DPoP binding, "" when unbound
}

// Sessions is a session store in memory. It is safe for concurrent use.
type Sessions struct {
	mu     sync.RWMutex
	byID   map[sessionKey]record
	owners map[string]*owner
}

// NewSessions returns an empty session store.
func NewSessions() *Sessions {
	return &Sessions{byID: make(map[sessionKey]record), owners: make(map[string]*owner)}
}

// keyOf decodes an id made by ports.IDGenerator. Any other id names no
// session.
func keyOf(id string) (sessionKey, bool) {
	var k sessionKey
	if len(id) != 22 {
		return k, false
	}
	n, err := base64.RawURLEncoding.Decode(k[:], []byte(id))
	return k, err == nil && n == 16 && base64.RawURLEncoding.EncodeToString(k[:]) == id
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (r record) session(k sessionKey) domain.Session {
	return domain.Session{
		ID: base64.RawURLEncoding.EncodeToString(k[:]), UserID: r.owner.id, Username: r.owner.username,
		CreatedAt: fromNanos(r.created), LastUsedAt: fromNanos(r.lastUsed), ExpiresAt: fromNanos(r.expires),
		Generation: r.generation, RotatedAt: fromNanos(r.rotated), PurgeAt: fromNanos(r.purge),
		RevokedAt: fromNanos(r.revoked), RevokeReason: r.reason, JKT: r.jkt,
	}
}

func (r *record) set(s domain.Session) {
	r.created, r.lastUsed, r.expires = nanos(s.CreatedAt), nanos(s.LastUsedAt), nanos(s.ExpiresAt)
	r.rotated, r.purge, r.revoked = nanos(s.RotatedAt), nanos(s.PurgeAt), nanos(s.RevokedAt)
	r.generation, r.reason, r.jkt = s.Generation, s.RevokeReason, s.JKT
}

// CreateSession stores a new session. Its id must come from an
// ports.IDGenerator (128 bits in base64url); it returns domain.ErrConflict
// when the id is taken.
func (s *Sessions) CreateSession(_ context.Context, sess domain.Session) error {
	k, ok := keyOf(sess.ID)
	if !ok {
		return fmt.Errorf("memory: session id %q is not 128 bits of base64url", sess.ID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.byID[k]; taken {
		return domain.ErrConflict
	}
	o := s.owners[sess.UserID]
	if o == nil {
		o = &owner{id: sess.UserID, username: sess.Username, sessions: make(map[sessionKey]struct{}, 1)}
		s.owners[sess.UserID] = o
	}
	r := record{owner: o}
	r.set(sess)
	s.byID[k] = r
	o.sessions[k] = struct{}{}
	return nil
}

// Session returns the session with the id, or domain.ErrNotFound.
func (s *Sessions) Session(_ context.Context, id string) (domain.Session, error) {
	k, ok := keyOf(id)
	if !ok {
		return domain.Session{}, domain.ErrNotFound
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.byID[k]
	if !ok {
		return domain.Session{}, domain.ErrNotFound
	}
	return r.session(k), nil
}

// CompareAndRotate stores next if the stored session is unrevoked and still
// at generation fromGen; otherwise it returns domain.ErrConflict.
func (s *Sessions) CompareAndRotate(_ context.Context, fromGen uint64, next domain.Session) error {
	k, ok := keyOf(next.ID)
	if !ok {
		return domain.ErrNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[k]
	switch {
	case !ok:
		return domain.ErrNotFound
	case r.revoked != 0 || r.generation != fromGen:
		return domain.ErrConflict
	}
	r.set(next)
	s.byID[k] = r
	return nil
}

// RevokeSession revokes the session; a revoked one keeps its first reason.
func (s *Sessions) RevokeSession(_ context.Context, id string, reason domain.RevokeReason, at time.Time) (domain.Session, error) {
	k, ok := keyOf(id)
	if !ok {
		return domain.Session{}, domain.ErrNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[k]
	if !ok {
		return domain.Session{}, domain.ErrNotFound
	}
	sess := r.session(k).Revoke(reason, at)
	r.set(sess)
	s.byID[k] = r
	return sess, nil
}

// RevokeUserSessions revokes every unrevoked session of the user.
func (s *Sessions) RevokeUserSessions(_ context.Context, userID string, reason domain.RevokeReason, at time.Time) ([]domain.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.owners[userID]
	if o == nil {
		return nil, nil
	}
	var out []domain.Session
	for k := range o.sessions {
		r := s.byID[k]
		if r.revoked != 0 {
			continue
		}
		sess := r.session(k).Revoke(reason, at)
		r.set(sess)
		s.byID[k] = r
		out = append(out, sess)
	}
	return out, nil
}

// UserSessions returns the user's sessions live at now, oldest first.
func (s *Sessions) UserSessions(_ context.Context, userID string, now time.Time) ([]domain.Session, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o := s.owners[userID]
	if o == nil {
		return nil, nil
	}
	out := make([]domain.Session, 0, len(o.sessions))
	for k := range o.sessions {
		if sess := s.byID[k].session(k); sess.Live(now) {
			out = append(out, sess)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// purgeBatch is how many sessions PurgeSessions and Live look at before
// they let other callers in: the walk over a million sessions takes tens of
// milliseconds, which must not become one pause for every request.
const purgeBatch = 4096

// purgeYieldHook, when set by a test, runs while PurgeSessions has let go
// of the lock, with the key of the entry it handled last.
var purgeYieldHook func(last sessionKey)

// PurgeSessions forgets every session whose PurgeAt is at or before now. It
// releases the lock every purgeBatch sessions; Go's map iteration stays
// valid while others add and remove entries in between, and a session
// added meanwhile is not due anyway. The lock is released only after an
// entry is dealt with, so each entry is judged as it is when the iteration
// reaches it, never as it was before another caller rotated it.
func (s *Sessions) PurgeSessions(_ context.Context, now time.Time) (int, error) {
	cut := now.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	n, seen := 0, 0
	for k, r := range s.byID {
		if r.purge <= cut {
			delete(s.byID, k)
			delete(r.owner.sessions, k)
			if len(r.owner.sessions) == 0 {
				delete(s.owners, r.owner.id)
			}
			n++
		}
		if seen++; seen%purgeBatch == 0 {
			s.mu.Unlock()
			runtime.Gosched() // let a waiting request have the lock
			if purgeYieldHook != nil {
				purgeYieldHook(k)
			}
			s.mu.Lock()
		}
	}
	return n, nil
}

// Live returns how many sessions are live at now: not revoked and not
// ended. It reads every session, so it is for metrics scrapes, not hot paths.
func (s *Sessions) Live(now time.Time) int {
	n := now.UnixNano()
	s.mu.RLock()
	defer s.mu.RUnlock()
	live, seen := 0, 0
	for _, r := range s.byID {
		if r.revoked == 0 && n < r.expires && n < r.purge {
			live++
		}
		if seen++; seen%purgeBatch == 0 {
			s.mu.RUnlock()
			runtime.Gosched()
			s.mu.RLock()
		}
	}
	return live
}

// Len returns how many sessions the store holds, live or not yet purged.
func (s *Sessions) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byID)
}
