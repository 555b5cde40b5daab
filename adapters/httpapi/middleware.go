package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// requestNote is filled in by handlers for the access log line of their
// request: who the caller turned out to be, the client address of a failed
// login, and the error and status behind a 5xx. It holds log facts only;
// nothing a handler needs is read back from it.
type requestNote struct {
	userID   string
	clientIP string
	err      error
	status   int
}

type noteKey struct{}

func noteOf(r *http.Request) *requestNote {
	n, _ := r.Context().Value(noteKey{}).(*requestNote)
	return n
}

// noteUser records the caller's user id for the access log.
func noteUser(r *http.Request, userID string) {
	if n := noteOf(r); n != nil {
		n.userID = userID
	}
}

// noteFailedLogin records the client address of a failed or throttled
// login for the access log, so guessing can be traced to its source (the
// password and username never are).
func noteFailedLogin(r *http.Request, clientIP string, err error) {
	if n := noteOf(r); n != nil && (errors.Is(err, domain.ErrInvalidCredentials) || errors.Is(err, domain.ErrRateLimited)) {
		n.clientIP = clientIP
	}
}

// noteError records the error behind a 5xx answer for the access log: the
// client saw only the code, the operator needs the cause. Errors the client
// caused are not recorded; the status says enough.
func noteError(r *http.Request, err error, status int) {
	if n := noteOf(r); n != nil && status >= http.StatusInternalServerError {
		n.err, n.status = err, status
	}
}

// accessLog writes one line per request, and reports it to the observer
// when there is one: request id, method, route pattern
// (never the raw path, which may carry ids), status, bytes, duration and the
// user id when known. It never logs headers or bodies, so no token, password
// or Authorization value can reach the log.
func accessLog(log ports.Logger, sw ports.Clock, obs ports.RequestObserver) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := sw.Now()
			note := &requestNote{}
			r = r.WithContext(context.WithValue(r.Context(), noteKey{}, note))
			w.Header().Set("X-Request-Id", middleware.GetReqID(r.Context()))
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			elapsed := sw.Now().Sub(start)
			route := chi.RouteContext(r.Context()).RoutePattern()
			if route == "" {
				route = "unmatched"
			}
			method := methodLabel(r.Method)
			if obs != nil {
				obs.ObserveRequest(route, method, ww.Status(), elapsed)
			}
			fields := []ports.Field{
				ports.F("request_id", middleware.GetReqID(r.Context())),
				ports.F("method", method),
				ports.F("route", route),
				ports.F("status", ww.Status()),
				ports.F("bytes", ww.BytesWritten()),
				ports.F("duration", elapsed),
			}
			if note.userID != "" {
				fields = append(fields, ports.F("user_id", note.userID))
			}
			if note.clientIP != "" {
				fields = append(fields, ports.F("client_ip", note.clientIP))
			}
			switch {
			case note.err != nil && note.status == http.StatusInternalServerError:
				log.Error("request failed", append(fields, ports.F("error", note.err.Error()))...)
			case note.err != nil:
				log.Warn("request unavailable", append(fields, ports.F("error", note.err.Error()))...)
			default:
				log.Info("request", fields...)
			}
		})
	}
}

// maxRequestIDLen is the longest X-Request-Id authd keeps from a client.
const maxRequestIDLen = 64

// requestIDs keeps a client's X-Request-Id only when there is one and it is
// short and well formed (letters, digits and "-_.:", at most 64), like the
// ids gateways make (nginx's $request_id is 32 hex digits), so log lines of
// one request can be tied together across hops. Anything else is dropped
// and chi's middleware.RequestID, which runs next, makes one of authd's own:
// no client can write arbitrary text into the log or have it echoed back.
func requestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ids := r.Header.Values(middleware.RequestIDHeader); len(ids) > 0 && (len(ids) > 1 || !wellFormedID(ids[0])) {
			r.Header.Del(middleware.RequestIDHeader)
		}
		next.ServeHTTP(w, r)
	})
}

func wellFormedID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// methodLabel returns the method for logs and metrics: one of RFC 9110's
// methods (and PATCH), or "other". Any token is a valid method on the wire,
// so a client could otherwise make every request a new metrics series and
// write arbitrarily long methods into the log.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// recoverer turns a panic in a handler into a 500 with the contract's body;
// the panic value goes to the log (through the access log's note), never to
// the client.
func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("%w: panic: %v", errInternal, v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// secureHeaders sets what every response needs: no MIME sniffing, and no
// caching unless a handler opts in (JWKS does).
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
