package domain_test

import (
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecideRefresh(t *testing.T) {
	p := domain.DefaultPolicy()
	p.ReuseGrace = 10 * time.Second
	s1 := domain.NewSession(sid, minsu, t0, p, "")
	s2, out, err := s1.DecideRefresh(1, t0.Add(30*time.Second), p)
	require.NoError(t, err)
	require.Equal(t, domain.Rotated, out)
	require.Equal(t, uint64(2), s2.Generation)
	require.Equal(t, t0.Add(30*time.Second), s2.RotatedAt)
	require.Equal(t, t0.Add(30*time.Second), s2.LastUsedAt)

	for _, tc := range []struct {
		name    string
		s       domain.Session
		gen     uint64
		at      time.Duration // after t0
		out     domain.RefreshOutcome
		err     error
		revoked bool
	}{
		{"current rotates", s2, 2, 31 * time.Second, domain.Rotated, nil, false},
		{"predecessor inside grace replays", s2, 1, 39*time.Second + 999*time.Millisecond, domain.Replayed, nil, false},
		{"predecessor at grace end is reuse", s2, 1, 40 * time.Second, domain.Reused, nil, true},
		{"grandparent inside grace is reuse", mustRotate(t, s2, 2, 31*time.Second, p), 1, 32 * time.Second, domain.Reused, nil, true},
		{"future generation is reuse", s2, 7, 31 * time.Second, domain.Reused, nil, true},
		{"revoked stays revoked for the current token", s2.Revoke(domain.ReasonLogout, t0), 2, 31 * time.Second, 0, domain.ErrSessionRevoked, true},
		{"revoked stays revoked inside grace", s2.Revoke(domain.ReasonReuse, t0), 1, 31 * time.Second, 0, domain.ErrSessionRevoked, true},
		{"at the session end", s2, 2, 24 * time.Hour, 0, domain.ErrSessionExpired, false},
		{"a second before the end", s2, 2, 24*time.Hour - time.Second, domain.Rotated, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, out, err := tc.s.DecideRefresh(tc.gen, t0.Add(tc.at), p)
			assert.Equal(t, tc.out, out)
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
				assert.Equal(t, tc.s, next, "an error leaves the session unchanged")
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tc.revoked, next.Revoked())
			if out == domain.Reused {
				assert.Equal(t, domain.ReasonReuse, next.RevokeReason)
			}
			if out == domain.Replayed {
				assert.Equal(t, tc.s, next, "a replay changes nothing")
			}
		})
	}
}

func mustRotate(t *testing.T, s domain.Session, gen uint64, at time.Duration, p domain.Policy) domain.Session {
	t.Helper()
	next, out, err := s.DecideRefresh(gen, t0.Add(at), p)
	require.NoError(t, err)
	require.Equal(t, domain.Rotated, out)
	return next
}

func TestGraceZeroMeansEveryOldTokenIsReuse(t *testing.T) {
	p := domain.DefaultPolicy()
	s2 := mustRotate(t, domain.NewSession(sid, minsu, t0, p, ""), 1, time.Second, p)
	_, out, err := s2.DecideRefresh(1, t0.Add(time.Second), p)
	require.NoError(t, err)
	assert.Equal(t, domain.Reused, out, "same instant, but no grace")

	// A request that read its clock before another request rotated the
	// session (found by TestTwoInstancesShareOnePostgres, where the two
	// instances' reads interleave): its now is before RotatedAt. With no
	// grace that is still reuse, not a replay.
	_, out, err = s2.DecideRefresh(1, t0.Add(999*time.Millisecond), p)
	require.NoError(t, err)
	assert.Equal(t, domain.Reused, out, "a now before the rotation does not open a zero-length window")
}

func TestReplayGivesTheSameClaims(t *testing.T) {
	p := domain.DefaultPolicy()
	p.ReuseGrace = 10 * time.Second
	s2 := mustRotate(t, domain.NewSession(sid, minsu, t0, p, ""), 1, 1500*time.Millisecond, p)
	a1, r1 := s2.Tokens(p)
	replayed, out, err := s2.DecideRefresh(1, t0.Add(5*time.Second), p)
	require.NoError(t, err)
	require.Equal(t, domain.Replayed, out)
	a2, r2 := replayed.Tokens(p)
	assert.Equal(t, a1, a2)
	assert.Equal(t, r1, r2)
	assert.Equal(t, sid+".r2", r2.ID)
	assert.Equal(t, t0.Add(time.Second), r2.IssuedAt)
}

func TestRevokeKeepsFirstReason(t *testing.T) {
	p := domain.DefaultPolicy()
	s := domain.NewSession(sid, minsu, t0, p, "")
	assert.False(t, s.Revoked())
	r := s.Revoke(domain.ReasonReuse, t0.Add(time.Second))
	r2 := r.Revoke(domain.ReasonLogout, t0.Add(time.Minute))
	assert.Equal(t, domain.ReasonReuse, r2.RevokeReason)
	assert.Equal(t, t0.Add(time.Second), r2.RevokedAt)
}

func TestLiveAndPurge(t *testing.T) {
	p := domain.DefaultPolicy()
	s := domain.NewSession(sid, minsu, t0, p, "")
	assert.Equal(t, t0.Add(5*time.Minute), s.PurgeAt, "nothing of it outlives the refresh token")
	assert.True(t, s.Live(t0.Add(5*time.Minute-1)))
	assert.False(t, s.Live(t0.Add(5*time.Minute)), "idle past the refresh TTL")
	assert.False(t, s.Revoke(domain.ReasonLogout, t0).Live(t0))

	s2 := mustRotate(t, s, 1, 4*time.Minute, p)
	assert.Equal(t, t0.Add(9*time.Minute), s2.PurgeAt, "rotation extends it")
	assert.Equal(t, t0.Add(5*time.Minute), s2.AccessValidUntil(p))

	p.Leeway = 3 * time.Second
	assert.Equal(t, t0.Add(5*time.Minute+3*time.Second), domain.NewSession(sid, minsu, t0, p, "").PurgeAt)
}

func TestTokenIDRoundTrip(t *testing.T) {
	p := domain.DefaultPolicy()
	s := domain.NewSession(sid, minsu, t0, p, "")
	for range 41 {
		s = mustRotate(t, s, s.Generation, time.Second, p)
	}
	_, refresh := s.Tokens(p)
	assert.Equal(t, domain.TokenID(sid, domain.Refresh, 42), refresh.ID)
	refresh.Generation = 7 // what a token says for itself does not count
	c, err := p.Validate(refresh, domain.Refresh, t0.Add(time.Second))
	require.NoError(t, err)
	assert.Equal(t, uint64(42), c.Generation, "Validate reads the generation from the jti")
	assert.Equal(t, "access", domain.Access.String())
	assert.Equal(t, "rt+jwt", domain.Refresh.Typ())
}

// TestDecideRetry: the retry of a rotation the server could not
// acknowledge replays the child when the token is the immediate
// predecessor, without any grace configured; every other case is decided
// as a refresh.
func TestDecideRetry(t *testing.T) {
	t.Parallel()
	p := domain.DefaultPolicy() // no grace
	s2 := mustRotate(t, domain.NewSession(sid, minsu, t0, p, ""), 1, time.Second, p)
	for _, tc := range []struct {
		name string
		s    domain.Session
		gen  uint64
		out  domain.RefreshOutcome
		err  error
	}{
		{"predecessor replays the child", s2, 1, domain.Replayed, nil},
		{"the current token rotates", s2, 2, domain.Rotated, nil},
		{"a grandparent is reuse", mustRotate(t, s2, 2, 2*time.Second, p), 1, domain.Reused, nil},
		{"a revoked session stays revoked", s2.Revoke(domain.ReasonLogout, t0), 1, 0, domain.ErrSessionRevoked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, out, err := tc.s.DecideRetry(tc.gen, t0.Add(3*time.Second), p)
			assert.Equal(t, tc.out, out)
			assert.ErrorIs(t, err, tc.err)
		})
	}
	_, out, err := s2.DecideRetry(1, s2.ExpiresAt, p)
	assert.ErrorIs(t, err, domain.ErrSessionExpired, "not past the session's end")
	assert.Zero(t, out)
}

// TestCurrent: the first rules of DecideRefresh, on their own.
func TestCurrent(t *testing.T) {
	t.Parallel()
	p := domain.DefaultPolicy()
	s2 := mustRotate(t, domain.NewSession(sid, minsu, t0, p, ""), 1, time.Second, p)
	at := t0.Add(2 * time.Second)
	assert.NoError(t, s2.Current(2, at))
	assert.ErrorIs(t, s2.Current(1, at), domain.ErrRefreshReused, "rotated away")
	assert.ErrorIs(t, s2.Current(3, at), domain.ErrRefreshReused, "never issued")
	assert.ErrorIs(t, s2.Revoke(domain.ReasonLogout, t0).Current(2, at), domain.ErrSessionRevoked)
	assert.ErrorIs(t, s2.Current(2, s2.ExpiresAt), domain.ErrSessionExpired)
}
