// Command authd serves the authd JWT authentication API. The wiring lives
// in cmd/internal/authd, the composition root, which the test kit
// cmd/authdtest starts too, so the two can never drift apart.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/authd/authd/cmd/internal/authd"
)

func main() {
	if err := authd.Run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "authd:", err)
		os.Exit(1)
	}
}
