package harness

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/authd/authd/cmd/internal/authd"
)

// childEnv marks a test binary started by StartProcess as an authd process.
const childEnv = "AUTHD_TEST_CHILD"

// Main is the TestMain of every test package that uses the harness. With
// AUTHD_TEST_CHILD=1 (set by StartProcess) it runs authd, configured by its
// environment, instead of the tests, so StartProcess can start real authd
// processes from the test binary itself; otherwise it runs the tests and
// then stops the shared PostgreSQL cluster.
func Main(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := authd.Run(context.Background(), nil, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "authd:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	pgtest.Shutdown()
	os.Exit(code)
}
