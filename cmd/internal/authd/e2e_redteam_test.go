package authd

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// metricsText returns the /metrics page.
func (e *env) metricsText() string {
	e.t.Helper()
	res, err := e.srv.Client().Get(e.srv.URL + "/metrics")
	require.NoError(e.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	return string(b)
}

// TestMadeUpMethodsAddNoSeries: 10,000 distinct made-up methods (any token
// is a valid method on the wire) leave the metrics as they were but for the
// counters of the one "other" series.
func TestMadeUpMethodsAddNoSeries(t *testing.T) {
	e := newEnv(t)
	// One of each first, so every series the probes could touch exists.
	for _, path := range []string{"/protected/", "/nowhere"} {
		req, _ := http.NewRequest("BREW", e.srv.URL+path, nil)
		res, err := e.srv.Client().Do(req)
		require.NoError(t, err)
		res.Body.Close()
	}
	e.metricsText() // its own series exist from now on
	before := strings.Count(e.metricsText(), "\n")
	long := strings.Repeat("X", 4000)
	for i := range 10_000 {
		path := "/protected/"
		if i%2 == 1 {
			path = "/nowhere"
		}
		req, err := http.NewRequest(fmt.Sprintf("M%d%s", i, long[:i%4000]), e.srv.URL+path, nil)
		require.NoError(t, err)
		res, err := e.srv.Client().Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	}
	text := e.metricsText()
	if !assert.Equal(t, before, strings.Count(text, "\n"), "no new series") {
		t.Log(text)
	}
	assert.Contains(t, text, `method="other"`)
	assert.NotContains(t, text, `method="M1`)
	assert.NotContains(t, e.logs.String(), long[:100], "no made-up method in the log")
}
