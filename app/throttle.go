package app

import (
	"context"
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
func (t throttle) keys(username, clientIP string) []throttleKey {
	keys := []throttleKey{{"user:" + username, t.user}}
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

// fail records a failed login on every key.
func (t throttle) fail(ctx context.Context, log ports.FailureLog, keys []throttleKey, now time.Time) error {
	for _, k := range keys {
		if k.policy.MaxFailures <= 0 {
			continue
		}
		if err := log.AddFailure(ctx, k.key, now, k.policy.MaxFailures); err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
	}
	return nil
}

// window is the longest window of the two policies.
func (t throttle) window() time.Duration { return max(t.user.Window, t.ip.Window) }
