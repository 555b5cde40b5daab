package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deviceLogin sends a login as if from the client IP, with extra headers.
func deviceLogin(e *harness.Env, ip, body string, headers ...string) harness.Response {
	e.T.Helper()
	return e.Do("POST", "/login/", body, append([]string{harness.JSONHeader, "X-Forwarded-For: " + ip}, headers...)...)
}

// TestStrangersOnHerAddressCannotLockOutHerDeviceThroughHTTP is issue 22's
// finding 6 through HTTP, with AUTH_LOGIN_MAX_FAILURES=2 (per address
// across usernames: 20; per device token: 2). Strangers behind her home
// NAT fail twice on minsu: home is locked for her without her device, not
// with its cookie. Strangers at her office fail on twenty other names: the
// office is locked for everyone, not for her device token in the body.
// Another user's device token counts for nothing.
func TestStrangersOnHerAddressCannotLockOutHerDeviceThroughHTTP(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.BehindProxy, func(c *authd.Config) { c.LoginMaxFails = 2 })
	const home, office = "198.51.100.7", "203.0.113.50"
	first := deviceLogin(e, home, `{"username":"minsu","password":"1229"}`)
	require.Equal(t, 200, first.Status, first.Raw)
	device, _ := first.Body["device_token"].(string)
	require.NotEmpty(t, device, "a login hands out a device token")
	cookie := first.Header.Get("Set-Cookie")
	assert.Equal(t, "authd_device="+device+"; Path=/; Max-Age=2592000; HttpOnly; SameSite=Strict", cookie)
	require.Equal(t, 200, deviceLogin(e, office, `{"username":"minsu","password":"1229"}`).Status)
	chulsus := deviceLogin(e, home, `{"username":"chulsu","password":"1234"}`).Body["device_token"].(string)

	for range 2 {
		harness.AssertError(t, deviceLogin(e, home, `{"username":"minsu","password":"guess"}`), 401, "invalid_credentials")
	}
	r := deviceLogin(e, home, `{"username":"minsu","password":"1229"}`)
	harness.AssertError(t, r, 429, "rate_limited")
	assert.Equal(t, "900", r.Header.Get("Retry-After"), "without her device: locked out for the window")
	harness.AssertError(t, deviceLogin(e, home, `{"username":"minsu","password":"1229"}`, "Cookie: authd_device="+chulsus), 429, "rate_limited")
	r = deviceLogin(e, home, `{"username":"minsu","password":"1229"}`, "Cookie: authd_device="+device)
	require.Equal(t, 200, r.Status, "with her device's cookie: "+r.Raw)
	device = r.Body["device_token"].(string)

	for i := range 20 {
		harness.AssertError(t, deviceLogin(e, office, `{"username":"user`+strconv.Itoa(i)+`","password":"x"}`), 401, "invalid_credentials")
	}
	harness.AssertError(t, deviceLogin(e, office, `{"username":"minsu","password":"1229"}`), 429, "rate_limited")
	r = deviceLogin(e, office, `{"username":"minsu","password":"1229","device_token":"`+device+`"}`)
	assert.Equal(t, 200, r.Status, "with her device token in the body: "+r.Raw)
}

// TestLoginDeviceCookieIsSecureOverHTTPS: behind a proxy that terminates
// TLS (X-Forwarded-Proto: https) the device cookie is Secure.
func TestLoginDeviceCookieIsSecureOverHTTPS(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.BehindProxy)
	r := deviceLogin(e, "198.51.100.7", `{"username":"minsu","password":"1229"}`, "X-Forwarded-Proto: https")
	require.Equal(t, 200, r.Status, r.Raw)
	assert.True(t, strings.HasSuffix(r.Header.Get("Set-Cookie"), "; HttpOnly; Secure; SameSite=Strict"), r.Header.Get("Set-Cookie"))
}
