package e2e

import (
	"testing"

	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
)

func TestPlaygroundSwitch(t *testing.T) {
	t.Parallel()
	harness.NeedPlayground(t)
	on := harness.NewEnv(t)
	assert.Equal(t, 200, on.Do("GET", "/", "").Status)
	assert.Equal(t, 200, on.Do("GET", "/playground/app.js", "").Status)

	off := harness.NewEnv(t, func(c *authd.Config) { c.Playground = false })
	harness.AssertError(t, off.Do("GET", "/", ""), 404, "not_found")
	harness.AssertError(t, off.Do("GET", "/playground/app.js", ""), 404, "not_found")
	harness.AssertError(t, off.Do("GET", "/playground/index.html", ""), 404, "not_found")
	assert.Equal(t, 200, off.Do("GET", "/unprotected/", "").Status, "the API is unchanged")
}
