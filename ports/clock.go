package ports

import "time"

// Clock tells the time. It is the only way any layer outside adapters/clock
// learns the current instant, so tests can freeze and step it.
type Clock interface {
	// Now returns the current instant. It never fails.
	Now() time.Time
}

// DevClock is a clock an operator can move, behind the development endpoint
// /dev/clock/. It exists so a person can watch tokens expire without
// waiting.
type DevClock interface {
	Clock
	// Set freezes the clock at t.
	Set(t time.Time)
	// Advance moves the clock forward by d, frozen or running. A negative d
	// returns domain.ErrInvalidRequest.
	Advance(d time.Duration) error
	// Release returns the clock to real time.
	Release()
	// Frozen reports whether the clock is frozen.
	Frozen() bool
}
