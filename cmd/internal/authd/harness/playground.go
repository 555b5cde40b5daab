package harness

import (
	"testing"

	"github.com/authd/authd/cmd/internal/authd"
)

// NeedPlayground skips a test that drives the browser playground when this
// build has none: a team deleted it as docs/template.md §6 offers, and what
// is gone has nothing left to test. TestPlaygroundWired fails when the
// playground's files are still there but unwired, so a skip here always
// means the playground was deleted on purpose.
func NeedPlayground(t *testing.T) {
	t.Helper()
	if !authd.PlaygroundBuiltIn() {
		t.Skip("no browser playground in this build (adapters/httpapi/playground deleted, docs/template.md §6)")
	}
}

// PlaygroundPaths are the playground's GET routes when this build has it,
// else none, for tests that walk every route.
func PlaygroundPaths() []string {
	if !authd.PlaygroundBuiltIn() {
		return nil
	}
	return []string{"/", "/playground/app.js"}
}
