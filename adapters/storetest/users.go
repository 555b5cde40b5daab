package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUserAdmin runs the contract of ports.UserAdmin against stores made by
// newStore; each subtest gets a fresh, empty store.
func TestUserAdmin(t *testing.T, newStore func(t *testing.T) ports.UserAdmin) {
	ctx := context.Background()
	user := func(id, name string) domain.User {
		return domain.User{ID: id, Username: name, PasswordHash: "hash-" + id, CreatedAt: t0}
	}

	t.Run("create_and_find", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		u := user("u1", "민수")
		require.NoError(t, st.CreateUser(ctx, u))
		got, err := st.UserByUsername(ctx, "민수")
		require.NoError(t, err)
		assert.Equal(t, u, got)
		assert.ErrorIs(t, st.CreateUser(ctx, user("u2", "민수")), domain.ErrUsernameTaken)
		assert.ErrorIs(t, st.CreateUser(ctx, user("u1", "other")), domain.ErrConflict)
	})

	t.Run("set_password_and_disabled", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		require.NoError(t, st.CreateUser(ctx, user("u1", "minsu")))
		require.NoError(t, st.SetPassword(ctx, "u1", "new-hash"))
		require.NoError(t, st.SetDisabled(ctx, "u1", true))
		got, err := st.UserByUsername(ctx, "minsu")
		require.NoError(t, err)
		assert.Equal(t, "new-hash", got.PasswordHash)
		assert.True(t, got.Disabled)
		require.NoError(t, st.SetDisabled(ctx, "u1", false))
		got, err = st.UserByUsername(ctx, "minsu")
		require.NoError(t, err)
		assert.False(t, got.Disabled)
		assert.Equal(t, "new-hash", got.PasswordHash, "one change does not undo another")
		assert.ErrorIs(t, st.SetPassword(ctx, "nobody", "h"), domain.ErrNotFound)
		assert.ErrorIs(t, st.SetDisabled(ctx, "nobody", true), domain.ErrNotFound)
	})

	t.Run("delete_frees_the_name_not_the_id", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		require.NoError(t, st.CreateUser(ctx, user("u1", "minsu")))
		require.NoError(t, st.DeleteUser(ctx, "u1", t0))
		_, err := st.UserByUsername(ctx, "minsu")
		assert.ErrorIs(t, err, domain.ErrNotFound)
		assert.ErrorIs(t, st.DeleteUser(ctx, "u1", t0), domain.ErrNotFound)
		assert.ErrorIs(t, st.SetPassword(ctx, "u1", "h"), domain.ErrNotFound, "a deleted user does not change")
		assert.ErrorIs(t, st.SetDisabled(ctx, "u1", false), domain.ErrNotFound)
		assert.ErrorIs(t, st.CreateUser(ctx, user("u1", "minsu")), domain.ErrConflict, "the id stays used")
		require.NoError(t, st.CreateUser(ctx, user("u2", "minsu")), "the name is free")
		got, err := st.UserByUsername(ctx, "minsu")
		require.NoError(t, err)
		assert.Equal(t, "u2", got.ID)
	})

	t.Run("add_missing_never_overwrites_nor_revives", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		require.NoError(t, st.CreateUser(ctx, user("1", "chulsu")))
		require.NoError(t, st.SetPassword(ctx, "1", "changed"))
		require.NoError(t, st.CreateUser(ctx, user("2", "minsu")))
		require.NoError(t, st.DeleteUser(ctx, "2", t0))
		require.NoError(t, st.CreateUser(ctx, user("9", "taken")))
		added, err := st.AddMissingUsers(ctx, []domain.User{
			user("1", "chulsu"), user("2", "minsu"), user("3", "taken"), user("4", "satangsusu"),
		})
		require.NoError(t, err)
		require.Len(t, added, 1)
		assert.Equal(t, "4", added[0].ID)
		got, err := st.UserByUsername(ctx, "chulsu")
		require.NoError(t, err)
		assert.Equal(t, "changed", got.PasswordHash, "a changed password stays")
		_, err = st.UserByUsername(ctx, "minsu")
		assert.ErrorIs(t, err, domain.ErrNotFound, "a deleted user stays deleted")
		got, err = st.UserByUsername(ctx, "taken")
		require.NoError(t, err)
		assert.Equal(t, "9", got.ID)
		again, err := st.AddMissingUsers(ctx, []domain.User{user("4", "satangsusu")})
		require.NoError(t, err)
		assert.Empty(t, again)
	})

	t.Run("add_missing_concurrently_adds_once", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		var total atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				added, err := st.AddMissingUsers(ctx, []domain.User{user("1", "a"), user("2", "b")})
				assert.NoError(t, err)
				total.Add(int32(len(added)))
			}()
		}
		wg.Wait()
		assert.Equal(t, int32(2), total.Load())
	})

	t.Run("list_pages_by_username", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		for i := range 5 {
			require.NoError(t, st.CreateUser(ctx, user(fmt.Sprint("id", i), fmt.Sprint("user", 4-i))))
		}
		require.NoError(t, st.DeleteUser(ctx, "id2", t0)) // user2
		page, err := st.ListUsers(ctx, "", 2)
		require.NoError(t, err)
		assert.Equal(t, []string{"user0", "user1"}, names(page))
		page, err = st.ListUsers(ctx, "user1", 2)
		require.NoError(t, err)
		assert.Equal(t, []string{"user3", "user4"}, names(page))
		page, err = st.ListUsers(ctx, "user4", 2)
		require.NoError(t, err)
		assert.Empty(t, page)
		page, err = st.ListUsers(ctx, "\xff", 2)
		require.NoError(t, err, "a cursor no name can be is no error")
		assert.Empty(t, page)
	})
}

func names(users []domain.User) []string {
	out := make([]string, 0, len(users))
	for _, u := range users {
		out = append(out, u.Username)
	}
	return out
}

// TestAuditLog runs the contract of ports.AuditLog against logs made by
// newLog; each subtest gets a fresh, empty log.
func TestAuditLog(t *testing.T, newLog func(t *testing.T) ports.AuditLog) {
	ctx := context.Background()
	event := func(s int, kind domain.AuditKind, user string) domain.AuditEvent {
		return domain.AuditEvent{At: t0.Add(time.Duration(s) * time.Second), Kind: kind, UserID: "id-" + user, Username: user,
			Actor: domain.ActorSelf, RequestID: fmt.Sprint("req-", s), ClientIP: "192.0.2.1", ClientID: "authd"}
	}

	t.Run("record_and_page", func(t *testing.T) {
		t.Parallel()
		log := newLog(t)
		for i := range 5 {
			require.NoError(t, log.Record(ctx, event(i, domain.AuditLoginSucceeded, []string{"minsu", "chulsu"}[i%2])))
		}
		all, err := log.Events(ctx, "", 0, 10)
		require.NoError(t, err)
		require.Len(t, all, 5)
		for i, e := range all {
			want := event(i, domain.AuditLoginSucceeded, []string{"minsu", "chulsu"}[i%2])
			want.ID = e.ID
			assert.Equal(t, want, e)
			if i > 0 {
				assert.Greater(t, e.ID, all[i-1].ID, "ids increase")
			}
		}
		page, err := log.Events(ctx, "", all[1].ID, 2)
		require.NoError(t, err)
		assert.Equal(t, all[2:4], page)
		mine, err := log.Events(ctx, "minsu", 0, 10)
		require.NoError(t, err)
		assert.Equal(t, []domain.AuditEvent{all[0], all[2], all[4]}, mine)
		mine, err = log.Events(ctx, "minsu", all[2].ID, 10)
		require.NoError(t, err)
		assert.Equal(t, []domain.AuditEvent{all[4]}, mine)
		none, err := log.Events(ctx, "nobody\x00", 0, 10)
		require.NoError(t, err)
		assert.Empty(t, none)
	})

	t.Run("purge", func(t *testing.T) {
		t.Parallel()
		log := newLog(t)
		for i := range 4 {
			require.NoError(t, log.Record(ctx, event(i, domain.AuditLogout, "minsu")))
		}
		n, err := log.PurgeEvents(ctx, t0.Add(2*time.Second))
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		left, err := log.Events(ctx, "", 0, 10)
		require.NoError(t, err)
		require.Len(t, left, 2)
		assert.Equal(t, t0.Add(2*time.Second), left[0].At)
		require.NoError(t, log.Record(ctx, event(9, domain.AuditLogout, "minsu")))
		after, err := log.Events(ctx, "", left[1].ID, 10)
		require.NoError(t, err)
		assert.Len(t, after, 1, "ids keep increasing after a purge")
	})
}
