// Package clock implements ports.Clock: System reads the wall clock, Frozen
// is the clock tests set and step, and Dev is the operator-movable clock
// behind /dev/clock/. It is the only package of authd that calls time.Now.
//
// It imports only domain, ports and the standard library.
package clock

import (
	"sync"
	"time"

	"github.com/authd/authd/domain"
)

// System is the real clock.
type System struct{}

// Now returns the current UTC time.
func (System) Now() time.Time { return time.Now().UTC() }

// Frozen is a clock that stands still until it is told to move. It is safe
// for concurrent use.
type Frozen struct {
	mu  sync.Mutex
	now time.Time
}

// NewFrozen returns a clock frozen at t.
func NewFrozen(t time.Time) *Frozen { return &Frozen{now: t.UTC()} }

// Now returns the instant the clock stands at.
func (f *Frozen) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Set moves the clock to t.
func (f *Frozen) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t.UTC()
}

// Advance moves the clock forward by d.
func (f *Frozen) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// Dev runs on a base clock (the system clock in production) shifted by an
// offset, or stands frozen. It implements ports.DevClock.
type Dev struct {
	base   func() time.Time
	mu     sync.Mutex
	offset time.Duration
	frozen bool
	at     time.Time
}

// NewDev returns a running dev clock on the system clock.
func NewDev() *Dev { return &Dev{base: System{}.Now} }

// newDevOn returns a running dev clock on base, for tests.
func newDevOn(base func() time.Time) *Dev { return &Dev{base: base} }

// Now returns the dev clock's current instant.
func (d *Dev) Now() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.frozen {
		return d.at
	}
	return d.base().Add(d.offset)
}

// Set freezes the clock at t.
func (d *Dev) Set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.frozen, d.at = true, t.UTC()
}

// Advance moves the clock forward by by, frozen or running. Time never goes
// backwards, so a negative by returns domain.ErrInvalidRequest.
func (d *Dev) Advance(by time.Duration) error {
	if by < 0 {
		return &domain.RequestError{Reason: "advance must not be negative"}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.frozen {
		d.at = d.at.Add(by)
	} else {
		d.offset += by
	}
	return nil
}

// Release returns the clock to the base clock's time.
func (d *Dev) Release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.frozen, d.offset = false, 0
}

// Frozen reports whether the clock is frozen.
func (d *Dev) Frozen() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.frozen
}

// Stopwatch reads the monotonic clock, for measuring durations. It is never
// frozen or moved: a request's duration is real time even when tokens are
// checked against a frozen or dev clock.
type Stopwatch struct{}

// Now returns the current instant with its monotonic reading.
func (Stopwatch) Now() time.Time { return time.Now() }
