package authclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/authd/authd/ports"
)

// ClientCredentialsConfig configures a ClientCredentials. TokenURL,
// ClientID, ClientSecret and Clock are required.
type ClientCredentialsConfig struct {
	// TokenURL is authd's token endpoint, such as
	// http://authd:5000/oauth/token.
	TokenURL               string
	ClientID, ClientSecret string
	// Scope is the space-separated scope to ask for; empty asks for every
	// scope the client is registered for.
	Scope string
	// Clock decides when the token is due; clock.System{} in production.
	Clock ports.Clock
	// HTTP talks to authd; a client with a 10 s timeout when nil.
	HTTP *http.Client
	// Base carries the requests the token is added to;
	// http.DefaultTransport when nil.
	Base http.RoundTripper
	// RenewBefore is how long before expiry a new token is fetched, at
	// most a fifth of its lifetime; DefaultRefreshBefore when 0.
	RenewBefore time.Duration
}

// ClientCredentials is an http.RoundTripper for service-to-service calls:
// it fetches a service token with the client_credentials grant (RFC 6749
// §4.4), adds it to every request as a Bearer token, and fetches the next
// one when the current one is due, once however many goroutines ask (the
// others wait for that fetch and share its token). It is safe for
// concurrent use.
type ClientCredentials struct {
	cfg ClientCredentialsConfig

	mu    sync.Mutex // held across a fetch: the single flight
	token string
	due   time.Time // when to fetch the next one
}

// NewClientCredentials returns the round tripper; no token is fetched
// before the first request.
func NewClientCredentials(cfg ClientCredentialsConfig) (*ClientCredentials, error) {
	if cfg.TokenURL == "" || cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.Clock == nil {
		return nil, errors.New("authclient: TokenURL, ClientID, ClientSecret and Clock are required")
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Base == nil {
		cfg.Base = http.DefaultTransport
	}
	if cfg.RenewBefore <= 0 {
		cfg.RenewBefore = DefaultRefreshBefore
	}
	return &ClientCredentials{cfg: cfg}, nil
}

// RoundTrip sends a copy of the request with the service token in its
// Authorization header.
func (c *ClientCredentials) RoundTrip(req *http.Request) (*http.Response, error) {
	token, err := c.Token(req.Context())
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // RoundTrip must close the body, even on errors
		}
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Header.Set("Authorization", "Bearer "+token)
	return c.cfg.Base.RoundTrip(out)
}

// Token returns a service token that is not due, fetching one first when
// it is. An answer other than a token is an *APIError.
func (c *ClientCredentials) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.cfg.Clock.Now()
	if c.token != "" && now.Before(c.due) {
		return c.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if c.cfg.Scope != "" {
		form.Set("scope", c.cfg.Scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// RFC 6749 §2.3.1: the id and secret form-encoded, then HTTP Basic.
	req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret))
	res, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", oauthError(res)
	}
	var t struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&t); err != nil || t.AccessToken == "" || t.ExpiresIn <= 0 {
		return "", errors.New("authclient: unreadable client_credentials response")
	}
	// expires_in counts from the answer; the clock read before the request
	// makes the token due no later than it really is.
	lifetime := time.Duration(t.ExpiresIn) * time.Second
	c.token = t.AccessToken
	c.due = now.Add(lifetime - min(c.cfg.RenewBefore, lifetime/5))
	return c.token, nil
}

// oauthError reads an RFC 6749 §5.2 error answer.
func oauthError(res *http.Response) error {
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.NewDecoder(io.LimitReader(res.Body, 64<<10)).Decode(&body)
	return &APIError{Status: res.StatusCode, Code: body.Error, Message: body.Description}
}
