package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUsersCommand drives authd users against a PostgreSQL database that a
// running server shares: what the command does, the server obeys.
func TestUsersCommand(t *testing.T) {
	t.Parallel()
	url := pgtest.Database(t)
	e := newUsersEnv(t, harness.WithPostgres(url))
	getenv := harness.EnvOf(map[string]string{"AUTH_STORE": "postgres", "AUTH_DATABASE_URL": url})
	run := func(stdin string, args ...string) (string, error) {
		var out, errs strings.Builder
		err := authd.Run(context.Background(), append([]string{"users"}, args...), getenv, strings.NewReader(stdin), &out, &errs)
		return out.String(), err
	}

	out, err := run(pw+"\n", "add", "younghee")
	require.NoError(t, err)
	assert.Contains(t, out, "added younghee")
	p := e.Login("younghee", pw)
	_, err = run(pw+"\n", "add", "younghee")
	assert.ErrorContains(t, err, "is taken")
	_, err = run("12345678\n", "add", "jiwoo")
	assert.ErrorContains(t, err, "weak password (common)")
	_, err = run("", "add", "jiwoo")
	assert.ErrorContains(t, err, "no password on stdin")
	_, err = run("", "add")
	assert.ErrorContains(t, err, "name the user")
	_, err = run("", "frobnicate", "x")
	assert.ErrorContains(t, err, "unknown command")

	out, err = run("", "list")
	require.NoError(t, err)
	assert.Contains(t, out, "younghee\tdisabled=false\t")

	_, err = run("", "disable", "younghee")
	require.NoError(t, err)
	harness.AssertError(t, e.Do("POST", "/login/", `{"username":"younghee","password":"`+pw+`"}`, harness.JSONHeader), 401, "invalid_credentials")
	harness.AssertError(t, e.Refresh(p.Refresh), 401, "session_revoked")
	_, err = run("", "enable", "younghee")
	require.NoError(t, err)
	_, err = run("lantern-harbor-91\n", "passwd", "younghee")
	require.NoError(t, err)
	e.Login("younghee", "lantern-harbor-91")
	_, err = run("", "delete", "younghee")
	require.NoError(t, err)
	_, err = run("", "delete", "younghee")
	assert.ErrorContains(t, err, `no user "younghee"`)

	ev := e.adm("GET", "/admin/events/?user=younghee&limit=500", "")
	var actors []string
	for _, x := range ev.Body["events"].([]any) {
		if m := x.(map[string]any); m["kind"] != "login_succeeded" && m["kind"] != "login_failed" {
			actors = append(actors, m["kind"].(string)+":"+m["actor"].(string))
		}
	}
	assert.Equal(t, []string{"user_created:cli", "user_disabled:cli", "user_enabled:cli", "password_changed:cli", "user_deleted:cli"}, actors)

	err = authd.Run(context.Background(), []string{"users", "list"}, harness.EnvOf(map[string]string{}), strings.NewReader(""), &strings.Builder{}, &strings.Builder{})
	assert.ErrorContains(t, err, "AUTH_STORE=memory")
}
