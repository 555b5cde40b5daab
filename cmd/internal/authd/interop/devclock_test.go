package interop

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTokenlessDevClockBehindRealNginx is the red team's finding through a
// real reverse proxy on the same host, nginx's plainest proxy_pass: the
// clock is not moved through it, so a user's session survives; the same
// request sent first hand still works.
func TestTokenlessDevClockBehindRealNginx(t *testing.T) {
	t.Parallel()
	cfg := harness.DefaultConfig(t)
	cfg.DevClock = true
	e := harness.NewDevEnv(t, cfg)
	gw := harness.StartNginx(t, "server {\n    listen LISTEN;\n    location / { proxy_pass "+e.Server.URL+"; }\n}\n")
	p := e.Login("minsu", "1229")
	req, err := http.NewRequest("POST", gw+"/dev/clock/", strings.NewReader(`{"advance":"25h"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	assert.Equal(t, 404, res.StatusCode, "the clock through the proxy")
	r := e.Do("POST", "/refresh/", "", harness.Bearer(p.Refresh))
	assert.Equal(t, 200, r.Status, "the session was not ended through the proxy: %s", r.Raw)
	assert.Equal(t, 200, e.Do("POST", "/dev/clock/", `{"advance":"1s"}`, harness.JSONHeader).Status, "first hand")
}
