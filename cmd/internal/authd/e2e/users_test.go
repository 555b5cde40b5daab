package e2e

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
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// adminToken is the AUTH_ADMIN_TOKEN of these tests.
const adminToken = "admin-token-of-at-least-32-characters"

// usersEnv is an env with sign-up on, and its admin listener served with
// the admin API.
type usersEnv struct {
	*harness.Env
	admin *httptest.Server
}

// newUsersEnv starts authd with AUTH_SIGNUP=true, an admin listener and
// AUTH_ADMIN_TOKEN, and, on PostgreSQL, its revocation watcher.
func newUsersEnv(t *testing.T, options ...func(*authd.Config)) *usersEnv {
	t.Helper()
	on := func(c *authd.Config) { c.SignUp, c.AdminAddr, c.AdminToken = true, "127.0.0.1:0", adminToken }
	e := harness.NewEnv(t, append([]func(*authd.Config){on}, options...)...)
	require.NotNil(t, e.App.AdminHandler())
	u := &usersEnv{Env: e, admin: httptest.NewServer(e.App.AdminHandler())}
	t.Cleanup(u.admin.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go e.App.Watch(ctx)
	return u
}

// adm sends a request to the admin listener with the admin token (unless
// headers bring an Authorization of their own).
func (u *usersEnv) adm(method, path, body string, headers ...string) harness.Response {
	u.T.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u.admin.URL+path, rd)
	require.NoError(u.T, err)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := u.admin.Client().Do(req)
	require.NoError(u.T, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(u.T, err)
	harness.CheckAgainstSpec(u.T, req, res, raw)
	r := harness.Response{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.Body)
	}
	return r
}

func (u *usersEnv) signUp(name, password string, headers ...string) harness.Response {
	u.T.Helper()
	body, _ := json.Marshal(map[string]string{"username": name, "password": password})
	return u.Do("POST", "/signup/", string(body), append([]string{harness.JSONHeader}, headers...)...)
}

// onBothStores runs the test on the memory store and on PostgreSQL.
func onBothStores(t *testing.T, test func(t *testing.T, opts ...func(*authd.Config))) {
	t.Run("memory", func(t *testing.T) { t.Parallel(); test(t) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); test(t, harness.WithPostgres(pgtest.Database(t))) })
}

const pw = "tangerine-orbit-kettle"

func TestSignUpIsOffByDefault(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	harness.AssertError(t, e.Do("POST", "/signup/", `{"username":"younghee","password":"`+pw+`"}`, harness.JSONHeader), 404, "not_found")
	harness.AssertError(t, e.Do("GET", "/admin/users/", ""), 404, "not_found")
}

func TestSignUpOverHTTP(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, opts ...func(*authd.Config)) {
		u := newUsersEnv(t, opts...)
		r := u.signUp("영희", pw)
		require.Equal(t, 201, r.Status, r.Raw)
		assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
		who := u.Protected(r.Body["access"].(string))
		assert.Equal(t, "영희", who.Body["user"].(map[string]any)["username"])
		u.Login("영희", pw)
		assert.Equal(t, 200, u.Refresh(r.Body["refresh"].(string)).Status)

		harness.AssertError(t, u.signUp("영희", pw), 409, "username_taken")
		harness.AssertError(t, u.signUp("minsu", pw), 409, "username_taken")
		for rule, pass := range map[string]string{
			"at least 8":  "short",
			"at most 256": strings.Repeat("k", 257),
			"username":    "jiwoo-jiwoo",
			"too common":  "password1",
		} {
			r := u.signUp("jiwoo", pass, "Accept-Language: en")
			harness.AssertError(t, r, 400, "weak_password")
			assert.Contains(t, r.Body["message"], rule)
		}
		ko := u.signUp("jiwoo", "short")
		assert.Equal(t, "비밀번호는 8자 이상이어야 합니다.", ko.Body["message"])
		for _, name := range []string{"", "a\\u0000b", "tab\\there", " space", strings.Repeat("u", 65)} {
			harness.AssertError(t, u.Do("POST", "/signup/", `{"username":"`+name+`","password":"`+pw+`"}`, harness.JSONHeader), 400, "invalid_request")
		}
		harness.AssertError(t, u.Do("POST", "/signup/", `{"username":1}`, harness.JSONHeader), 400, "invalid_request")
		harness.AssertError(t, u.Do("POST", "/signup/", `{"username":"x"}`, "Content-Type: text/plain"), 415, "unsupported_media_type")
	})
}

func TestSignUpIsThrottledPerAddress(t *testing.T) {
	t.Parallel()
	u := newUsersEnv(t, func(c *authd.Config) { c.LoginMaxFails = 2 })
	for i := range 2 {
		require.Equal(t, 201, u.signUp(fmt.Sprint("user", i), pw).Status)
	}
	r := u.signUp("user9", pw)
	harness.AssertError(t, r, 429, "rate_limited")
	assert.NotEmpty(t, r.Header.Get("Retry-After"))
}

func TestPasswordChangeOverHTTP(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, opts ...func(*authd.Config)) {
		u := newUsersEnv(t, opts...)
		require.Equal(t, 201, u.signUp("younghee", pw).Status)
		mine, other := u.Login("younghee", pw), u.Login("younghee", pw)
		change := func(current, next string, headers ...string) harness.Response {
			body, _ := json.Marshal(map[string]string{"current_password": current, "new_password": next})
			return u.Do("POST", "/password/", string(body), append([]string{harness.JSONHeader, harness.Bearer(mine.Access)}, headers...)...)
		}
		harness.AssertError(t, change("wrong-password", "lantern-harbor-91"), 401, "invalid_credentials")
		harness.AssertError(t, change(pw, "short"), 400, "weak_password")
		harness.AssertError(t, u.Do("POST", "/password/", `{"current_password":"x","new_password":"lantern-harbor-91"}`, harness.JSONHeader), 401, "token_missing")
		harness.AssertError(t, u.Do("POST", "/password/", `[]`, harness.JSONHeader, harness.Bearer(mine.Access)), 400, "invalid_request")
		u.Login("younghee", pw) // nothing changed yet

		r := change(pw, "lantern-harbor-91")
		require.Equal(t, 204, r.Status, r.Raw)
		assert.Equal(t, 200, u.Protected(mine.Access).Status, "the calling session goes on")
		harness.AssertError(t, u.Protected(other.Access), 401, "session_revoked")
		harness.AssertError(t, u.Refresh(other.Refresh), 401, "session_revoked")
		harness.AssertError(t, u.Do("POST", "/login/", `{"username":"younghee","password":"`+pw+`"}`, harness.JSONHeader), 401, "invalid_credentials")
		u.Login("younghee", "lantern-harbor-91")
	})
}

func TestWrongCurrentPasswordsAreThrottled(t *testing.T) {
	t.Parallel()
	u := newUsersEnv(t, func(c *authd.Config) { c.LoginMaxFails = 2 })
	require.Equal(t, 201, u.signUp("younghee", pw).Status)
	p := u.Login("younghee", pw)
	for range 2 {
		harness.AssertError(t, u.Do("POST", "/password/", `{"current_password":"guess","new_password":"lantern-harbor-91"}`, harness.JSONHeader, harness.Bearer(p.Access)), 401, "invalid_credentials")
	}
	harness.AssertError(t, u.Do("POST", "/password/", `{"current_password":"guess","new_password":"lantern-harbor-91"}`, harness.JSONHeader, harness.Bearer(p.Access)), 429, "rate_limited")
	harness.AssertError(t, u.Do("POST", "/login/", `{"username":"younghee","password":"`+pw+`"}`, harness.JSONHeader), 429, "rate_limited")
}

func TestAdminAPIOverHTTP(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, opts ...func(*authd.Config)) {
		u := newUsersEnv(t, opts...)
		harness.AssertError(t, u.adm("GET", "/admin/users/", "", "Authorization: Bearer wrong-token-wrong-token-wrong-token"), 401, "invalid_token")
		harness.AssertError(t, u.adm("GET", "/admin/users/", "", "Authorization: "), 401, "token_missing")
		harness.AssertError(t, u.Do("GET", "/admin/users/", "", harness.Bearer(adminToken)), 404, "not_found")

		r := u.adm("POST", "/admin/users/", `{"username":"gildong","password":"`+pw+`"}`)
		require.Equal(t, 201, r.Status, r.Raw)
		assert.Equal(t, "gildong", r.Body["username"])
		assert.Equal(t, false, r.Body["disabled"])
		harness.AssertError(t, u.adm("POST", "/admin/users/", `{"username":"gildong","password":"`+pw+`"}`), 409, "username_taken")
		harness.AssertError(t, u.adm("POST", "/admin/users/", `{"username":"hong","password":"12345678"}`), 400, "weak_password")

		page := u.adm("GET", "/admin/users/?limit=2", "")
		require.Equal(t, 200, page.Status, page.Raw)
		assert.Len(t, page.Body["users"], 2)
		assert.Equal(t, "gildong", page.Body["users"].([]any)[1].(map[string]any)["username"])
		assert.Equal(t, "gildong", page.Body["next"])
		assert.Equal(t, harness.T.Format(time.RFC3339), page.Body["users"].([]any)[0].(map[string]any)["created_at"],
			"the demo users were created at start, by the server clock")
		rest := u.adm("GET", "/admin/users/?after=gildong", "")
		assert.Len(t, rest.Body["users"], 2) // minsu, satangsusu
		assert.Equal(t, "", rest.Body["next"])
		harness.AssertError(t, u.adm("GET", "/admin/users/?limit=x", ""), 400, "invalid_request")

		p := u.Login("gildong", pw)
		got := u.adm("GET", "/admin/users/gildong", "")
		require.Equal(t, 200, got.Status, got.Raw)
		assert.Equal(t, float64(1), got.Body["sessions"])
		harness.AssertError(t, u.adm("GET", "/admin/users/nobody", ""), 404, "not_found")
		harness.AssertError(t, u.adm("PATCH", "/admin/users/gildong", `{}`), 400, "invalid_request")

		r = u.adm("PATCH", "/admin/users/gildong", `{"disabled":true}`)
		require.Equal(t, 200, r.Status, r.Raw)
		assert.Equal(t, true, r.Body["disabled"])
		assert.Equal(t, float64(0), r.Body["sessions"])
		harness.AssertError(t, u.Protected(p.Access), 401, "session_revoked")
		harness.AssertError(t, u.Refresh(p.Refresh), 401, "session_revoked")
		disabled := u.Do("POST", "/login/", `{"username":"gildong","password":"`+pw+`"}`, harness.JSONHeader)
		wrong := u.Do("POST", "/login/", `{"username":"gildong","password":"not-it"}`, harness.JSONHeader)
		harness.AssertError(t, disabled, 401, "invalid_credentials")
		assert.Equal(t, wrong.Raw, disabled.Raw, "a disabled user is answered as a wrong password")
		require.Equal(t, 200, u.adm("PATCH", "/admin/users/gildong", `{"disabled":false}`).Status)
		p = u.Login("gildong", pw)

		require.Equal(t, 200, u.adm("PATCH", "/admin/users/gildong", `{"password":"lantern-harbor-91"}`).Status)
		harness.AssertError(t, u.Protected(p.Access), 401, "session_revoked")
		p = u.Login("gildong", "lantern-harbor-91")

		assert.Equal(t, 204, u.adm("DELETE", "/admin/users/gildong", "").Status)
		harness.AssertError(t, u.Refresh(p.Refresh), 401, "session_revoked")
		harness.AssertError(t, u.adm("DELETE", "/admin/users/gildong", ""), 404, "not_found")
		require.Equal(t, 201, u.signUp("gildong", pw).Status, "the name may be signed up again")

		// Korean names travel percent-encoded in the path.
		require.Equal(t, 201, u.adm("POST", "/admin/users/", `{"username":"홍길동","password":"`+pw+`"}`).Status)
		assert.Equal(t, 200, u.adm("GET", "/admin/users/%ED%99%8D%EA%B8%B8%EB%8F%99", "").Status)

		ev := u.adm("GET", "/admin/events/?user=gildong&limit=500", "")
		require.Equal(t, 200, ev.Status, ev.Raw)
		var kinds []string
		for _, e := range ev.Body["events"].([]any) {
			m := e.(map[string]any)
			kinds = append(kinds, m["kind"].(string))
			assert.NotContains(t, fmt.Sprint(m), pw, "no secrets")
			assert.NotEmpty(t, m["request_id"])
		}
		assert.Equal(t, []string{"user_created", "login_succeeded", "user_disabled", "login_failed", "login_failed",
			"user_enabled", "login_succeeded", "password_changed", "login_succeeded", "user_deleted", "signed_up"}, kinds)
		first := ev.Body["events"].([]any)[0].(map[string]any)
		assert.Equal(t, "admin", first["actor"])
		assert.Equal(t, harness.T.Format(time.RFC3339Nano), first["at"], "the server clock's time")
		harness.AssertError(t, u.adm("GET", "/admin/events/?after=-1", ""), 400, "invalid_request")
		all := u.adm("GET", "/admin/events/?limit=1", "")
		assert.Len(t, all.Body["events"], 1)
		assert.NotZero(t, all.Body["next"])
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
	shared := []func(*authd.Config){harness.WithPostgres(pgtest.Database(t)), func(c *authd.Config) { c.JWTKeysFile, c.EphemeralKeys = harness.KeysFile(t, keys), false }}
	a := newUsersEnv(t, shared...)
	b := newUsersEnv(t, shared...)

	require.Equal(t, 201, a.signUp("younghee", pw).Status)
	onB := b.Login("younghee", pw)
	require.Equal(t, 200, b.Protected(onB.Access).Status, "B has seen and cached the access token")
	require.Equal(t, 200, a.adm("PATCH", "/admin/users/younghee", `{"disabled":true}`).Status)
	start := time.Now()
	require.Eventually(t, func() bool { return b.Protected(onB.Access).Status == 401 }, 2500*time.Millisecond, 20*time.Millisecond,
		"B must refuse the disabled user's access token within 2.5 s")
	t.Logf("B refused the disabled user's access token after %s", time.Since(start).Round(time.Millisecond))
	harness.AssertError(t, b.Do("POST", "/login/", `{"username":"younghee","password":"`+pw+`"}`, harness.JSONHeader), 401, "invalid_credentials")
	require.Equal(t, 200, b.adm("PATCH", "/admin/users/younghee", `{"disabled":false}`).Status)

	mine, other := a.Login("younghee", pw), b.Login("younghee", pw)
	body := `{"current_password":"` + pw + `","new_password":"lantern-harbor-91"}`
	require.Equal(t, 204, a.Do("POST", "/password/", body, harness.JSONHeader, harness.Bearer(mine.Access)).Status)
	harness.AssertError(t, b.Refresh(other.Refresh), 401, "session_revoked")
	assert.Equal(t, 200, b.Refresh(mine.Refresh).Status, "the changing session goes on, on B too")
	b.Login("younghee", "lantern-harbor-91")
}
