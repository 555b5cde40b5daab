package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeAuth is a hand-written ports.AuthService whose behaviour each test
// sets through function fields.
type fakeAuth struct {
	login        func(ctx context.Context, c domain.Credentials, ip string) (domain.TokenPair, error)
	refresh      func(ctx context.Context, token string) (domain.TokenPair, error)
	authenticate func(ctx context.Context, token string) (domain.Principal, error)
	logout       func(ctx context.Context, token string) error                  // nil: not used
	revoke       func(ctx context.Context, p domain.Principal, id string) error // nil: not used
	lastProof    domain.ProofRequest                                            // what the last call was given
	nonce        string
}

func (f *fakeAuth) Login(ctx context.Context, c domain.Credentials, ip string, dpop domain.ProofRequest) (domain.TokenPair, error) {
	f.lastProof = dpop
	return f.login(ctx, c, ip)
}
func (f *fakeAuth) Refresh(ctx context.Context, token, _ string, dpop domain.ProofRequest) (domain.TokenPair, error) {
	f.lastProof = dpop
	return f.refresh(ctx, token)
}
func (f *fakeAuth) DPoPNonce(context.Context) string { return f.nonce }
func (f *fakeAuth) Introspect(context.Context, string, domain.TokenKind) (domain.Claims, error) {
	return domain.Claims{}, errors.New("not used")
}
func (f *fakeAuth) Revoke(context.Context, string, string, domain.TokenKind, domain.ProofRequest) error {
	return errors.New("not used")
}
func (f *fakeAuth) Authenticate(ctx context.Context, token string, dpop domain.ProofRequest) (domain.Principal, error) {
	f.lastProof = dpop
	return f.authenticate(ctx, token)
}
func (f *fakeAuth) Logout(ctx context.Context, token, _ string, _ bool, dpop domain.ProofRequest) error {
	if f.logout == nil {
		return errors.New("not used")
	}
	f.lastProof = dpop
	return f.logout(ctx, token)
}
func (f *fakeAuth) Sessions(context.Context, domain.Principal) ([]domain.SessionInfo, error) {
	return nil, errors.New("not used")
}
func (f *fakeAuth) RevokeSession(ctx context.Context, p domain.Principal, id string) error {
	if f.revoke == nil {
		return errors.New("not used")
	}
	return f.revoke(ctx, p, id)
}

// recordingLog is a ports.Logger that keeps every line as text.
type recordingLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingLog) add(level, msg string, fs []ports.Field) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s %v", level, msg, fs))
}
func (l *recordingLog) Info(msg string, fs ...ports.Field)  { l.add("info", msg, fs) }
func (l *recordingLog) Warn(msg string, fs ...ports.Field)  { l.add("warn", msg, fs) }
func (l *recordingLog) Error(msg string, fs ...ports.Field) { l.add("error", msg, fs) }
func (l *recordingLog) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

type stillClock struct{}

// testPublicURL is the public URL of the handlers the tests build.
const testPublicURL = "http://authd.test"

func (stillClock) Now() time.Time { return time.Unix(0, 0) }

func serve(t *testing.T, auth *fakeAuth, ready func(context.Context) error) (http.Handler, *recordingLog) {
	t.Helper()
	log := &recordingLog{}
	h, err := NewHandler(Deps{Auth: auth, Logger: log, Stopwatch: stillClock{}, Ready: ready, PublicURL: testPublicURL})
	require.NoError(t, err)
	return h, log
}

func TestNewHandlerRefusesMissingDeps(t *testing.T) {
	t.Parallel()
	_, err := NewHandler(Deps{})
	assert.Error(t, err)
}

func TestErrorsThatNeedAFailingDependency(t *testing.T) {
	t.Parallel()
	secret := "db password=hunter2 at 10.0.0.1"
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"unavailable", fmt.Errorf("hash queue: %w", domain.ErrUnavailable), 503, "unavailable"},
		{"rate_limited", &domain.RateLimitError{RetryAfter: 1500 * time.Millisecond}, 429, "rate_limited"},
		{"internal", errors.New(secret), 500, "internal_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, log := serve(t, &fakeAuth{login: func(context.Context, domain.Credentials, string) (domain.TokenPair, error) {
				return domain.TokenPair{}, tc.err
			}}, nil)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "/login/", strings.NewReader(`{"username":"a","password":"b"}`))
			req.Header.Set("Content-Type", "application/json")
			h.ServeHTTP(rec, req)
			assert.Equal(t, tc.status, rec.Code)
			assert.Contains(t, rec.Body.String(), `"error":"`+tc.code+`"`)
			assert.NotContains(t, rec.Body.String(), "hunter2", "no internals in the body")
			switch tc.code {
			case "rate_limited":
				assert.Equal(t, "2", rec.Header().Get("Retry-After"), "rounded up to whole seconds")
			case "unavailable":
				assert.Equal(t, "1", rec.Header().Get("Retry-After"))
			}
			if tc.status == 500 {
				assert.Contains(t, log.all(), "error request failed")
				assert.Contains(t, log.all(), "hunter2", "internal errors are logged for the operator")
			} else {
				assert.NotContains(t, log.all(), "error request failed", "only internal errors are logged at error level")
			}
		})
	}
}

func TestPanicBecomesInternalError(t *testing.T) {
	t.Parallel()
	h, log := serve(t, &fakeAuth{authenticate: func(context.Context, string) (domain.Principal, error) {
		panic("boom")
	}}, nil)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/protected/", nil)
	req.Header.Set("Authorization", "Bearer x.y.z")
	h.ServeHTTP(rec, req)
	assert.Equal(t, 500, rec.Code)
	assert.JSONEq(t, `{"error":"internal_error","message":"서버 내부 오류가 발생했습니다."}`, rec.Body.String())
	assert.Contains(t, log.all(), "boom")
	assert.NotContains(t, log.all(), "x.y.z", "the token is never logged")
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	down := errors.New("store down")
	var err error
	h, _ := serve(t, &fakeAuth{}, func(context.Context) error { return err })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	assert.Equal(t, 200, rec.Code)
	err = down
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	assert.Equal(t, 503, rec.Code)
	assert.Contains(t, rec.Body.String(), `"unavailable"`)
}

// TestAccessLogNeverHoldsSecrets sends credentials and tokens every way a
// client can and checks that the log has the request's shape and none of
// its secrets.
func TestAccessLogNeverHoldsSecrets(t *testing.T) {
	t.Parallel()
	h, log := serve(t, &fakeAuth{
		login: func(context.Context, domain.Credentials, string) (domain.TokenPair, error) {
			return domain.TokenPair{Access: "ACCESS-SECRET", Refresh: "REFRESH-SECRET", UserID: "2"}, nil
		},
		refresh: func(context.Context, string) (domain.TokenPair, error) {
			return domain.TokenPair{}, domain.ErrRefreshReused
		},
		authenticate: func(context.Context, string) (domain.Principal, error) {
			return domain.Principal{UserID: "2", Username: "minsu"}, nil
		},
	}, nil)
	send := func(method, path, body string, headers ...string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		for _, hd := range headers {
			k, v, _ := strings.Cut(hd, ": ")
			req.Header.Set(k, v)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	send("POST", "/login/", `{"username":"minsu","password":"PASSWORD-SECRET"}`, "Content-Type: application/json")
	send("POST", "/refresh/", `{"refresh":"BODY-TOKEN-SECRET"}`, "Content-Type: application/json")
	send("POST", "/refresh/", "", "Authorization: Bearer HEADER-TOKEN-SECRET")
	send("GET", "/protected/?token=QUERY-SECRET", "", "Authorization: Bearer PROTECTED-TOKEN-SECRET")
	out := log.all()
	for _, secret := range []string{"SECRET", "Authorization", "Bearer"} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "route /login")
	assert.Contains(t, out, "route /protected")
	assert.Contains(t, out, "user_id 2")
	assert.Contains(t, out, "status 401")
	assert.Contains(t, out, "request_id")
}

func TestPrefersEnglish(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]bool{
		"":                         false,
		"en":                       true,
		"EN-gb":                    true,
		"ko":                       false,
		"ko, en":                   false,
		"en, ko":                   true,
		"ko;q=0.8, en;q=0.9":       true,
		"ko;q=0.9, en;q=0.9":       false,
		"en;q=0":                   false,
		"en;q=abc":                 false,
		"fr, de":                   false,
		"fr;q=1, en;q=0.1":         true,
		"*":                        false,
		" en-US ; q=0.7 , ko;q=.5": true,
	} {
		assert.Equal(t, want, prefersEnglish(header), "%q", header)
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	for _, tc := range []struct {
		name, peer, xff, want string
		ips                   []netip.Prefix
	}{
		{"no proxies trusted", "192.0.2.1:5555", "198.51.100.1", "192.0.2.1", nil},
		{"untrusted peer", "192.0.2.1:5555", "198.51.100.1", "192.0.2.1", trusted},
		{"trusted peer", "10.1.1.1:5555", "198.51.100.1", "198.51.100.1", trusted},
		{"client-written entries are skipped", "10.1.1.1:5555", "6.6.6.6, 198.51.100.1", "198.51.100.1", trusted},
		{"a chain of trusted proxies", "10.1.1.1:5555", "198.51.100.1, 10.2.2.2", "198.51.100.1", trusted},
		{"garbage stops the walk", "10.1.1.1:5555", "198.51.100.1, nonsense", "10.1.1.1", trusted},
		{"no header", "127.0.0.1:5555", "", "127.0.0.1", trusted},
		{"IPv4-mapped IPv6 peer", "[::ffff:192.0.2.1]:5555", "", "192.0.2.1", trusted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/login/", nil)
			r.RemoteAddr = tc.peer
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			var got string
			clientIPs(tc.ips)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = clientIP(r) })).ServeHTTP(httptest.NewRecorder(), r)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	log := &recordingLog{}
	auth := &fakeAuth{authenticate: func(context.Context, string) (domain.Principal, error) {
		return domain.Principal{}, domain.ErrTokenMissing
	}}
	h, err := NewHandler(Deps{Auth: auth, Logger: log, Stopwatch: stillClock{}, CORSOrigins: []string{"https://app.example"}, PublicURL: testPublicURL})
	require.NoError(t, err)

	pre := httptest.NewRequest("OPTIONS", "/protected/", nil)
	pre.Header.Set("Origin", "https://app.example")
	pre.Header.Set("Access-Control-Request-Method", "GET")
	pre.Header.Set("Access-Control-Request-Headers", "Authorization")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, pre)
	assert.Less(t, rec.Code, 300, "a preflight is never 401")
	assert.Equal(t, "https://app.example", rec.Header().Get("Access-Control-Allow-Origin"))
	assert.Contains(t, strings.ToLower(rec.Header().Get("Access-Control-Allow-Headers")), "authorization")

	get := httptest.NewRequest("GET", "/protected/", nil)
	get.Header.Set("Origin", "https://app.example")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, get)
	assert.Equal(t, 401, rec.Code)
	assert.Equal(t, "https://app.example", rec.Header().Get("Access-Control-Allow-Origin"))
	assert.Contains(t, rec.Header().Get("Access-Control-Expose-Headers"), "Www-Authenticate")

	evil := httptest.NewRequest("GET", "/protected/", nil)
	evil.Header.Set("Origin", "https://evil.example")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, evil)
	assert.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"))

	plain, _ := serve(t, auth, nil)
	rec = httptest.NewRecorder()
	plain.ServeHTTP(rec, get)
	assert.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"), "no origins, no CORS")
}

// TestTwoDPoPHeadersAreRefused: before any use case runs.
func TestTwoDPoPHeadersAreRefused(t *testing.T) {
	t.Parallel()
	auth := &fakeAuth{authenticate: func(context.Context, string) (domain.Principal, error) {
		return domain.Principal{UserID: "2", Username: "minsu"}, nil
	}}
	h, _ := serve(t, auth, nil)
	req := httptest.NewRequest("GET", "/protected/", nil)
	req.Header.Set("Authorization", "DPoP a.b.c")
	req.Header.Add("DPoP", "one")
	req.Header.Add("DPoP", "two")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, 401, rec.Code)
	assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `DPoP realm="authd", algs="ES256 EdDSA Ed25519", error="invalid_dpop_proof"`)
}
