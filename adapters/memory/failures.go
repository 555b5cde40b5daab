package memory

import (
	"context"
	"strings"
	"sync"
	"time"
)

// DefaultMaxFailureKeys bounds the keys of each kind a Failures log holds.
// Keys have a fixed size (the application hashes usernames) and each keeps
// at most the throttle's limit plus one: measured, 100,000 keys of 11
// failures each hold 22.8 MiB of heap. authd's throttle uses four kinds
// (pair, ip, user, device).
const DefaultMaxFailureKeys = 100_000

// Failures is an in-memory ports.FailureLog. Each key keeps at most the
// number of failures the throttle asked for, and PurgeFailures drops keys
// whose failures have all left the window. On top of that the log holds at
// most a fixed number of keys of each kind (the text before the key's
// first colon), so usernames sprayed from many addresses cannot grow it
// without bound. Past the limit, recording a new key evicts a key of its
// own kind, never another's: the least informative of a random sample, the
// one whose record is least full (fewest failures for the number it
// keeps), the oldest among equals. Filling the log with new keys, each
// holding one failure, thus evicts other such keys of that kind, never the
// record of an account under attack. Evictions are counted. It is safe for
// concurrent use.
type Failures struct {
	mu        sync.Mutex
	kinds     map[string]map[string]*failureList // kind → key → failures
	maxKeys   int                                // per kind
	evictions uint64
}

// kindOf is the key's kind: the text before its first colon.
func kindOf(key string) string {
	kind, _, _ := strings.Cut(key, ":")
	return kind
}

// failureList is one key's failures, Unix nanoseconds oldest first, and how
// many the throttle keeps for it.
type failureList struct {
	times []int64
	keep  int
}

// evictionSample is how many keys an eviction compares.
const evictionSample = 32

// lessInformative orders keys for eviction: fewer failures for their keep first,
// then older.
func (l *failureList) lessInformative(than *failureList) bool {
	a, b := len(l.times)*max(than.keep, 1), len(than.times)*max(l.keep, 1)
	if a != b {
		return a < b
	}
	return l.newest() < than.newest()
}

func (l *failureList) newest() int64 {
	if len(l.times) == 0 {
		return 0
	}
	return l.times[len(l.times)-1]
}

// NewFailures returns an empty failure log of DefaultMaxFailureKeys keys
// of each kind.
func NewFailures() *Failures { return NewFailuresWithLimit(DefaultMaxFailureKeys) }

// NewFailuresWithLimit returns an empty failure log of at most maxKeys keys
// of each kind.
func NewFailuresWithLimit(maxKeys int) *Failures {
	return &Failures{kinds: make(map[string]map[string]*failureList), maxKeys: max(maxKeys, 1)}
}

// list returns the key's failures, or nil. It runs with the lock held.
func (f *Failures) list(key string) *failureList { return f.kinds[kindOf(key)][key] }

// forget deletes the key. It runs with the lock held.
func (f *Failures) forget(key string) {
	kind := kindOf(key)
	keys := f.kinds[kind]
	delete(keys, key)
	if len(keys) == 0 {
		delete(f.kinds, kind)
	}
}

// Failures returns the key's failures after since, oldest first.
func (f *Failures) Failures(_ context.Context, key string, since time.Time) ([]time.Time, error) {
	cut := since.UnixNano()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Time
	list := f.list(key)
	if list == nil {
		return nil, nil
	}
	for _, n := range list.times {
		if n > cut {
			out = append(out, time.Unix(0, n).UTC())
		}
	}
	return out, nil
}

// AddFailure records a failure, keeping the keep most recent.
func (f *Failures) AddFailure(_ context.Context, key string, at time.Time, keep int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	kind := kindOf(key)
	keys := f.kinds[kind]
	if keys == nil {
		keys = make(map[string]*failureList)
		f.kinds[kind] = keys
	}
	list, known := keys[key]
	if !known {
		if len(keys) >= f.maxKeys {
			f.evict(keys)
		}
		list = &failureList{}
		keys[key] = list
	}
	list.keep = keep
	list.times = append(list.times, at.UnixNano())
	if keep > 0 && len(list.times) > keep {
		list.times = append(list.times[:0:0], list.times[len(list.times)-keep:]...)
	}
	return nil
}

// evict forgets the least informative key of a random sample of keys, all
// of one kind (Go's map order is random). It runs with the lock held.
func (f *Failures) evict(keys map[string]*failureList) {
	var victim string
	var worst *failureList
	n := 0
	for k, l := range keys {
		if worst == nil || l.lessInformative(worst) {
			victim, worst = k, l
		}
		if n++; n == evictionSample {
			break
		}
	}
	delete(keys, victim)
	f.evictions++
}

// Evictions returns how many keys were evicted to stay within the limit.
func (f *Failures) Evictions() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.evictions
}

// RemoveFailure forgets one failure of the key at exactly the instant.
func (f *Failures) RemoveFailure(_ context.Context, key string, at time.Time) error {
	n := at.UnixNano()
	f.mu.Lock()
	defer f.mu.Unlock()
	list := f.list(key)
	if list == nil {
		return nil
	}
	for i := len(list.times) - 1; i >= 0; i-- {
		if list.times[i] == n {
			list.times = append(list.times[:i:i], list.times[i+1:]...)
			break
		}
	}
	if len(list.times) == 0 {
		f.forget(key)
	}
	return nil
}

// ResetFailures forgets the key.
func (f *Failures) ResetFailures(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forget(key)
	return nil
}

// PurgeFailures drops failures at or before the instant and empty keys.
func (f *Failures) PurgeFailures(_ context.Context, before time.Time) (int, error) {
	cut := before.UnixNano()
	f.mu.Lock()
	defer f.mu.Unlock()
	removed := 0
	for kind, keys := range f.kinds {
		for key, list := range keys {
			i := 0
			for i < len(list.times) && list.times[i] <= cut {
				i++
			}
			switch {
			case i == len(list.times):
				delete(keys, key)
				removed++
			case i > 0:
				list.times = append(list.times[:0:0], list.times[i:]...)
			}
		}
		if len(keys) == 0 {
			delete(f.kinds, kind)
		}
	}
	return removed, nil
}

// Keys returns how many keys hold failures.
func (f *Failures) Keys() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, keys := range f.kinds {
		n += len(keys)
	}
	return n
}
