package e2e

import (
	"strings"
	"testing"

	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMetricsAfterAScriptedSession plays a session with every outcome the
// metrics count and checks each metric's value.
func TestMetricsAfterAScriptedSession(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.BehindProxy, func(c *authd.Config) { c.LoginMaxFails = 2 })
	p := e.Login("minsu", "1229")                                                                // login success 1
	harness.AssertError(t, loginFrom(e, "192.0.2.1", "chulsu", "x"), 401, "invalid_credentials") // failure 1
	harness.AssertError(t, loginFrom(e, "192.0.2.1", "chulsu", "y"), 401, "invalid_credentials") // failure 2
	harness.AssertError(t, loginFrom(e, "192.0.2.1", "chulsu", "1234"), 429, "rate_limited")     // throttled
	assert.Equal(t, 200, e.Protected(p.Access).Status)
	p2 := e.Refresh(p.Refresh).Pair(t)                                        // refresh success
	harness.AssertError(t, e.Refresh(p.Refresh), 401, "refresh_token_reused") // reuse → revocation
	harness.AssertError(t, e.Refresh(p2.Refresh), 401, "session_revoked")
	q := e.Login("satangsusu", "4321") // login success 2
	r := e.Do("GET", "/sessions/", "", harness.Bearer(q.Access))
	require.Equal(t, 200, r.Status)
	id := r.Body["sessions"].([]any)[0].(map[string]any)["id"].(string)
	q2 := e.Login("satangsusu", "4321") // login success 3
	assert.Equal(t, 204, e.Do("DELETE", "/sessions/"+id+"/", "", harness.Bearer(q2.Access)).Status)
	assert.Equal(t, 204, e.Do("POST", "/logout/", "", harness.Bearer(q2.Refresh)).Status)
	q3 := e.Login("satangsusu", "4321") // login success 4
	e.Login("minsu", "1229")            // login success 5, the one live session at the end
	assert.Equal(t, 204, e.Do("POST", "/logout/", `{"all":true}`, harness.JSONHeader, harness.Bearer(q3.Refresh)).Status)
	e.Do("GET", "/nowhere", "")

	m := e.Do("GET", "/metrics", "")
	require.Equal(t, 200, m.Status)
	assert.Contains(t, m.Header.Get("Content-Type"), "text/plain")
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
		assert.True(t, strings.Contains(m.Raw, line+"\n"), "missing metric line %s", line)
	}
	for _, family := range []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "process_resident_memory_bytes"} {
		assert.True(t, strings.Contains(m.Raw, "\n"+family+" "), "missing Go runtime or process metric %s", family)
	}
	assert.False(t, strings.Contains(m.Raw, id), "route labels are patterns, never raw paths")
}
