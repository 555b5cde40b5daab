package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/cmd/authclient"
)

// bench sends requests to one server over a fixed pool of connections.
type bench struct {
	url         string
	client      *http.Client
	connections int
	sw          clock.Stopwatch
	// window is how long one workload's fire runs, warm-up included.
	window time.Duration
}

func newBench(url string, connections int) *bench {
	tr := &http.Transport{MaxIdleConns: connections, MaxIdleConnsPerHost: connections, MaxConnsPerHost: connections,
		IdleConnTimeout: time.Minute}
	return &bench{url: url, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, connections: connections}
}

// fireFunc sends one request for worker w and reports whether it failed.
// A *shedError marks a 503 that the server answered by design, shedding
// load.
type fireFunc func(w int) error

// shedError is a 503 (the hashing queue is full) or a 429 (the login
// throttle: more than its limit of attempts for one username and address
// in flight at once) with its Retry-After: the server refusing by design. The generator does not wait
// that long: it keeps every connection busy, as a flood would, which is the
// case the login targets are about.
type shedError struct{ after time.Duration }

func (e *shedError) Error() string { return "shed: 503, retry after " + e.after.String() }

// result is one workload's measurement.
type result struct {
	Name     string  `json:"name"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	Shed     int     `json:"shed_503"`
	RPS      float64 `json:"rps"`
	OKRPS    float64 `json:"ok_rps"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	Ratio    float64 `json:"ratio_to_unprotected"`
	// PeakRSSMiB is the server's peak RSS so far, read after the workload.
	PeakRSSMiB float64 `json:"server_peak_rss_mib_after"`
	// CPUMicros is the server's CPU time per request (user and system),
	// when authbench started the server.
	CPUMicros float64 `json:"server_cpu_us_per_request,omitempty"`
	// WALBytes and WriteXacts are PostgreSQL's write-ahead log bytes and
	// write transactions per request, on --database-url runs.
	WALBytes   float64 `json:"wal_bytes_per_request,omitempty"`
	WriteXacts float64 `json:"write_transactions_per_request,omitempty"`
}

// load runs fire on every connection until d has passed, and measures.
func (b *bench) load(ctx context.Context, d time.Duration, fire fireFunc) result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	lat := make([][]time.Duration, b.connections)
	var errs, shed atomic.Int64
	var wg sync.WaitGroup
	start := b.sw.Now()
	for w := range b.connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				t := b.sw.Now()
				err := fire(w)
				lat[w] = append(lat[w], b.sw.Now().Sub(t))
				var se *shedError
				switch {
				case errors.As(err, &se):
					shed.Add(1)
				case err != nil:
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := b.sw.Now().Sub(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := result{Requests: len(all), Errors: int(errs.Load()), Shed: int(shed.Load())}
	if len(all) > 0 {
		r.RPS = float64(len(all)) / elapsed.Seconds()
		r.OKRPS = float64(len(all)-r.Errors-r.Shed) / elapsed.Seconds()
		r.P50ms = ms(all[len(all)/2])
		r.P99ms = ms(all[len(all)*99/100])
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// do sends a request and returns the body of a 2xx answer.
func (b *bench) do(method, path, body, token string) ([]byte, error) {
	return b.send(method, path, "application/json", body, token)
}

// send is do with the body's content type.
func (b *bench) send(method, path, contentType, body, token string) ([]byte, error) {
	return b.sendWith(method, path, contentType, body, token, nil)
}

// sendWith is send with a DPoP key: the token goes as a DPoP-bound one,
// with a fresh proof signed here for this request.
func (b *bench) sendWith(method, path, contentType, body, token string, key *authclient.DPoPKey) ([]byte, error) {
	return b.sendProof(method, path, contentType, body, token, key, "")
}

// sendProof is sendWith with a proof signed beforehand ("" signs one now).
func (b *bench) sendProof(method, path, contentType, body, token string, key *authclient.DPoPKey, proof string) ([]byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, b.url+path, rd)
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", contentType)
	}
	scheme := "Bearer "
	if key != nil {
		access := ""
		if method == http.MethodGet {
			access = token // a resource request: the proof carries the token's hash
		}
		if proof == "" {
			if proof, err = key.Proof(method, b.url+path, access, "", b.sw.Now()); err != nil {
				return nil, err
			}
		}
		req.Header.Set("DPoP", proof)
		scheme = "DPoP "
	}
	if token != "" {
		req.Header.Set("Authorization", scheme+token)
	}
	res, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusServiceUnavailable || res.StatusCode == http.StatusTooManyRequests {
		secs, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		return out, &shedError{after: time.Duration(secs) * time.Second}
	}
	if res.StatusCode/100 != 2 {
		return out, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, out)
	}
	return out, nil
}

type tokens struct {
	Access  string `json:"access"`
	Refresh string `json:"refresh"`
}

const loginBody = `{"username":"minsu","password":"1229"}`

func (b *bench) login() (tokens, error) { return b.pair(b.do("POST", "/login/", loginBody, "")) }

func (b *bench) refresh(refresh string) (tokens, error) {
	return b.pair(b.do("POST", "/refresh/", "", refresh))
}

// oauthRefresh rotates through the OAuth 2.0 token endpoint, as the
// public client authd.
func (b *bench) oauthRefresh(refresh string) (tokens, error) {
	body, err := b.send("POST", "/oauth/token", "application/x-www-form-urlencoded",
		"grant_type=refresh_token&client_id=authd&refresh_token="+url.QueryEscape(refresh), "")
	if err != nil {
		return tokens{}, err
	}
	var t struct {
		Access  string `json:"access_token"`
		Refresh string `json:"refresh_token"`
	}
	err = json.Unmarshal(body, &t)
	return tokens{Access: t.Access, Refresh: t.Refresh}, err
}

// rotating returns a workload body that keeps one session per connection
// and rotates it with refresh on every request.
func (b *bench) rotating(refresh func(string) (tokens, error)) func(context.Context) (fireFunc, error) {
	return func(context.Context) (fireFunc, error) {
		chains := make([]string, b.connections)
		for i := range chains {
			t, err := b.login()
			if err != nil {
				return nil, err
			}
			chains[i] = t.Refresh
		}
		return func(w int) error {
			t, err := refresh(chains[w])
			if err != nil {
				return err
			}
			chains[w] = t.Refresh
			return nil
		}, nil
	}
}

func (b *bench) pair(body []byte, err error) (tokens, error) {
	var t tokens
	if err != nil {
		return t, err
	}
	if err := json.Unmarshal(body, &t); err != nil {
		return t, err
	}
	return t, nil
}

// workload is one row of the report: prepare makes what it needs (tokens,
// sessions) and returns the request to repeat.
type workload struct {
	name    string
	prepare func(ctx context.Context) (fireFunc, error)
}

func workloads(b *bench, nTokens int) []workload {
	return []workload{
		{"GET /unprotected/", func(context.Context) (fireFunc, error) {
			return func(int) error { _, err := b.do("GET", "/unprotected/", "", ""); return err }, nil
		}},
		// A control: the ceiling's request carrying the same bearer token,
		// which the server ignores. The gap between this row and the next
		// is what authentication costs; the gap between it and the ceiling
		// is what carrying a 450-byte token costs.
		{"GET /unprotected/ (carrying the token)", func(context.Context) (fireFunc, error) {
			t, err := b.login()
			if err != nil {
				return nil, err
			}
			return func(int) error { _, err := b.do("GET", "/unprotected/", "", t.Access); return err }, nil
		}},
		{"GET /protected/ (one token, cache warm)", func(context.Context) (fireFunc, error) {
			t, err := b.login()
			if err != nil {
				return nil, err
			}
			return func(int) error { _, err := b.do("GET", "/protected/", "", t.Access); return err }, nil
		}},
		{fmt.Sprintf("GET /protected/ (%d tokens, cache cold)", nTokens), func(ctx context.Context) (fireFunc, error) {
			// A chain of refreshes mints distinct access tokens far faster
			// than logins, which cost an argon2id hash each.
			t, err := b.login()
			if err != nil {
				return nil, err
			}
			access := make([]string, 0, nTokens)
			for len(access) < nTokens && ctx.Err() == nil {
				if t, err = b.refresh(t.Refresh); err != nil {
					return nil, err
				}
				access = append(access, t.Access)
			}
			var next atomic.Int64
			return func(int) error {
				tok := access[int(next.Add(1))%len(access)]
				_, err := b.do("GET", "/protected/", "", tok)
				return err
			}, nil
		}},
		{"POST /refresh/ (a session per connection)", b.rotating(b.refresh)},
		{"POST /login/", func(context.Context) (fireFunc, error) {
			return func(int) error { _, err := b.do("POST", "/login/", loginBody, ""); return err }, nil
		}},
		// The gateway's forward-auth check: /protected/ without a body.
		{"GET /auth/verify (one token, cache warm)", func(context.Context) (fireFunc, error) {
			t, err := b.login()
			if err != nil {
				return nil, err
			}
			return func(int) error { _, err := b.do("GET", "/auth/verify", "", t.Access); return err }, nil
		}},
		{"POST /oauth/token refresh_token (a session per connection)", b.rotating(b.oauthRefresh)},
		b.dpop("ES256"),
		b.dpop("Ed25519"),
	}
}

// dpop is the workload of a DPoP-bound token: every request carries a
// fresh proof, made with a key of alg and verified by the server, besides
// the token the cache knows.
//
// The proofs are signed before the timed window (a pool of them, each used
// once), as far as the window lasts less than the server's ±60 s: signing
// is the client's cost, and on a machine the generator shares with the
// server it would otherwise be counted against the server (an ES256
// signature costs the generator about a fifth of what the server spends on
// the request). Past the pool, or for longer windows, proofs are signed on
// the fly.
func (b *bench) dpop(alg string) workload {
	return workload{"GET /protected/ (DPoP-bound, " + alg + ", a fresh proof each)", func(ctx context.Context) (fireFunc, error) {
		key, err := authclient.NewDPoPKeyFor(alg)
		if err != nil {
			return nil, err
		}
		t, err := b.pair(b.sendWith("POST", "/login/", "application/json", loginBody, "", key))
		if err != nil {
			return nil, err
		}
		var pool []string
		if b.window > 0 && b.window <= 45*time.Second {
			if pool, err = presign(ctx, key, b.url+"/protected/", t.Access, int(b.window.Seconds()*maxProofRate), b.sw.Now()); err != nil {
				return nil, err
			}
		}
		var next atomic.Int64
		return func(int) error {
			proof := ""
			if i := int(next.Add(1)) - 1; i < len(pool) {
				proof = pool[i]
			}
			_, err := b.sendProof("GET", "/protected/", "", "", t.Access, key, proof)
			return err
		}, nil
	}}
}

// maxProofRate bounds the DPoP requests a second the pool is made for: more
// than two cores can verify.
const maxProofRate = 25_000

// presign signs n proofs of GET url for the access token, on every core.
func presign(ctx context.Context, key *authclient.DPoPKey, url, access string, n int, at time.Time) ([]string, error) {
	pool := make([]string, n)
	workers := runtime.NumCPU()
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := w; i < n && ctx.Err() == nil; i += workers {
				p, err := key.Proof("GET", url, access, "", at)
				if err != nil {
					errs <- err
					return
				}
				pool[i] = p
			}
			errs <- ctx.Err()
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			return nil, err
		}
	}
	return pool, nil
}
