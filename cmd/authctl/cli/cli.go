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

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/cmd/authclient"
	"golang.org/x/term"
)

const usage = `usage: authctl <command> [flags]   (--server and --tokens go before or after the command)

commands:
  login --username U [--password P] [--dpop]
                                      log in (the password is asked for, hidden, when not given);
                                      --dpop binds the tokens to a new DPoP key kept in the token file
  protected                           call GET /protected/, refreshing as needed
  refresh                             swap the refresh token for a new pair now
  logout [--all]                      end this session (or every session of the user)
  decode [TOKEN]                      show a token's header and claims (default: the stored pair)
  watch --duration D --interval I     call /protected/ every interval for the duration;
                                      exits 0 only if no call failed

global flags:
  --server URL    authd base URL (env AUTHCTL_SERVER, default http://127.0.0.1:5000)
  --tokens FILE   token file (env AUTHCTL_TOKENS)

Times left are by the server's clock: its development clock (/dev/clock/)
when it has one, else this machine's.
`

// env is what every command gets.
type env struct {
	client *authclient.Client
	server string
	out    io.Writer
	clock  pacer
	// offset is the server's dev clock minus this machine's, when the
	// server has one; devClock says whether it does.
	offset   time.Duration
	devClock bool
	// frozenAt is the instant the server's dev clock stands at when it is
	// frozen (zero otherwise): time left is then counted from it exactly.
	frozenAt time.Time
	// watching makes every automatic refresh print a line.
	watching bool
}

// globals are the flags every command accepts, before or after its name.
type globals struct {
	server, tokens string
}

// register adds the global flags to fs, defaulting to what was parsed so
// far, so that a later position overrides an earlier one.
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.server, "server", g.server, "authd base URL (env AUTHCTL_SERVER)")
	fs.StringVar(&g.tokens, "tokens", g.tokens, "token file (env AUTHCTL_TOKENS)")
}

// command is one of authctl's commands: its own flags, and what it does.
type command struct {
	flags func(fs *flag.FlagSet) func(ctx context.Context, e *env, args []string, stdin io.Reader) error
}

// pacer is this machine's clock as authctl reads it: Now for time left and
// log stamps, Sleep for watch's pace. authctl runs on the wall clock
// (wallClock); its tests pass one they move, so a watch of ten seconds
// takes no ten seconds.
type pacer interface {
	Now() time.Time
	// Sleep waits d, or until ctx ends, and returns ctx's error then.
	Sleep(ctx context.Context, d time.Duration) error
}

// wallClock is the system clock and real waiting.
type wallClock struct{ clock.System }

// Sleep waits d or until ctx ends.
func (wallClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Run runs authctl with the arguments.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return run(ctx, wallClock{}, args, getenv, stdin, stdout, stderr)
}

// run is Run on the clock c.
func run(ctx context.Context, c pacer, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	g := &globals{server: or(getenv("AUTHCTL_SERVER"), "http://127.0.0.1:5000"), tokens: or(getenv("AUTHCTL_TOKENS"), defaultTokenFile())}
	fs := flag.NewFlagSet("authctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	g.register(fs)
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
	name, rest := fs.Arg(0), fs.Args()[1:]
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", name)
	}
	cfs := flag.NewFlagSet("authctl "+name, flag.ContinueOnError)
	cfs.SetOutput(stderr)
	g.register(cfs)
	do := cmd.flags(cfs)
	if err := cfs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	e := &env{server: strings.TrimRight(g.server, "/"), out: stdout, clock: c}
	e.syncClock(ctx)
	var err error
	e.client, err = authclient.New(authclient.Config{
		BaseURL: e.server, Clock: serverClock{e}, Store: authclient.FileStore{Path: g.tokens},
		OnRefresh: func(t authclient.Tokens) {
			if !e.watching {
				return
			}
			_, c, _ := authclient.Decode(t.Access)
			fmt.Fprintf(e.out, "%s refresh: new access token, expires in %s\n", e.stamp(), e.until(c.Expiry()))
		},
	})
	if err != nil {
		return err
	}
	return do(ctx, e, cfs.Args(), stdin)
}

// serverClock is the server's time as best known: the client judges when
// a token is due, and dates its DPoP proofs, by the clock the server
// judges them by.
type serverClock struct{ e *env }

func (c serverClock) Now() time.Time { return c.e.now() }

// commands maps each command's name to its flags and its work.
var commands = map[string]command{
	"login": {func(fs *flag.FlagSet) func(context.Context, *env, []string, io.Reader) error {
		username := fs.String("username", "", "username")
		password := fs.String("password", "", "password (asked for, hidden, when empty)")
		dpop := fs.Bool("dpop", false, "bind the tokens to a new DPoP key (RFC 9449), kept in the token file")
		return func(ctx context.Context, e *env, _ []string, stdin io.Reader) error {
			return e.login(ctx, *username, *password, *dpop, stdin)
		}
	}},
	"protected": {func(*flag.FlagSet) func(context.Context, *env, []string, io.Reader) error {
		return func(ctx context.Context, e *env, _ []string, _ io.Reader) error {
			_, err := e.protected(ctx)
			return err
		}
	}},
	"refresh": {func(*flag.FlagSet) func(context.Context, *env, []string, io.Reader) error {
		return func(ctx context.Context, e *env, _ []string, _ io.Reader) error {
			t, err := e.client.Refresh(ctx)
			if err != nil {
				return err
			}
			e.printExpiries(t)
			return nil
		}
	}},
	"logout": {func(fs *flag.FlagSet) func(context.Context, *env, []string, io.Reader) error {
		all := fs.Bool("all", false, "end every session of the user")
		return func(ctx context.Context, e *env, _ []string, _ io.Reader) error {
			if err := e.client.Logout(ctx, *all); err != nil {
				return err
			}
			fmt.Fprintln(e.out, "logged out")
			return nil
		}
	}},
	"decode": {func(*flag.FlagSet) func(context.Context, *env, []string, io.Reader) error {
		return func(_ context.Context, e *env, args []string, _ io.Reader) error { return e.decode(args) }
	}},
	"watch": {func(fs *flag.FlagSet) func(context.Context, *env, []string, io.Reader) error {
		duration := fs.Duration("duration", time.Minute, "how long to watch")
		interval := fs.Duration("interval", time.Second, "time between calls")
		return func(ctx context.Context, e *env, _ []string, _ io.Reader) error {
			return e.watch(ctx, *duration, *interval)
		}
	}},
}

// syncClock reads the server's development clock, if it has one, so that
// times left are shown as the server will judge them: a token is expired
// when the server's clock says so, whatever this machine's says.
func (e *env) syncClock(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.server+"/dev/clock/", nil)
	if err != nil {
		return
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	defer res.Body.Close()
	var c struct {
		Now    time.Time `json:"now"`
		Frozen bool      `json:"frozen"`
	}
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&c) != nil || c.Now.IsZero() {
		return
	}
	e.offset, e.devClock = c.Now.Sub(e.clock.Now()), true
	if c.Frozen {
		e.frozenAt = c.Now
	}
}

// now is the server's time as best known: the instant a frozen dev clock
// stands at, else this machine's clock moved by the offset to the server's.
func (e *env) now() time.Time {
	if !e.frozenAt.IsZero() {
		return e.frozenAt
	}
	return e.clock.Now().Add(e.offset)
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

func (e *env) login(ctx context.Context, username, password string, dpop bool, stdin io.Reader) error {
	if username == "" {
		return errors.New("login: --username is required")
	}
	if password == "" {
		var err error
		if password, err = readPassword(e.out, stdin); err != nil {
			return err
		}
	}
	var key *authclient.DPoPKey
	if dpop {
		var err error
		if key, err = authclient.NewDPoPKey(); err != nil {
			return err
		}
	}
	if err := e.client.LoginBound(ctx, username, password, key); err != nil {
		return err
	}
	t, _ := e.client.Tokens()
	fmt.Fprintf(e.out, "logged in as %s at %s\n", username, e.server)
	if t.DPoPKey != nil {
		fmt.Fprintf(e.out, "tokens bound to DPoP key %s (token_type %s); the key is kept in the token file\n", t.DPoPKey.Thumbprint(), t.TokenType)
	}
	e.printExpiries(t)
	return nil
}

// readPassword asks for the password: without echo when stdin is a
// terminal, else as the first line of stdin (a pipe, a test).
func readPassword(out io.Writer, stdin io.Reader) (string, error) {
	fmt.Fprint(out, "password: ")
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(out)
		return string(b), err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
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

// watch calls /protected/ every interval until duration has passed by
// this machine's clock, or ctx ends.
func (e *env) watch(ctx context.Context, duration, interval time.Duration) error {
	if interval <= 0 || duration <= 0 {
		return errors.New("watch: --duration and --interval must be positive")
	}
	e.watching = true
	ctx, cancel := context.WithTimeout(ctx, duration) // a call still hanging at the end ends with it
	defer cancel()
	start := e.clock.Now()
	calls, failed := 0, 0
	for {
		calls++
		if _, err := e.protected(ctx); err != nil && ctx.Err() == nil {
			failed++
			fmt.Fprintf(e.out, "%s call failed: %v\n", e.stamp(), err)
		}
		// The next call is due at the next multiple of interval from the
		// start, as a ticker would make it, so slow calls do not drift.
		elapsed := e.clock.Now().Sub(start)
		next := (elapsed/interval + 1) * interval
		if next >= duration {
			_ = e.clock.Sleep(ctx, duration-elapsed) // the watch lasts its duration
		}
		if next >= duration || e.clock.Sleep(ctx, next-elapsed) != nil {
			fmt.Fprintf(e.out, "%d calls, %d failed\n", calls, failed)
			if failed > 0 {
				return fmt.Errorf("watch: %d of %d calls failed", failed, calls)
			}
			return nil
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

// until says how long until t, or how long ago it was, by the server's
// clock, in whole seconds rounded down.
func (e *env) until(t time.Time) string {
	d := t.Sub(e.now())
	by := ""
	if e.devClock {
		by = " by the server's dev clock"
	}
	// Whole seconds rounded down, as the server's expires_in: a client
	// that trusts the figure never sends a token it believes valid after
	// its exp.
	if d <= 0 { // a token is refused from its exp on
		return "expired " + (-d).Truncate(time.Second).String() + " ago" + by
	}
	return d.Truncate(time.Second).String() + by
}

func (e *env) stamp() string { return e.clock.Now().Local().Format("15:04:05.000") }

func decodeSegment(seg string) ([]byte, error) {
	return base64URL.DecodeString(seg)
}

var base64URL = base64.RawURLEncoding
