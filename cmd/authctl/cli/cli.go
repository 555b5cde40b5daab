// Package cli is authctl: the commands, importable so tests can run them
// against a server of their own.
package cli

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/authd/authd/adapters/authclient"
	"github.com/authd/authd/adapters/clock"
)

const usage = `usage: authctl [--server URL] [--tokens FILE] <command> [flags]

commands:
  login --username U [--password P]   log in (the password is read from stdin when not given)
  protected                           call GET /protected/, refreshing as needed
  refresh                             swap the refresh token for a new pair now
  logout [--all]                      end this session (or every session of the user)
  decode [TOKEN]                      show a token's header and claims (default: the stored pair)
  watch --duration D --interval I     call /protected/ every interval for the duration;
                                      exits 0 only if no call failed
`

// env is what every command gets.
type env struct {
	client *authclient.Client
	server string
	out    io.Writer
	clock  clock.System
}

// Run runs authctl with the arguments.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("authctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	server := fs.String("server", or(getenv("AUTHCTL_SERVER"), "http://127.0.0.1:5000"), "authd base URL (env AUTHCTL_SERVER)")
	tokens := fs.String("tokens", or(getenv("AUTHCTL_TOKENS"), defaultTokenFile()), "token file (env AUTHCTL_TOKENS)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	e := &env{server: strings.TrimRight(*server, "/"), out: stdout}
	var refreshed func(authclient.Tokens)
	e.client, _ = authclient.New(authclient.Config{
		BaseURL: e.server, Clock: e.clock, Store: authclient.FileStore{Path: *tokens},
		OnRefresh: func(t authclient.Tokens) {
			if refreshed != nil {
				refreshed(t)
			}
		},
	})
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	switch cmd {
	case "login":
		return e.login(ctx, rest, stdin)
	case "protected":
		_, err := e.protected(ctx)
		return err
	case "refresh":
		t, err := e.client.Refresh(ctx)
		if err != nil {
			return err
		}
		e.printExpiries(t)
		return nil
	case "logout":
		lf := flag.NewFlagSet("logout", flag.ContinueOnError)
		all := lf.Bool("all", false, "end every session of the user")
		if err := lf.Parse(rest); err != nil {
			return err
		}
		if err := e.client.Logout(ctx, *all); err != nil {
			return err
		}
		fmt.Fprintln(e.out, "logged out")
		return nil
	case "decode":
		return e.decode(rest)
	case "watch":
		refreshed = func(t authclient.Tokens) {
			_, c, _ := authclient.Decode(t.Access)
			fmt.Fprintf(e.out, "%s refresh: new access token, expires in %s\n", e.stamp(), e.until(c.Expiry()))
		}
		return e.watch(ctx, rest)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func defaultTokenFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "authctl", "tokens.json")
}

func (e *env) login(ctx context.Context, args []string, stdin io.Reader) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	username := fs.String("username", "", "username")
	password := fs.String("password", "", "password (read from stdin when empty)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *username == "" {
		return errors.New("login: --username is required")
	}
	if *password == "" {
		fmt.Fprint(e.out, "password: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		*password = strings.TrimRight(line, "\r\n")
	}
	if err := e.client.Login(ctx, *username, *password); err != nil {
		return err
	}
	t, _ := e.client.Tokens()
	fmt.Fprintf(e.out, "logged in as %s\n", *username)
	e.printExpiries(t)
	return nil
}

// protected calls GET /protected/ through the refreshing transport and
// prints the status and body.
func (e *env) protected(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.server+"/protected/", nil)
	if err != nil {
		return 0, err
	}
	res, err := (&http.Client{Transport: e.client.Transport(nil), Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	fmt.Fprintf(e.out, "%s GET /protected/ %d %s\n", e.stamp(), res.StatusCode, strings.TrimSpace(string(body)))
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, fmt.Errorf("GET /protected/: %d", res.StatusCode)
	}
	return res.StatusCode, nil
}

// watch calls /protected/ every interval until duration has passed.
func (e *env) watch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	duration := fs.Duration("duration", time.Minute, "how long to watch")
	interval := fs.Duration("interval", time.Second, "time between calls")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *interval <= 0 || *duration <= 0 {
		return errors.New("watch: --duration and --interval must be positive")
	}
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	tick := time.NewTicker(*interval)
	defer tick.Stop()
	calls, failed := 0, 0
	for {
		calls++
		if _, err := e.protected(ctx); err != nil && ctx.Err() == nil {
			failed++
			fmt.Fprintf(e.out, "%s call failed: %v\n", e.stamp(), err)
		}
		select {
		case <-ctx.Done():
			fmt.Fprintf(e.out, "%d calls, %d failed\n", calls, failed)
			if failed > 0 {
				return fmt.Errorf("watch: %d of %d calls failed", failed, calls)
			}
			return nil
		case <-tick.C:
		}
	}
}

// decode prints tokens' headers and claims with time left.
func (e *env) decode(args []string) error {
	tokens := args
	if len(tokens) == 0 {
		t, err := e.client.Tokens()
		if err != nil {
			return err
		}
		if t.Access == "" {
			return errors.New("decode: no stored tokens; log in or pass a token")
		}
		tokens = []string{t.Access, t.Refresh}
	}
	for _, tok := range tokens {
		hdr, c, err := authclient.Decode(tok)
		if err != nil {
			return err
		}
		var claims map[string]any
		parts := strings.Split(tok, ".")
		raw, _ := decodeSegment(parts[1])
		_ = json.Unmarshal(raw, &claims)
		fmt.Fprintf(e.out, "%s token (%s)\n", or(c.Type, "?"), hdr["typ"])
		printMap(e.out, "header", hdr)
		printMap(e.out, "claims", claims)
		fmt.Fprintf(e.out, "  expires: %s (%s)\n\n", c.Expiry().Format(time.RFC3339), e.until(c.Expiry()))
	}
	return nil
}

func printMap(w io.Writer, title string, m map[string]any) {
	fmt.Fprintf(w, "  %s:\n", title)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, _ := json.Marshal(m[k])
		fmt.Fprintf(w, "    %-20s %s\n", k, v)
	}
}

func (e *env) printExpiries(t authclient.Tokens) {
	_, a, _ := authclient.Decode(t.Access)
	_, r, _ := authclient.Decode(t.Refresh)
	fmt.Fprintf(e.out, "access token expires in %s, refresh token in %s\n", e.until(a.Expiry()), e.until(r.Expiry()))
}

// until says how long until t, or how long ago it was.
func (e *env) until(t time.Time) string {
	d := t.Sub(e.clock.Now()).Round(time.Second)
	if d < 0 {
		return "expired " + (-d).String() + " ago"
	}
	return d.String()
}

func (e *env) stamp() string { return e.clock.Now().Local().Format("15:04:05.000") }

func decodeSegment(seg string) ([]byte, error) {
	return base64URL.DecodeString(seg)
}

var base64URL = base64.RawURLEncoding
