package httpapi

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoginDeviceToken: /login/ passes the device token of the body, or
// else of the authd_device cookie, to the use case, and answers a login
// that handed out a new one with device_token and an HttpOnly,
// SameSite=Strict cookie for the whole origin, Secure over https.
func TestLoginDeviceToken(t *testing.T) {
	t.Parallel()
	var got domain.Credentials
	auth := &fakeAuth{login: func(_ context.Context, c domain.Credentials, _ string) (domain.TokenPair, error) {
		got = c
		return domain.TokenPair{Access: "a.b.c", Refresh: "d.e.f", DeviceToken: "dv1.new", DeviceExpiresIn: 2592000}, nil
	}}
	h, _ := serve(t, auth, nil)
	send := func(body string, setup func(*http.Request)) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/login/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if setup != nil {
			setup(r)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	withCookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: DeviceCookie, Value: "dv1.cookie"}) }

	w := send(`{"username":"minsu","password":"1229"}`, nil)
	require.Equal(t, 200, w.Code)
	assert.Empty(t, got.DeviceToken, "none presented")
	var body map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, "dv1.new", body["device_token"])
	cookies := w.Result().Cookies()
	require.Len(t, cookies, 1)
	c := cookies[0]
	assert.Equal(t, DeviceCookie, c.Name)
	assert.Equal(t, "dv1.new", c.Value)
	assert.Equal(t, "/", c.Path)
	assert.Equal(t, 2592000, c.MaxAge)
	assert.True(t, c.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, c.SameSite)
	assert.False(t, c.Secure, "plain http")

	send(`{"username":"minsu","password":"1229"}`, withCookie)
	assert.Equal(t, "dv1.cookie", got.DeviceToken, "from the cookie")
	send(`{"username":"minsu","password":"1229","device_token":"dv1.body"}`, withCookie)
	assert.Equal(t, "dv1.body", got.DeviceToken, "the body's wins")

	for name, setup := range map[string]func(*http.Request){
		"TLS":               func(r *http.Request) { r.TLS = &tls.ConnectionState{} },
		"X-Forwarded-Proto": func(r *http.Request) { r.Header.Set("X-Forwarded-Proto", "https") },
	} {
		w := send(`{"username":"minsu","password":"1229"}`, setup)
		require.Len(t, w.Result().Cookies(), 1)
		assert.True(t, w.Result().Cookies()[0].Secure, name)
	}

	auth.login = func(context.Context, domain.Credentials, string) (domain.TokenPair, error) {
		return domain.TokenPair{Access: "a.b.c", Refresh: "d.e.f"}, nil
	}
	w = send(`{"username":"minsu","password":"1229"}`, nil)
	assert.Empty(t, w.Result().Cookies(), "no new device token, no cookie")
	assert.NotContains(t, w.Body.String(), "device_token")
}
