package authd

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/authd/authd/adapters/httpapi"
	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/app"
	"github.com/authd/authd/domain"
)

// Config is authd's configuration (docs/contract.md §7).
type Config struct {
	Addr   string
	Policy domain.Policy
	// IssuerDefault is set when AUTH_ISSUER was not: the issuer is then
	// AUTH_PUBLIC_URL when that is set, and with the authorization code
	// flow on the decided public URL (discovery needs the issuer to be the
	// URL its document is served under); else "authd", as the seed's.
	IssuerDefault   bool
	JWTAlg          string
	JWTSecret       string
	JWTKeysFile     string
	TokenCacheSize  int
	HashQueueWait   time.Duration
	LoginMaxFails   int
	LoginWindow     time.Duration
	TrustedProxies  []netip.Prefix
	CORSOrigins     []string
	Cookies         bool
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
	AdminToken      string
	SignUp          bool
	DemoUsers       bool
	DPoPMode        string
	DPoPAlgorithms  []string
	DPoPWindow      time.Duration
	DPoPNonce       bool
	DPoPNonceKey    string
	DPoPBudget      int
	DeviceKey       string
	VerifyHeaders   string
	VerifyOrigins   []string
}

// dpopPolicy returns the DPoP settings as the domain's policy.
func (c Config) dpopPolicy() domain.DPoPPolicy {
	return domain.DPoPPolicy{Mode: domain.DPoPMode(c.DPoPMode), Window: c.DPoPWindow, Algorithms: c.DPoPAlgorithms, Nonce: c.DPoPNonce}
}

// binder registers each setting as a typed flag of the standard flag
// package, named after its environment variable (AUTH_ACCESS_TTL ↔
// --access-ttl): the default first, then the environment variable through
// the flag's own parser, then the command line, which wins. An invalid value
// from the environment is an error naming the variable.
type binder struct {
	fs     *flag.FlagSet
	getenv func(string) string
	envOf  map[string]string // flag name → environment variable
	errs   []error
}

// flagName returns the flag of an environment variable.
func flagName(env string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(env, "AUTH_")), "_", "-")
}

// add registers the flag (already defined on fs under flagName(env)) as the
// setting env and applies the environment variable, if set.
func (b *binder) add(env string) {
	name := flagName(env)
	b.envOf[name] = env
	f := b.fs.Lookup(name)
	f.Usage += " (env " + env + ")"
	if v := b.getenv(env); v != "" {
		if err := b.fs.Set(name, v); err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s: %w", env, err))
		}
	}
}

// String registers a string setting.
func (b *binder) String(p *string, env, def, usage string) {
	b.fs.StringVar(p, flagName(env), def, usage)
	b.add(env)
}

// Duration registers a duration setting.
func (b *binder) Duration(p *time.Duration, env string, def time.Duration, usage string) {
	b.fs.DurationVar(p, flagName(env), def, usage)
	b.add(env)
}

// Bool registers a boolean setting: --dev-clock alone means true.
func (b *binder) Bool(p *bool, env string, def bool, usage string) {
	b.fs.BoolVar(p, flagName(env), def, usage)
	b.add(env)
}

// Int registers a whole-number setting.
func (b *binder) Int(p *int, env string, def int, usage string) {
	b.fs.IntVar(p, flagName(env), def, usage)
	b.add(env)
}

// Var registers a setting with a value type of its own (a choice, a list).
func (b *binder) Var(v flag.Value, env, usage string) {
	b.fs.Var(v, flagName(env), usage)
	b.add(env)
}

// choice is a string setting with a fixed set of values.
type choice struct {
	p       *string
	allowed []string
}

func newChoice(p *string, def string, allowed ...string) *choice {
	*p = def
	return &choice{p: p, allowed: allowed}
}

func (c *choice) String() string {
	if c == nil || c.p == nil {
		return ""
	}
	return *c.p
}

// Set accepts one of the allowed values.
func (c *choice) Set(v string) error {
	if !slices.Contains(c.allowed, v) {
		return fmt.Errorf("%q is not one of %s", v, strings.Join(c.allowed, ", "))
	}
	*c.p = v
	return nil
}

// prefixes is a comma-separated list of CIDRs (or single addresses).
type prefixes struct{ p *[]netip.Prefix }

func (l prefixes) String() string {
	if l.p == nil {
		return ""
	}
	out := make([]string, len(*l.p))
	for i, p := range *l.p {
		out[i] = p.String()
	}
	return strings.Join(out, ",")
}

// Set parses the list.
func (l prefixes) Set(v string) error {
	*l.p = nil
	for _, part := range splitList(v) {
		p, err := netip.ParsePrefix(part)
		if err != nil {
			addr, aerr := netip.ParseAddr(part)
			if aerr != nil {
				return fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", part)
			}
			p = netip.PrefixFrom(addr, addr.BitLen())
		}
		*l.p = append(*l.p, p.Masked())
	}
	return nil
}

// list is a comma-separated setting; each item goes through item, which may
// refuse it or change it, or is kept as it is when item is nil.
type list struct {
	p    *[]string
	item func(string) (string, error)
}

func (l list) String() string {
	if l.p == nil {
		return ""
	}
	return strings.Join(*l.p, ",")
}

// Set parses the list.
func (l list) Set(v string) error {
	*l.p = nil
	for _, s := range splitList(v) {
		if l.item != nil {
			var err error
			if s, err = l.item(s); err != nil {
				return err
			}
		}
		*l.p = append(*l.p, s)
	}
	return nil
}

// origin checks a browser origin and drops a trailing slash.
func origin(o string) (string, error) {
	if o != "*" && !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
		return "", fmt.Errorf("%q is not an origin such as https://app.example", o)
	}
	return strings.TrimSuffix(o, "/"), nil
}

// baseURL is an http or https URL without a trailing slash.
type baseURL struct{ p *string }

func (u baseURL) String() string {
	if u.p == nil {
		return ""
	}
	return *u.p
}

// Set checks the URL (httpapi.ParsePublicURL) and drops a trailing slash;
// an empty value leaves it unset.
func (u baseURL) Set(v string) error {
	if v == "" {
		*u.p = ""
		return nil
	}
	base, err := httpapi.ParsePublicURL(v)
	if err != nil {
		return err
	}
	*u.p = base
	return nil
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

// bind registers every setting authd reads on b, into c.
func bind(b *binder, c *Config) {
	p, def, dpop := &c.Policy, domain.DefaultPolicy(), domain.DefaultDPoPPolicy()
	b.String(&c.Addr, "AUTH_ADDR", "127.0.0.1:5000", "address to listen on")
	b.Duration(&p.AccessTTL, "AUTH_ACCESS_TTL", def.AccessTTL, "access token lifetime")
	b.Duration(&p.RefreshTTL, "AUTH_REFRESH_TTL", def.RefreshTTL, "refresh token lifetime")
	b.Duration(&p.ServiceTTL, "AUTH_SERVICE_TOKEN_TTL", def.ServiceTTL, "lifetime of client_credentials service tokens (0: AUTH_ACCESS_TTL)")
	b.Duration(&p.SessionMaxAge, "AUTH_SESSION_MAX_AGE", def.SessionMaxAge, "absolute session lifetime")
	b.Duration(&p.ReuseGrace, "AUTH_REFRESH_REUSE_GRACE", def.ReuseGrace, "window in which the previous refresh token gets the same pair back")
	b.Duration(&p.Leeway, "AUTH_LEEWAY", def.Leeway, "clock skew tolerated on nbf and exp")
	b.String(&p.Issuer, "AUTH_ISSUER", def.Issuer, "iss claim and the metadata's issuer (unset: AUTH_PUBLIC_URL when set, or the public URL with the authorization code flow on; else authd)")
	b.String(&p.Audience, "AUTH_AUDIENCE", def.Audience, `aud claim of access tokens (refresh tokens: this plus ":refresh")`)
	b.Var(newChoice(&c.JWTAlg, jwx.EdDSA, jwx.Algorithms...), "AUTH_JWT_ALG", "signing algorithm: EdDSA, ES256, RS256 or HS256")
	b.String(&c.JWTKeysFile, "AUTH_JWT_KEYS_FILE", "", "JWK Set of private keys: the first signs, the others only verify (unset: a fresh key per start)")
	b.Bool(&c.EphemeralKeys, "AUTH_JWT_EPHEMERAL_KEYS", false, "allow a fresh signing key per start with AUTH_STORE=postgres (instances then reject each other's tokens)")
	b.String(&c.JWTSecret, "AUTH_JWT_SECRET", "", "HS256 secret, at least 32 bytes")
	b.Int(&c.TokenCacheSize, "AUTH_TOKEN_CACHE_SIZE", app.DefaultTokenCacheSize, "verified access tokens to cache; 0 turns the cache off")
	b.Duration(&c.HashQueueWait, "AUTH_HASH_QUEUE_WAIT", 0, "longest wait for a password-hashing slot before 503 (0: one hash's time, measured at start)")
	b.Var(newChoice(&c.Store, "memory", "memory", "postgres"), "AUTH_STORE", "session and user store: memory or postgres")
	b.String(&c.DatabaseURL, "AUTH_DATABASE_URL", "", "PostgreSQL URL, for AUTH_STORE=postgres")
	b.String(&c.UsersFile, "AUTH_USERS_FILE", "", "JSON list of {id, username, password_hash} users (unset: the three demo users in memory; none in PostgreSQL)")
	b.Bool(&c.DemoUsers, "AUTH_DEMO_USERS", false, "with AUTH_STORE=postgres and no users file, create the three demo users in an empty users table (the in-memory store always has them)")
	b.Int(&c.LoginMaxFails, "AUTH_LOGIN_MAX_FAILURES", 10, "failed logins per username and address in the window before 429 (per address across usernames: 10 times as many; per account: that many free a day, then growing delays; 0: no limit)")
	b.Duration(&c.LoginWindow, "AUTH_LOGIN_FAILURE_WINDOW", 15*time.Minute, "sliding window of the login throttle")
	b.Var(prefixes{&c.TrustedProxies}, "AUTH_TRUSTED_PROXIES", "comma-separated CIDRs of proxies whose X-Forwarded-For names the client, and whose AUTH_VERIFY_HEADERS name the request at /auth/verify")
	b.Var(list{&c.CORSOrigins, origin}, "AUTH_CORS_ORIGINS", "comma-separated origins allowed to call authd from a browser; the exact ones (not *) may send cookies and pass the CSRF check")
	b.Bool(&c.Cookies, "AUTH_COOKIES", false, `token answers put the refresh token in an HttpOnly cookie (authd_refresh) and a CSRF token in authd_csrf unless the body says "cookie": false`)
	b.Var(newChoice(&c.LogLevel, "info", "debug", "info", "warn", "error"), "AUTH_LOG_LEVEL", "debug, info, warn or error")
	b.Var(newChoice(&c.LogFormat, "json", "json", "console"), "AUTH_LOG_FORMAT", "json or console")
	b.Bool(&c.DevClock, "AUTH_DEV_CLOCK", false, "serve /dev/clock/ to move the server clock (development only)")
	b.String(&c.OAuthClients, "AUTH_OAUTH_CLIENTS_FILE", "", "JSON list of OAuth 2.0 clients (unset: the public client authd with the password and refresh_token grants)")
	b.Var(baseURL{&c.PublicURL}, "AUTH_PUBLIC_URL", "base URL clients reach authd at: the OAuth metadata's endpoints and the URL DPoP proofs name (unset: http:// and the address the listener got)")
	b.Var(newChoice(&c.VerifyHeaders, httpapi.VerifyNginx, httpapi.VerifyHeaderFamilies...), "AUTH_VERIFY_HEADERS", "headers a gateway in AUTH_TRUSTED_PROXIES describes its client's request in at /auth/verify, for DPoP: nginx (X-Original-Method, X-Original-URI), traefik (X-Forwarded-Method, -Proto, -Host, -Uri) or envoy (the path below /auth/verify, Host)")
	b.Var(list{&c.VerifyOrigins, httpapi.ParseOrigin}, "AUTH_VERIFY_ORIGINS", "comma-separated origins DPoP proofs at /auth/verify may name, the first the default; a forwarded host only selects among them (unset: the origin of AUTH_PUBLIC_URL)")
	b.String(&c.DevClockToken, "AUTH_DEV_CLOCK_TOKEN", "", "bearer secret /dev/clock/ requires; needed to serve the dev clock on a non-loopback address")
	b.String(&c.DevSeed, "AUTH_DEV_SEED", "", "seed of the session-id generator, for byte-identical tokens run after run (only with AUTH_DEV_CLOCK)")
	b.Int(&c.MaxConnections, "AUTH_MAX_CONNECTIONS", 1024, "open connections served at once; more wait to be accepted (0: no limit)")
	b.Bool(&c.Playground, "AUTH_PLAYGROUND", true, "serve the browser playground at / (false: / and /playground/ are 404)")
	b.String(&c.AdminAddr, "AUTH_ADMIN_ADDR", "", "second listener for /metrics and /dev/clock/, off the public port (/healthz and /readyz on both); unset: all on AUTH_ADDR")
	b.String(&c.AdminToken, "AUTH_ADMIN_TOKEN", "", "bearer secret of at least 32 characters the admin API (/admin/users/, /admin/events/ on AUTH_ADMIN_ADDR) requires; unset: no admin API")
	b.Bool(&c.SignUp, "AUTH_SIGNUP", false, "serve POST /signup/, where anyone can create an account (false: /signup/ is 404)")
	b.Duration(&c.ShutdownTimeout, "AUTH_SHUTDOWN_TIMEOUT", 10*time.Second, "how long shutdown waits for requests in flight")
	b.Var(newChoice(&c.DPoPMode, string(dpop.Mode), string(domain.DPoPOptional), string(domain.DPoPRequired)), "AUTH_DPOP", "DPoP (RFC 9449): optional binds the tokens of logins that carry a proof; required refuses logins, refreshes and access tokens without one")
	c.DPoPAlgorithms = slices.Clone(dpop.Algorithms)
	b.Var(list{&c.DPoPAlgorithms, nil}, "AUTH_DPOP_ALGS", "comma-separated DPoP proof algorithms accepted, of ES256, EdDSA and Ed25519 (RFC 9864's name for EdDSA with Ed25519); default all three")
	b.Duration(&c.DPoPWindow, "AUTH_DPOP_WINDOW", dpop.Window, fmt.Sprintf("how old a DPoP proof's iat may be by the server clock (up to %s ahead is allowed too); proof ids are remembered until the window after their iat ends", domain.DPoPMaxAhead))
	b.Bool(&c.DPoPNonce, "AUTH_DPOP_NONCE", dpop.Nonce, "require DPoP proofs to carry a server nonce (DPoP-Nonce header, use_dpop_nonce error)")
	b.Int(&c.DPoPBudget, "AUTH_DPOP_ADDRESS_BUDGET", app.DefaultDPoPAddressBudget, "DPoP proofs one client address (an IPv6 /64 as one) may have remembered per AUTH_DPOP_WINDOW; more get 429 (0: no budget)")
	b.String(&c.DPoPNonceKey, "AUTH_DPOP_NONCE_KEY", "", "secret of at least 32 bytes the nonces are made with; instances sharing a store must share it (unset: a random key per start)")
	b.String(&c.DeviceKey, "AUTH_DEVICE_KEY", "", "secret of at least 32 bytes the login device tokens are made with (HMAC-SHA256); instances sharing a store must share it (unset: a random key per start)")
	b.Duration(&c.ShutdownDrain, "AUTH_SHUTDOWN_DRAIN", 0, "on SIGTERM, how long /readyz fails while everything else keeps serving, before the graceful shutdown (set it behind a load balancer or in Kubernetes)")
}

// settingNames lists the environment variables authd reads.
func settingNames() []string {
	b := &binder{fs: flag.NewFlagSet("", flag.ContinueOnError), getenv: func(string) string { return "" }, envOf: map[string]string{}}
	bind(b, &Config{})
	names := make([]string, 0, len(b.envOf))
	for _, env := range b.envOf {
		names = append(names, env)
	}
	return names
}

// usage prints what authd -h shows: the commands, then every setting.
func usage(fs *flag.FlagSet) {
	fmt.Fprint(fs.Output(), `Usage:
  authd [flags]                  serve (every flag is also an environment variable)
  authd keygen [--alg A] [--out F]  print (or write, mode 0600) a private JWK Set
  authd hash-password            read a password on stdin, print its argon2id hash
  authd migrate                  apply the PostgreSQL schema of AUTH_DATABASE_URL
  authd client-secret            print a new OAuth client secret and its SHA-256
  authd healthcheck              ask a running authd's /healthz; exit 0 on 200
  authd users add|list|passwd|disable|enable|delete [USERNAME]
                                 manage the users of AUTH_DATABASE_URL (authd users help)

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
	b := &binder{fs: fs, getenv: getenv, envOf: map[string]string{}}
	var c Config
	bind(b, &c)
	if len(b.errs) > 0 {
		return Config{}, errors.Join(b.errs...)
	}
	if err := fs.Parse(args); err != nil {
		if m := badFlag.FindStringSubmatch(err.Error()); m != nil && b.envOf[m[1]] != "" {
			return Config{}, fmt.Errorf("--%s (%s): %w", m[1], b.envOf[m[1]], err)
		}
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.IssuerDefault = true
	fs.Visit(func(f *flag.Flag) {
		if f.Name == flagName("AUTH_ISSUER") {
			c.IssuerDefault = false
		}
	})
	if c.IssuerDefault && c.PublicURL != "" {
		c.Policy.Issuer = c.PublicURL
	}
	return c, c.check()
}

// badFlag finds the flag in the flag package's error for an invalid value.
var badFlag = regexp.MustCompile(`for (?:flag )?-([a-z0-9-]+)`)

// Check validates a configuration that was changed after LoadConfig, as the
// test kit does, by the same rules LoadConfig applies.
func Check(c Config) error { return c.check() }

// check validates what no single setting can: the policy as a whole and the
// algorithm's key material.
func (c Config) check() error {
	var pe *domain.PolicyError
	if err := c.Policy.Check(); errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", policyEnv[pe.Field], err)
	} else if err != nil {
		return err
	}
	if err := c.dpopPolicy().Check(); errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", dpopEnv[pe.Field], err)
	}
	for _, r := range c.rules() {
		if r.broken {
			return errors.New(r.message)
		}
	}
	return nil
}

// rule is one thing a configuration must not do, with the message that
// names the setting to change.
type rule struct {
	broken  bool
	message string
}

// rules are the checks no single setting can make on its own, in the order
// their messages are given: secrets, counts and durations, the store, the
// listeners and the development switches.
func (c Config) rules() []rule {
	devAddr := c.devClockAddr()
	return []rule{
		{c.DPoPNonceKey != "" && len(c.DPoPNonceKey) < 32, "AUTH_DPOP_NONCE_KEY: must be at least 32 bytes"},
		{c.DPoPNonce && c.DPoPNonceKey == "" && c.Store == "postgres",
			"AUTH_DPOP_NONCE_KEY: AUTH_DPOP_NONCE with AUTH_STORE=postgres needs a key every instance shares, or each refuses the others' nonces"},
		{c.DeviceKey != "" && len(c.DeviceKey) < 32, "AUTH_DEVICE_KEY: must be at least 32 bytes"},
		{c.TokenCacheSize < 0, "AUTH_TOKEN_CACHE_SIZE: must not be negative"},
		{c.DPoPBudget < 0, "AUTH_DPOP_ADDRESS_BUDGET: must not be negative"},
		{c.LoginMaxFails < 0, "AUTH_LOGIN_MAX_FAILURES: must not be negative"},
		{c.MaxConnections < 0, "AUTH_MAX_CONNECTIONS: must not be negative"},
		{c.JWTAlg == jwx.HS256 && c.JWTKeysFile == "" && len(c.JWTSecret) < jwx.MinHMACSecret,
			fmt.Sprintf("AUTH_JWT_SECRET: HS256 needs a secret of at least %d bytes, got %d", jwx.MinHMACSecret, len(c.JWTSecret))},
		{c.JWTSecret != "" && (c.JWTAlg != jwx.HS256 || c.JWTKeysFile != ""), "AUTH_JWT_SECRET: set only with AUTH_JWT_ALG=HS256 and no AUTH_JWT_KEYS_FILE"},
		{c.Store == "postgres" && c.DatabaseURL == "", "AUTH_DATABASE_URL: AUTH_STORE=postgres needs the database URL"},
		{c.LoginWindow <= 0, "AUTH_LOGIN_FAILURE_WINDOW: must be positive"},
		{c.HashQueueWait < 0, "AUTH_HASH_QUEUE_WAIT: must not be negative"},
		{c.ShutdownDrain < 0, "AUTH_SHUTDOWN_DRAIN: must not be negative"},
		{c.ShutdownTimeout <= 0, "AUTH_SHUTDOWN_TIMEOUT: must be positive"},
		{c.DevSeed != "" && !c.DevClock, "AUTH_DEV_SEED: predictable session ids are for tests only; set it only together with AUTH_DEV_CLOCK=true"},
		{c.DevClockToken != "" && len(c.DevClockToken) < minDevClockToken, fmt.Sprintf("AUTH_DEV_CLOCK_TOKEN: must be at least %d characters", minDevClockToken)},
		{c.AdminToken != "" && len(c.AdminToken) < minAdminToken, fmt.Sprintf("AUTH_ADMIN_TOKEN: must be at least %d characters", minAdminToken)},
		{c.AdminToken != "" && c.AdminAddr == "", "AUTH_ADMIN_TOKEN: the admin API is served on the admin listener only; set AUTH_ADMIN_ADDR too"},
		{c.AdminAddr != "" && c.AdminAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0"), "AUTH_ADMIN_ADDR: must differ from AUTH_ADDR"},
		{c.DevClock && c.DevClockToken == "" && !isLoopback(devAddr),
			fmt.Sprintf("AUTH_DEV_CLOCK: %s is not a loopback address, and anyone who reaches /dev/clock/ can move the server clock, ending every session and throttle window; set AUTH_DEV_CLOCK_TOKEN to a secret of at least %d characters that the clock endpoints will require, or listen on 127.0.0.1", devAddr, minDevClockToken)},
	}
}

// policyEnv names the setting of each field of domain.Policy.
var policyEnv = map[string]string{
	"AccessTTL": "AUTH_ACCESS_TTL", "RefreshTTL": "AUTH_REFRESH_TTL", "SessionMaxAge": "AUTH_SESSION_MAX_AGE", "ServiceTTL": "AUTH_SERVICE_TOKEN_TTL",
	"Leeway": "AUTH_LEEWAY", "ReuseGrace": "AUTH_REFRESH_REUSE_GRACE", "Issuer": "AUTH_ISSUER", "Audience": "AUTH_AUDIENCE",
}

// dpopEnv names the setting of each field of domain.DPoPPolicy.
var dpopEnv = map[string]string{
	"Mode": "AUTH_DPOP", "Window": "AUTH_DPOP_WINDOW", "Algorithms": "AUTH_DPOP_ALGS",
}

// devClockAddr is the address /dev/clock/ (and /metrics) is served on: the
// admin listener's when there is one.
func (c Config) devClockAddr() string {
	if c.AdminAddr != "" {
		return c.AdminAddr
	}
	return c.Addr
}

// minAdminToken is the shortest AUTH_ADMIN_TOKEN accepted.
const minAdminToken = 32

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
