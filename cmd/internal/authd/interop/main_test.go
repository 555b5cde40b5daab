package interop

import (
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
)

// TestMain lets harness.StartProcess start real authd processes from this
// test binary and stops the shared PostgreSQL cluster afterwards.
func TestMain(m *testing.M) { harness.Main(m) }
