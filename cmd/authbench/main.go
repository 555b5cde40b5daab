// Command authbench is authd's load benchmark. It starts authd (built from
// this module) as a child process on a loopback port, or uses --server, warms
// up, then measures requests per second, p50/p99 latency and errors for each
// workload, with each one's ratio to GET /unprotected/ on the same server,
// and the server's peak RSS. It prints a table and writes the same as JSON.
//
//	go run ./cmd/authbench                    # 5 s per workload, 32 connections
//	go run ./cmd/authbench --duration 10s --out bench.json
//
// Generator and server share the machine, so ratios measured in one run are
// the numbers to compare, not absolute rates.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/authd/authd/adapters/argon2"
	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/cmd/internal/authd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "authbench:", err)
		os.Exit(1)
	}
}

// options are authbench's flags.
type options struct {
	server      string
	duration    time.Duration
	warmup      time.Duration
	connections int
	tokens      int
	out         string
	cacheSize   int
	only        string
	databaseURL string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("authbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.server, "server", "", "base URL of a running authd (default: start one)")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "measured time per workload")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured time before each workload")
	fs.IntVar(&o.connections, "connections", 32, "concurrent connections")
	fs.IntVar(&o.tokens, "tokens", 10_000, "distinct access tokens for the cold /protected/ workload")
	fs.IntVar(&o.cacheSize, "cache-size", 1000, "AUTH_TOKEN_CACHE_SIZE of the started server; smaller than --tokens keeps the cold workload cold")
	fs.StringVar(&o.out, "out", "authbench.json", "where to write the JSON report")
	fs.StringVar(&o.only, "only", "", "run only the workloads whose name contains this text")
	fs.StringVar(&o.databaseURL, "database-url", "", "run the started server on this PostgreSQL database (empty) instead of in memory")
	if err := fs.Parse(args); err != nil {
		return err
	}

	srv := &server{url: o.server}
	if srv.url == "" {
		var err error
		if srv, err = startServer(ctx, o.cacheSize, o.databaseURL, stderr); err != nil {
			return err
		}
		defer srv.stop()
	}
	fmt.Fprintf(stderr, "authbench: measuring argon2id\n")
	hash := hashTime()
	fmt.Fprintf(stderr, "authbench: target %s, %d connections, %s per workload (argon2id hash: %s)\n",
		srv.url, o.connections, o.duration, hash.Round(time.Millisecond))

	rep := report{
		Machine:      machine(),
		Server:       srv.url,
		Connections:  o.connections,
		Duration:     o.duration.String(),
		HashTime:     hash.String(),
		Cores:        runtime.NumCPU(),
		Slots:        authd.HashConcurrency(),
		RSSBudgetMiB: float64(authd.RSSBudget(authd.HashConcurrency())) / (1 << 20),
	}
	meter, err := newCostMeter(ctx, srv, o.databaseURL)
	if err != nil {
		return err
	}
	defer meter.close(context.Background())
	b := newBench(srv.url, o.connections)
	b.window = o.warmup + o.duration
	for _, w := range workloads(b, o.tokens) {
		if o.only != "" && !strings.Contains(w.name, o.only) {
			continue
		}
		fmt.Fprintf(stderr, "authbench: preparing %s\n", w.name)
		fire, err := w.prepare(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
		b.load(ctx, o.warmup, fire)
		before := meter.read(ctx)
		res := b.load(ctx, o.duration, fire)
		unit(&res, before, meter.read(ctx))
		res.Name = w.name
		res.PeakRSSMiB = float64(srv.peakRSS()) / (1 << 20)
		rep.Results = append(rep.Results, res)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if o.only == "" || strings.Contains(mixedName, o.only) {
		fmt.Fprintf(stderr, "authbench: preparing %s\n", mixedName)
		during, flood, control, err := mixed(ctx, srv.url, o)
		if err != nil {
			return fmt.Errorf("%s: %w", mixedName, err)
		}
		during.PeakRSSMiB = float64(srv.peakRSS()) / (1 << 20)
		flood.PeakRSSMiB, control.PeakRSSMiB = during.PeakRSSMiB, during.PeakRSSMiB
		rep.Results = append(rep.Results, during, flood, control)
	}
	rep.finish(srv.peakRSS(), hash)
	rep.print(stdout)
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(o.out, append(data, '\n'), 0o644)
}

// mixedName names the mixed workload's rows.
const mixedName = "during a login flood"

// floodConnections is how many connections flood /login/ in the mixed
// workload.
const floodConnections = 200

// mixed measures /protected/ (one token, warm cache) on o.connections
// connections while floodConnections connections flood /login/ with
// correct passwords at the same time: what a login flood does to the token
// checks every other request needs. Then, as a control, the same with the
// flood on /unprotected/, the cheapest request there is: what any flood of
// that many connections leaves on this machine, where the generator shares
// the cores with the server.
func mixed(ctx context.Context, url string, o options) (during, flood, control result, err error) {
	pb, lb := newBench(url, o.connections), newBench(url, floodConnections)
	t, err := pb.login()
	if err != nil {
		return result{}, result{}, result{}, err
	}
	protected := func(int) error { _, err := pb.do("GET", "/protected/", "", t.Access); return err }
	both := func(d time.Duration, fire fireFunc) (result, result) {
		var f result
		done := make(chan struct{})
		go func() { f = lb.load(ctx, d, fire); close(done) }()
		p := pb.load(ctx, d, protected)
		<-done
		return p, f
	}
	login := func(int) error { _, err := lb.do("POST", "/login/", loginBody, ""); return err }
	both(o.warmup, login)
	during, flood = both(o.duration, login)
	during.Name = "GET /protected/ (" + mixedName + ")"
	flood.Name = fmt.Sprintf("POST /login/ (the flood, %d connections)", floodConnections)
	cheap := func(int) error { _, err := lb.do("GET", "/unprotected/", "", ""); return err }
	both(o.warmup, cheap)
	control, _ = both(o.duration, cheap)
	control.Name = fmt.Sprintf("GET /protected/ (control: %d connections flooding /unprotected/)", floodConnections)
	return during, flood, control, nil
}

// hashTime measures one argon2id hash with authd's parameters, the median of
// five.
func hashTime() time.Duration {
	h := argon2.New(argon2.OWASP(), 1, time.Minute)
	sw := clock.Stopwatch{}
	var times []time.Duration
	for range 5 {
		start := sw.Now()
		_, _ = h.Hash(context.Background(), "benchmark")
		times = append(times, sw.Now().Sub(start))
	}
	return median(times)
}
