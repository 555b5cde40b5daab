package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lostAnswer is a session store whose next CompareAndRotate commits and
// then reports the store unavailable, as a connection lost right after the
// commit does.
type lostAnswer struct {
	*failingSessions
	loseNext bool
}

func (l *lostAnswer) CompareAndRotate(ctx context.Context, fromGen uint64, next domain.Session) error {
	err := l.failingSessions.CompareAndRotate(ctx, fromGen, next)
	if l.loseNext && err == nil {
		l.loseNext = false
		return fmt.Errorf("connection lost after commit: %w", domain.ErrUnavailable)
	}
	return err
}

// TestRetryAfterALostRotationIsNotReuse: when the store fails as it
// commits a rotation, the client gets 503 and retries with the token it
// holds; that retry gets the rotation's pair instead of revoking the
// session as reuse (a database outage once logged out 1 to 7 of 40 honest
// clients this way). Reuse detection stays exact otherwise: once the new
// pair was used, the old token is reuse again, and the retry is only
// forgiven within domain.RetryWindow.
func TestRetryAfterALostRotationIsNotReuse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, wait := range map[string]time.Duration{"at once": time.Second, "at the end of the window": domain.RetryWindow - time.Second} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := &countingClock{now: t0}
			store := &lostAnswer{failingSessions: &failingSessions{SessionStore: newMemorySessions()}}
			svc := dpopServiceOn(t, domain.DPoPOptional, clk, store)
			first, err := svc.Login(ctx, minsu, "", domain.ProofRequest{})
			require.NoError(t, err)

			clk.advance(time.Second)
			store.loseNext = true
			_, err = svc.Refresh(ctx, first.Refresh, "", domain.ProofRequest{})
			require.ErrorIs(t, err, domain.ErrUnavailable, "the client saw a 503")
			sess, err := store.Session(ctx, first.SessionID)
			require.NoError(t, err)
			require.Equal(t, uint64(2), sess.Generation, "though the rotation committed")

			clk.advance(wait)
			retried, err := svc.Refresh(ctx, first.Refresh, "", domain.ProofRequest{})
			require.NoError(t, err, "the retry is not reuse")
			again, err := svc.Refresh(ctx, first.Refresh, "", domain.ProofRequest{})
			require.NoError(t, err)
			assert.Equal(t, retried, again, "the retry gets the committed rotation's pair, not a new branch")

			clk.advance(time.Second)
			next, err := svc.Refresh(ctx, retried.Refresh, "", domain.ProofRequest{})
			require.NoError(t, err, "the pair works")
			_, err = svc.Refresh(ctx, first.Refresh, "", domain.ProofRequest{})
			assert.ErrorIs(t, err, domain.ErrRefreshReused, "once the new pair was used, the old token is reuse")
			_, err = svc.Refresh(ctx, next.Refresh, "", domain.ProofRequest{})
			assert.ErrorIs(t, err, domain.ErrSessionRevoked)
		})
	}

	t.Run("after the window", func(t *testing.T) {
		t.Parallel()
		clk := &countingClock{now: t0}
		store := &lostAnswer{failingSessions: &failingSessions{SessionStore: newMemorySessions()}}
		svc := dpopServiceOn(t, domain.DPoPOptional, clk, store)
		first, err := svc.Login(ctx, minsu, "", domain.ProofRequest{})
		require.NoError(t, err)
		store.loseNext = true
		_, err = svc.Refresh(ctx, first.Refresh, "", domain.ProofRequest{})
		require.ErrorIs(t, err, domain.ErrUnavailable)
		clk.advance(domain.RetryWindow)
		_, err = svc.Refresh(ctx, first.Refresh, "", domain.ProofRequest{})
		assert.ErrorIs(t, err, domain.ErrRefreshReused)
	})
}
