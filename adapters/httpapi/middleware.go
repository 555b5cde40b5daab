package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/authd/authd/ports"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// requestNote is filled in by handlers for the access log line of their
// request: who the caller turned out to be, and the error behind a 5xx.
type requestNote struct {
	userID string
	err    error
	status int
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
// the panic value goes to the log, never to the client.
func recoverer(log ports.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					writeError(w, r, fmt.Errorf("%w: panic: %v", errInternal, v))
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
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
