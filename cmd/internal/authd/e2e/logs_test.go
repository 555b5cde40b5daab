package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLogsHoldNoSecrets captures the log of a full session (failed logins,
// login, protected calls, refresh, reuse, logout) and checks that no token,
// password or Authorization value appears, while each request left a line
// with its id, route, status, duration and, when known, user.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t)
	secrets := []string{"1229", "wrong-password-xyz", "Bearer", "Authorization", "eyJ"}
	harness.AssertError(t, e.Do("POST", "/login/", `{"username":"minsu","password":"wrong-password-xyz"}`, harness.JSONHeader), 401, "invalid_credentials")
	harness.AssertError(t, e.Do("POST", "/login/", `{"username":"ghost","password":"wrong-password-xyz"}`, harness.JSONHeader), 401, "invalid_credentials")
	p := e.Login("minsu", "1229")
	assert.Equal(t, 200, e.Protected(p.Access).Status)
	p2 := e.Refresh(p.Refresh).Pair(t)
	harness.AssertError(t, e.Refresh(p.Refresh), 401, "refresh_token_reused")
	q := e.Login("minsu", "1229")
	assert.Equal(t, 204, e.Do("POST", "/logout/", `{"refresh":"`+q.Refresh+`"}`, harness.JSONHeader).Status)
	harness.AssertError(t, e.Protected(p2.Access), 401, "session_revoked")
	secrets = append(secrets, p.Access, p.Refresh, p2.Access, p2.Refresh, q.Access, q.Refresh)
	for _, tok := range []string{p.Access, p.Refresh, q.Refresh} {
		secrets = append(secrets, strings.Split(tok, ".")...) // no segment of a token either
	}

	out := e.Logs.String()
	var lines []map[string]any
	// Every key and string value, but not what the logger and the server
	// make up themselves: the timestamp, durations and request ids may
	// hold "1229" by chance (a CI run logged "…07:41:22.1229…").
	var text strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		for k, v := range m {
			text.WriteString(k + "\n")
			if s, ok := v.(string); ok && k != "ts" && k != "request_id" {
				text.WriteString(s + "\n")
			}
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	for _, s := range secrets {
		assert.False(t, strings.Contains(text.String(), s), "the log contains a secret (%d chars)", len(s))
	}
	require.Len(t, lines, 9)
	for _, l := range lines {
		for _, field := range []string{"request_id", "method", "route", "status", "duration"} {
			assert.Contains(t, l, field)
		}
	}
	assert.Equal(t, "2", lines[2]["user_id"], "a successful login names its user")
	assert.Equal(t, "/login", lines[0]["route"])
}
