package authd

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withPostgres puts users and sessions in the database; one instance with a
// fresh key per test, so it opts in to ephemeral keys, and to the demo
// users the tests log in as.
func withPostgres(url string) func(*Config) {
	return func(c *Config) {
		c.Store, c.DatabaseURL, c.EphemeralKeys, c.DemoUsers = "postgres", url, true, true
	}
}

// TestPostgresStoreEndToEnd runs the core flows through the real HTTP
// stack on a frozen clock with sessions in PostgreSQL.
func TestPostgresStoreEndToEnd(t *testing.T) {
	e := newEnv(t, withPostgres(pgtest.Database(t)))
	p1 := e.login("minsu", "1229")
	assert.Equal(t, 200, e.protected(p1.access).status)
	e.clock.Advance(61 * time.Second)
	assertError(t, e.protected(p1.access), 401, "token_expired")
	p2 := e.refresh(p1.refresh).pair(t)
	assertError(t, e.refresh(p1.refresh), 401, "refresh_token_reused")
	assertError(t, e.refresh(p2.refresh), 401, "session_revoked")
	assertError(t, e.protected(p2.access), 401, "session_revoked")

	q := e.login("chulsu", "1234")
	r := e.do("GET", "/sessions/", "", bearer(q.access))
	require.Equal(t, 200, r.status)
	assert.Len(t, r.body["sessions"].([]any), 1)
	assert.Equal(t, 204, e.do("POST", "/logout/", `{"all":true}`, jsonCT, bearer(q.refresh)).status)
	assertError(t, e.refresh(q.refresh), 401, "session_revoked")
	assert.Equal(t, 200, e.do("GET", "/readyz", "").status)
}

func TestPostgresGraceReplay(t *testing.T) {
	e := newEnv(t, withPostgres(pgtest.Database(t)), withGrace(10*time.Second))
	p := e.login("minsu", "1229")
	e.clock.Advance(1500 * time.Millisecond)
	first := e.refresh(p.refresh).pair(t)
	e.clock.Advance(5 * time.Second)
	assert.Equal(t, first, e.refresh(p.refresh).pair(t), "byte-identical, though rotated_at went through a microsecond column")
}

func TestUsersFile(t *testing.T) {
	var hash strings.Builder
	require.NoError(t, Run(t.Context(), []string{"hash-password"}, nil, strings.NewReader("s3cret-pw\n"), &hash, io.Discard))
	file := filepath.Join(t.TempDir(), "users.json")
	users := []map[string]string{{"id": "u-42", "username": "younghee", "password_hash": strings.TrimSpace(hash.String())}}
	data, _ := json.Marshal(users)
	require.NoError(t, os.WriteFile(file, data, 0o600))

	for _, store := range []string{"memory", "postgres"} {
		t.Run(store, func(t *testing.T) {
			opts := []func(*Config){func(c *Config) { c.UsersFile = file }}
			if store == "postgres" {
				opts = append(opts, withPostgres(pgtest.Database(t)))
			}
			e := newEnv(t, opts...)
			p := e.login("younghee", "s3cret-pw")
			r := e.protected(p.access)
			assert.Equal(t, map[string]any{"id": "u-42", "username": "younghee"}, r.body["user"])
			assertError(t, e.do("POST", "/login/", `{"username":"minsu","password":"1229"}`, jsonCT), 401, "invalid_credentials")
		})
	}
}

func TestDemoUsersOnlyIntoAnEmptyTable(t *testing.T) {
	url := pgtest.Database(t)
	e := newEnv(t, withPostgres(url))
	e.login("minsu", "1229")
	assert.Contains(t, e.logs.String(), "created the three demo users")
	again := newEnv(t, withPostgres(url))
	again.login("minsu", "1229")
	assert.NotContains(t, again.logs.String(), "created the three demo users", "the table was not empty the second time")
}

// TestNoDemoUsersInPostgresByDefault: on a shared database the demo users
// with their published passwords are an explicit choice; without it nobody
// can log in, and the log says how to add users.
func TestNoDemoUsersInPostgresByDefault(t *testing.T) {
	e := newEnv(t, withPostgres(pgtest.Database(t)), func(c *Config) { c.DemoUsers = false })
	for _, u := range [][2]string{{"chulsu", "1234"}, {"minsu", "1229"}, {"satangsusu", "4321"}} {
		assertError(t, e.do("POST", "/login/", `{"username":"`+u[0]+`","password":"`+u[1]+`"}`, jsonCT), 401, "invalid_credentials")
	}
	logs := e.logs.String()
	assert.Contains(t, logs, "AUTH_USERS_FILE")
	assert.Contains(t, logs, "authd hash-password")
	assert.NotContains(t, logs, "created the three demo users")
}

func TestUsersFileErrors(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not JSON":      `{`,
		"empty":         `[]`,
		"no id":         `[{"username":"a","password_hash":"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"}]`,
		"plain text pw": `[{"id":"1","username":"a","password_hash":"1234"}]`,
		"duplicate":     `[{"id":"1","username":"a","password_hash":"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"},{"id":"1","username":"b","password_hash":"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"}]`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		cfg := defaultConfig(t)
		cfg.UsersFile = path
		_, err := Build(cfg, nil, &syncBuffer{})
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "AUTH_USERS_FILE", name)
	}
}

// TestPostgresNeedsSharedKeys: several instances on one database must share
// their keys; a fresh key per process is refused unless asked for.
func TestPostgresNeedsSharedKeys(t *testing.T) {
	cfg := defaultConfig(t)
	cfg.Store, cfg.DatabaseURL = "postgres", pgtest.Database(t)
	cfg.PublicURL = "http://authd.test" // built, never served
	_, err := Build(cfg, clock.NewFrozen(T), &syncBuffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AUTH_JWT_KEYS_FILE")
	assert.Contains(t, err.Error(), "AUTH_JWT_EPHEMERAL_KEYS=true")

	cfg.EphemeralKeys = true
	a, err := Build(cfg, clock.NewFrozen(T), &syncBuffer{})
	require.NoError(t, err)
	a.Close()
	cfg.EphemeralKeys, cfg.JWTAlg, cfg.JWTSecret = false, "HS256", strings.Repeat("s", 32)
	a, err = Build(cfg, clock.NewFrozen(T), &syncBuffer{})
	require.NoError(t, err, "an HS256 secret is shared by configuration")
	a.Close()
}

func TestHashPasswordAndMigrateCommands(t *testing.T) {
	var out strings.Builder
	require.NoError(t, Run(t.Context(), []string{"hash-password"}, nil, strings.NewReader("pw"), &out, io.Discard))
	assert.True(t, strings.HasPrefix(out.String(), "$argon2id$v=19$m=19456,t=2,p=1$"))
	assert.Error(t, Run(t.Context(), []string{"hash-password"}, nil, strings.NewReader(""), &out, io.Discard))

	url := pgtest.Database(t)
	out.Reset()
	env := map[string]string{"AUTH_DATABASE_URL": url}
	require.NoError(t, Run(t.Context(), []string{"migrate"}, func(k string) string { return env[k] }, nil, &out, io.Discard))
	assert.Contains(t, out.String(), "up to date")
	require.NoError(t, Run(t.Context(), []string{"migrate"}, func(k string) string { return env[k] }, nil, &out, io.Discard), "twice is fine")
	assert.ErrorContains(t, Run(t.Context(), []string{"migrate"}, func(string) string { return "" }, nil, &out, io.Discard), "AUTH_DATABASE_URL")
	_, err := LoadConfig(nil, func(k string) string { return map[string]string{"AUTH_STORE": "postgres"}[k] }, io.Discard)
	assert.ErrorContains(t, err, "AUTH_DATABASE_URL")
}

// TestTwoInstancesShareOnePostgres runs two authd processes on one
// database: a session moves freely between them, reuse detected on one
// revokes the session on the other within 2 s, and 50 concurrent refreshes
// spread over both rotate exactly once.
func TestTwoInstancesShareOnePostgres(t *testing.T) {
	keys, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	env := map[string]string{
		"AUTH_STORE": "postgres", "AUTH_DATABASE_URL": pgtest.Database(t), "AUTH_DEMO_USERS": "true",
		"AUTH_JWT_KEYS_FILE": keysFile(t, keys), "AUTH_LOG_LEVEL": "warn",
	}
	a := startProcess(t, env)
	b := startProcess(t, env)

	p1 := a.login(t)
	status, m := b.call(t, "POST", "/refresh/", "", p1.refresh)
	require.Equal(t, 200, status, "%v", m)
	p2 := pair{m["access"].(string), m["refresh"].(string)}
	status, _ = b.call(t, "GET", "/protected/", "", p2.access)
	require.Equal(t, 200, status, "B has seen and cached the new access token")

	status, m = a.call(t, "POST", "/refresh/", "", p1.refresh)
	assert.Equal(t, 401, status)
	assert.Equal(t, "refresh_token_reused", m["error"])
	start := time.Now()
	require.Eventually(t, func() bool {
		status, m := b.call(t, "GET", "/protected/", "", p2.access)
		return status == 401 && m["error"] == "session_revoked"
	}, 2*time.Second, 20*time.Millisecond, "B must refuse the revoked session's access token within 2 s")
	t.Logf("B refused the revoked session's access token after %s", time.Since(start).Round(time.Millisecond))

	fresh := b.login(t)
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
			results[i], _ = target.call(t, "POST", "/refresh/", "", fresh.refresh)
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
	assert.NotContains(t, a.logs.String()+b.logs.String(), `"level":"error"`)
}

// TestPostgresOutage stops PostgreSQL under a running authd: logins and
// refreshes answer 503 promptly, access tokens keep working, /readyz says
// 503; when the database is back the same process recovers, and every
// rotation answered 200 before the outage is still there.
func TestPostgresOutage(t *testing.T) {
	cluster := pgtest.NewCluster(t)
	e := newEnv(t, withPostgres(cluster.Database(t)))
	p1 := e.login("minsu", "1229")
	p2 := e.refresh(p1.refresh).pair(t)

	require.NoError(t, cluster.Stop())
	timed := func(send func() response) (response, time.Duration) {
		start := time.Now()
		r := send()
		return r, time.Since(start)
	}
	r, took := timed(func() response { return e.do("POST", "/login/", `{"username":"minsu","password":"1229"}`, jsonCT) })
	assertError(t, r, 503, "unavailable")
	assert.Less(t, took, 5*time.Second, "no hang past the request timeout")
	r, took = timed(func() response { return e.refresh(p2.refresh) })
	assertError(t, r, 503, "unavailable")
	assert.Less(t, took, 5*time.Second)
	assert.Equal(t, 200, e.protected(p2.access).status, "access tokens need no database")
	assertError(t, e.do("GET", "/readyz", ""), 503, "unavailable")
	assert.NotContains(t, e.logs.String(), `"status":500`)

	require.NoError(t, cluster.Start())
	require.Eventually(t, func() bool { return e.do("GET", "/readyz", "").status == 200 }, 15*time.Second, 100*time.Millisecond)
	p3 := e.refresh(p2.refresh).pair(t) // the rotation answered before the outage is the current one
	assert.Equal(t, 200, e.protected(p3.access).status)
	assert.Equal(t, 200, e.do("POST", "/login/", `{"username":"chulsu","password":"1234"}`, jsonCT).status)
	// p1 was rotated before the outage and that stuck: it is reuse now.
	assertError(t, e.refresh(p1.refresh), 401, "refresh_token_reused")
}
