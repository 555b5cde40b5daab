package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/app"
	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gateHasher holds every Verify until the gate opens, counting how many got
// that far.
type gateHasher struct {
	fakeHasher
	entered atomic.Int32
	gate    chan struct{}
}

func (g *gateHasher) Verify(ctx context.Context, encoded, password string) error {
	g.entered.Add(1)
	<-g.gate
	return g.fakeHasher.Verify(ctx, encoded, password)
}

func (g *gateHasher) VerifyDummy(ctx context.Context, password string) error {
	g.entered.Add(1)
	<-g.gate
	return g.fakeHasher.VerifyDummy(ctx, password)
}

// recordingLog is a memory failure log that remembers every key it saw.
type recordingLog struct {
	ports.FailureLog
	mu   sync.Mutex
	keys []string
}

func (r *recordingLog) AddFailure(ctx context.Context, key string, at time.Time, keep int) error {
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.mu.Unlock()
	return r.FailureLog.AddFailure(ctx, key, at, keep)
}

func throttled(t *testing.T, h ports.PasswordHasher, log ports.FailureLog) *app.Service {
	t.Helper()
	p := domain.DefaultPolicy()
	svc, err := app.New(app.Deps{
		Clock: &countingClock{now: t0}, Sessions: newMemorySessions(), Issuer: jsonTokens{p}, Verifier: jsonTokens{p},
		Users:  &fakeUsers{users: map[string]domain.User{"minsu": {ID: "2", Username: "minsu", PasswordHash: "h"}}},
		Hasher: h, IDs: randIDs{}, Failures: log, Policy: p,
		UserThrottle: domain.ThrottlePolicy{MaxFailures: 10, Window: 15 * time.Minute},
		IPThrottle:   domain.ThrottlePolicy{MaxFailures: 100, Window: 15 * time.Minute},
	})
	require.NoError(t, err)
	return svc
}

// TestParallelGuessesCannotOverrunTheLimit: 60 guesses in flight at once,
// from 60 addresses, the last with the right password: at most 10 reach the
// hasher, the rest are refused before it.
func TestParallelGuessesCannotOverrunTheLimit(t *testing.T) {
	h := &gateHasher{gate: make(chan struct{})}
	svc := throttled(t, h, memory.NewFailures())
	var limited atomic.Int32
	results := make(chan error, 60)
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			password := "wrong"
			if i == 59 {
				password = "right"
			}
			_, err := svc.Login(context.Background(), domain.Credentials{Username: "minsu", Password: password}, fmt.Sprintf("192.0.2.%d", i))
			if errors.Is(err, domain.ErrRateLimited) {
				limited.Add(1)
			}
			results <- err
		})
	}
	require.Eventually(t, func() bool { return h.entered.Load()+limited.Load() == 60 },
		5*time.Second, time.Millisecond, "every attempt is either at the hasher or refused")
	close(h.gate)
	wg.Wait()
	close(results)
	assert.LessOrEqual(t, h.entered.Load(), int32(10), "no more guesses than the limit reach the hasher")
	assert.GreaterOrEqual(t, limited.Load(), int32(50))
}

// TestOnlyWrongPasswordsCount: a login that succeeds, or that fails for a
// reason other than the password (a full hashing queue), takes its record
// back, so neither counts against the username or the address.
func TestOnlyWrongPasswordsCount(t *testing.T) {
	h := &fakeHasher{}
	svc := throttled(t, h, memory.NewFailures())
	ctx := context.Background()
	for range 150 { // more than the address's limit of 100
		_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "198.51.100.1")
		require.NoError(t, err)
	}
	h.err = fmt.Errorf("queue full: %w", domain.ErrUnavailable)
	for range 20 {
		_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "wrong"}, "198.51.100.1")
		require.ErrorIs(t, err, domain.ErrUnavailable)
	}
	h.err = nil
	_, err := svc.Login(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "198.51.100.1")
	assert.NoError(t, err, "neither the successes nor the outages counted")
}

// TestFailureKeysHaveAFixedSize: the longest username costs the failure log
// what a short one does.
func TestFailureKeysHaveAFixedSize(t *testing.T) {
	log := &recordingLog{FailureLog: memory.NewFailures()}
	svc := throttled(t, &fakeHasher{}, log)
	long := strings.Repeat("u", domain.MaxUsernameBytes)
	_, err := svc.Login(context.Background(), domain.Credentials{Username: long, Password: "x"}, "192.0.2.1")
	require.ErrorIs(t, err, domain.ErrInvalidCredentials)
	require.NotEmpty(t, log.keys)
	for _, k := range log.keys {
		assert.LessOrEqual(t, len(k), 64, "key %.80q", k)
		assert.NotContains(t, k, "uuuu", "the username itself is not stored")
	}
}
