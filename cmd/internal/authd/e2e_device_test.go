package authd

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deviceLogin sends a login as if from the client IP, with extra headers.
func (e *env) deviceLogin(ip, body string, headers ...string) response {
	e.t.Helper()
	return e.do("POST", "/login/", body, append([]string{jsonCT, "X-Forwarded-For: " + ip}, headers...)...)
}

// TestStrangersOnHerAddressCannotLockOutHerDeviceThroughHTTP is issue 22's
// finding 6 through HTTP, with AUTH_LOGIN_MAX_FAILURES=2 (per address
// across usernames: 20; per device token: 2). Strangers behind her home
// NAT fail twice on minsu: home is locked for her without her device, not
// with its cookie. Strangers at her office fail on twenty other names: the
// office is locked for everyone, not for her device token in the body.
// Another user's device token counts for nothing.
func TestStrangersOnHerAddressCannotLockOutHerDeviceThroughHTTP(t *testing.T) {
	e := newEnv(t, behindProxy, func(c *Config) { c.LoginMaxFails = 2 })
	const home, office = "198.51.100.7", "203.0.113.50"
	first := e.deviceLogin(home, `{"username":"minsu","password":"1229"}`)
	require.Equal(t, 200, first.status, first.raw)
	device, _ := first.body["device_token"].(string)
	require.NotEmpty(t, device, "a login hands out a device token")
	cookie := first.header.Get("Set-Cookie")
	assert.Equal(t, "authd_device="+device+"; Path=/; Max-Age=2592000; HttpOnly; SameSite=Strict", cookie)
	require.Equal(t, 200, e.deviceLogin(office, `{"username":"minsu","password":"1229"}`).status)
	chulsus := e.deviceLogin(home, `{"username":"chulsu","password":"1234"}`).body["device_token"].(string)

	for range 2 {
		assertError(t, e.deviceLogin(home, `{"username":"minsu","password":"guess"}`), 401, "invalid_credentials")
	}
	r := e.deviceLogin(home, `{"username":"minsu","password":"1229"}`)
	assertError(t, r, 429, "rate_limited")
	assert.Equal(t, "900", r.header.Get("Retry-After"), "without her device: locked out for the window")
	assertError(t, e.deviceLogin(home, `{"username":"minsu","password":"1229"}`, "Cookie: authd_device="+chulsus), 429, "rate_limited")
	r = e.deviceLogin(home, `{"username":"minsu","password":"1229"}`, "Cookie: authd_device="+device)
	require.Equal(t, 200, r.status, "with her device's cookie: "+r.raw)
	device = r.body["device_token"].(string)

	for i := range 20 {
		assertError(t, e.deviceLogin(office, `{"username":"user`+strconv.Itoa(i)+`","password":"x"}`), 401, "invalid_credentials")
	}
	assertError(t, e.deviceLogin(office, `{"username":"minsu","password":"1229"}`), 429, "rate_limited")
	r = e.deviceLogin(office, `{"username":"minsu","password":"1229","device_token":"`+device+`"}`)
	assert.Equal(t, 200, r.status, "with her device token in the body: "+r.raw)
}

// TestLoginDeviceCookieIsSecureOverHTTPS: behind a proxy that terminates
// TLS (X-Forwarded-Proto: https) the device cookie is Secure.
func TestLoginDeviceCookieIsSecureOverHTTPS(t *testing.T) {
	e := newEnv(t, behindProxy)
	r := e.deviceLogin("198.51.100.7", `{"username":"minsu","password":"1229"}`, "X-Forwarded-Proto: https")
	require.Equal(t, 200, r.status, r.raw)
	assert.True(t, strings.HasSuffix(r.header.Get("Set-Cookie"), "; HttpOnly; Secure; SameSite=Strict"), r.header.Get("Set-Cookie"))
}
