package e2e

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPostgresStoreEndToEnd runs the core flows through the real HTTP
// stack on a frozen clock with sessions in PostgreSQL.
func TestPostgresStoreEndToEnd(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithPostgres(pgtest.Database(t)))
	p1 := e.Login("minsu", "1229")
	assert.Equal(t, 200, e.Protected(p1.Access).Status)
	e.Clock.Advance(61 * time.Second)
	harness.AssertError(t, e.Protected(p1.Access), 401, "token_expired")
	p2 := e.Refresh(p1.Refresh).Pair(t)
	harness.AssertError(t, e.Refresh(p1.Refresh), 401, "refresh_token_reused")
	harness.AssertError(t, e.Refresh(p2.Refresh), 401, "session_revoked")
	harness.AssertError(t, e.Protected(p2.Access), 401, "session_revoked")

	q := e.Login("chulsu", "1234")
	r := e.Do("GET", "/sessions/", "", harness.Bearer(q.Access))
	require.Equal(t, 200, r.Status)
	assert.Len(t, r.Body["sessions"].([]any), 1)
	assert.Equal(t, 204, e.Do("POST", "/logout/", `{"all":true}`, harness.JSONHeader, harness.Bearer(q.Refresh)).Status)
	harness.AssertError(t, e.Refresh(q.Refresh), 401, "session_revoked")
	assert.Equal(t, 200, e.Do("GET", "/readyz", "").Status)
}

func TestPostgresGraceReplay(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithPostgres(pgtest.Database(t)), harness.WithGrace(10*time.Second))
	p := e.Login("minsu", "1229")
	e.Clock.Advance(1500 * time.Millisecond)
	first := e.Refresh(p.Refresh).Pair(t)
	e.Clock.Advance(5 * time.Second)
	assert.Equal(t, first, e.Refresh(p.Refresh).Pair(t), "byte-identical, though rotated_at went through a microsecond column")
}

func TestUsersFile(t *testing.T) {
	t.Parallel()
	var hash strings.Builder
	require.NoError(t, authd.Run(t.Context(), []string{"hash-password"}, nil, strings.NewReader("s3cret-pw\n"), &hash, io.Discard))
	file := filepath.Join(t.TempDir(), "users.json")
	users := []map[string]string{{"id": "u-42", "username": "younghee", "password_hash": strings.TrimSpace(hash.String())}}
	data, _ := json.Marshal(users)
	require.NoError(t, os.WriteFile(file, data, 0o600))

	for _, store := range []string{"memory", "postgres"} {
		t.Run(store, func(t *testing.T) {
			opts := []func(*authd.Config){func(c *authd.Config) { c.UsersFile = file }}
			if store == "postgres" {
				opts = append(opts, harness.WithPostgres(pgtest.Database(t)))
			}
			e := harness.NewEnv(t, opts...)
			p := e.Login("younghee", "s3cret-pw")
			r := e.Protected(p.Access)
			assert.Equal(t, map[string]any{"id": "u-42", "username": "younghee"}, r.Body["user"])
			harness.AssertError(t, e.Do("POST", "/login/", `{"username":"minsu","password":"1229"}`, harness.JSONHeader), 401, "invalid_credentials")
		})
	}
}

func TestDemoUsersOnlyIntoAnEmptyTable(t *testing.T) {
	t.Parallel()
	url := pgtest.Database(t)
	e := harness.NewEnv(t, harness.WithPostgres(url))
	e.Login("minsu", "1229")
	assert.Contains(t, e.Logs.String(), "created the three demo users")
	again := harness.NewEnv(t, harness.WithPostgres(url))
	again.Login("minsu", "1229")
	assert.NotContains(t, again.Logs.String(), "created the three demo users", "the table was not empty the second time")
	assert.Contains(t, again.Logs.String(), "users: those already in PostgreSQL", "the log says which users it has")
}

// TestNoDemoUsersInPostgresByDefault: on a shared database the demo users
// with their published passwords are an explicit choice; without it nobody
// can log in, and the log says how to add users.
func TestNoDemoUsersInPostgresByDefault(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithPostgres(pgtest.Database(t)), func(c *authd.Config) { c.DemoUsers = false })
	for _, u := range [][2]string{{"chulsu", "1234"}, {"minsu", "1229"}, {"satangsusu", "4321"}} {
		harness.AssertError(t, e.Do("POST", "/login/", `{"username":"`+u[0]+`","password":"`+u[1]+`"}`, harness.JSONHeader), 401, "invalid_credentials")
	}
	logs := e.Logs.String()
	assert.Contains(t, logs, "AUTH_USERS_FILE")
	assert.Contains(t, logs, "authd hash-password")
	assert.NotContains(t, logs, "created the three demo users")
}

// TestTwoInstancesShareOnePostgres runs two authd processes on one
// database: a session moves freely between them, reuse detected on one
// revokes the session on the other within 2 s, and 50 concurrent refreshes
// spread over both rotate exactly once.
func TestTwoInstancesShareOnePostgres(t *testing.T) {
	t.Parallel()
	keys, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	env := map[string]string{
		"AUTH_STORE": "postgres", "AUTH_DATABASE_URL": pgtest.Database(t), "AUTH_DEMO_USERS": "true",
		"AUTH_JWT_KEYS_FILE": harness.KeysFile(t, keys), "AUTH_LOG_LEVEL": "warn",
	}
	a := harness.StartProcess(t, env)
	b := harness.StartProcess(t, env)

	p1 := a.Login(t)
	status, m := b.Call(t, "POST", "/refresh/", "", p1.Refresh)
	require.Equal(t, 200, status, "%v", m)
	p2 := harness.Pair{Access: m["access"].(string), Refresh: m["refresh"].(string)}
	status, _ = b.Call(t, "GET", "/protected/", "", p2.Access)
	require.Equal(t, 200, status, "B has seen and cached the new access token")

	status, m = a.Call(t, "POST", "/refresh/", "", p1.Refresh)
	assert.Equal(t, 401, status)
	assert.Equal(t, "refresh_token_reused", m["error"])
	start := time.Now()
	require.Eventually(t, func() bool {
		status, m := b.Call(t, "GET", "/protected/", "", p2.Access)
		return status == 401 && m["error"] == "session_revoked"
	}, 2*time.Second, 20*time.Millisecond, "B must refuse the revoked session's access token within 2 s")
	t.Logf("B refused the revoked session's access token after %s", time.Since(start).Round(time.Millisecond))

	fresh := b.Login(t)
	results := make([]int, 50)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := a
			if i%2 == 1 {
				target = b
			}
			results[i], _ = target.Call(t, "POST", "/refresh/", "", fresh.Refresh)
		}()
	}
	wg.Wait()
	ok := 0
	for _, s := range results {
		if s == 200 {
			ok++
		} else {
			assert.Equal(t, 401, s)
		}
	}
	assert.Equal(t, 1, ok, "exactly one rotation across both instances")
	assert.NotContains(t, a.Logs.String()+b.Logs.String(), `"level":"error"`)
}

// TestPostgresOutage stops PostgreSQL under a running authd: logins and
// refreshes answer 503 promptly, access tokens keep working, /readyz says
// 503; when the database is back the same process recovers, and every
// rotation answered 200 before the outage is still there.
func TestPostgresOutage(t *testing.T) {
	t.Parallel()
	cluster := pgtest.NewCluster(t)
	e := harness.NewEnv(t, harness.WithPostgres(cluster.Database(t)))
	p1 := e.Login("minsu", "1229")
	p2 := e.Refresh(p1.Refresh).Pair(t)

	require.NoError(t, cluster.Stop())
	timed := func(send func() harness.Response) (harness.Response, time.Duration) {
		start := time.Now()
		r := send()
		return r, time.Since(start)
	}
	r, took := timed(func() harness.Response {
		return e.Do("POST", "/login/", `{"username":"minsu","password":"1229"}`, harness.JSONHeader)
	})
	harness.AssertError(t, r, 503, "unavailable")
	assert.Less(t, took, 5*time.Second, "no hang past the request timeout")
	r, took = timed(func() harness.Response { return e.Refresh(p2.Refresh) })
	harness.AssertError(t, r, 503, "unavailable")
	assert.Less(t, took, 5*time.Second)
	assert.Equal(t, 200, e.Protected(p2.Access).Status, "access tokens need no database")
	harness.AssertError(t, e.Do("GET", "/readyz", ""), 503, "unavailable")
	assert.NotContains(t, e.Logs.String(), `"status":500`)

	require.NoError(t, cluster.Start())
	require.Eventually(t, func() bool { return e.Do("GET", "/readyz", "").Status == 200 }, 15*time.Second, 100*time.Millisecond)
	p3 := e.Refresh(p2.Refresh).Pair(t) // the rotation answered before the outage is the current one
	assert.Equal(t, 200, e.Protected(p3.Access).Status)
	assert.Equal(t, 200, e.Do("POST", "/login/", `{"username":"chulsu","password":"1234"}`, harness.JSONHeader).Status)
	// p1 was rotated before the outage and that stuck: it is reuse now.
	harness.AssertError(t, e.Refresh(p1.Refresh), 401, "refresh_token_reused")
}
