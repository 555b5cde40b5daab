package domain

import "time"

// ThrottlePolicy limits failed logins per key (a username, a client IP) in a
// sliding window: at most MaxFailures failures in any Window.
type ThrottlePolicy struct {
	MaxFailures int
	Window      time.Duration
}

// RetryAfter returns how long a key whose failures happened at the given
// instants (oldest first) must wait at now before its next attempt; zero
// means it may try now. The window slides: the key may try again as soon as
// fewer than MaxFailures of its failures lie within the Window before now.
func (p ThrottlePolicy) RetryAfter(failures []time.Time, now time.Time) time.Duration {
	if p.MaxFailures <= 0 {
		return 0
	}
	from := now.Add(-p.Window)
	recent := failures
	for len(recent) > 0 && !recent[0].After(from) {
		recent = recent[1:]
	}
	if len(recent) < p.MaxFailures {
		return 0
	}
	// Allowed again when the failure that makes the count reach the limit
	// leaves the window.
	return recent[len(recent)-p.MaxFailures].Add(p.Window).Sub(now)
}
