package cli

import (
	"context"
	"io"
	"time"
)

// Pacer is this machine's clock as authctl reads it, for tests that move it.
type Pacer interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// RunOn is Run on the clock c instead of the wall clock.
func RunOn(ctx context.Context, c Pacer, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return run(ctx, c, args, getenv, stdin, stdout, stderr)
}
