package authd

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/authd/authd/adapters/argon2"
	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/adapters/httpapi"
	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/adapters/metrics"
	"github.com/authd/authd/adapters/random"
	"github.com/authd/authd/adapters/zaplog"
	"github.com/authd/authd/adapters/zxcvbn"
	"github.com/authd/authd/app"
	"github.com/authd/authd/docs"
	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// hashWaitFactor sets how long a login may wait for a free argon2id slot,
// in hash times, before it is answered 503: long enough to ride out a burst
// of a few logins per core, short enough that a flood is shed instead of
// queued (the load benchmark's target is a login p99 within four hash
// times, docs/performance.md).
const hashWaitFactor = 1

// playgroundFiles are the browser playground's files, set by playground.go.
// A team that deletes the playground (adapters/httpapi/playground and
// playground.go, docs/template.md §6) leaves it nil: no playground is served
// whatever AUTH_PLAYGROUND says.
var playgroundFiles fs.FS

// PlaygroundBuiltIn says whether this build has the browser playground:
// false once a team deleted it. The tests that drive the playground skip
// without it.
func PlaygroundBuiltIn() bool { return playgroundFiles != nil }

// App is a wired authd: its HTTP handler and the loops that run beside it.
type App struct {
	handler http.Handler
	service *app.Service
	stores  *stores
	log     *zaplog.Logger
	// watch, when set, feeds revocations made by other instances to the
	// service until ctx ends.
	watch func(ctx context.Context)
	// shutdownTimeout bounds the graceful shutdown (AUTH_SHUTDOWN_TIMEOUT).
	shutdownTimeout time.Duration
	// maxConnections caps the open connections (AUTH_MAX_CONNECTIONS).
	maxConnections int
	// admin is the admin listener's handler, when AUTH_ADMIN_ADDR is set.
	admin http.Handler
	// drain is how long Serve keeps serving, not ready, after ctx ends
	// (AUTH_SHUTDOWN_DRAIN); draining is set from then on.
	drain    time.Duration
	draining *atomic.Bool
}

// errDraining is the readiness error while the server drains.
var errDraining = fmt.Errorf("shutting down: %w", domain.ErrUnavailable)

// close releases the stores.
func (a *App) close() { a.stores.close() }

// Build wires the adapters to the use cases. The clock is a parameter so
// tests can run the real HTTP stack on a frozen clock.
func Build(cfg Config, clk ports.Clock, stdout io.Writer) (*App, error) {
	log, err := zaplog.New(stdout, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return nil, err
	}
	for _, p := range cfg.TrustedProxies {
		if p.Bits() == 0 {
			log.Warn("AUTH_TRUSTED_PROXIES trusts every address: any client can pick the address it is throttled as with X-Forwarded-For; list only your proxies' networks",
				ports.F("prefix", p.String()))
		}
	}
	clients, err := oauthClients(cfg)
	if err != nil {
		return nil, err
	}
	codeFlow := codeFlowOn(clients)
	keys, err := signingKeys(cfg, log)
	if err != nil {
		return nil, err
	}
	var idAlgs []string
	if codeFlow {
		if keys, idAlgs, err = idTokenKeys(cfg, keys, clients); err != nil {
			return nil, err
		}
		if cfg.IssuerDefault && cfg.PublicURL != "" {
			cfg.Policy.Issuer = cfg.PublicURL
		}
	}
	proofs, err := jwx.NewProofVerifier(cfg.DPoPAlgorithms)
	if err != nil {
		return nil, fmt.Errorf("AUTH_DPOP_ALGS: %w", err)
	}
	registry, err := memory.NewClients(clients...)
	if err != nil {
		return nil, fmt.Errorf("AUTH_OAUTH_CLIENTS_FILE: %w", err)
	}
	st, err := openStores(cfg, log, clk.Now())
	if err != nil {
		return nil, err
	}
	hasher := newHasher(cfg)
	svc, err := app.New(app.Deps{
		Clients:  registry,
		Clock:    clk,
		Users:    st.users,
		Sessions: st.sessions,
		Issuer:   jwx.NewIssuer(keys),
		Verifier: jwx.NewVerifier(keys),
		Hasher:   hasher,
		IDs:      ids(cfg),
		Failures: st.failures,
		Proofs:   proofs,
		Replays:  st.replays,
		Policy:   cfg.Policy,
		DPoP:     cfg.dpopPolicy(),
		Nonces:   domain.DPoPNonces{Key: nonceKey(cfg), Period: cfg.DPoPWindow},

		AddressThrottle: domain.ThrottlePolicy{MaxFailures: cfg.LoginMaxFails, Window: cfg.LoginWindow},
		IPThrottle:      domain.ThrottlePolicy{MaxFailures: 10 * cfg.LoginMaxFails, Window: cfg.LoginWindow},
		AccountDelay:    accountDelay(cfg),
		KnownAddresses:  st.known,
		Devices:         domain.DeviceTokens{Key: deviceKey(cfg, log), TTL: app.DefaultDeviceTokenTTL},
		DeviceThrottle:  deviceThrottle(cfg),

		TokenCacheSize:    cfg.TokenCacheSize,
		DPoPAddressBudget: cfg.DPoPBudget,

		Accounts:       st.users,
		Strength:       zxcvbn.Estimator{},
		SignUpThrottle: domain.ThrottlePolicy{MaxFailures: cfg.LoginMaxFails, Window: cfg.LoginWindow},
		Audit:          st.audit,
		Log:            log,
		OIDC:           oidcDeps(codeFlow, st, keys),
	})
	if err != nil {
		st.close()
		return nil, err
	}
	jwks, err := keys.PublicJWKS()
	if err != nil {
		st.close()
		return nil, err
	}
	m := metrics.New(func() float64 {
		n, err := st.live(clk.Now())
		if err != nil {
			return math.NaN()
		}
		return float64(n)
	})
	m.GaugeFunc("authd_dpop_replay_entries", "DPoP proofs the replay cache remembers (in PostgreSQL: rows of dpop_replays).",
		func() float64 {
			n, err := st.replays.Entries(context.Background())
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		})
	if st.evictions != nil {
		m.CountFunc("authd_failure_log_evictions_total", "Keys the in-memory failure log forgot to stay within its limit.",
			func() float64 { return float64(st.evictions()) })
	}
	draining := &atomic.Bool{}
	if cfg.PublicURL == "" {
		st.close()
		return nil, errors.New("AUTH_PUBLIC_URL: undecided; start through Listen, which decides it from the listener's address, or set it")
	}
	warnUnreachable(cfg.PublicURL, log)
	deps := httpapi.Deps{Auth: m.Wrap(svc), Logger: log, Stopwatch: clock.Stopwatch{}, JWKS: jwks,
		TrustedProxies: cfg.TrustedProxies, CORSOrigins: cfg.CORSOrigins, Cookies: cfg.Cookies,
		Observer: m, Metrics: m.Handler(), OpenAPI: docs.OpenAPI, Ready: readiness(st.ready, draining),
		LoginAdmission: hasher.Admit,
		OAuthClients:   clients, Issuer: cfg.Policy.Issuer, Algorithm: keys.Algorithm(), PublicURL: cfg.PublicURL,
		VerifyHeaders: cfg.VerifyHeaders, VerifyOrigins: cfg.VerifyOrigins,
		Accounts: m.WrapAccounts(svc), SignUp: cfg.SignUp, Admin: m.WrapAdmin(svc), AdminToken: cfg.AdminToken,
		SeparateAdmin: cfg.AdminAddr != "", DPoPAlgorithms: cfg.DPoPAlgorithms}
	if cfg.Playground {
		deps.Playground = playgroundFiles
	}
	if codeFlow {
		deps.SignIn, deps.IDTokenAlgs = m.WrapSignIn(svc), idAlgs
	}
	if dev, ok := clk.(ports.DevClock); ok && cfg.DevClock {
		deps.DevClock = dev
		deps.DevClockToken = cfg.DevClockToken
		log.Warn("AUTH_DEV_CLOCK is on: anyone who can reach /dev/clock/ can move the server clock; never enable it in production")
	}
	h, err := httpapi.NewHandler(deps)
	if err != nil {
		st.close()
		return nil, err
	}
	a := &App{handler: h, service: svc, stores: st, log: log, shutdownTimeout: cfg.ShutdownTimeout, maxConnections: cfg.MaxConnections,
		drain: cfg.ShutdownDrain, draining: draining}
	if cfg.AdminAddr != "" {
		if a.admin, err = httpapi.NewAdminHandler(deps); err != nil {
			st.close()
			return nil, err
		}
	}
	if st.watch != nil {
		a.watch = func(ctx context.Context) { st.watch(ctx, svc.ObserveRevoked, log) }
	}
	return a, nil
}

// warnUnreachable logs a warning when the public URL names every interface
// (AUTH_ADDR 0.0.0.0 or [::] and no AUTH_PUBLIC_URL): no client reaches
// that URL, so the metadata points nowhere and DPoP proofs cannot name it.
func warnUnreachable(public string, log ports.Logger) {
	u, err := url.Parse(public)
	if err != nil {
		return
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && ip.IsUnspecified() {
		log.Warn("AUTH_PUBLIC_URL is unset and authd listens on every interface: set it to the URL clients use, or the metadata's endpoints and the URL DPoP proofs must name are unreachable",
			ports.F("public_url", public))
	}
}

// signingKeys returns the keys of the configured algorithm: from the keys
// file, from the HS256 secret, or freshly generated.
func signingKeys(cfg Config, log ports.Logger) (*jwx.Keys, error) {
	switch {
	case cfg.JWTKeysFile != "":
		data, err := os.ReadFile(cfg.JWTKeysFile)
		if err != nil {
			return nil, fmt.Errorf("AUTH_JWT_KEYS_FILE: %w", err)
		}
		k, err := jwx.ParseKeySet(data, cfg.JWTAlg)
		if err != nil {
			return nil, fmt.Errorf("AUTH_JWT_KEYS_FILE: %w", err)
		}
		log.Info("signing keys loaded", ports.F("alg", k.Algorithm()), ports.F("signer", k.SignerKID()), ports.F("kids", k.KIDs()))
		return k, nil
	case cfg.JWTAlg == jwx.HS256:
		k, err := jwx.HMAC([]byte(cfg.JWTSecret))
		if err != nil {
			return nil, fmt.Errorf("AUTH_JWT_SECRET: %w", err)
		}
		return k, nil
	case cfg.Store == "postgres" && !cfg.EphemeralKeys:
		// Sessions in PostgreSQL exist to be shared by several instances
		// and to outlive a restart; a key of this process alone defeats
		// both: the instances reject each other's tokens, and a restart
		// logs everyone out.
		return nil, errors.New("AUTH_JWT_KEYS_FILE: AUTH_STORE=postgres needs the signing keys every instance shares (authd keygen > keys.json); to run one instance with a fresh key per start anyway, set AUTH_JWT_EPHEMERAL_KEYS=true")
	default:
		k, err := jwx.Generate(cfg.JWTAlg)
		if err != nil {
			return nil, fmt.Errorf("AUTH_JWT_ALG: %w", err)
		}
		log.Warn("no AUTH_JWT_KEYS_FILE: signing with a fresh key; tokens die with this process, and several instances need a shared keys file (authd keygen)",
			ports.F("alg", k.Algorithm()), ports.F("kid", k.SignerKID()))
		return k, nil
	}
}

// ids returns the session-id generator: crypto/rand, or with AUTH_DEV_SEED
// (which needs AUTH_DEV_CLOCK) a seeded one whose ids repeat run after run.
func ids(cfg Config) ports.IDGenerator {
	if cfg.DevSeed != "" {
		return random.Seeded(cfg.DevSeed)
	}
	return random.IDs{}
}

// readiness is /readyz's check: not ready while draining, else as ready
// says (nil: always ready).
func readiness(ready func(context.Context) error, draining *atomic.Bool) func(context.Context) error {
	return func(ctx context.Context) error {
		if draining.Load() {
			return errDraining
		}
		if ready == nil {
			return nil
		}
		return ready(ctx)
	}
}

// accountDelay is the per-account guessing delay: AUTH_LOGIN_MAX_FAILURES
// free failures a day from unknown addresses, then 1 s doubling to 15 min
// (at most 22 guesses in the first hour, 4 an hour after).
func accountDelay(cfg Config) domain.DelayPolicy {
	if cfg.LoginMaxFails <= 0 {
		return domain.DelayPolicy{}
	}
	return domain.DelayPolicy{Free: cfg.LoginMaxFails, Base: time.Second, Max: 15 * time.Minute, Window: 24 * time.Hour}
}

// deviceThrottle is the limit of a login device token: five failures a
// day (fewer if AUTH_LOGIN_MAX_FAILURES is lower), then the device is
// judged like any client; none when the throttle is off.
func deviceThrottle(cfg Config) domain.ThrottlePolicy {
	if cfg.LoginMaxFails <= 0 {
		return domain.ThrottlePolicy{}
	}
	return domain.ThrottlePolicy{MaxFailures: min(5, cfg.LoginMaxFails), Window: 24 * time.Hour}
}

// deviceKey is AUTH_DEVICE_KEY; else, with AUTH_DEV_SEED, a key derived
// from the seed, so that responses repeat run after run; else 32 random
// bytes, and device tokens then hold for this process only (a warning with
// the shared PostgreSQL store, where instances would refuse each other's).
func deviceKey(cfg Config, log ports.Logger) []byte {
	switch {
	case cfg.DeviceKey != "":
		return []byte(cfg.DeviceKey)
	case cfg.DevSeed != "":
		k := sha256.Sum256([]byte("authd device key\x00" + cfg.DevSeed))
		return k[:]
	}
	if cfg.Store == "postgres" {
		log.Warn("no AUTH_DEVICE_KEY: login device tokens hold for this instance and this start only; set one key of at least 32 bytes on every instance")
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return key
}

// oauthClients returns the clients of AUTH_OAUTH_CLIENTS_FILE, or without
// one httpapi.DefaultOAuthClients. The file is read once, at start: a
// changed file takes effect at the next restart (instance by instance),
// and a client taken off it loses its tokens then (the acceptance gate
// checks every token's client against this list).
func oauthClients(cfg Config) ([]httpapi.OAuthClient, error) {
	if cfg.OAuthClients == "" {
		return httpapi.DefaultOAuthClients(), nil
	}
	data, err := os.ReadFile(cfg.OAuthClients)
	if err != nil {
		return nil, fmt.Errorf("AUTH_OAUTH_CLIENTS_FILE: %w", err)
	}
	clients, err := httpapi.ParseOAuthClients(data)
	if err != nil {
		return nil, fmt.Errorf("AUTH_OAUTH_CLIENTS_FILE: %w", err)
	}
	return clients, nil
}

// HashConcurrency is how many argon2id hashes run at once: half the cores
// Go may use, at least one. Logins are rare and deliberately expensive;
// every other request (token checks above all) needs a core too, and a
// login flood that held every core took /protected/ from 40,000 to 7,000
// requests/s (docs/performance.md).
func HashConcurrency() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// newHasher returns the argon2id hasher: hashConcurrency slots, a wait of
// AUTH_HASH_QUEUE_WAIT or else hashWaitFactor hash times, and a queue as
// long as the slots can serve within that wait. A login beyond that queue
// would time out waiting anyway, so it is refused at once, and the login
// handler (through Admit) refuses it before reading its body. One hash is
// timed now, so the limits fit the machine.
func newHasher(cfg Config) *argon2.Hasher {
	slots := HashConcurrency()
	h := argon2.New(argon2.OWASP(), slots, time.Minute)
	sw := clock.Stopwatch{}
	start := sw.Now()
	_ = h.VerifyDummy(context.Background(), "calibration")
	hash := max(sw.Now().Sub(start), time.Millisecond)
	wait := cfg.HashQueueWait
	if wait <= 0 {
		wait = hashWaitFactor * hash
	}
	queue := max(slots, int((int64(slots)*int64(wait)+int64(hash)-1)/int64(hash)))
	return h.WithWait(wait).WithQueue(queue)
}

// purgeLoop lets the stores forget ended sessions, old login failures and
// used DPoP proofs past their window every interval until ctx ends, so
// memory and tables stay bounded by what can still matter.
func (a *App) purgeLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.service.Purge(ctx, clock.System{}.Now()); err != nil {
				a.log.Error("purge sessions", ports.F("error", err.Error()))
			} else if n > 0 {
				a.log.Info("purged sessions", ports.F("count", n))
			}
		}
	}
}

// nonceKey is AUTH_DPOP_NONCE_KEY, or 32 random bytes: nonces then hold
// for this process only, which check() allows only with the memory store.
func nonceKey(cfg Config) []byte {
	if cfg.DPoPNonceKey != "" {
		return []byte(cfg.DPoPNonceKey)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return key
}

// codeFlowOn reports whether some client may use the authorization code
// grant: only then are the login page, /oauth/authorize and OpenID Connect
// served, and an ID token key needed.
func codeFlowOn(clients []httpapi.OAuthClient) bool {
	for _, c := range clients {
		if c.Allows(domain.GrantAuthorizationCode) {
			return true
		}
	}
	return false
}

// idTokenKeys returns the keys with one for every ID token algorithm in use
// (RS256, and each client's id_token_signed_response_alg) and those
// algorithms, RS256 first. A keys file must hold them (authd keygen writes
// a key per algorithm); without one they are generated, like the access
// tokens' key.
func idTokenKeys(cfg Config, keys *jwx.Keys, clients []httpapi.OAuthClient) (*jwx.Keys, []string, error) {
	algs := []string{jwx.DefaultIDTokenAlg}
	for _, c := range clients {
		if c.IDTokenAlg != "" && !slices.Contains(algs, c.IDTokenAlg) {
			if c.IDTokenAlg != jwx.EdDSA && c.IDTokenAlg != jwx.ES256 && c.IDTokenAlg != jwx.RS256 {
				return nil, nil, fmt.Errorf("AUTH_OAUTH_CLIENTS_FILE: client %q: id_token_signed_response_alg must be RS256, ES256 or EdDSA", c.ID)
			}
			algs = append(algs, c.IDTokenAlg)
		}
	}
	for _, alg := range algs {
		if keys.Signs(alg) {
			continue
		}
		if cfg.JWTKeysFile != "" || cfg.Store == "postgres" && !cfg.EphemeralKeys {
			return nil, nil, fmt.Errorf("AUTH_JWT_KEYS_FILE: ID tokens need a %s key every instance shares: add one (authd keygen --id-token-alg %s writes a keys file with both)", alg, alg)
		}
		var err error
		if keys, err = keys.WithGenerated(alg); err != nil {
			return nil, nil, err
		}
	}
	return keys, algs, nil
}

// oidcDeps are the stores and the signer of the code flow, or none when
// it is off.
func oidcDeps(on bool, st *stores, keys *jwx.Keys) app.OIDC {
	if !on {
		return app.OIDC{}
	}
	return app.OIDC{Codes: st.codes, Browsers: st.browsers, IDTokens: jwx.NewIDTokens(keys)}
}
