package memory

import (
	"context"
	"sync"
	"time"
)

// DefaultMaxFailureKeys bounds the keys a Failures log holds. Keys have a
// fixed size (the application hashes usernames) and each keeps at most the
// throttle's limit plus one: measured, 100,000 keys of 11 failures each
// hold 22.8 MiB of heap.
const DefaultMaxFailureKeys = 100_000

// Failures is an in-memory ports.FailureLog. Each key keeps at most the
// number of failures the throttle asked for, and PurgeFailures drops keys
// whose failures have all left the window. On top of that the log holds at
// most a fixed number of keys, so usernames sprayed from many addresses
// cannot grow it without bound. Past the limit, recording a new key evicts
// the least informative of a random sample of keys: the one whose record is
// least full (fewest failures for the number it keeps), the oldest among
// equals. Filling the log with new keys, each holding one failure, thus
// evicts other such keys, never the record of an account under attack.
// Evictions are counted. It is safe for concurrent use.
type Failures struct {
	mu        sync.Mutex
	keys      map[string]*failureList
	maxKeys   int
	evictions uint64
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

// NewFailures returns an empty failure log of DefaultMaxFailureKeys keys.
func NewFailures() *Failures { return NewFailuresWithLimit(DefaultMaxFailureKeys) }

// NewFailuresWithLimit returns an empty failure log of at most maxKeys keys.
func NewFailuresWithLimit(maxKeys int) *Failures {
	return &Failures{keys: make(map[string]*failureList), maxKeys: max(maxKeys, 1)}
}

// Failures returns the key's failures after since, oldest first.
func (f *Failures) Failures(_ context.Context, key string, since time.Time) ([]time.Time, error) {
	cut := since.UnixNano()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Time
	list := f.keys[key]
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
	list, known := f.keys[key]
	if !known {
		if len(f.keys) >= f.maxKeys {
			f.evict()
		}
		list = &failureList{}
		f.keys[key] = list
	}
	list.keep = keep
	list.times = append(list.times, at.UnixNano())
	if keep > 0 && len(list.times) > keep {
		list.times = append(list.times[:0:0], list.times[len(list.times)-keep:]...)
	}
	return nil
}

// evict forgets the least informative key of a random sample (Go's map
// order is random). It runs with the lock held.
func (f *Failures) evict() {
	var victim string
	var worst *failureList
	n := 0
	for k, l := range f.keys {
		if worst == nil || l.lessInformative(worst) {
			victim, worst = k, l
		}
		if n++; n == evictionSample {
			break
		}
	}
	delete(f.keys, victim)
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
	list := f.keys[key]
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
		delete(f.keys, key)
	}
	return nil
}

// ResetFailures forgets the key.
func (f *Failures) ResetFailures(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.keys, key)
	return nil
}

// PurgeFailures drops failures at or before the instant and empty keys.
func (f *Failures) PurgeFailures(_ context.Context, before time.Time) (int, error) {
	cut := before.UnixNano()
	f.mu.Lock()
	defer f.mu.Unlock()
	removed := 0
	for key, list := range f.keys {
		i := 0
		for i < len(list.times) && list.times[i] <= cut {
			i++
		}
		switch {
		case i == len(list.times):
			delete(f.keys, key)
			removed++
		case i > 0:
			list.times = append(list.times[:0:0], list.times[i:]...)
		}
	}
	return removed, nil
}

// Keys returns how many keys hold failures.
func (f *Failures) Keys() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.keys)
}
