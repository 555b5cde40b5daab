package app

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// KnownAddressTTL is how long an address a user logged in from stays known
// for that user: logins from it skip the account's guessing delay.
const KnownAddressTTL = 7 * 24 * time.Hour

// KnownAddressesPerAccount is how many addresses an account keeps known,
// the most recently used: a phone, a laptop, home, office and travel fit,
// and the store's size per account is bounded whoever logs in.
const KnownAddressesPerAccount = 20

// DefaultDeviceTokenTTL is how long a device token stays good: a month
// of not logging in from that device, as OWASP's device cookies suggest.
const DefaultDeviceTokenTTL = 30 * 24 * time.Hour

// throttle applies the login throttle. Three limits, so that guessing is
// bounded without letting strangers lock anyone out:
//
//   - per username and address (pair): a hard limit, so one address gets
//     its few tries per account and then waits;
//   - per address (ip): a hard limit across usernames, so one address
//     spraying many usernames is stopped;
//   - per account (account): growing delays after a free allowance, for
//     addresses the account has not logged in from recently, so a guesser
//     spread over many addresses gets few guesses an hour while the owner,
//     from an address she used before, is never slowed by them.
//
// A login that presents a valid device token of its username (one an
// earlier successful login handed out) is judged by a fourth limit alone,
// per device token (device), and exempt from the other three: strangers on
// the owner's address, or guessing from everywhere, cannot lock out a
// device that proved itself. A device that reaches its limit is no longer
// trusted, and its logins are judged like anyone's until its failures
// leave the window (OWASP's "untrusted after N failures").
type throttle struct {
	pair, ip, device domain.ThrottlePolicy
	account          domain.DelayPolicy
	devices          domain.DeviceTokens
}

// throttleKey is one key of the failure log with its policy: a hard limit
// or a delay.
type throttleKey struct {
	key   string
	limit domain.ThrottlePolicy
	delay domain.DelayPolicy
}

// active reports whether the key has a policy at all.
func (k throttleKey) active() bool { return k.limit.MaxFailures > 0 || k.delay.Free > 0 }

// keep is how many failures the log must keep for the key.
func (k throttleKey) keep() int {
	if k.delay.Free > 0 {
		return k.delay.Keep()
	}
	return k.limit.MaxFailures + 1 // one more than the limit, so an attempt beyond it shows
}

// retryAfter is the key's wait at now given its failures.
func (k throttleKey) retryAfter(failures []time.Time, now time.Time) time.Duration {
	if k.delay.Free > 0 {
		return k.delay.RetryAfter(failures, now)
	}
	return k.limit.RetryAfter(failures, now)
}

// window is how far back the key's failures matter.
func (k throttleKey) window() time.Duration { return max(k.limit.Window, k.delay.Window) }

// hashed returns a fixed-size key for text a client chose: a key costs the
// same whatever the username's length, and the log holds no usernames.
func hashed(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return prefix + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// attempt is the throttle's view of one login attempt.
type attempt struct {
	pair, ip, account throttleKey
	// device is the key of the attempt's device token, when it presented
	// a valid one of its username; else its key is "".
	device throttleKey
	// address is the address as the known-address store holds it, under
	// the account's key.
	address string
}

// attemptOf returns the keys of a login with cred from clientIP (which may
// be unknown: ""). Addresses count by domain.AddressGroup: an IPv6 client
// is its /64, which one subscriber gets whole, so the exact address would
// give one client 2^64 fresh addresses, each with its own limits.
func (t throttle) attemptOf(cred domain.Credentials, clientIP string, now time.Time) attempt {
	group := domain.AddressGroup(clientIP)
	a := attempt{
		pair:    throttleKey{key: hashed("pair:", cred.Username, group), limit: t.pair},
		account: throttleKey{key: hashed("user:", cred.Username), delay: t.account},
		address: hashed("addr:", group),
	}
	if clientIP != "" {
		a.ip = throttleKey{key: "ip:" + group, limit: t.ip}
	}
	// Without a limit of its own, a device token would be a way around
	// every limit: it counts only when there is one.
	if t.device.MaxFailures > 0 && t.devices.Valid(cred.DeviceToken, cred.Username, now) {
		a.device = throttleKey{key: hashed("device:", cred.DeviceToken), limit: t.device}
	}
	return a
}

// keys returns the keys that apply: the device token's alone while it is
// under its limit; else the pair's, the address's, and the account's only
// from an address it has not logged in from within KnownAddressTTL.
func (t throttle) keys(ctx context.Context, log ports.FailureLog, known ports.KnownAddresses, a attempt, now time.Time) ([]throttleKey, error) {
	if a.device.key != "" {
		failures, err := log.Failures(ctx, a.device.key, now.Add(-a.device.window()))
		if err != nil {
			return nil, fmt.Errorf("read device failures: %w", err)
		}
		if a.device.retryAfter(failures, now) == 0 {
			return []throttleKey{a.device}, nil
		}
	}
	keys := []throttleKey{a.pair, a.ip}
	if a.account.active() {
		ok, err := known.AddressKnown(ctx, a.account.key, a.address, now.Add(-KnownAddressTTL))
		if err != nil {
			return nil, fmt.Errorf("read known addresses: %w", err)
		}
		if !ok {
			keys = append(keys, a.account)
		}
	}
	active := keys[:0]
	for _, k := range keys {
		if k.key != "" && k.active() {
			active = append(active, k)
		}
	}
	return active, nil
}

// check returns a *domain.RateLimitError with the longest wait when any key
// must wait at now.
func (t throttle) check(ctx context.Context, log ports.FailureLog, keys []throttleKey, now time.Time) error {
	var wait time.Duration
	for _, k := range keys {
		failures, err := log.Failures(ctx, k.key, now.Add(-k.window()))
		if err != nil {
			return fmt.Errorf("read login failures: %w", err)
		}
		wait = max(wait, k.retryAfter(failures, now))
	}
	if wait > 0 {
		return &domain.RateLimitError{RetryAfter: wait}
	}
	return nil
}

// reserve records the attempt as a failure on every key before the password
// is hashed, then counts again: of any number of concurrent attempts, the
// k-th to be recorded sees at least k, so none gets past a limit or a delay
// however many are in flight. (Checking first and recording after the hash,
// as a first version did, let 60 parallel guesses through a limit of 10.)
// An attempt refused here keeps its record, as any attempt does, and gets a
// *domain.RateLimitError; what it reserved is returned so that a login that
// turns out not to be a wrong password can take it back with release.
func (t throttle) reserve(ctx context.Context, log ports.FailureLog, keys []throttleKey, now time.Time) ([]throttleKey, error) {
	var reserved []throttleKey
	var wait time.Duration
	for _, k := range keys {
		if err := log.AddFailure(ctx, k.key, now, k.keep()); err != nil {
			return reserved, fmt.Errorf("record login attempt: %w", err)
		}
		reserved = append(reserved, k)
		failures, err := log.Failures(ctx, k.key, now.Add(-k.window()))
		if err != nil {
			return reserved, fmt.Errorf("read login failures: %w", err)
		}
		if n := len(failures); n > 0 {
			// Judged without one record at now, this attempt's own.
			wait = max(wait, k.retryAfter(failures[:n-1], now))
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

// succeeded records a successful login: the mistakes of what it was judged
// by (the device token's, or else this address's for the user) are
// forgotten, its other records of the attempt taken back, and the address
// becomes known to the account, in the known-address store, never in the
// failure log (where, as one-failure keys, a flood of such logins once
// steered what the log evicted). The account's failures from elsewhere
// stay: the owner logging in does not give a guesser new tries, nor does
// her device's login forget what others tried from her address.
func (t throttle) succeeded(ctx context.Context, log ports.FailureLog, known ports.KnownAddresses, a attempt, reserved []throttleKey, now time.Time) error {
	reset := a.pair.key
	if slices.ContainsFunc(reserved, func(k throttleKey) bool { return k.key == a.device.key }) {
		reset = a.device.key
	}
	var others []throttleKey
	for _, k := range reserved {
		if k.key != reset {
			others = append(others, k)
		}
	}
	if err := t.release(ctx, log, others, now); err != nil {
		return err
	}
	if err := log.ResetFailures(ctx, reset); err != nil {
		return fmt.Errorf("reset login failures: %w", err)
	}
	if a.account.active() {
		if err := known.RememberAddress(ctx, a.account.key, a.address, now, KnownAddressesPerAccount); err != nil {
			return fmt.Errorf("remember known address: %w", err)
		}
	}
	return nil
}

// window is how long the failure log must keep anything: the longest window
// of the policies.
func (t throttle) window() time.Duration {
	return max(t.pair.Window, t.ip.Window, t.device.Window, t.account.Window)
}

// deviceToken returns a new device token for the user, the session's id
// serving as its random id, and its lifetime in whole seconds; "" when
// device tokens are off.
func (t throttle) deviceToken(username, sessionID string, now time.Time) (string, int64) {
	if !t.devices.Enabled() {
		return "", 0
	}
	token, exp := t.devices.Issue(username, sessionID, now)
	return token, domain.ExpiresIn(exp, now)
}
