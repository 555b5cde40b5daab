package httpapi

import (
	"net/http"
	"strings"
)

// DeviceCookie is the cookie /login/ keeps the device token in, so that a
// browser presents it at its next login without any script seeing it.
const DeviceCookie = "authd_device"

// setDeviceCookie sets the device token as an HttpOnly, SameSite=Strict
// cookie for the whole origin, living as long as the token; Secure when the
// request came over https.
func (s *server) setDeviceCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int64) {
	http.SetCookie(w, &http.Cookie{
		Name: DeviceCookie, Value: token, Path: "/", MaxAge: int(maxAge),
		HttpOnly: true, Secure: s.cameOverHTTPS(r), SameSite: http.SameSiteStrictMode,
	})
}

// deviceToken returns the device token the login presents: the body's
// device_token, or else the device cookie's; "" when there is none.
func deviceToken(r *http.Request, fromBody *string) string {
	if fromBody != nil && *fromBody != "" {
		return *fromBody
	}
	if c, err := r.Cookie(DeviceCookie); err == nil {
		return c.Value
	}
	return ""
}

// cameOverHTTPS reports whether the client reached authd over https: TLS
// on this connection, an https AUTH_PUBLIC_URL, or a proxy saying so in
// X-Forwarded-Proto. The header is believed from anyone: all it can do is
// keep the cookie off plain http.
func (s *server) cameOverHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.publicURL, "https://") ||
		strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
