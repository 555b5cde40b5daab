package authd

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/authd/authd/adapters/postgres/pgtest"
)

// childEnv marks a test binary started by a test as an authd process.
const childEnv = "AUTHD_TEST_CHILD"

// TestMain lets a test start real authd processes from this test binary:
// with AUTHD_TEST_CHILD=1 it runs authd, configured by its environment,
// instead of the tests. It also stops the shared PostgreSQL cluster.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := Run(context.Background(), nil, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "authd:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	pgtest.Shutdown()
	os.Exit(code)
}
