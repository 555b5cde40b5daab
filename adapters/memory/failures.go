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
// most a fixed number of keys: past it, recording a new key forgets an
// arbitrary old one, so usernames sprayed from many addresses cannot grow
// it without bound (each address is throttled on its own meanwhile). It is
// safe for concurrent use.
type Failures struct {
	mu      sync.Mutex
	keys    map[string][]int64 // Unix nanoseconds, oldest first
	maxKeys int
}

// NewFailures returns an empty failure log of DefaultMaxFailureKeys keys.
func NewFailures() *Failures { return NewFailuresWithLimit(DefaultMaxFailureKeys) }

// NewFailuresWithLimit returns an empty failure log of at most maxKeys keys.
func NewFailuresWithLimit(maxKeys int) *Failures {
	return &Failures{keys: make(map[string][]int64), maxKeys: max(maxKeys, 1)}
}

// Failures returns the key's failures after since, oldest first.
func (f *Failures) Failures(_ context.Context, key string, since time.Time) ([]time.Time, error) {
	cut := since.UnixNano()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Time
	for _, n := range f.keys[key] {
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
	if _, known := f.keys[key]; !known && len(f.keys) >= f.maxKeys {
		for other := range f.keys { // Go's map order is random: an arbitrary key
			delete(f.keys, other)
			break
		}
	}
	list := append(f.keys[key], at.UnixNano())
	if keep > 0 && len(list) > keep {
		list = append(list[:0:0], list[len(list)-keep:]...)
	}
	f.keys[key] = list
	return nil
}

// RemoveFailure forgets one failure of the key at exactly the instant.
func (f *Failures) RemoveFailure(_ context.Context, key string, at time.Time) error {
	n := at.UnixNano()
	f.mu.Lock()
	defer f.mu.Unlock()
	list := f.keys[key]
	for i := len(list) - 1; i >= 0; i-- {
		if list[i] == n {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(f.keys, key)
	} else {
		f.keys[key] = list
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
		for i < len(list) && list[i] <= cut {
			i++
		}
		switch {
		case i == len(list):
			delete(f.keys, key)
			removed++
		case i > 0:
			f.keys[key] = append(list[:0:0], list[i:]...)
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
