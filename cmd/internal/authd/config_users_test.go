package authd_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/postgres"
	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUsersFileIsABootstrap: an instance started with an older users file
// never restores a changed password nor brings back a deleted user in
// PostgreSQL, and removing a user from the file removes nobody; it adds
// only the users the store lacks, and logs what it loaded (issue 26).
func TestUsersFileIsABootstrap(t *testing.T) {
	t.Parallel()
	hash := func(pw string) string {
		var out strings.Builder
		require.NoError(t, authd.Run(t.Context(), []string{"hash-password"}, nil, strings.NewReader(pw+"\n"), &out, io.Discard))
		return strings.TrimSpace(out.String())
	}
	file := filepath.Join(t.TempDir(), "users.json")
	write := func(users ...map[string]string) {
		data, _ := json.Marshal(users)
		require.NoError(t, os.WriteFile(file, data, 0o600))
	}
	younghee := map[string]string{"id": "u-1", "username": "younghee", "password_hash": hash("old-password")}
	gildong := map[string]string{"id": "u-2", "username": "gildong", "password_hash": hash("gildong-pw")}
	write(younghee, gildong)

	url := pgtest.Database(t)
	opts := []func(*authd.Config){harness.WithPostgres(url), func(c *authd.Config) { c.UsersFile = file; c.DemoUsers = false }}
	first := harness.NewEnv(t, opts...)
	first.Login("younghee", "old-password")
	assert.Contains(t, first.Logs.String(), `"added":2`)

	// What the admin API does, straight in the store: a new password for
	// younghee, gildong deleted.
	st, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.SetPassword(context.Background(), "u-1", hash("new-password")))
	require.NoError(t, st.DeleteUser(context.Background(), "u-2", time.Now()))

	cheolsu := map[string]string{"id": "u-3", "username": "cheolsu", "password_hash": hash("cheolsu-pw")}
	write(younghee, gildong, cheolsu) // the old file, and one user more
	second := harness.NewEnv(t, opts...)
	harness.AssertError(t, second.Do("POST", "/login/", `{"username":"younghee","password":"old-password"}`, harness.JSONHeader), 401, "invalid_credentials")
	second.Login("younghee", "new-password")
	harness.AssertError(t, second.Do("POST", "/login/", `{"username":"gildong","password":"gildong-pw"}`, harness.JSONHeader), 401, "invalid_credentials")
	second.Login("cheolsu", "cheolsu-pw")
	logs := second.Logs.String()
	assert.Contains(t, logs, `"added":1`)
	assert.Contains(t, logs, `"kept":2`)
	assert.Contains(t, logs, `"added_usernames":["cheolsu"]`)

	write(cheolsu) // younghee removed from the file: still there
	third := harness.NewEnv(t, opts...)
	third.Login("younghee", "new-password")
}
