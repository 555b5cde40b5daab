package authd

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/authd/authd/adapters/argon2"
	"github.com/authd/authd/adapters/httpapi"
	"github.com/authd/authd/adapters/postgres"
)

// hashPassword reads a password from the first line of stdin and prints its
// argon2id PHC string, for AUTH_USERS_FILE:
//
//	printf '%s' "$PASSWORD" | authd hash-password
func hashPassword(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("hash-password: unexpected argument %q; the password comes on stdin", args[0])
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("hash-password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return errors.New("hash-password: no password on stdin")
	}
	hash, err := argon2.New(argon2.OWASP(), 1, time.Minute).Hash(ctx, password)
	if err != nil {
		return fmt.Errorf("hash-password: %w", err)
	}
	_, err = fmt.Fprintln(stdout, hash)
	return err
}

// migrate applies the PostgreSQL schema of AUTH_DATABASE_URL.
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := LoadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("AUTH_DATABASE_URL: migrate needs the database URL")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	st, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("AUTH_DATABASE_URL: %w", err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	_, err = fmt.Fprintln(stdout, "authd: schema is up to date")
	return err
}

// clientSecret prints a new random OAuth client secret and the SHA-256 to
// put in AUTH_OAUTH_CLIENTS_FILE as client_secret_sha256: the secret goes
// to the client, only the hash to authd.
func clientSecret(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("client-secret: unexpected argument %q", args[0])
	}
	secret, sum := httpapi.NewClientSecret()
	_, err := fmt.Fprintf(stdout, "client_secret=%s\nclient_secret_sha256=%s\n", secret, sum)
	return err
}

// healthcheck asks the running authd's /healthz, on AUTH_ADMIN_ADDR when set
// and AUTH_ADDR otherwise, and fails unless it answers 200: a container
// health check that works in a distroless image, which has no shell or
// curl. A wildcard host (0.0.0.0, ::, empty) is asked on loopback.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := LoadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.devClockAddr())
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	if ip, err := netip.ParseAddr(host); host == "" || (err == nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /healthz answered %d", res.StatusCode)
	}
	_, err = fmt.Fprintln(stdout, "authd: healthy")
	return err
}
