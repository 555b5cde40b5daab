package memory

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"github.com/authd/authd/domain"
)

// DefaultMaxReplayKeys bounds the in-memory replay cache: 1<<20 keys take
// 72 MiB of heap when full (BenchmarkReplaysHeap; 96 MiB when keys were held
// as strings), a million DPoP requests within one proof window (a minute
// and six seconds by default), about 15,000 a second.
const DefaultMaxReplayKeys = 1 << 20

// Replays is a DPoP replay cache in memory. It is safe for concurrent use.
// When it is full of keys still within their time it refuses new ones with
// domain.ErrUnavailable rather than forget one early, which would let its
// proof be replayed.
//
// Keys are forgotten by the second their until falls in: each second's
// keys are listed in a bucket, and every call first drops the buckets of
// the seconds that have passed. A key is thus listed once and dropped once,
// and no call scans the whole cache (a full-map scan under the lock, as a
// first version ran on every Remember of a full cache, took 1.4 to 2.6 s a
// request once a flood had filled it).
//
// A key is held as the first 16 bytes of its SHA-256 (a replayKey): a
// fixed-size value with no pointer, so the cache costs no allocation per key
// and nothing for the garbage collector to scan, and 2^-128 is the chance
// that two keys share one.
type Replays struct {
	mu      sync.Mutex
	until   map[replayKey]int64   // Unix nanoseconds
	buckets map[int64][]replayKey // keys by the second (Unix, rounded up) their until falls in
	next    int64                 // the first second whose bucket is not yet dropped
	maxKeys int
}

// NewReplays returns an empty cache of DefaultMaxReplayKeys keys.
func NewReplays() *Replays { return NewReplaysWithLimit(DefaultMaxReplayKeys) }

// NewReplaysWithLimit returns an empty cache of at most maxKeys keys.
func NewReplaysWithLimit(maxKeys int) *Replays {
	return &Replays{until: make(map[replayKey]int64), buckets: make(map[int64][]replayKey), maxKeys: max(maxKeys, 1)}
}

// replayKey is how the cache holds a key: the first 16 bytes of its SHA-256.
type replayKey [16]byte

func replayKeyOf(key string) replayKey {
	sum := sha256.Sum256([]byte(key))
	return replayKey(sum[:16])
}

// Remember records key until the instant and reports whether it was new.
func (r *Replays) Remember(_ context.Context, id string, now, until time.Time) (bool, error) {
	n, u, key := now.UnixNano(), until.UnixNano(), replayKeyOf(id)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire(n)
	if old, ok := r.until[key]; ok && old > n {
		return false, nil
	}
	if u <= n {
		return true, nil // over already: nothing to remember
	}
	if _, ok := r.until[key]; !ok && len(r.until) >= r.maxKeys {
		return false, fmt.Errorf("memory: replay cache full (%d keys): %w", r.maxKeys, domain.ErrUnavailable)
	}
	r.until[key] = u
	sec := ceilSecond(u)
	r.buckets[sec] = append(r.buckets[sec], key)
	r.next = min(r.next, sec) // after the clock was set back, a bucket may lie before next
	return true, nil
}

// PurgeReplays forgets every key whose until is at or before now: the
// buckets of the seconds passed, and of the current second's bucket the
// keys already past.
func (r *Replays) PurgeReplays(_ context.Context, now time.Time) (int, error) {
	n := now.UnixNano()
	r.mu.Lock()
	defer r.mu.Unlock()
	removed := r.expire(n)
	sec := ceilSecond(n)
	keys := r.buckets[sec]
	kept := keys[:0]
	for _, k := range keys {
		if u, ok := r.until[k]; ok && u <= n {
			delete(r.until, k)
			removed++
		} else {
			kept = append(kept, k)
		}
	}
	if len(keys) > 0 {
		r.buckets[sec] = kept
	}
	return removed, nil
}

// Entries returns how many keys the cache holds.
func (r *Replays) Entries(context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.until), nil
}

// expire drops the buckets of every second up to now's and returns how many
// keys it forgot. It runs with the lock held. Each step costs one bucket;
// after a jump of the clock longer than the buckets held (the dev clock),
// it walks the buckets instead of the seconds.
func (r *Replays) expire(now int64) int {
	last := now / int64(time.Second) // every bucket up to this second has passed
	if len(r.buckets) == 0 {
		r.next = last + 1
		return 0
	}
	removed := 0
	if last-r.next > int64(len(r.buckets)) {
		for sec := range r.buckets {
			if sec <= last {
				removed += r.drop(sec)
			}
		}
	} else {
		for ; r.next <= last; r.next++ {
			removed += r.drop(r.next)
		}
	}
	r.next = max(r.next, last+1)
	return removed
}

// drop forgets the keys of one second's bucket, unless a key was
// remembered anew since, with a later until.
func (r *Replays) drop(sec int64) int {
	keys, ok := r.buckets[sec]
	if !ok {
		return 0
	}
	delete(r.buckets, sec)
	removed := 0
	for _, k := range keys {
		if u, ok := r.until[k]; ok && ceilSecond(u) <= sec {
			delete(r.until, k)
			removed++
		}
	}
	return removed
}

// ceilSecond is the Unix second an instant in nanoseconds falls in, rounded
// up: the first second by whose start the instant has passed.
func ceilSecond(ns int64) int64 {
	s := ns / int64(time.Second)
	if ns%int64(time.Second) > 0 {
		s++
	}
	return s
}
