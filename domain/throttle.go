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

// DelayPolicy slows down failed logins for one account from addresses it
// does not know, instead of locking the account: the first Free failures in
// the Window cost nothing, then each further attempt must wait Base after
// the last failure, doubling with every failure, up to Max. A guesser
// spread over many addresses gets few guesses an hour, while the owner,
// from an address the account logged in from recently, is not slowed at all
// (the caller skips the policy for known addresses).
//
// With Free 10, Base 1 s, Max 15 min and Window 24 h, as authd runs it, a
// guesser who tries at every allowed instant gets at most 22 guesses in the
// first hour (10 at once, then after 1, 2, 4 … 512 s, then every 15 min)
// and 4 an hour after that (MaxGuessesPerHour computes it). A log that
// keeps the failures must keep Keep() of them per account, or the delay
// cannot reach Max.
type DelayPolicy struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Window time.Duration
}

// Keep is how many of an account's most recent failures the log must keep
// for the delays to grow to Max: Free, and one more per doubling.
func (p DelayPolicy) Keep() int {
	shift := 0
	for p.Base > 0 && shift < 40 && p.Base<<shift < p.Max {
		shift++
	}
	return p.Free + shift + 1
}

// RetryAfter returns how long the account must wait at now before its next
// attempt, given the instants of its failures (oldest first); zero means it
// may try now. A zero policy never delays.
func (p DelayPolicy) RetryAfter(failures []time.Time, now time.Time) time.Duration {
	if p.Base <= 0 || p.Free <= 0 {
		return 0
	}
	from := now.Add(-p.Window)
	recent := failures
	for len(recent) > 0 && !recent[0].After(from) {
		recent = recent[1:]
	}
	n := len(recent)
	if n < p.Free {
		return 0
	}
	delay := p.Max
	if shift := n - p.Free; shift < 40 {
		delay = min(p.Base<<shift, p.Max)
	}
	if wait := recent[n-1].Add(delay).Sub(now); wait > 0 {
		return wait
	}
	return 0
}

// MaxGuessesPerHour is how many failures a guesser who tries at every
// instant the policy allows gets in the given hour from the first guess
// (0 for the first hour, 1 for the second, …): the documented bound.
func (p DelayPolicy) MaxGuessesPerHour(hour int) int {
	t0 := time.Unix(0, 0).UTC()
	now := t0
	var failures []time.Time
	count := 0
	for now.Before(t0.Add(time.Duration(hour+1) * time.Hour)) {
		if wait := p.RetryAfter(failures, now); wait > 0 {
			now = now.Add(wait)
			continue
		}
		if !now.Before(t0.Add(time.Duration(hour) * time.Hour)) {
			count++
		}
		failures = append(failures, now)
		if p.Base <= 0 || p.Free <= 0 {
			return -1 // no bound
		}
	}
	return count
}
