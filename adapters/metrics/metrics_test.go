package metrics

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
)

var _ ports.RequestObserver = (*Metrics)(nil)

func TestObserveRequest(t *testing.T) {
	m := New(func() float64 { return 3 })
	for range 3 {
		m.ObserveRequest("/protected", "GET", 200, time.Millisecond)
	}
	m.ObserveRequest("/protected", "GET", 401, 2*time.Millisecond)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	out := rec.Body.String()
	for _, line := range []string{
		`authd_http_requests_total{method="GET",route="/protected",status="200"} 3`,
		`authd_http_requests_total{method="GET",route="/protected",status="401"} 1`,
		`authd_http_request_duration_seconds_count{route="/protected"} 4`,
		`authd_live_sessions 3`,
	} {
		assert.True(t, strings.Contains(out, line+"\n"), "missing %s", line)
	}
}

func BenchmarkObserveRequest(b *testing.B) {
	m := New(nil)
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveRequest("/protected", "GET", 200, time.Millisecond)
	}
}
