package zaplog

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var _ ports.Logger = (*Logger)(nil)

func TestEveryLineIsWritten(t *testing.T) {
	var buf bytes.Buffer
	l, err := New(&buf, "info", "json")
	require.NoError(t, err)
	// zap's production preset keeps the first 100 identical lines per
	// second and then every 100th; a request log must keep them all.
	for range 1000 {
		l.Info("request", ports.F("status", 200), ports.F("duration", time.Millisecond))
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	assert.Len(t, lines, 1000)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &m))
	assert.Equal(t, "request", m["msg"])
	assert.Equal(t, float64(200), m["status"])
	assert.Equal(t, "1ms", m["duration"])
}

func TestLevelsAndFormats(t *testing.T) {
	var buf bytes.Buffer
	l, err := New(&buf, "warn", "console")
	require.NoError(t, err)
	l.Info("hidden")
	l.Warn("shown")
	l.Error("also shown")
	assert.NotContains(t, buf.String(), "hidden")
	assert.Contains(t, buf.String(), "shown")
	_, err = New(&buf, "loud", "json")
	assert.Error(t, err)
	_, err = New(&buf, "info", "xml")
	assert.Error(t, err)
}
