package authd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/ports"
)

// Server timeouts. Reads are short: every request body is at most 16 KiB.
// Writes allow for a login that waits for a hashing slot.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 15 * time.Second
	idleTimeout       = 60 * time.Second
	// maxHeaderBytes bounds the request line and headers: tokens over 8 KiB
	// are refused anyway, so 16 KiB leaves room for one with the other
	// headers, and a client holding many connections with unfinished
	// headers holds little memory (larger headers get 431).
	maxHeaderBytes = 16 << 10
	purgeInterval  = time.Minute
	// adminMaxConnections caps the admin listener's open connections, as
	// AUTH_MAX_CONNECTIONS caps the public one's: its clients are a metrics
	// scraper, health probes and a developer's clock requests, so a few
	// suffice, and a flood of unfinished requests on it holds no more.
	adminMaxConnections = 16
)

// Run serves until ctx ends or SIGINT/SIGTERM arrives, then shuts down
// within AUTH_SHUTDOWN_TIMEOUT. With a subcommand as first argument it does
// that instead: "keygen" prints a new private JWK Set, "hash-password"
// prints the argon2id hash of the password on stdin, "migrate" applies the
// PostgreSQL schema, "client-secret" prints a new OAuth client secret and
// its hash for AUTH_OAUTH_CLIENTS_FILE, "healthcheck" asks a running
// authd's /healthz (for container health checks), "users" manages the
// users of the configured store (see usersUsage). Everything it needs comes in through its
// parameters, so tests run it like a process.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "keygen":
			return keygen(args[1:], stdout, stderr)
		case "hash-password":
			return hashPassword(ctx, args[1:], stdin, stdout)
		case "migrate":
			return migrate(ctx, args[1:], getenv, stdout, stderr)
		case "client-secret":
			return clientSecret(args[1:], stdout)
		case "healthcheck":
			return healthcheck(ctx, args[1:], getenv, stdout, stderr)
		case "users":
			return users(ctx, args[1:], getenv, stdin, stdout, stderr)
		}
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	cfg, err := LoadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // the usage was printed; asking for it is not a failure
	}
	if err != nil {
		return err
	}
	setMemoryLimit(getenv)
	var clk ports.Clock = clock.System{}
	if cfg.DevClock {
		clk = clock.NewDev()
	}
	ln, admin, err := Listen(&cfg)
	if err != nil {
		return err
	}
	defer ln.Close()
	if admin != nil {
		defer admin.Close()
	}
	a, err := Build(cfg, clk, stdout)
	if err != nil {
		return err
	}
	return a.Serve(ctx, ln, admin)
}

// Listen opens the listeners cfg names, AUTH_ADDR's and, when it is set,
// AUTH_ADMIN_ADDR's (nil otherwise), and decides cfg.PublicURL for good
// (decidePublicURL). Run and the test kit both start this way, so the
// command and the kit serve the same public URL.
func Listen(cfg *Config) (public, admin net.Listener, err error) {
	public, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, nil, fmt.Errorf("AUTH_ADDR: %w", err)
	}
	if cfg.AdminAddr != "" {
		if admin, err = net.Listen("tcp", cfg.AdminAddr); err != nil {
			public.Close()
			return nil, nil, fmt.Errorf("AUTH_ADMIN_ADDR: %w", err)
		}
	}
	cfg.PublicURL = decidePublicURL(cfg.PublicURL, public.Addr())
	return public, admin, nil
}

// decidePublicURL is this server's public URL, the one answer to "where do
// clients reach authd" that the metadata's endpoints, the htu of DPoP
// proofs and the default origin of /auth/verify all use: AUTH_PUBLIC_URL
// when it is set, else http:// and the address the public listener got
// (with the port a :0 was given). It is decided once, at start; no
// request's Host changes it.
func decidePublicURL(configured string, addr net.Addr) string {
	if configured != "" {
		return configured
	}
	return "http://" + addr.String()
}

// Serve serves the handler on ln, and when AUTH_ADMIN_ADDR is set the admin
// handler on admin (nil otherwise), until ctx ends, with the purge loop and,
// on PostgreSQL, the revocation watcher beside them; then it shuts both
// listeners down gracefully together within AUTH_SHUTDOWN_TIMEOUT, waits
// for those loops and releases the stores. It closes the listeners.
// cmd/authd and the test kit both serve through it.
func (a *App) Serve(ctx context.Context, ln, admin net.Listener) error {
	defer a.close()
	if (a.admin != nil) != (admin != nil) {
		return errors.New("serve: AUTH_ADMIN_ADDR and the admin listener go together")
	}
	servers := []*http.Server{newServer(a.handler)}
	listeners := []net.Listener{limitConnections(ln, a.maxConnections)}
	a.log.Info("authd listening", logAddr(ln.Addr()))
	if admin != nil {
		servers = append(servers, newServer(a.admin))
		listeners = append(listeners, limitConnections(admin, adminMaxConnections))
		a.log.Info("authd admin listening", logAddr(admin.Addr()))
	}

	loops, stopLoops := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stopLoops(); wg.Wait() }()
	wg.Go(func() { a.purgeLoop(loops, purgeInterval) })
	if a.watch != nil {
		wg.Go(func() { a.watch(loops) })
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}

	var failed error
	select {
	case err := <-errc:
		failed = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
		failed = a.drainFor(errc)
		a.log.Info("authd shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), a.shutdownTimeout)
	defer cancel()
	shut := make(chan error, len(servers))
	for _, srv := range servers {
		go func() { shut <- srv.Shutdown(sctx) }()
	}
	var errs []error
	for range servers {
		if err := <-shut; err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	}
	remaining := len(servers)
	if failed != nil {
		remaining-- // its error was read already
	}
	for range remaining {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("serve: %w", err))
		}
	}
	if failed != nil || len(errs) > 0 {
		return errors.Join(append([]error{failed}, errs...)...)
	}
	a.log.Info("authd stopped")
	return nil
}

// drainFor keeps serving for the drain period with /readyz failing, so a
// load balancer or Kubernetes takes the instance out of rotation while
// requests still arrive; it returns early, with the error, if a server
// fails meanwhile.
func (a *App) drainFor(errc <-chan error) error {
	a.draining.Store(true)
	if a.drain <= 0 {
		return nil
	}
	a.log.Info("authd draining: /readyz fails, everything else serves", ports.F("for", a.drain.String()))
	t := time.NewTimer(a.drain)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	}
}

// newServer returns an http.Server with authd's limits.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// Handler returns the HTTP handler of the whole API.
func (a *App) Handler() http.Handler { return a.handler }

// AdminHandler returns the admin listener's handler, or nil without
// AUTH_ADMIN_ADDR; Serve serves it on the admin listener.
func (a *App) AdminHandler() http.Handler { return a.admin }

// Watch feeds the revocations other instances make (on PostgreSQL) to the
// App until ctx ends, as Serve does beside the listeners; without a shared
// store it returns at once.
func (a *App) Watch(ctx context.Context) {
	if a.watch != nil {
		a.watch(ctx)
	}
}

// Close releases the stores of an App that was built but never served.
func (a *App) Close() { a.close() }

// setMemoryLimit gives the Go runtime a soft memory limit, unless
// GOMEMLIMIT is set, so that the process stays within RSSBudget: the
// collector then runs before the heap doubles (GOGC's default would let a
// live heap of 14 MiB grow to 28). The limit only makes the collector run
// sooner; it never fails an allocation. Its trade-off: a live heap larger
// than the limit (a replay cache filled by a DPoP flood can hold 72 MiB)
// makes the collector run often, up to half the CPU by the runtime's own
// cap, until the heap shrinks; GOMEMLIMIT raises it.
func setMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(runtimeMemoryLimit)
}

// Resident memory, as authbench measured it on the 2-core machine
// (docs/performance.md): the binary's mapped code (RssFile, 17.5-17.7 MiB),
// one 19 MiB working memory per hashing slot, mapped outside the Go heap by
// the argon2 adapter, and the Go runtime's own memory (heap, stacks,
// metadata), which runtimeMemoryLimit bounds softly whatever the slots.
const (
	codeRSS            = 18 << 20
	slotRSS            = 19 << 20
	runtimeMemoryLimit = 27 << 20
)

// RSSBudget is the resident memory authd plans for with concurrency
// hashing slots: 64 MiB with one slot, 19 MiB more per further slot. A
// container's memory limit must hold it (TestKubernetesMemoryFitsHashing),
// and authbench checks a run's peak against it.
func RSSBudget(concurrency int) int64 {
	return codeRSS + slotRSS*int64(concurrency) + runtimeMemoryLimit
}

func logAddr(a net.Addr) ports.Field { return ports.F("addr", "http://"+a.String()) }
