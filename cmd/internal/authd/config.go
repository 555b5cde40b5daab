package authd

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/domain"
)

// Config is authd's configuration (docs/contract.md §7).
type Config struct {
	Addr            string
	Policy          domain.Policy
	JWTAlg          string
	JWTSecret       string
	JWTKeysFile     string
	TokenCacheSize  int
	HashQueueWait   time.Duration
	LoginMaxFails   int
	LoginWindow     time.Duration
	TrustedProxies  []netip.Prefix
	CORSOrigins     []string
	Store           string
	DatabaseURL     string
	UsersFile       string
	LogLevel        string
	LogFormat       string
	DevClock        bool
	ShutdownTimeout time.Duration
	ShutdownDrain   time.Duration
	OAuthClients    string
	PublicURL       string
	DevClockToken   string
	DevSeed         string
	MaxConnections  int
	EphemeralKeys   bool
	Playground      bool
	AdminAddr       string
	DemoUsers       bool
}

// setting is one configuration variable: its environment name, its default,
// and how to store its parsed value.
type setting struct {
	env   string
	def   string
	usage string
	set   func(c *Config, v string) error
}

// flagName returns the flag of an environment variable:
// AUTH_ACCESS_TTL ↔ --access-ttl.
func (s setting) flagName() string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(s.env, "AUTH_")), "_", "-")
}

func durationInto(dst func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 60s or 5m", v)
		}
		*dst(c) = d
		return nil
	}
}

func stringInto(dst func(*Config) *string, allowed ...string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if len(allowed) > 0 && !contains(allowed, v) {
			return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
		}
		*dst(c) = v
		return nil
	}
}

// splitList splits a comma-separated setting, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// settings lists every variable authd reads.
var settings = []setting{
	{"AUTH_ADDR", "127.0.0.1:5000", "address to listen on", stringInto(func(c *Config) *string { return &c.Addr })},
	{"AUTH_ACCESS_TTL", "1m", "access token lifetime", durationInto(func(c *Config) *time.Duration { return &c.Policy.AccessTTL })},
	{"AUTH_REFRESH_TTL", "5m", "refresh token lifetime", durationInto(func(c *Config) *time.Duration { return &c.Policy.RefreshTTL })},
	{"AUTH_SESSION_MAX_AGE", "24h", "absolute session lifetime", durationInto(func(c *Config) *time.Duration { return &c.Policy.SessionMaxAge })},
	{"AUTH_REFRESH_REUSE_GRACE", "0s", "window in which the previous refresh token gets the same pair back", durationInto(func(c *Config) *time.Duration { return &c.Policy.ReuseGrace })},
	{"AUTH_LEEWAY", "0s", "clock skew tolerated on nbf and exp", durationInto(func(c *Config) *time.Duration { return &c.Policy.Leeway })},
	{"AUTH_ISSUER", "authd", "iss claim", stringInto(func(c *Config) *string { return &c.Policy.Issuer })},
	{"AUTH_AUDIENCE", "authd", "aud claim", stringInto(func(c *Config) *string { return &c.Policy.Audience })},
	{"AUTH_JWT_ALG", "EdDSA", "signing algorithm: EdDSA, ES256, RS256 or HS256", stringInto(func(c *Config) *string { return &c.JWTAlg }, jwx.Algorithms...)},
	{"AUTH_JWT_KEYS_FILE", "", "JWK Set of private keys: the first signs, the others only verify (unset: a fresh key per start)", stringInto(func(c *Config) *string { return &c.JWTKeysFile })},
	{"AUTH_JWT_EPHEMERAL_KEYS", "false", "allow a fresh signing key per start with AUTH_STORE=postgres (instances then reject each other's tokens)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.EphemeralKeys = b
		return nil
	}},
	{"AUTH_JWT_SECRET", "", "HS256 secret, at least 32 bytes", stringInto(func(c *Config) *string { return &c.JWTSecret })},
	{"AUTH_TOKEN_CACHE_SIZE", "10000", "verified access tokens to cache; 0 turns the cache off", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a whole number of at least 0", v)
		}
		c.TokenCacheSize = n
		return nil
	}},
	{"AUTH_HASH_QUEUE_WAIT", "0s", "longest wait for a password-hashing slot before 503 (0: one hash's time, measured at start)", durationInto(func(c *Config) *time.Duration { return &c.HashQueueWait })},
	{"AUTH_STORE", "memory", "session and user store: memory or postgres", stringInto(func(c *Config) *string { return &c.Store }, "memory", "postgres")},
	{"AUTH_DATABASE_URL", "", "PostgreSQL URL, for AUTH_STORE=postgres", stringInto(func(c *Config) *string { return &c.DatabaseURL })},
	{"AUTH_USERS_FILE", "", "JSON list of {id, username, password_hash} users (unset: the three demo users in memory; none in PostgreSQL)", stringInto(func(c *Config) *string { return &c.UsersFile })},
	{"AUTH_DEMO_USERS", "false", "with AUTH_STORE=postgres and no users file, create the three demo users in an empty users table (the in-memory store always has them)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.DemoUsers = b
		return nil
	}},
	{"AUTH_LOGIN_MAX_FAILURES", "10", "failed logins per username and address in the window before 429 (per address across usernames: 10 times as many; per account: that many free a day, then growing delays; 0: no limit)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a whole number of at least 0", v)
		}
		c.LoginMaxFails = n
		return nil
	}},
	{"AUTH_LOGIN_FAILURE_WINDOW", "15m", "sliding window of the login throttle", durationInto(func(c *Config) *time.Duration { return &c.LoginWindow })},
	{"AUTH_TRUSTED_PROXIES", "", "comma-separated CIDRs of proxies whose X-Forwarded-For names the client", func(c *Config, v string) error {
		c.TrustedProxies = nil
		for _, part := range splitList(v) {
			p, err := netip.ParsePrefix(part)
			if err != nil {
				addr, aerr := netip.ParseAddr(part)
				if aerr != nil {
					return fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", part)
				}
				p = netip.PrefixFrom(addr, addr.BitLen())
			}
			c.TrustedProxies = append(c.TrustedProxies, p.Masked())
		}
		return nil
	}},
	{"AUTH_CORS_ORIGINS", "", "comma-separated origins allowed to call authd from a browser", func(c *Config, v string) error {
		c.CORSOrigins = nil
		for _, o := range splitList(v) {
			if o != "*" && !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
				return fmt.Errorf("%q is not an origin such as https://app.example", o)
			}
			c.CORSOrigins = append(c.CORSOrigins, strings.TrimSuffix(o, "/"))
		}
		return nil
	}},
	{"AUTH_LOG_LEVEL", "info", "debug, info, warn or error", stringInto(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},
	{"AUTH_LOG_FORMAT", "json", "json or console", stringInto(func(c *Config) *string { return &c.LogFormat }, "json", "console")},
	{"AUTH_DEV_CLOCK", "false", "serve /dev/clock/ to move the server clock (development only)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.DevClock = b
		return nil
	}},
	{"AUTH_OAUTH_CLIENTS_FILE", "", "JSON list of OAuth 2.0 clients (unset: the public client authd with the password and refresh_token grants)", stringInto(func(c *Config) *string { return &c.OAuthClients })},
	{"AUTH_PUBLIC_URL", "", "base URL clients reach authd at, for the OAuth metadata (unset: the listen address)", func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return fmt.Errorf("%q is not a URL such as https://auth.example", v)
		}
		c.PublicURL = strings.TrimSuffix(v, "/")
		return nil
	}},
	{"AUTH_DEV_CLOCK_TOKEN", "", "bearer secret /dev/clock/ requires; needed to serve the dev clock on a non-loopback address", stringInto(func(c *Config) *string { return &c.DevClockToken })},
	{"AUTH_DEV_SEED", "", "seed of the session-id generator, for byte-identical tokens run after run (only with AUTH_DEV_CLOCK)", stringInto(func(c *Config) *string { return &c.DevSeed })},
	{"AUTH_MAX_CONNECTIONS", "1024", "open connections served at once; more wait to be accepted (0: no limit)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a whole number of at least 0", v)
		}
		c.MaxConnections = n
		return nil
	}},
	{"AUTH_PLAYGROUND", "true", "serve the browser playground at / (false: / and /playground/ are 404)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.Playground = b
		return nil
	}},
	{"AUTH_ADMIN_ADDR", "", "second listener for /metrics and /dev/clock/, off the public port (/healthz and /readyz on both); unset: all on AUTH_ADDR", stringInto(func(c *Config) *string { return &c.AdminAddr })},
	{"AUTH_SHUTDOWN_TIMEOUT", "10s", "how long shutdown waits for requests in flight", durationInto(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"AUTH_SHUTDOWN_DRAIN", "0s", "on SIGTERM, how long /readyz fails while everything else keeps serving, before the graceful shutdown (set it behind a load balancer or in Kubernetes)", durationInto(func(c *Config) *time.Duration { return &c.ShutdownDrain })},
}

// settingFlag is the flag of one setting. A setting whose default is true
// or false is a boolean flag: --dev-clock alone means --dev-clock=true.
type settingFlag struct {
	v       string
	boolean bool
}

func (f *settingFlag) String() string { return f.v }

// Set records the value as given; the setting's own parser checks it.
func (f *settingFlag) Set(v string) error { f.v = v; return nil }

// IsBoolFlag tells package flag that the flag may stand alone.
func (f *settingFlag) IsBoolFlag() bool { return f.boolean }

// usage prints what authd -h shows: the commands, then every setting.
func usage(fs *flag.FlagSet) {
	fmt.Fprint(fs.Output(), `Usage:
  authd [flags]                  serve (every flag is also an environment variable)
  authd keygen [--alg A] [--out F]  print (or write, mode 0600) a private JWK Set
  authd hash-password            read a password on stdin, print its argon2id hash
  authd migrate                  apply the PostgreSQL schema of AUTH_DATABASE_URL
  authd client-secret            print a new OAuth client secret and its SHA-256
  authd healthcheck              ask a running authd's /healthz; exit 0 on 200

Settings:
`)
	fs.PrintDefaults()
}

// LoadConfig reads every setting from its flag, else its environment
// variable, else its default. An invalid value is an error naming the
// variable.
func LoadConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("authd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs) }
	flags := make([]*settingFlag, len(settings))
	for i, s := range settings {
		flags[i] = &settingFlag{boolean: s.def == "true" || s.def == "false"}
		fs.Var(flags[i], s.flagName(), fmt.Sprintf("%s (env %s, default %q)", s.usage, s.env, s.def))
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	var c Config
	for i, s := range settings {
		v, from := s.def, s.env
		if e := getenv(s.env); e != "" {
			v = e
		}
		if given[s.flagName()] {
			v, from = flags[i].v, "--"+s.flagName()+" ("+s.env+")"
		}
		if err := s.set(&c, v); err != nil {
			return Config{}, fmt.Errorf("%s: %w", from, err)
		}
	}
	return c, c.check()
}

// Check validates a configuration that was changed after LoadConfig, as the
// test kit does, by the same rules LoadConfig applies.
func Check(c Config) error { return c.check() }

// check validates what no single setting can: the policy as a whole and the
// algorithm's key material.
func (c Config) check() error {
	for _, d := range []struct {
		env string
		v   time.Duration
	}{{"AUTH_ACCESS_TTL", c.Policy.AccessTTL}, {"AUTH_REFRESH_TTL", c.Policy.RefreshTTL}, {"AUTH_SESSION_MAX_AGE", c.Policy.SessionMaxAge}} {
		if d.v < time.Second || d.v%time.Second != 0 {
			return fmt.Errorf("%s: %s must be a whole number of seconds, at least 1s", d.env, d.v)
		}
	}
	switch {
	case c.Policy.Leeway < 0:
		return errors.New("AUTH_LEEWAY: must not be negative")
	case c.Policy.ReuseGrace < 0:
		return errors.New("AUTH_REFRESH_REUSE_GRACE: must not be negative")
	case c.Policy.Issuer == "":
		return errors.New("AUTH_ISSUER: must not be empty")
	case c.Policy.Audience == "":
		return errors.New("AUTH_AUDIENCE: must not be empty")
	case c.JWTAlg == jwx.HS256 && c.JWTKeysFile == "" && len(c.JWTSecret) < jwx.MinHMACSecret:
		return fmt.Errorf("AUTH_JWT_SECRET: HS256 needs a secret of at least %d bytes, got %d", jwx.MinHMACSecret, len(c.JWTSecret))
	case c.JWTSecret != "" && (c.JWTAlg != jwx.HS256 || c.JWTKeysFile != ""):
		return errors.New("AUTH_JWT_SECRET: set only with AUTH_JWT_ALG=HS256 and no AUTH_JWT_KEYS_FILE")
	case c.Store == "postgres" && c.DatabaseURL == "":
		return errors.New("AUTH_DATABASE_URL: AUTH_STORE=postgres needs the database URL")
	case c.LoginWindow <= 0:
		return errors.New("AUTH_LOGIN_FAILURE_WINDOW: must be positive")
	case c.HashQueueWait < 0:
		return errors.New("AUTH_HASH_QUEUE_WAIT: must not be negative")
	case c.ShutdownDrain < 0:
		return errors.New("AUTH_SHUTDOWN_DRAIN: must not be negative")
	case c.ShutdownTimeout <= 0:
		return errors.New("AUTH_SHUTDOWN_TIMEOUT: must be positive")
	case c.DevSeed != "" && !c.DevClock:
		return errors.New("AUTH_DEV_SEED: predictable session ids are for tests only; set it only together with AUTH_DEV_CLOCK=true")
	case c.DevClockToken != "" && len(c.DevClockToken) < minDevClockToken:
		return fmt.Errorf("AUTH_DEV_CLOCK_TOKEN: must be at least %d characters", minDevClockToken)
	case c.AdminAddr != "" && c.AdminAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0"):
		return errors.New("AUTH_ADMIN_ADDR: must differ from AUTH_ADDR")
	case c.DevClock && c.DevClockToken == "" && !isLoopback(c.devClockAddr()):
		return fmt.Errorf("AUTH_DEV_CLOCK: %s is not a loopback address, and anyone who reaches /dev/clock/ can move the server clock, ending every session and throttle window; set AUTH_DEV_CLOCK_TOKEN to a secret of at least %d characters that the clock endpoints will require, or listen on 127.0.0.1", c.devClockAddr(), minDevClockToken)
	}
	return nil
}

// devClockAddr is the address /dev/clock/ (and /metrics) is served on: the
// admin listener's when there is one.
func (c Config) devClockAddr() string {
	if c.AdminAddr != "" {
		return c.AdminAddr
	}
	return c.Addr
}

// minDevClockToken is the shortest AUTH_DEV_CLOCK_TOKEN accepted.
const minDevClockToken = 16

// isLoopback reports whether the listen address accepts connections from
// this machine only: an IP in 127.0.0.0/8 or ::1, or localhost. An empty
// host listens on every interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
