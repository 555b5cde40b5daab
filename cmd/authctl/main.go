// Command authctl is authd's command-line client: log in, call the
// protected endpoint, refresh, log out, decode tokens, and watch a session
// stay alive by refreshing as needed.
//
//	authctl login --username minsu          # asks for the password
//	authctl watch --duration 5m --interval 10s
//
// The server comes from --server or AUTHCTL_SERVER (default
// http://127.0.0.1:5000); tokens are kept in --tokens or AUTHCTL_TOKENS
// (default in the user's config directory).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/authd/authd/cmd/authctl/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "authctl:", err)
		os.Exit(1)
	}
}
