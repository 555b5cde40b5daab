package app

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// throttle applies the login throttle policies to a username and a client
// IP.
type throttle struct {
	user, ip domain.ThrottlePolicy
}

// throttleKey is one key of the failure log with its policy.
type throttleKey struct {
	key    string
	policy domain.ThrottlePolicy
}

// keys returns the username's key first, then the IP's when there is one.
// The username is hashed: a key has a fixed size however long the name a
// client sends (up to the 16 KiB body), so the failure log's memory is
// bounded by its number of keys, and the log holds no usernames.
func (t throttle) keys(username, clientIP string) []throttleKey {
	sum := sha256.Sum256([]byte(username))
	keys := []throttleKey{{"user:" + base64.RawURLEncoding.EncodeToString(sum[:]), t.user}}
	if clientIP != "" {
		keys = append(keys, throttleKey{"ip:" + clientIP, t.ip})
	}
	return keys
}

// check returns a *domain.RateLimitError with the longest wait when any key
// is over its limit at now.
func (t throttle) check(ctx context.Context, log ports.FailureLog, keys []throttleKey, now time.Time) error {
	var wait time.Duration
	for _, k := range keys {
		if k.policy.MaxFailures <= 0 {
			continue
		}
		failures, err := log.Failures(ctx, k.key, now.Add(-k.policy.Window))
		if err != nil {
			return fmt.Errorf("read login failures: %w", err)
		}
		wait = max(wait, k.policy.RetryAfter(failures, now))
	}
	if wait > 0 {
		return &domain.RateLimitError{RetryAfter: wait}
	}
	return nil
}

// reserve records the attempt as a failure on every key before the password
// is hashed, then counts again: of any number of concurrent attempts, the
// k-th to be recorded sees at least k, so no more than MaxFailures of them
// get past the limit however many are in flight. (Checking first and
// recording after the hash, as a first version did, let 60 parallel guesses
// through a limit of 10.) An attempt over the limit keeps its record, as
// any attempt does, and gets a *domain.RateLimitError; what it reserved is
// returned so a login that turns out not to be a wrong password can take it
// back with release.
func (t throttle) reserve(ctx context.Context, log ports.FailureLog, keys []throttleKey, now time.Time) ([]throttleKey, error) {
	var reserved []throttleKey
	var wait time.Duration
	for _, k := range keys {
		if k.policy.MaxFailures <= 0 {
			continue
		}
		// One more than the limit is kept, so an attempt beyond it shows.
		if err := log.AddFailure(ctx, k.key, now, k.policy.MaxFailures+1); err != nil {
			return reserved, fmt.Errorf("record login attempt: %w", err)
		}
		reserved = append(reserved, k)
		failures, err := log.Failures(ctx, k.key, now.Add(-k.policy.Window))
		if err != nil {
			return reserved, fmt.Errorf("read login failures: %w", err)
		}
		if n := len(failures); n > 0 {
			// Judged without one record at now, this attempt's own.
			wait = max(wait, k.policy.RetryAfter(failures[:n-1], now))
		}
	}
	if wait > 0 {
		return reserved, &domain.RateLimitError{RetryAfter: wait}
	}
	return reserved, nil
}

// release takes back the records reserve made at now.
func (t throttle) release(ctx context.Context, log ports.FailureLog, reserved []throttleKey, now time.Time) error {
	for _, k := range reserved {
		if err := log.RemoveFailure(ctx, k.key, now); err != nil {
			return fmt.Errorf("release login attempt: %w", err)
		}
	}
	return nil
}

// window is the longest window of the two policies.
func (t throttle) window() time.Duration { return max(t.user.Window, t.ip.Window) }
