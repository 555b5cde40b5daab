package authd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// adminToken is the AUTH_ADMIN_TOKEN of these tests.
const adminToken = "admin-token-of-at-least-32-characters"

// usersEnv is an env with sign-up on, and its admin listener served with
// the admin API.
type usersEnv struct {
	*env
	admin *httptest.Server
}

// newUsersEnv starts authd with AUTH_SIGNUP=true, an admin listener and
// AUTH_ADMIN_TOKEN, and, on PostgreSQL, its revocation watcher.
func newUsersEnv(t *testing.T, options ...func(*Config)) *usersEnv {
	t.Helper()
	on := func(c *Config) { c.SignUp, c.AdminAddr, c.AdminToken = true, "127.0.0.1:0", adminToken }
	e := newEnv(t, append([]func(*Config){on}, options...)...)
	require.NotNil(t, e.app.admin)
	u := &usersEnv{env: e, admin: httptest.NewServer(e.app.admin)}
	t.Cleanup(u.admin.Close)
	if e.app.watch != nil {
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		go e.app.watch(ctx)
	}
	return u
}

// adm sends a request to the admin listener with the admin token (unless
// headers bring an Authorization of their own).
func (u *usersEnv) adm(method, path, body string, headers ...string) response {
	u.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u.admin.URL+path, rd)
	require.NoError(u.t, err)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := u.admin.Client().Do(req)
	require.NoError(u.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(u.t, err)
	checkAgainstSpec(u.t, req, res, raw)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.body)
	}
	return r
}

func (u *usersEnv) signUp(name, password string, headers ...string) response {
	u.t.Helper()
	body, _ := json.Marshal(map[string]string{"username": name, "password": password})
	return u.do("POST", "/signup/", string(body), append([]string{jsonCT}, headers...)...)
}

// onBothStores runs the test on the memory store and on PostgreSQL.
func onBothStores(t *testing.T, test func(t *testing.T, opts ...func(*Config))) {
	t.Run("memory", func(t *testing.T) { t.Parallel(); test(t) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); test(t, withPostgres(pgtest.Database(t))) })
}

const pw = "tangerine-orbit-kettle"

func TestSignUpIsOffByDefault(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	assertError(t, e.do("POST", "/signup/", `{"username":"younghee","password":"`+pw+`"}`, jsonCT), 404, "not_found")
	assertError(t, e.do("GET", "/admin/users/", ""), 404, "not_found")
}

func TestSignUpOverHTTP(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, opts ...func(*Config)) {
		u := newUsersEnv(t, opts...)
		r := u.signUp("영희", pw)
		require.Equal(t, 201, r.status, r.raw)
		assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
		who := u.protected(r.body["access"].(string))
		assert.Equal(t, "영희", who.body["user"].(map[string]any)["username"])
		u.login("영희", pw)
		assert.Equal(t, 200, u.refresh(r.body["refresh"].(string)).status)

		assertError(t, u.signUp("영희", pw), 409, "username_taken")
		assertError(t, u.signUp("minsu", pw), 409, "username_taken")
		for rule, pass := range map[string]string{
			"at least 8":  "short",
			"at most 256": strings.Repeat("k", 257),
			"username":    "jiwoo-jiwoo",
			"too common":  "password1",
		} {
			r := u.signUp("jiwoo", pass, "Accept-Language: en")
			assertError(t, r, 400, "weak_password")
			assert.Contains(t, r.body["message"], rule)
		}
		ko := u.signUp("jiwoo", "short")
		assert.Equal(t, "비밀번호는 8자 이상이어야 합니다.", ko.body["message"])
		for _, name := range []string{"", "a\\u0000b", "tab\\there", " space", strings.Repeat("u", 65)} {
			assertError(t, u.do("POST", "/signup/", `{"username":"`+name+`","password":"`+pw+`"}`, jsonCT), 400, "invalid_request")
		}
		assertError(t, u.do("POST", "/signup/", `{"username":1}`, jsonCT), 400, "invalid_request")
		assertError(t, u.do("POST", "/signup/", `{"username":"x"}`, "Content-Type: text/plain"), 415, "unsupported_media_type")
	})
}

func TestSignUpIsThrottledPerAddress(t *testing.T) {
	t.Parallel()
	u := newUsersEnv(t, func(c *Config) { c.LoginMaxFails = 2 })
	for i := range 2 {
		require.Equal(t, 201, u.signUp(fmt.Sprint("user", i), pw).status)
	}
	r := u.signUp("user9", pw)
	assertError(t, r, 429, "rate_limited")
	assert.NotEmpty(t, r.header.Get("Retry-After"))
}

func TestPasswordChangeOverHTTP(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, opts ...func(*Config)) {
		u := newUsersEnv(t, opts...)
		require.Equal(t, 201, u.signUp("younghee", pw).status)
		mine, other := u.login("younghee", pw), u.login("younghee", pw)
		change := func(current, next string, headers ...string) response {
			body, _ := json.Marshal(map[string]string{"current_password": current, "new_password": next})
			return u.do("POST", "/password/", string(body), append([]string{jsonCT, bearer(mine.access)}, headers...)...)
		}
		assertError(t, change("wrong-password", "lantern-harbor-91"), 401, "invalid_credentials")
		assertError(t, change(pw, "short"), 400, "weak_password")
		assertError(t, u.do("POST", "/password/", `{"current_password":"x","new_password":"lantern-harbor-91"}`, jsonCT), 401, "token_missing")
		assertError(t, u.do("POST", "/password/", `[]`, jsonCT, bearer(mine.access)), 400, "invalid_request")
		u.login("younghee", pw) // nothing changed yet

		r := change(pw, "lantern-harbor-91")
		require.Equal(t, 204, r.status, r.raw)
		assert.Equal(t, 200, u.protected(mine.access).status, "the calling session goes on")
		assertError(t, u.protected(other.access), 401, "session_revoked")
		assertError(t, u.refresh(other.refresh), 401, "session_revoked")
		assertError(t, u.do("POST", "/login/", `{"username":"younghee","password":"`+pw+`"}`, jsonCT), 401, "invalid_credentials")
		u.login("younghee", "lantern-harbor-91")
	})
}

func TestWrongCurrentPasswordsAreThrottled(t *testing.T) {
	t.Parallel()
	u := newUsersEnv(t, func(c *Config) { c.LoginMaxFails = 2 })
	require.Equal(t, 201, u.signUp("younghee", pw).status)
	p := u.login("younghee", pw)
	for range 2 {
		assertError(t, u.do("POST", "/password/", `{"current_password":"guess","new_password":"lantern-harbor-91"}`, jsonCT, bearer(p.access)), 401, "invalid_credentials")
	}
	assertError(t, u.do("POST", "/password/", `{"current_password":"guess","new_password":"lantern-harbor-91"}`, jsonCT, bearer(p.access)), 429, "rate_limited")
	assertError(t, u.do("POST", "/login/", `{"username":"younghee","password":"`+pw+`"}`, jsonCT), 429, "rate_limited")
}

func TestAdminAPIOverHTTP(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, opts ...func(*Config)) {
		u := newUsersEnv(t, opts...)
		assertError(t, u.adm("GET", "/admin/users/", "", "Authorization: Bearer wrong-token-wrong-token-wrong-token"), 401, "invalid_token")
		assertError(t, u.adm("GET", "/admin/users/", "", "Authorization: "), 401, "token_missing")
		assertError(t, u.do("GET", "/admin/users/", "", bearer(adminToken)), 404, "not_found")

		r := u.adm("POST", "/admin/users/", `{"username":"gildong","password":"`+pw+`"}`)
		require.Equal(t, 201, r.status, r.raw)
		assert.Equal(t, "gildong", r.body["username"])
		assert.Equal(t, false, r.body["disabled"])
		assertError(t, u.adm("POST", "/admin/users/", `{"username":"gildong","password":"`+pw+`"}`), 409, "username_taken")
		assertError(t, u.adm("POST", "/admin/users/", `{"username":"hong","password":"12345678"}`), 400, "weak_password")

		page := u.adm("GET", "/admin/users/?limit=2", "")
		require.Equal(t, 200, page.status, page.raw)
		assert.Len(t, page.body["users"], 2)
		assert.Equal(t, "gildong", page.body["users"].([]any)[1].(map[string]any)["username"])
		assert.Equal(t, "gildong", page.body["next"])
		rest := u.adm("GET", "/admin/users/?after=gildong", "")
		assert.Len(t, rest.body["users"], 2) // minsu, satangsusu
		assert.Equal(t, "", rest.body["next"])
		assertError(t, u.adm("GET", "/admin/users/?limit=x", ""), 400, "invalid_request")

		p := u.login("gildong", pw)
		got := u.adm("GET", "/admin/users/gildong", "")
		require.Equal(t, 200, got.status, got.raw)
		assert.Equal(t, float64(1), got.body["sessions"])
		assertError(t, u.adm("GET", "/admin/users/nobody", ""), 404, "not_found")
		assertError(t, u.adm("PATCH", "/admin/users/gildong", `{}`), 400, "invalid_request")

		r = u.adm("PATCH", "/admin/users/gildong", `{"disabled":true}`)
		require.Equal(t, 200, r.status, r.raw)
		assert.Equal(t, true, r.body["disabled"])
		assert.Equal(t, float64(0), r.body["sessions"])
		assertError(t, u.protected(p.access), 401, "session_revoked")
		assertError(t, u.refresh(p.refresh), 401, "session_revoked")
		disabled := u.do("POST", "/login/", `{"username":"gildong","password":"`+pw+`"}`, jsonCT)
		wrong := u.do("POST", "/login/", `{"username":"gildong","password":"not-it"}`, jsonCT)
		assertError(t, disabled, 401, "invalid_credentials")
		assert.Equal(t, wrong.raw, disabled.raw, "a disabled user is answered as a wrong password")
		require.Equal(t, 200, u.adm("PATCH", "/admin/users/gildong", `{"disabled":false}`).status)
		p = u.login("gildong", pw)

		require.Equal(t, 200, u.adm("PATCH", "/admin/users/gildong", `{"password":"lantern-harbor-91"}`).status)
		assertError(t, u.protected(p.access), 401, "session_revoked")
		p = u.login("gildong", "lantern-harbor-91")

		assert.Equal(t, 204, u.adm("DELETE", "/admin/users/gildong", "").status)
		assertError(t, u.refresh(p.refresh), 401, "session_revoked")
		assertError(t, u.adm("DELETE", "/admin/users/gildong", ""), 404, "not_found")
		require.Equal(t, 201, u.signUp("gildong", pw).status, "the name may be signed up again")

		// Korean names travel percent-encoded in the path.
		require.Equal(t, 201, u.adm("POST", "/admin/users/", `{"username":"홍길동","password":"`+pw+`"}`).status)
		assert.Equal(t, 200, u.adm("GET", "/admin/users/%ED%99%8D%EA%B8%B8%EB%8F%99", "").status)

		ev := u.adm("GET", "/admin/events/?user=gildong&limit=500", "")
		require.Equal(t, 200, ev.status, ev.raw)
		var kinds []string
		for _, e := range ev.body["events"].([]any) {
			m := e.(map[string]any)
			kinds = append(kinds, m["kind"].(string))
			assert.NotContains(t, fmt.Sprint(m), pw, "no secrets")
			assert.NotEmpty(t, m["request_id"])
		}
		assert.Equal(t, []string{"user_created", "login_succeeded", "user_disabled", "login_failed", "login_failed",
			"user_enabled", "login_succeeded", "password_changed", "login_succeeded", "user_deleted", "signed_up"}, kinds)
		first := ev.body["events"].([]any)[0].(map[string]any)
		assert.Equal(t, "admin", first["actor"])
		assert.Equal(t, T.Format(time.RFC3339Nano), first["at"], "the server clock's time")
		assertError(t, u.adm("GET", "/admin/events/?after=-1", ""), 400, "invalid_request")
		all := u.adm("GET", "/admin/events/?limit=1", "")
		assert.Len(t, all.body["events"], 1)
		assert.NotZero(t, all.body["next"])
	})
}

// TestTwoInstancesAgreeOnUsers: on one PostgreSQL, disabling a user on A
// refuses the user's access token on B within 2.5 s, and a password change
// on A refuses the other sessions' refresh on B. The wait is real time:
// the revocation reaches B through PostgreSQL's notifications.
func TestTwoInstancesAgreeOnUsers(t *testing.T) {
	t.Parallel()
	keys, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	shared := []func(*Config){withPostgres(pgtest.Database(t)), func(c *Config) { c.JWTKeysFile, c.EphemeralKeys = keysFile(t, keys), false }}
	a := newUsersEnv(t, shared...)
	b := newUsersEnv(t, shared...)

	require.Equal(t, 201, a.signUp("younghee", pw).status)
	onB := b.login("younghee", pw)
	require.Equal(t, 200, b.protected(onB.access).status, "B has seen and cached the access token")
	require.Equal(t, 200, a.adm("PATCH", "/admin/users/younghee", `{"disabled":true}`).status)
	start := time.Now()
	require.Eventually(t, func() bool { return b.protected(onB.access).status == 401 }, 2500*time.Millisecond, 20*time.Millisecond,
		"B must refuse the disabled user's access token within 2.5 s")
	t.Logf("B refused the disabled user's access token after %s", time.Since(start).Round(time.Millisecond))
	assertError(t, b.do("POST", "/login/", `{"username":"younghee","password":"`+pw+`"}`, jsonCT), 401, "invalid_credentials")
	require.Equal(t, 200, b.adm("PATCH", "/admin/users/younghee", `{"disabled":false}`).status)

	mine, other := a.login("younghee", pw), b.login("younghee", pw)
	body := `{"current_password":"` + pw + `","new_password":"lantern-harbor-91"}`
	require.Equal(t, 204, a.do("POST", "/password/", body, jsonCT, bearer(mine.access)).status)
	assertError(t, b.refresh(other.refresh), 401, "session_revoked")
	assert.Equal(t, 200, b.refresh(mine.refresh).status, "the changing session goes on, on B too")
	b.login("younghee", "lantern-harbor-91")
}
