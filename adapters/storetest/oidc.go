package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newCode() domain.AuthCode {
	return domain.AuthCode{
		Hash: domain.CodeHash(NewID()), ClientID: "app", RedirectURI: "https://app.example/cb",
		Challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Nonce: "n-0S6_WzA2Mj", Scope: "openid profile",
		UserID: "1", Username: "user1", BrowserSessionID: NewID(), AuthTime: t0.Add(-time.Minute),
		CreatedAt: t0, ExpiresAt: t0.Add(domain.CodeTTL), SessionID: NewID(),
	}
}

// TestCodeStore runs the contract of ports.CodeStore against stores made
// by newStore; each subtest gets a fresh, empty store.
func TestCodeStore(t *testing.T, newStore func(t *testing.T) ports.CodeStore) {
	ctx := context.Background()

	t.Run("create_use_once", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		c := newCode()
		require.NoError(t, st.CreateCode(ctx, c))
		assert.ErrorIs(t, st.CreateCode(ctx, c), domain.ErrConflict)
		got, err := st.UseCode(ctx, c.Hash, t0.Add(time.Second))
		require.NoError(t, err)
		assert.Equal(t, c, got, "every field is kept, UsedAt still zero")
		again, err := st.UseCode(ctx, c.Hash, t0.Add(2*time.Second))
		assert.ErrorIs(t, err, domain.ErrCodeUsed)
		assert.ErrorIs(t, err, domain.ErrInvalidGrant)
		assert.Equal(t, c.SessionID, again.SessionID, "the second use learns what the first one issued")
		assert.True(t, again.UsedAt.Equal(t0.Add(time.Second)), "the first use's instant: %v", again.UsedAt)
	})

	t.Run("unknown", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		for _, h := range []string{"", "nope", "a\x00b", "\xff"} {
			_, err := st.UseCode(ctx, h, t0)
			assert.ErrorIs(t, err, domain.ErrNotFound, "%q", h)
		}
	})

	t.Run("concurrent_use_one_wins", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		c := newCode()
		require.NoError(t, st.CreateCode(ctx, c))
		var wins, used atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := st.UseCode(ctx, c.Hash, t0)
				switch {
				case err == nil:
					wins.Add(1)
				case assert.ErrorIs(t, err, domain.ErrCodeUsed):
					used.Add(1)
				}
			}()
		}
		wg.Wait()
		assert.EqualValues(t, 1, wins.Load())
		assert.EqualValues(t, 15, used.Load())
	})

	t.Run("purge", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		old, fresh := newCode(), newCode()
		fresh.ExpiresAt = t0.Add(2 * domain.CodeTTL)
		require.NoError(t, st.CreateCode(ctx, old))
		require.NoError(t, st.CreateCode(ctx, fresh))
		n, err := st.PurgeCodes(ctx, old.ExpiresAt)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		_, err = st.UseCode(ctx, old.Hash, t0)
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = st.UseCode(ctx, fresh.Hash, t0)
		assert.NoError(t, err)
	})
}

func newBrowserSession() domain.BrowserSession {
	return domain.BrowserSession{ID: NewID(), SecretSHA256: domain.SecretHash("s3cret"), UserID: "1", Username: "user1",
		AuthTime: t0, ExpiresAt: t0.Add(24 * time.Hour)}
}

// TestBrowserSessionStore runs the contract of ports.BrowserSessionStore
// against stores made by newStore; each subtest gets a fresh, empty store.
func TestBrowserSessionStore(t *testing.T, newStore func(t *testing.T) ports.BrowserSessionStore) {
	ctx := context.Background()

	t.Run("create_get_end", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		b := newBrowserSession()
		require.NoError(t, st.CreateBrowserSession(ctx, b))
		assert.ErrorIs(t, st.CreateBrowserSession(ctx, b), domain.ErrConflict)
		got, err := st.BrowserSession(ctx, b.ID)
		require.NoError(t, err)
		assert.Equal(t, b.UserID, got.UserID)
		assert.Equal(t, b.Username, got.Username)
		assert.Equal(t, b.SecretSHA256, got.SecretSHA256)
		assert.True(t, got.AuthTime.Equal(b.AuthTime) && got.ExpiresAt.Equal(b.ExpiresAt))
		assert.True(t, got.Opens("s3cret") && !got.Opens("s3cre"))
		assert.Empty(t, got.Sessions)

		ended, err := st.EndBrowserSession(ctx, b.ID, t0.Add(time.Minute))
		require.NoError(t, err)
		assert.True(t, ended.EndedAt.Equal(t0.Add(time.Minute)))
		again, err := st.EndBrowserSession(ctx, b.ID, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.True(t, again.EndedAt.Equal(t0.Add(time.Minute)), "the first instant is kept")
		assert.False(t, again.Live(t0.Add(2*time.Minute)))
	})

	t.Run("tokens_are_remembered_bounded", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		b := newBrowserSession()
		require.NoError(t, st.CreateBrowserSession(ctx, b))
		var ids []string
		for range domain.MaxBrowserSessionTokens + 3 {
			id := NewID()
			ids = append(ids, id)
			require.NoError(t, st.AddBrowserToken(ctx, b.ID, id))
		}
		got, err := st.BrowserSession(ctx, b.ID)
		require.NoError(t, err)
		assert.Equal(t, ids[3:], got.Sessions, "the newest, oldest first")
		ended, err := st.EndBrowserSession(ctx, b.ID, t0)
		require.NoError(t, err)
		assert.Equal(t, ids[3:], ended.Sessions, "ending returns them, for logout to revoke")
	})

	t.Run("unknown", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		for _, id := range []string{"", "nope", "a\x00b", "\xff"} {
			_, err := st.BrowserSession(ctx, id)
			assert.ErrorIs(t, err, domain.ErrNotFound, "%q", id)
			assert.ErrorIs(t, st.AddBrowserToken(ctx, id, NewID()), domain.ErrNotFound, "%q", id)
			_, err = st.EndBrowserSession(ctx, id, t0)
			assert.ErrorIs(t, err, domain.ErrNotFound, "%q", id)
		}
	})

	t.Run("purge", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		old, fresh := newBrowserSession(), newBrowserSession()
		fresh.ExpiresAt = old.ExpiresAt.Add(time.Hour)
		require.NoError(t, st.CreateBrowserSession(ctx, old))
		require.NoError(t, st.CreateBrowserSession(ctx, fresh))
		n, err := st.PurgeBrowserSessions(ctx, old.ExpiresAt)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		_, err = st.BrowserSession(ctx, old.ID)
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = st.BrowserSession(ctx, fresh.ID)
		assert.NoError(t, err)
	})
}
