package harness

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/authd/authd/cmd/internal/authd"
	"github.com/stretchr/testify/require"
)

// oidcClients is the clients file of the code flow's tests: a public
// first-party client (a single-page or native app), a confidential one (a
// web server, oauth2-proxy) and a second public one, for single sign-on.
const oidcClients = `[
 {"client_id": "spa", "grant_types": ["authorization_code", "refresh_token"], "first_party": true,
  "redirect_uris": ["https://app.example/cb", "http://127.0.0.1/native/cb"],
  "post_logout_redirect_uris": ["https://app.example/bye"], "scope": "openid profile offline_access"},
 {"client_id": "web", "client_secret_sha256": "` + webSecretSHA256 + `", "grant_types": ["authorization_code", "refresh_token"],
  "first_party": true, "redirect_uris": ["https://web.example/oauth2/callback"], "scope": "openid profile email"},
 {"client_id": "other", "grant_types": ["authorization_code"], "first_party": true,
  "redirect_uris": ["https://other.example/cb"], "scope": "openid"},
 {"client_id": "authd", "grant_types": ["password", "refresh_token"]}
]`

// WebSecret is the confidential client's secret; webSecretSHA256 its hash.
const (
	WebSecret       = "web-client-secret-for-tests-only-0123456789"
	webSecretSHA256 = "4f1c0b80b3ffe1a0a2a4d33f7bb81e0ae5d67e8e0d5b8b2cb84a1b1b7d2b1e66"
)

// WithOIDCClients configures the code flow's clients.
func WithOIDCClients(t *testing.T) func(*authd.Config) {
	path := filepath.Join(t.TempDir(), "clients.json")
	sum := sha256.Sum256([]byte(WebSecret))
	data := strings.Replace(oidcClients, webSecretSHA256, strings.ToLower(hexOf(sum[:])), 1)
	require.NoError(t, os.WriteFile(path, []byte(data), 0o600))
	return func(c *authd.Config) { c.OAuthClients = path }
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, digits[x>>4], digits[x&15])
	}
	return string(out)
}

// Browser is a scripted browser: a cookie jar, redirects not followed.
type Browser struct {
	t    *testing.T
	c    *http.Client
	URL  string // the base paths are relative to, and the Origin forms are posted with
	Lang string // Accept-Language on every request, as a browser sends it
}

// NewBrowser returns a browser with an empty cookie jar.
func NewBrowser(t *testing.T, base string) *Browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &Browser{t: t, URL: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Page is a response as the browser got it.
type Page struct {
	Status int
	Header http.Header
	Body   string
}

// Get fetches a path (or a URL).
func (b *Browser) Get(path string, headers ...string) Page {
	b.t.Helper()
	return b.Send("GET", path, "", headers...)
}

// Send sends a request; a body is form-encoded.
func (b *Browser) Send(method, path, body string, headers ...string) Page {
	b.t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = b.URL + path
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	require.NoError(b.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.Lang != "" {
		req.Header.Set("Accept-Language", b.Lang)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return Page{res.StatusCode, res.Header, string(raw)}
}

// The login page's form, as a script finds it.
var (
	FormAction = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	csrfField  = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

// Submit posts the login page's form with the credentials.
func (b *Browser) Submit(p Page, username, password string) Page {
	b.t.Helper()
	action, csrf := FormAction.FindStringSubmatch(p.Body), csrfField.FindStringSubmatch(p.Body)
	require.NotNil(b.t, action, p.Body)
	require.NotNil(b.t, csrf, p.Body)
	form := url.Values{"csrf_token": {csrf[1]}, "username": {username}, "password": {password}}
	return b.Send("POST", html.UnescapeString(action[1]), form.Encode(), "Origin: "+b.URL)
}

// PKCE returns a verifier and its S256 challenge.
func PKCE() (verifier, challenge string) {
	verifier = randomString()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomString() string {
	var b [32]byte
	f, _ := os.Open("/dev/urandom")
	defer f.Close()
	_, _ = io.ReadFull(f, b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// AuthorizeURL is an authorization request of the client with the usual
// parameters (state st-1, nonce no-1, scope openid profile), extra pairs
// set after.
func AuthorizeURL(client, redirect, challenge string, extra ...string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {redirect}, "scope": {"openid profile"},
		"state": {"st-1"}, "nonce": {"no-1"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	if client == "other" {
		q.Set("scope", "openid")
	}
	return "/oauth/authorize?" + q.Encode()
}

// Redirected returns the query of a 303 to the redirect URI.
func Redirected(t *testing.T, p Page, redirect string) url.Values {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	loc := p.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, redirect+"?"), loc)
	u, err := url.Parse(loc)
	require.NoError(t, err)
	return u.Query()
}

// CookieNamed returns the cookie a response set, or nil.
func CookieNamed(h http.Header, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}
