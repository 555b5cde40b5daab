// Package authdtest runs a real authd inside a Go test, on a loopback port
// and a clock the test moves, so that a client's or a service's expiry
// handling can be tested to the second without sleeping:
//
//	srv := authdtest.Start(t)
//	pair := srv.Login(t, "minsu", "1229")
//	srv.Advance(time.Minute) // the access token has now expired
//
// The server is the one cmd/authd serves: Start builds it through the same
// composition root (cmd/internal/authd), with the same handler, use cases
// and adapters, and the in-memory store. Each server has its own store,
// keys and clock, so parallel tests do not see each other; t.Cleanup stops
// it and waits until every goroutine it started has ended.
//
// The clock is authd's development clock, frozen at the start instant:
// Advance, Set and Now move and read it from Go, and the server also
// serves /dev/clock/ for code that is not Go. Without options the server
// has the contract's defaults (access 1 minute, refresh 5 minutes, session
// 24 hours, EdDSA with a fresh key) and the three demo users.
package authdtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/argon2"
	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/cmd/internal/authd"
)

// Server is a running authd.
type Server struct {
	// URL is the server's base URL, such as http://127.0.0.1:40123: its
	// public URL, the one its metadata names and its DPoP proofs must name.
	URL   string
	clock *clock.Dev
	http  *http.Client
}

// User is an account of the server's user store.
type User struct {
	ID, Username, Password string
}

// settings collect what the options set.
type settings struct {
	cfg      authd.Config
	start    time.Time
	users    []User
	logs     io.Writer
	realTime bool
}

// Option changes the server Start starts.
type Option func(*settings)

// WithUsers replaces the demo users with these.
func WithUsers(users ...User) Option { return func(s *settings) { s.users = users } }

// WithAccessTTL sets the access token lifetime (AUTH_ACCESS_TTL).
func WithAccessTTL(d time.Duration) Option {
	return func(s *settings) { s.cfg.Policy.AccessTTL = d }
}

// WithRefreshTTL sets the refresh token lifetime (AUTH_REFRESH_TTL).
func WithRefreshTTL(d time.Duration) Option {
	return func(s *settings) { s.cfg.Policy.RefreshTTL = d }
}

// WithSessionMaxAge sets the absolute session lifetime
// (AUTH_SESSION_MAX_AGE).
func WithSessionMaxAge(d time.Duration) Option {
	return func(s *settings) { s.cfg.Policy.SessionMaxAge = d }
}

// WithReuseGrace sets the refresh reuse grace window
// (AUTH_REFRESH_REUSE_GRACE).
func WithReuseGrace(d time.Duration) Option {
	return func(s *settings) { s.cfg.Policy.ReuseGrace = d }
}

// WithAlgorithm signs with a fresh key of the algorithm: EdDSA, ES256 or
// RS256 (for HS256 use WithHMACSecret).
func WithAlgorithm(alg string) Option { return func(s *settings) { s.cfg.JWTAlg = alg } }

// WithHMACSecret signs with HS256 and the secret (at least 32 bytes).
func WithHMACSecret(secret string) Option {
	return func(s *settings) { s.cfg.JWTAlg, s.cfg.JWTSecret = "HS256", secret }
}

// WithKeysFile signs with the keys of a JWK Set file (AUTH_JWT_KEYS_FILE,
// as authd keygen prints it); alg is their algorithm. Servers started with
// the same file issue tokens the other accepts.
func WithKeysFile(path, alg string) Option {
	return func(s *settings) { s.cfg.JWTKeysFile, s.cfg.JWTAlg = path, alg }
}

// WithClientsFile serves the OAuth clients of the file
// (AUTH_OAUTH_CLIENTS_FILE), such as a client_credentials client for a
// service-to-service test.
func WithClientsFile(path string) Option { return func(s *settings) { s.cfg.OAuthClients = path } }

// WithStart freezes the clock at t instead of the current second.
func WithStart(t time.Time) Option { return func(s *settings) { s.start = t } }

// WithRealTime runs the clock on real time from the start (it can still be
// frozen with Set or moved with Advance), for clients that judge expiry by
// their own wall clock.
func WithRealTime() Option { return func(s *settings) { s.realTime = true } }

// WithSeed makes session ids, and with them every token, repeat run after
// run (AUTH_DEV_SEED): with the same keys, start instant, seed and request
// sequence, two servers answer byte for byte the same.
func WithSeed(seed string) Option { return func(s *settings) { s.cfg.DevSeed = seed } }

// WithDPoPRequired makes DPoP required (AUTH_DPOP=required): no login,
// refresh or access token without a proof. By default DPoP is optional:
// a login with a proof gets bound tokens, one without gets bearer tokens.
func WithDPoPRequired() Option { return func(s *settings) { s.cfg.DPoPMode = "required" } }

// WithDPoPNonce makes DPoP proofs carry a server nonce (AUTH_DPOP_NONCE).
func WithDPoPNonce() Option { return func(s *settings) { s.cfg.DPoPNonce = true } }

// WithLogs sends the server's log lines to w (by default they are
// dropped).
func WithLogs(w io.Writer) Option { return func(s *settings) { s.logs = w } }

// Start starts an authd for the test and stops it when the test ends. It
// fails the test when the server cannot start.
func Start(t testing.TB, options ...Option) *Server {
	t.Helper()
	cfg, err := authd.LoadConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("authdtest: %v", err)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.DevClock = true
	cfg.HashQueueWait = 10 * time.Second // no calibration hash at start; tests wait rather than see 503
	cfg.LogLevel = "warn"
	st := &settings{cfg: cfg, start: clock.System{}.Now().Truncate(time.Second), logs: io.Discard}
	for _, o := range options {
		o(st)
	}
	if st.users != nil {
		path, err := usersFile(t.TempDir(), st.users)
		if err != nil {
			t.Fatalf("authdtest: users: %v", err)
		}
		st.cfg.UsersFile = path
	}
	if err := authd.Check(st.cfg); err != nil {
		t.Fatalf("authdtest: %v", err)
	}
	dev := clock.NewDev()
	if !st.realTime {
		dev.Set(st.start)
	}
	// As the command does: listen, which decides the public URL, then
	// build.
	ln, _, err := authd.Listen(&st.cfg)
	if err != nil {
		t.Fatalf("authdtest: %v", err)
	}
	app, err := authd.Build(st.cfg, dev, st.logs)
	if err != nil {
		ln.Close()
		t.Fatalf("authdtest: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln, nil) }()
	transport := &http.Transport{}
	s := &Server{URL: st.cfg.PublicURL, clock: dev, http: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("authdtest: stop: %v", err)
		}
	})
	return s
}

// usersFile writes an AUTH_USERS_FILE with the users' passwords hashed.
func usersFile(dir string, users []User) (string, error) {
	type entry struct {
		ID           string `json:"id"`
		Username     string `json:"username"`
		PasswordHash string `json:"password_hash"`
	}
	h := argon2.New(argon2.OWASP(), 1, time.Minute)
	list := make([]entry, 0, len(users))
	for _, u := range users {
		hash, err := h.Hash(context.Background(), u.Password)
		if err != nil {
			return "", err
		}
		list = append(list, entry{u.ID, u.Username, hash})
	}
	data, err := json.Marshal(list)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "users.json")
	return path, os.WriteFile(path, data, 0o600)
}

// Now returns the server's current instant.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Set moves the server's clock to t, and keeps it frozen there.
func (s *Server) Set(t time.Time) { s.clock.Set(t) }

// Advance moves the server's clock forward by d. Time does not run
// backwards: a negative d panics (use Set to go back on purpose).
func (s *Server) Advance(d time.Duration) {
	if err := s.clock.Advance(d); err != nil {
		panic("authdtest: Advance: " + err.Error())
	}
}

// Client returns an HTTP client for the server, closed with it.
func (s *Server) Client() *http.Client { return s.http }

// Pair is a token response of /login/ or /refresh/.
type Pair struct {
	Access           string `json:"access"`
	Refresh          string `json:"refresh"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
}

// Login logs in through POST /login/ and returns the pair; it fails the test
// on anything but 200.
func (s *Server) Login(t testing.TB, username, password string) Pair {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	return s.pair(t, "/login/", string(body), "")
}

// Refresh swaps the refresh token for a new pair through POST /refresh/; it
// fails the test on anything but 200. Use Do to see refusals.
func (s *Server) Refresh(t testing.TB, refresh string) Pair {
	t.Helper()
	return s.pair(t, "/refresh/", "", refresh)
}

func (s *Server) pair(t testing.TB, path, body, token string) Pair {
	t.Helper()
	status, raw, err := s.Do("POST", path, body, token)
	if err != nil {
		t.Fatalf("authdtest: POST %s: %v", path, err)
	}
	if status != http.StatusOK {
		t.Fatalf("authdtest: POST %s: %d %s", path, status, raw)
	}
	var p Pair
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("authdtest: POST %s: %v", path, err)
	}
	return p
}

// Do sends a request with an optional JSON body and bearer token and
// returns the status and the body.
func (s *Server) Do(method, path, body, token string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res.StatusCode, raw, err
}
