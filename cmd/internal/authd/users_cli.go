package authd

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/domain"
	"golang.org/x/term"
)

// usersUsage is what authd users prints for help or a wrong command.
const usersUsage = `Usage: authd users COMMAND [USERNAME] [flags]

Manage the users of the configured store (AUTH_STORE=postgres and
AUTH_DATABASE_URL, as the server's), with the rules and the audit trail of
the admin API (actor "cli"):

  add USERNAME       create a user; the password comes from stdin or a prompt
  list               print every user: username, disabled, created_at, id
  passwd USERNAME    set a new password (stdin or a prompt); ends every session
  disable USERNAME   refuse the user's logins; ends every session
  enable USERNAME    allow the user's logins again
  delete USERNAME    delete the user and end its sessions; the name is free again

Passwords are never taken from the command line, which other users of the
machine can read: a terminal is asked without echo (twice), a pipe gives
its first line.
`

// users runs authd users: args are the command, its username, and any
// flags of the server's configuration.
func users(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usersUsage)
		if len(args) == 0 {
			return errors.New("users: name a command")
		}
		return nil
	}
	cmd, rest := args[0], args[1:]
	name := ""
	if cmd != "list" {
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return fmt.Errorf("users %s: name the user: authd users %s USERNAME", cmd, cmd)
		}
		name, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "add", "list", "passwd", "disable", "enable", "delete":
	default:
		fmt.Fprint(stderr, usersUsage)
		return fmt.Errorf("users: unknown command %q", cmd)
	}
	cfg, err := LoadConfig(rest, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.Store != "postgres" {
		return errors.New("users: AUTH_STORE=memory keeps users in the running server's memory, which no other process can reach; use the admin API (AUTH_ADMIN_ADDR and AUTH_ADMIN_TOKEN) or AUTH_STORE=postgres")
	}
	// The command signs no token and serves nothing: any key and URL do.
	cfg.EphemeralKeys, cfg.JWTKeysFile, cfg.JWTSecret = true, "", ""
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://127.0.0.1"
	}
	cfg.LogLevel = "warn"
	a, err := Build(cfg, clock.System{}, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	svc := a.service
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	ctx = domain.WithRequest(ctx, domain.Request{ID: fmt.Sprintf("cli-%d", os.Getpid())})
	switch cmd {
	case "add":
		pw, err := newPassword(stdin, stderr)
		if err != nil {
			return err
		}
		u, err := svc.CreateUser(ctx, domain.ActorCLI, name, pw)
		if err != nil {
			return cliError(cmd, name, err)
		}
		_, err = fmt.Fprintf(stdout, "added %s (id %s)\n", u.Username, u.ID)
		return err
	case "list":
		after := ""
		for {
			page, next, err := svc.ListUsers(ctx, after, 0)
			if err != nil {
				return cliError(cmd, "", err)
			}
			for _, u := range page {
				fmt.Fprintf(stdout, "%s\tdisabled=%t\t%s\t%s\n", u.Username, u.Disabled, u.CreatedAt.UTC().Format(time.RFC3339), u.ID)
			}
			if next == "" {
				return nil
			}
			after = next
		}
	case "passwd":
		pw, err := newPassword(stdin, stderr)
		if err != nil {
			return err
		}
		if _, err := svc.UpdateUser(ctx, domain.ActorCLI, name, domain.UserChange{Password: &pw}); err != nil {
			return cliError(cmd, name, err)
		}
		_, err = fmt.Fprintf(stdout, "password of %s changed; its sessions ended\n", name)
		return err
	case "disable", "enable":
		off := cmd == "disable"
		if _, err := svc.UpdateUser(ctx, domain.ActorCLI, name, domain.UserChange{Disabled: &off}); err != nil {
			return cliError(cmd, name, err)
		}
		_, err = fmt.Fprintf(stdout, "%sd %s\n", cmd, name)
		return err
	default: // delete
		if err := svc.DeleteUser(ctx, domain.ActorCLI, name); err != nil {
			return cliError(cmd, name, err)
		}
		_, err = fmt.Fprintf(stdout, "deleted %s; its sessions ended\n", name)
		return err
	}
}

// cliError says what went wrong in the words of the command line.
func cliError(cmd, name string, err error) error {
	var pe *domain.PasswordError
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return fmt.Errorf("users %s: no user %q", cmd, name)
	case errors.Is(err, domain.ErrUsernameTaken):
		return fmt.Errorf("users %s: %q is taken", cmd, name)
	case errors.As(err, &pe):
		return fmt.Errorf("users %s: weak password (%s): %s", cmd, pe.Rule, passwordAdvice[pe.Rule])
	}
	return fmt.Errorf("users %s: %w", cmd, err)
}

// passwordAdvice explains each password rule on the command line.
var passwordAdvice = map[string]string{
	domain.RuleTooShort: "at least 8 characters",
	domain.RuleTooLong:  "at most 256 characters",
	domain.RuleUsername: "not built from the username",
	domain.RuleCommon:   "too common or easy to guess; try a longer phrase",
}

// newPassword reads a new password: at a terminal twice without echo, and
// the two must match; from a pipe its first line.
func newPassword(stdin io.Reader, prompt io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "new password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		fmt.Fprint(prompt, "again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", errors.New("users: the two passwords differ")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("users: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("users: no password on stdin")
	}
	return pw, nil
}
