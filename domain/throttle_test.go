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
