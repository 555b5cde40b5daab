package authd

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMetricsAfterAScriptedSession plays a session with every outcome the
// metrics count and checks each metric's value.
func TestMetricsAfterAScriptedSession(t *testing.T) {
	e := newEnv(t, behindProxy, func(c *Config) { c.LoginMaxFails = 2 })
	p := e.login("minsu", "1229")                                                       // login success 1
	assertError(t, e.loginFrom("192.0.2.1", "chulsu", "x"), 401, "invalid_credentials") // failure 1
	assertError(t, e.loginFrom("192.0.2.1", "chulsu", "y"), 401, "invalid_credentials") // failure 2
	assertError(t, e.loginFrom("192.0.2.1", "chulsu", "1234"), 429, "rate_limited")     // throttled
	assert.Equal(t, 200, e.protected(p.access).status)
	p2 := e.refresh(p.refresh).pair(t)                                // refresh success
	assertError(t, e.refresh(p.refresh), 401, "refresh_token_reused") // reuse → revocation
	assertError(t, e.refresh(p2.refresh), 401, "session_revoked")
	q := e.login("satangsusu", "4321") // login success 2
	r := e.do("GET", "/sessions/", "", bearer(q.access))
	require.Equal(t, 200, r.status)
	id := r.body["sessions"].([]any)[0].(map[string]any)["id"].(string)
	q2 := e.login("satangsusu", "4321") // login success 3
	assert.Equal(t, 204, e.do("DELETE", "/sessions/"+id+"/", "", bearer(q2.access)).status)
	assert.Equal(t, 204, e.do("POST", "/logout/", "", bearer(q2.refresh)).status)
	q3 := e.login("satangsusu", "4321") // login success 4
	e.login("minsu", "1229")            // login success 5, the one live session at the end
	assert.Equal(t, 204, e.do("POST", "/logout/", `{"all":true}`, jsonCT, bearer(q3.refresh)).status)
	e.do("GET", "/nowhere", "")

	m := e.do("GET", "/metrics", "")
	require.Equal(t, 200, m.status)
	assert.Contains(t, m.header.Get("Content-Type"), "text/plain")
	for _, line := range []string{
		`authd_logins_total{outcome="success"} 5`,
		`authd_logins_total{outcome="invalid_credentials"} 2`,
		`authd_logins_total{outcome="rate_limited"} 1`,
		`authd_login_throttles_total{outcome="rate_limited"} 1`,
		`authd_refreshes_total{outcome="success"} 1`,
		`authd_refreshes_total{outcome="refresh_token_reused"} 1`,
		`authd_refreshes_total{outcome="session_revoked"} 1`,
		`authd_refresh_reuse_detections_total 1`,
		`authd_revocations_total{reason="reuse"} 1`,
		`authd_revocations_total{reason="session_deleted"} 1`,
		`authd_revocations_total{reason="logout"} 1`,
		`authd_revocations_total{reason="logout_all"} 1`,
		`authd_failure_log_evictions_total 0`,
		`authd_http_requests_total{method="GET",route="/protected",status="200"} 1`,
		`authd_http_requests_total{method="DELETE",route="/sessions/{id}",status="204"} 1`,
		`authd_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`authd_http_request_duration_seconds_count{route="/refresh"} 3`,
		`authd_live_sessions 1`,
	} {
		assert.True(t, strings.Contains(m.raw, line+"\n"), "missing metric line %s", line)
	}
	for _, family := range []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "process_resident_memory_bytes"} {
		assert.True(t, strings.Contains(m.raw, "\n"+family+" "), "missing Go runtime or process metric %s", family)
	}
	assert.False(t, strings.Contains(m.raw, id), "route labels are patterns, never raw paths")
}
