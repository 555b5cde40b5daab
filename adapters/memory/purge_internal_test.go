package memory

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPurgeJudgesEachEntryAsItIsWhenReached rotates, each time the purge
// lets go of the lock, the session it handled last. A rotation that
// succeeds moves the session's PurgeAt past the cut, so the session must
// survive; a purge that judged entries by a copy taken before letting go
// would delete it. Not in parallel: purgeYieldHook is the package's, and
// every other store's purge would call it.
func TestPurgeJudgesEachEntryAsItIsWhenReached(t *testing.T) {
	ctx := context.Background()
	p := domain.DefaultPolicy()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	later := t0.Add(time.Hour)
	st := NewSessions()
	for i := range 3 * purgeBatch {
		var b [16]byte
		b[0], b[1], b[2] = byte(i), byte(i>>8), byte(i>>16)
		s := domain.NewSession(base64.RawURLEncoding.EncodeToString(b[:]), domain.User{ID: "1", Username: "u"}, t0, p, "")
		require.NoError(t, st.CreateSession(ctx, s))
	}
	var rotated []string
	purgeYieldHook = func(last sessionKey) {
		id := base64.RawURLEncoding.EncodeToString(last[:])
		s, err := st.Session(ctx, id)
		if err != nil {
			return // already purged, as it should be
		}
		next, _, err := s.DecideRefresh(1, later, p)
		require.NoError(t, err)
		if st.CompareAndRotate(ctx, 1, next) == nil {
			rotated = append(rotated, id)
		}
	}
	defer func() { purgeYieldHook = nil }()
	_, err := st.PurgeSessions(ctx, later)
	require.NoError(t, err)
	for _, id := range rotated {
		_, err := st.Session(ctx, id)
		assert.NoError(t, err, "a session rotated during the purge survives it")
	}
	assert.Equal(t, len(rotated), st.Len())
}
