package authd

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/require"
)

// T is the instant the benchmarks' frozen clocks start at, a whole second.
var T = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// benchApp wires authd as production does, on a frozen clock, logging to
// nowhere; options change the configuration.
func benchApp(b *testing.B, options ...func(*Config)) (*App, *clock.Frozen) {
	b.Helper()
	cfg, err := LoadConfig(nil, func(string) string { return "" }, io.Discard)
	require.NoError(b, err)
	cfg.PublicURL = "http://authd.bench" // served through httptest, never on a listener
	for _, o := range options {
		o(&cfg)
	}
	clk := clock.NewFrozen(T)
	a, err := Build(cfg, clk, io.Discard)
	require.NoError(b, err)
	return a, clk
}

// BenchmarkRefresh is one full rotation through the use case: verify the
// refresh token, compare-and-rotate in the memory store, sign a new pair.
func BenchmarkRefresh(b *testing.B) {
	a, _ := benchApp(b)
	benchRefresh(b, a)
}

// BenchmarkRefreshByAlgorithm is BenchmarkRefresh for each asymmetric
// signing algorithm of access tokens (ADR 0005): a rotation signs two
// tokens and verifies one.
func BenchmarkRefreshByAlgorithm(b *testing.B) {
	for _, alg := range []string{"EdDSA", "ES256", "RS256"} {
		b.Run(alg, func(b *testing.B) {
			a, _ := benchApp(b, func(c *Config) { c.JWTAlg = alg })
			benchRefresh(b, a)
		})
	}
}

// benchRefresh rotates one session as fast as it can and reports the rate.
func benchRefresh(b *testing.B, a *App) {
	ctx := context.Background()
	pair, err := a.service.Login(ctx, domain.Credentials{Username: "minsu", Password: "1229"}, "", domain.ProofRequest{})
	require.NoError(b, err)
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		pair, err = a.service.Refresh(ctx, pair.Refresh, "", domain.ProofRequest{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "refreshes/s")
}

// BenchmarkAuthenticate is the access path: verify an access token and check
// the revocation list, with the verified-token cache (a hit) and without it
// (a full verification every time), for each algorithm.
func BenchmarkAuthenticate(b *testing.B) {
	for _, alg := range []string{"EdDSA", "ES256", "RS256", "HS256"} {
		for _, size := range []int{0, 10_000} {
			name := alg + "/uncached"
			if size > 0 {
				name = alg + "/cached"
			}
			b.Run(name, func(b *testing.B) {
				a, _ := benchApp(b, func(c *Config) {
					c.JWTAlg, c.TokenCacheSize = alg, size
					if alg == "HS256" {
						c.JWTSecret = strings.Repeat("s", 32)
					}
				})
				ctx := context.Background()
				pair, err := a.service.Login(ctx, domain.Credentials{Username: "minsu", Password: "1229"}, "", domain.ProofRequest{})
				require.NoError(b, err)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := a.service.Authenticate(ctx, pair.Access, domain.ProofRequest{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkHTTP measures each endpoint's handler through httptest, without
// a network.
func BenchmarkHTTP(b *testing.B) {
	// The access log at error level, as authbench runs the server: these
	// measure the handlers, not the log encoder.
	a, _ := benchApp(b, func(c *Config) { c.LogLevel = "error" })
	ctx := context.Background()
	pair, err := a.service.Login(ctx, domain.Credentials{Username: "minsu", Password: "1229"}, "", domain.ProofRequest{})
	require.NoError(b, err)
	b.Run("unprotected", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			a.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/unprotected/", nil))
		}
	})
	b.Run("protected", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/protected/", nil)
			req.Header.Set("Authorization", "Bearer "+pair.Access)
			a.handler.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatal(rec.Code)
			}
		}
	})
	b.Run("refresh", func(b *testing.B) {
		b.ReportAllocs()
		refresh := pair.Refresh
		for b.Loop() {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "/refresh/", nil)
			req.Header.Set("Authorization", "Bearer "+refresh)
			a.handler.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatal(rec.Code, rec.Body.String())
			}
			body := rec.Body.String()
			i := strings.Index(body, `"refresh":"`) + len(`"refresh":"`)
			refresh = body[i : i+strings.IndexByte(body[i:], '"')]
		}
	})
	for _, path := range []string{"/sessions/", "/.well-known/jwks.json", "/healthz"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Authorization", "Bearer "+pair.Access)
				a.handler.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatal(rec.Code)
				}
			}
		})
	}
	b.Run("login", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "/login/", strings.NewReader(`{"username":"minsu","password":"1229"}`))
			req.Header.Set("Content-Type", "application/json")
			a.handler.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatal(rec.Code)
			}
		}
	})
}

// BenchmarkLoginFailure compares the two ways a login fails: an unknown
// username (a dummy argon2id hash) and a wrong password (the real one).
// Their medians must match within noise, or response time would tell which
// usernames exist. Compare with:
//
//	go test -run '^$' -bench LoginFailure -count 10 ./cmd/internal/authd | benchstat -
func BenchmarkLoginFailure(b *testing.B) {
	a, _ := benchApp(b, func(c *Config) { c.LoginMaxFails = 0 })
	ctx := context.Background()
	for name, cred := range map[string]domain.Credentials{
		"unknown_user":   {Username: "nobody", Password: "1229"},
		"wrong_password": {Username: "minsu", Password: "9999"},
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := a.service.Login(ctx, cred, "192.0.2.1", domain.ProofRequest{}); err == nil {
					b.Fatal("logged in")
				}
			}
		})
	}
}

// BenchmarkRefreshPostgres is BenchmarkRefresh with sessions in PostgreSQL:
// one conditional UPDATE per rotation, plus the session read.
func BenchmarkRefreshPostgres(b *testing.B) {
	url := pgtest.Database(b)
	a, _ := benchApp(b, func(c *Config) { c.Store, c.DatabaseURL, c.EphemeralKeys, c.DemoUsers = "postgres", url, true, true })
	defer a.close()
	benchRefresh(b, a)
}

// BenchmarkAuthenticateDPoP compares the access path of a bearer token with
// that of a DPoP-bound one: the same token from the verified-token cache,
// plus, for the bound one, a proof verified on every request (its own
// ES256 signature, htm/htu/iat/ath, and the replay cache). Proofs are
// signed before the timer starts, one per request, as a client would.
func BenchmarkAuthenticateDPoP(b *testing.B) {
	a, clk := benchApp(b)
	benchAuthenticateDPoP(b, a, clk)
}

// BenchmarkAuthenticateDPoPPostgres is BenchmarkAuthenticateDPoP with the
// replay cache in PostgreSQL, as several instances share it: one INSERT per
// proof.
func BenchmarkAuthenticateDPoPPostgres(b *testing.B) {
	url := pgtest.Database(b)
	a, clk := benchApp(b, func(c *Config) { c.Store, c.DatabaseURL, c.EphemeralKeys, c.DemoUsers = "postgres", url, true, true })
	defer a.close()
	benchAuthenticateDPoP(b, a, clk)
}

func benchAuthenticateDPoP(b *testing.B, a *App, clk *clock.Frozen) {
	ctx := context.Background()
	key, err := authclient.NewDPoPKey()
	require.NoError(b, err)
	const url = "http://authd.bench/protected/"
	loginProof, err := key.Proof("POST", "http://authd.bench/login/", "", "", clk.Now())
	require.NoError(b, err)
	login := func(dpop domain.ProofRequest) domain.TokenPair {
		pair, err := a.service.Login(ctx, domain.Credentials{Username: "minsu", Password: "1229"}, "", dpop)
		require.NoError(b, err)
		return pair
	}
	bearer := login(domain.ProofRequest{})
	bound := login(domain.ProofRequest{Proof: loginProof, Method: "POST", URL: "http://authd.bench/login/"})

	b.Run("bearer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.service.Authenticate(ctx, bearer.Access, domain.ProofRequest{Method: "GET", URL: url}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("dpop", func(b *testing.B) {
		proofs := make([]string, b.N)
		for i := range proofs {
			if proofs[i], err = key.Proof("GET", url, bound.Access, "", clk.Now()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			req := domain.ProofRequest{Proof: proofs[i], Method: "GET", URL: url, Scheme: domain.DPoPScheme}
			if _, err := a.service.Authenticate(ctx, bound.Access, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Many requests at once, as a loaded instance serves them: what the
	// replay cache's batching is for (in memory it changes nothing).
	b.Run("dpop-parallel", func(b *testing.B) {
		proofs := make([]string, b.N)
		for i := range proofs {
			if proofs[i], err = key.Proof("GET", url, bound.Access, "", clk.Now()); err != nil {
				b.Fatal(err)
			}
		}
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(16)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req := domain.ProofRequest{Proof: proofs[next.Add(1)-1], Method: "GET", URL: url, Scheme: domain.DPoPScheme}
				if _, err := a.service.Authenticate(ctx, bound.Access, req); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
