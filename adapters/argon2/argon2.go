// Package argon2 implements ports.PasswordHasher with argon2id, encoding
// hashes as PHC strings ($argon2id$v=19$m=19456,t=2,p=1$salt$hash). Each
// hash works in about 19 MiB for tens of milliseconds, so a semaphore caps
// how many run at once and a bounded queue how many wait; a caller beyond
// the queue, or that waits longer than the limit, gets
// domain.ErrUnavailable instead of piling up memory. Each slot keeps its
// 19 MiB, outside the Go heap where the system allows (workMemory), so
// hashing all day allocates nothing the garbage collector must find.
//
// The algorithm is golang.org/x/crypto/argon2's, in internal/argon2id
// with the one change that lets memory be reused. It imports only domain,
// ports, golang.org/x/crypto (and x/sys/cpu, which x/crypto's assembly
// needs) and the standard library.
package argon2

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/authd/authd/adapters/argon2/internal/argon2id"
	"github.com/authd/authd/domain"
)

// Params are argon2id's cost parameters.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	SaltLen   int
	KeyLen    uint32
}

// OWASP returns the parameters the OWASP Password Storage Cheat Sheet gives
// for argon2id: 19 MiB of memory, two passes, one thread.
func OWASP() Params {
	return Params{MemoryKiB: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits of a decoded hash's parameters, so a hostile users file cannot make
// one login allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB = 256 * 1024
	maxTime      = 16
	maxThreads   = 16
)

// Hasher hashes and verifies passwords. It is safe for concurrent use.
type Hasher struct {
	params  Params
	sem     chan struct{}
	maxWait time.Duration
	dummy   []byte // the salt and key of VerifyDummy's fixed hash
	// queue bounds how many callers wait for a slot (-1: no bound), and
	// waiting counts them.
	queue   int32
	waiting atomic.Int32
	// mems are the working memories of the slots, one per slot: a hash
	// with the hasher's parameters works in one of them (see key).
	mems chan *argon2id.Memory
}

// New returns a hasher that runs at most concurrency hashes at once (at
// least 1; 0 means GOMAXPROCS) and lets a caller wait at most maxWait for a
// slot.
func New(p Params, concurrency int, maxWait time.Duration) *Hasher {
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	dummy := make([]byte, p.SaltLen+int(p.KeyLen))
	_, _ = rand.Read(dummy)
	mems := make(chan *argon2id.Memory, concurrency)
	for range concurrency {
		mems <- argon2id.NewMemory(workMemory)
	}
	return &Hasher{params: p, sem: make(chan struct{}, concurrency), maxWait: maxWait, dummy: dummy, queue: -1, mems: mems}
}

// WithQueue bounds how many callers may wait for a slot at once to n (at
// least 0) and returns h; call it before h is used. A caller beyond the
// bound gets domain.ErrUnavailable at once, and Admit says so before it
// comes. Without it any number may wait, each at most maxWait.
func (h *Hasher) WithQueue(n int) *Hasher {
	h.queue = int32(max(0, n))
	return h
}

// WithWait sets how long a caller may wait for a slot to d and returns h,
// so that a hasher timed with its own slots keeps them (a second hasher
// built after timing the first would map a second working memory).
func (h *Hasher) WithWait(d time.Duration) *Hasher {
	h.maxWait = d
	return h
}

// Capacity returns how many hashes may run at once.
func (h *Hasher) Capacity() int { return cap(h.sem) }

// Admit reports, without waiting or taking anything, whether a hash asked
// for now would be refused: every slot is busy and the queue is full. It
// returns an error wrapping domain.ErrUnavailable then, and nil when the
// hash would run or wait its turn. It is the same rule acquire applies, so
// a caller can refuse work before preparing it (a login before reading its
// body); a nil answer is a forecast, not a reservation.
func (h *Hasher) Admit() error {
	if h.full(h.waiting.Load()) {
		return fmt.Errorf("password hashing: %d running and %d waiting: %w", cap(h.sem), h.queue, domain.ErrUnavailable)
	}
	return nil
}

// full reports whether every slot is busy and waiting callers already fill
// the queue.
func (h *Hasher) full(waiting int32) bool {
	return len(h.sem) == cap(h.sem) && h.queue >= 0 && waiting >= h.queue
}

// acquire takes a hashing slot, or fails with domain.ErrUnavailable after
// maxWait or when ctx ends.
func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	default:
	}
	if n := h.waiting.Add(1); h.full(n - 1) {
		h.waiting.Add(-1)
		return fmt.Errorf("password hashing queue: %d waiting already: %w", n-1, domain.ErrUnavailable)
	}
	defer h.waiting.Add(-1)
	timer := time.NewTimer(h.maxWait)
	defer timer.Stop()
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-timer.C:
		return fmt.Errorf("password hashing queue: waited %s: %w", h.maxWait, domain.ErrUnavailable)
	case <-ctx.Done():
		return fmt.Errorf("password hashing queue: %w: %w", ctx.Err(), domain.ErrUnavailable)
	}
}

func (h *Hasher) release() { <-h.sem }

// key runs argon2id inside a slot.
func (h *Hasher) key(ctx context.Context, password string, salt []byte, p Params) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer h.release()
	// A slot's memory serves every hash of the hasher's size or smaller,
	// and stays the slot's: no hash leaves 19 MiB of garbage behind. A
	// larger one (a stored hash of heavier parameters) gets memory of its
	// own for the call.
	var m *argon2id.Memory
	if argon2id.Blocks(p.MemoryKiB, p.Threads) <= argon2id.Blocks(h.params.MemoryKiB, h.params.Threads) {
		m = <-h.mems // never waits: there is one per slot, and this call holds a slot
		defer func() { h.mems <- m }()
	}
	return argon2id.IDKey(m, []byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen), nil
}

// Hash returns the PHC string of password with a fresh random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key, err := h.key(ctx, password, salt, h.params)
	if err != nil {
		return "", err
	}
	p := h.params
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2id.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks password against the PHC string encoded, comparing in
// constant time. It returns domain.ErrInvalidCredentials on a mismatch.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) error {
	p, salt, want, err := Decode(encoded)
	if err != nil {
		return err
	}
	got, err := h.key(ctx, password, salt, p)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return domain.ErrInvalidCredentials
	}
	return nil
}

// VerifyDummy spends one Verify's work on a random hash no password matches.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) error {
	salt, want := h.dummy[:h.params.SaltLen], h.dummy[h.params.SaltLen:]
	got, err := h.key(ctx, password, salt, h.params)
	if err != nil {
		return err
	}
	subtle.ConstantTimeCompare(got, want)
	return domain.ErrInvalidCredentials
}

var b64 = base64.RawStdEncoding

// Decode parses an argon2id PHC string into its parameters, salt and key.
func Decode(encoded string) (Params, []byte, []byte, error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, errors.New("argon2: bad hash: " + why)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2id.Version {
		return bad("version")
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return bad("parameters")
	}
	if p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB || p.Time < 1 || p.Time > maxTime ||
		p.Threads < 1 || p.Threads > maxThreads {
		return bad("parameters out of range")
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return bad("salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return bad("key")
	}
	p.SaltLen, p.KeyLen = len(salt), uint32(len(key))
	return p, salt, key, nil
}
