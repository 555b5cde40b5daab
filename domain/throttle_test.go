package domain_test

import (
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
)

func TestRetryAfter(t *testing.T) {
	p := domain.ThrottlePolicy{MaxFailures: 3, Window: time.Minute}
	at := func(secs ...int) []time.Time {
		var out []time.Time
		for _, s := range secs {
			out = append(out, t0.Add(time.Duration(s)*time.Second))
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		failures []time.Time
		now      int
		want     time.Duration
	}{
		{"none", nil, 0, 0},
		{"under the limit", at(0, 1), 2, 0},
		{"at the limit", at(0, 1, 2), 3, 57 * time.Second},
		{"over the limit", at(0, 1, 2, 3), 4, 57 * time.Second}, // two must leave; the second leaves at 61
		{"the oldest slid out", at(0, 1, 2), 60, 0},
		{"just before it slides", at(0, 1, 2), 59, time.Second},
		{"old failures do not count", at(-300, -200, -100, 10), 11, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, p.RetryAfter(tc.failures, t0.Add(time.Duration(tc.now)*time.Second)))
		})
	}
	assert.Zero(t, domain.ThrottlePolicy{}.RetryAfter(at(0, 1, 2), t0), "no limit configured")
}

func TestDelayPolicy(t *testing.T) {
	p := domain.DelayPolicy{Free: 3, Base: time.Second, Max: 10 * time.Second, Window: time.Hour}
	at := func(secs ...int) []time.Time {
		var out []time.Time
		for _, s := range secs {
			out = append(out, t0.Add(time.Duration(s)*time.Second))
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		failures []time.Time
		now      int
		want     time.Duration
	}{
		{"free", at(0, 0), 0, 0},
		{"first delay", at(0, 0, 0), 0, time.Second},
		{"doubles", at(0, 0, 0, 1), 1, 2 * time.Second},
		{"doubles again", at(0, 0, 0, 1, 3), 3, 4 * time.Second},
		{"capped", at(0, 0, 0, 1, 3, 7, 15, 25), 25, 10 * time.Second},
		{"waited enough", at(0, 0, 0, 1), 3, 0},
		{"out of the window", at(0, 0, 0), 3601, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, p.RetryAfter(tc.failures, t0.Add(time.Duration(tc.now)*time.Second)))
		})
	}
	assert.Zero(t, domain.DelayPolicy{}.RetryAfter(at(0, 0, 0, 0), t0), "a zero policy never delays")

	authd := domain.DelayPolicy{Free: 10, Base: time.Second, Max: 15 * time.Minute, Window: 24 * time.Hour}
	assert.Equal(t, 22, authd.MaxGuessesPerHour(0), "the documented first-hour bound")
	assert.LessOrEqual(t, authd.MaxGuessesPerHour(1), 5)
	assert.LessOrEqual(t, authd.MaxGuessesPerHour(5), 5)
}
