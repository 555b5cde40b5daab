package app

import (
	"sync"
	"time"
)

// revocationList is the in-process set of revoked session ids that the
// access path checks instead of reading the store on every request. An id
// stays until the last access token its session could have issued has
// expired; after that the token fails on its own exp and the entry is
// useless, so the list is bounded by the revocations of one access TTL.
type revocationList struct {
	mu        sync.RWMutex
	until     map[string]time.Time
	nextSweep time.Time
}

func newRevocationList() *revocationList {
	return &revocationList{until: make(map[string]time.Time)}
}

// add records sid as revoked until the instant until. It sweeps out expired
// entries at most once per second of the given now.
func (l *revocationList) add(sid string, until, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if old, ok := l.until[sid]; !ok || until.After(old) {
		l.until[sid] = until
	}
	if now.Before(l.nextSweep) {
		return
	}
	l.nextSweep = now.Add(time.Second)
	for id, u := range l.until {
		if !now.Before(u) {
			delete(l.until, id)
		}
	}
}

// has reports whether sid was revoked. Entries past their instant are
// reported as absent, since a token of that session is expired anyway.
func (l *revocationList) has(sid string, now time.Time) bool {
	l.mu.RLock()
	u, ok := l.until[sid]
	l.mu.RUnlock()
	return ok && now.Before(u)
}

// len returns the number of entries, swept or not.
func (l *revocationList) len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.until)
}
