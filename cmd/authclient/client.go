package authclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authd/authd/ports"
)

// ErrLoggedOut is what every *LoggedOutError is: the session is over and
// only a new login helps.
var ErrLoggedOut = errors.New("authclient: logged out")

// LoggedOutError says why the session ended: the server's error code
// (refresh_token_reused, session_revoked, session_expired, token_expired
// for an expired refresh token, invalid_token), or "no_session" when there
// is no refresh token at all.
type LoggedOutError struct {
	Code    string
	Message string
}

// Error implements error.
func (e *LoggedOutError) Error() string {
	return fmt.Sprintf("authclient: logged out (%s): %s", e.Code, e.Message)
}

// Is makes errors.Is(err, ErrLoggedOut) true.
func (e *LoggedOutError) Is(target error) bool { return target == ErrLoggedOut }

// APIError is any other error answer from authd.
type APIError struct {
	Status  int
	Code    string
	Message string
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("authclient: %d %s: %s", e.Status, e.Code, e.Message)
}

// DefaultRefreshBefore is how long before the access token's exp the
// client refreshes, at most; for short-lived tokens it refreshes when a
// fifth of the lifetime is left.
const DefaultRefreshBefore = 10 * time.Second

// Config configures a Client. BaseURL and Clock are required.
type Config struct {
	BaseURL string
	// Clock decides when a token is due for refresh; clock.System{} from
	// adapters/clock in production.
	Clock ports.Clock
	// Store keeps the pair; a MemoryStore when nil.
	Store TokenStore
	// HTTP talks to authd; a client with a 10 s timeout when nil.
	HTTP *http.Client
	// RefreshBefore is how early to refresh; DefaultRefreshBefore when 0.
	RefreshBefore time.Duration
	// OnRefresh, when set, is called after every successful refresh.
	OnRefresh func(Tokens)
	// DPoP, when set, makes Login send proofs of this key, so the session
	// and its tokens are bound to it (RFC 9449). A pair that was stored
	// with a key goes on using that key, whatever DPoP says.
	DPoP *DPoPKey
}

// Client logs in to authd and keeps its session alive. It is safe for
// concurrent use.
type Client struct {
	cfg       Config
	refreshMu sync.Mutex   // one refresh at a time: the single flight
	nonce     atomic.Value // the last DPoP-Nonce the server sent, a string
}

// New returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" || cfg.Clock == nil {
		return nil, errors.New("authclient: BaseURL and Clock are required")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Store == nil {
		cfg.Store = &MemoryStore{}
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.RefreshBefore <= 0 {
		cfg.RefreshBefore = DefaultRefreshBefore
	}
	return &Client{cfg: cfg}, nil
}

// Tokens returns the stored pair.
func (c *Client) Tokens() (Tokens, error) { return c.cfg.Store.Load() }

// Login logs in and stores the pair, bound to Config.DPoP when it is set.
func (c *Client) Login(ctx context.Context, username, password string) error {
	return c.LoginBound(ctx, username, password, c.cfg.DPoP)
}

// LoginBound logs in with proofs of key, so the pair is bound to it, and
// stores the pair with the key; a nil key logs in for bearer tokens.
func (c *Client) LoginBound(ctx context.Context, username, password string, key *DPoPKey) error {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	t, err := c.tokenCall(ctx, "/login/", body, "", key)
	if err != nil {
		return err
	}
	t.DPoPKey = key
	return c.cfg.Store.Save(t)
}

// Refresh swaps the stored refresh token for a new pair now, whether or
// not it is due, and stores it.
func (c *Client) Refresh(ctx context.Context) (Tokens, error) {
	t, err := c.Tokens()
	if err != nil {
		return Tokens{}, err
	}
	return c.refreshIfCurrent(ctx, t.Access)
}

// Logout ends the session (or with all, every session of the user) and
// forgets the pair.
func (c *Client) Logout(ctx context.Context, all bool) error {
	t, err := c.Tokens()
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{"all": all})
	res, err := c.post(ctx, "/logout/", body, t.Refresh, c.keyFor(t))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		return apiError(res)
	}
	return c.cfg.Store.Save(Tokens{})
}

// AccessToken returns an access token that is not due for refresh,
// refreshing first when it is.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	t, err := c.Tokens()
	if err != nil {
		return "", err
	}
	if t.Refresh == "" {
		return "", &LoggedOutError{Code: "no_session", Message: "log in first"}
	}
	if !c.due(t.Access) {
		return t.Access, nil
	}
	t, err = c.refreshIfCurrent(ctx, t.Access)
	return t.Access, err
}

// due reports whether the access token should be refreshed now.
func (c *Client) due(access string) bool {
	_, claims, err := Decode(access)
	if err != nil {
		return true
	}
	margin := min(c.cfg.RefreshBefore, claims.Lifetime()/5)
	return !c.cfg.Clock.Now().Before(claims.Expiry().Add(-margin))
}

// refreshIfCurrent refreshes unless the stored access token is no longer
// stale, that is, another goroutine refreshed while this one waited. Every
// goroutine that saw the same stale token thus shares one refresh.
func (c *Client) refreshIfCurrent(ctx context.Context, stale string) (Tokens, error) {
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	t, err := c.Tokens()
	if err != nil {
		return Tokens{}, err
	}
	if t.Access != stale && t.Access != "" {
		return t, nil
	}
	if t.Refresh == "" {
		return Tokens{}, &LoggedOutError{Code: "no_session", Message: "log in first"}
	}
	key := c.keyFor(t)
	next, err := c.tokenCall(ctx, "/refresh/", nil, t.Refresh, key)
	var api *APIError
	if errors.As(err, &api) && api.Status == http.StatusUnauthorized {
		_ = c.cfg.Store.Save(Tokens{})
		return Tokens{}, &LoggedOutError{Code: api.Code, Message: api.Message}
	}
	if err != nil {
		return Tokens{}, err
	}
	next.DPoPKey = key
	if err := c.cfg.Store.Save(next); err != nil {
		return Tokens{}, err
	}
	if c.cfg.OnRefresh != nil {
		c.cfg.OnRefresh(next)
	}
	return next, nil
}

// keyFor returns the DPoP key of the stored pair, or of the configuration
// for a new one; nil for bearer tokens.
func (c *Client) keyFor(t Tokens) *DPoPKey {
	if t.DPoPKey != nil {
		return t.DPoPKey
	}
	if t.Refresh == "" {
		return c.cfg.DPoP
	}
	return nil
}

// tokenCall posts to a token endpoint and decodes the pair.
func (c *Client) tokenCall(ctx context.Context, path string, body []byte, token string, key *DPoPKey) (Tokens, error) {
	res, err := c.post(ctx, path, body, token, key)
	if err != nil {
		return Tokens{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return Tokens{}, apiError(res)
	}
	var t Tokens
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&t); err != nil || t.Access == "" || t.Refresh == "" {
		return Tokens{}, fmt.Errorf("authclient: %s: unreadable token response", path)
	}
	return t, nil
}

// post sends a token or logout request, with token in the Authorization
// header and, with a key, a DPoP proof; a use_dpop_nonce answer is
// retried once with the nonce it brought.
func (c *Client) post(ctx context.Context, path string, body []byte, token string, key *DPoPKey) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+path, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		if err := c.authorize(req, token, "", key); err != nil {
			return nil, err
		}
		res, err := c.cfg.HTTP.Do(req)
		if err != nil || attempt > 0 || !c.askedForNonce(res) {
			return res, err
		}
	}
}

// authorize sets the request's Authorization header to the token, as a
// DPoP-bound token with a fresh proof when there is a key. access is the
// access token the proof must hash (resource requests); "" at the token
// endpoints.
func (c *Client) authorize(req *http.Request, token, access string, key *DPoPKey) error {
	if key == nil {
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return nil
	}
	nonce, _ := c.nonce.Load().(string)
	proof, err := key.Proof(req.Method, req.URL.String(), access, nonce, c.cfg.Clock.Now())
	if err != nil {
		return err
	}
	req.Header.Set("DPoP", proof)
	if token != "" {
		req.Header.Set("Authorization", "DPoP "+token)
	}
	return nil
}

// askedForNonce keeps the server's DPoP-Nonce and reports whether the
// response refused the request for want of it (RFC 9449 §8: 400 from a
// token endpoint, 401 from a resource); the response is then consumed.
func (c *Client) askedForNonce(res *http.Response) bool {
	n := res.Header.Get("DPoP-Nonce")
	if n == "" {
		return false
	}
	c.nonce.Store(n)
	if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnauthorized {
		return false
	}
	code, res := peekErrorCode(res)
	if code != "use_dpop_nonce" {
		return false
	}
	res.Body.Close()
	return true
}

// errorBody is authd's error body.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func apiError(res *http.Response) error {
	var b errorBody
	_ = json.NewDecoder(io.LimitReader(res.Body, 64<<10)).Decode(&b)
	return &APIError{Status: res.StatusCode, Code: b.Error, Message: b.Message}
}

// Transport returns an http.RoundTripper that sends requests through base
// (http.DefaultTransport when nil) with the access token, refreshing it
// when due and, once, when the server answers 401 token_expired. A request
// whose body cannot be replayed (no GetBody) is not retried.
func (c *Client) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{c: c, base: base}
}

type transport struct {
	c    *Client
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	access, err := t.c.AccessToken(req.Context())
	if err != nil {
		return nil, err
	}
	tokens, err := t.c.Tokens()
	if err != nil {
		return nil, err
	}
	key := tokens.DPoPKey
	first, err := t.c.withToken(req, access, key)
	if err != nil {
		return nil, err
	}
	res, err := t.base.RoundTrip(first)
	if err != nil || res.StatusCode != http.StatusUnauthorized || (req.Body != nil && req.GetBody == nil) {
		return res, err
	}
	retryWith := access
	if !t.c.askedForNonce(res) {
		code, peeked := peekErrorCode(res)
		if code != "token_expired" {
			return peeked, nil
		}
		peeked.Body.Close()
		next, err := t.c.refreshIfCurrent(req.Context(), access)
		if err != nil {
			return nil, err
		}
		retryWith, key = next.Access, next.DPoPKey
	}
	retry, err := t.c.withToken(req, retryWith, key)
	if err != nil {
		return nil, err
	}
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return t.base.RoundTrip(retry)
}

// withToken returns a copy of req carrying the access token: as a bearer
// token, or with a key as a DPoP-bound token with a fresh proof.
func (c *Client) withToken(req *http.Request, access string, key *DPoPKey) (*http.Request, error) {
	r := req.Clone(req.Context())
	return r, c.authorize(r, access, access, key)
}

// peekErrorCode reads the error code of a JSON error body and gives the
// response back with its body intact.
func peekErrorCode(res *http.Response) (string, *http.Response) {
	data, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(data))
	var b errorBody
	_ = json.Unmarshal(data, &b)
	return b.Error, res
}
