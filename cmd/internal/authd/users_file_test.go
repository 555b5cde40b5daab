package authd

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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUsersFileIsABootstrap: an instance started with an older users file
// never restores a changed password nor brings back a deleted user in
// PostgreSQL, and removing a user from the file removes nobody; it adds
// only the users the store lacks, and logs what it loaded (issue 26).
func TestUsersFileIsABootstrap(t *testing.T) {
	hash := func(pw string) string {
		var out strings.Builder
		require.NoError(t, Run(t.Context(), []string{"hash-password"}, nil, strings.NewReader(pw+"\n"), &out, io.Discard))
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
	opts := []func(*Config){withPostgres(url), func(c *Config) { c.UsersFile = file; c.DemoUsers = false }}
	first := newEnv(t, opts...)
	first.login("younghee", "old-password")
	assert.Contains(t, first.logs.String(), `"added":2`)

	// What the admin API does, straight in the store: a new password for
	// younghee, gildong deleted.
	st, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.SetPassword(context.Background(), "u-1", hash("new-password")))
	require.NoError(t, st.DeleteUser(context.Background(), "u-2", time.Now()))

	cheolsu := map[string]string{"id": "u-3", "username": "cheolsu", "password_hash": hash("cheolsu-pw")}
	write(younghee, gildong, cheolsu) // the old file, and one user more
	second := newEnv(t, opts...)
	assertError(t, second.do("POST", "/login/", `{"username":"younghee","password":"old-password"}`, jsonCT), 401, "invalid_credentials")
	second.login("younghee", "new-password")
	assertError(t, second.do("POST", "/login/", `{"username":"gildong","password":"gildong-pw"}`, jsonCT), 401, "invalid_credentials")
	second.login("cheolsu", "cheolsu-pw")
	logs := second.logs.String()
	assert.Contains(t, logs, `"added":1`)
	assert.Contains(t, logs, `"kept":2`)
	assert.Contains(t, logs, `"added_usernames":["cheolsu"]`)

	write(cheolsu) // younghee removed from the file: still there
	third := newEnv(t, opts...)
	third.login("younghee", "new-password")
}
