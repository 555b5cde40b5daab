package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// devClockState is the answer of /dev/clock/: the clock's time and whether
// it is frozen.
type devClockState struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
}

// writeDevClock answers 200 with the state of the clock c.
func writeDevClock(w http.ResponseWriter, c ports.DevClock) {
	writeJSON(w, http.StatusOK, devClockState{Now: c.Now().Format(time.RFC3339Nano), Frozen: c.Frozen()})
}

// handleDevClockGet serves GET /dev/clock/: the server clock's time.
func handleDevClockGet(c ports.DevClock) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeDevClock(w, c) })
}

// handleDevClockPost serves POST /dev/clock/ with exactly one of
// {"set": "<RFC3339Nano>"}, {"advance": "60s"} or {"release": true}.
func (s *server) handleDevClockPost(c ports.DevClock) http.Handler {
	type request struct {
		Set     *string `json:"set"`
		Advance *string `json:"advance"`
		Release bool    `json:"release"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req request
		if err := decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		n := 0
		for _, given := range []bool{req.Set != nil, req.Advance != nil, req.Release} {
			if given {
				n++
			}
		}
		if n != 1 {
			s.writeError(w, r, &domain.RequestError{Reason: `give exactly one of "set", "advance" and "release"`})
			return
		}
		switch {
		case req.Set != nil:
			t, err := time.Parse(time.RFC3339Nano, *req.Set)
			if err != nil {
				s.writeError(w, r, &domain.RequestError{Reason: "set must be an RFC 3339 time"})
				return
			}
			c.Set(t)
		case req.Advance != nil:
			d, err := time.ParseDuration(*req.Advance)
			if err == nil {
				err = c.Advance(d)
			}
			if err != nil {
				s.writeError(w, r, &domain.RequestError{Reason: "advance must be a non-negative Go duration such as 60s"})
				return
			}
		default:
			c.Release()
		}
		writeDevClock(w, c)
	})
}

// guardDevClock puts the dev clock behind its guard: the bearer secret
// when there is one (requireSecret), else firstHandOnly.
func (s *server) guardDevClock(secret string, next http.Handler) http.Handler {
	if secret != "" {
		return s.requireSecret(secret, next)
	}
	return s.firstHandOnly(next)
}

// firstHandOnly guards the tokenless dev clock, which the configuration
// allows only on a loopback address: it lets through only requests a
// program on this machine sent itself, and answers the others 404, as if
// there were no dev clock. A request is refused when its Host is not a
// loopback name (127.0.0.0/8, ::1 or localhost: a reverse proxy for a site,
// or a DNS-rebinding page, names another), when it bears a proxy's marks
// (Forwarded, X-Forwarded-*, X-Real-IP or Via, or HTTP/1.0, which nginx's
// proxy_pass speaks unless told otherwise: a reverse proxy on the same host
// would otherwise hand every client's request to the clock), or when a
// browser says another site's page sent it (Sec-Fetch-Site other than
// same-origin or none). curl, a test's client and the playground on
// http://127.0.0.1:5000 pass; through a proxy, set AUTH_DEV_CLOCK_TOKEN.
func (s *server) firstHandOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) || proxied(r) {
			s.writeError(w, r, errRouteNotFound)
			return
		}
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
			s.writeError(w, r, errRouteNotFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a Host header names this machine: an IP in
// 127.0.0.0/8 or ::1, or localhost, with any port.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && a.Unmap().IsLoopback()
}

// proxied reports whether a request bears a reverse proxy's marks.
func proxied(r *http.Request) bool {
	if r.ProtoMajor == 1 && r.ProtoMinor == 0 {
		return true
	}
	for name := range r.Header {
		switch {
		case name == "Forwarded", name == "Via", name == "X-Real-Ip", strings.HasPrefix(name, "X-Forwarded-"):
			return true
		}
	}
	return false
}

// requireSecret lets a request through to next only with
// "Authorization: Bearer <secret>", compared in constant time. A missing
// secret is token_missing, a wrong one invalid_token, both 401.
func (s *server) requireSecret(secret string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(secret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := bearerToken(r)
		switch {
		case err != nil:
		case token == "":
			err = domain.ErrTokenMissing
		default:
			got := sha256.Sum256([]byte(token))
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				err = domain.InvalidToken("not the dev clock token")
			}
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}
