package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/authd/authd/domain"
)

// The grant types of the token endpoint (RFC 6749 §4.1, §4.3 and §6).
const (
	GrantAuthorizationCode = domain.GrantAuthorizationCode
	GrantPassword          = domain.GrantPassword
	GrantRefreshToken      = domain.GrantRefreshToken
	GrantClientCredentials = domain.GrantClientCredentials
)

// DefaultClientID is the public client that may use both grants when no
// clients file is configured.
const DefaultClientID = "authd"

// OAuthClient is a client of the OAuth endpoints: domain.Client, whose
// methods decide what it may do (grants, redirect URIs, scopes).
type OAuthClient = domain.Client

// DefaultOAuthClients is the client list without a clients file: the
// public client "authd" with both grants and no introspection.
func DefaultOAuthClients() []OAuthClient {
	return []OAuthClient{{ID: DefaultClientID, Grants: []string{GrantPassword, GrantRefreshToken}}}
}

// clientFile is one entry of AUTH_OAUTH_CLIENTS_FILE; the names are RFC
// 7591's where it has one.
type clientFile struct {
	ID                     *string  `json:"client_id"`
	SecretSHA256           string   `json:"client_secret_sha256"`
	Grants                 []string `json:"grant_types"`
	Introspect             bool     `json:"introspect"`
	RedirectURIs           []string `json:"redirect_uris"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris"`
	Scope                  string   `json:"scope"`
	FirstParty             bool     `json:"first_party"`
	IDTokenAlg             string   `json:"id_token_signed_response_alg"`
}

// ParseOAuthClients reads a clients file: a JSON array of objects with
// client_id, client_secret_sha256 (hex; absent for a public client),
// grant_types, introspect, and for the authorization code grant
// redirect_uris, post_logout_redirect_uris, scope (space-separated, the
// scopes the client may ask for), first_party and
// id_token_signed_response_alg. Unknown fields, unknown grants, duplicate
// ids, malformed hashes, introspect on a public client, a redirect URI
// that cannot be one (domain.CheckRedirectURI), and the code grant
// without redirect URIs or without first_party (authd has no consent
// screen, so only first-party clients may use it) are errors.
func ParseOAuthClients(data []byte) ([]OAuthClient, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var entries []clientFile
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("not a JSON array of clients: %w", err)
	}
	seen := map[string]bool{}
	out := make([]OAuthClient, 0, len(entries))
	for i, e := range entries {
		if e.ID == nil || *e.ID == "" {
			return nil, fmt.Errorf("client %d: client_id is required", i)
		}
		if seen[*e.ID] {
			return nil, fmt.Errorf("client %q: listed twice", *e.ID)
		}
		seen[*e.ID] = true
		c, err := e.client()
		if err != nil {
			return nil, fmt.Errorf("client %q: %w", *e.ID, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// client checks one entry and returns its client.
func (e clientFile) client() (OAuthClient, error) {
	c := OAuthClient{ID: *e.ID, Introspect: e.Introspect, Grants: e.Grants, FirstParty: e.FirstParty, IDTokenAlg: e.IDTokenAlg,
		RedirectURIs: e.RedirectURIs, PostLogoutRedirectURIs: e.PostLogoutRedirectURIs, Scopes: strings.Fields(e.Scope)}
	if e.SecretSHA256 != "" {
		sum, err := hex.DecodeString(e.SecretSHA256)
		if err != nil || len(sum) != sha256.Size {
			return c, errors.New("client_secret_sha256 must be 64 hex digits (authd client-secret prints it)")
		}
		c.SecretSHA256 = sum
	}
	for _, sc := range c.Scopes {
		if !domain.ValidScopeToken(sc) {
			return c, fmt.Errorf("scope %q has a character RFC 6749 §3.3 does not allow in a scope", sc)
		}
	}
	for _, g := range e.Grants {
		if g != GrantPassword && g != GrantRefreshToken && g != GrantAuthorizationCode && g != GrantClientCredentials {
			return c, fmt.Errorf("grant type %q is not authorization_code, client_credentials, password or refresh_token", g)
		}
	}
	if c.Allows(GrantClientCredentials) && c.SecretSHA256 == nil {
		// RFC 6749 §4.4: only a confidential client; a public client's
		// client_id is no secret, anyone could get its tokens.
		return c, errors.New("client_credentials needs a confidential client (a client_secret_sha256)")
	}
	if c.Introspect && c.SecretSHA256 == nil {
		// Introspection answers who a token belongs to (sub, username,
		// sid, jti); a public client's client_id is no secret, so it
		// would answer that to anyone holding a token.
		return c, errors.New("introspect needs a confidential client (a client_secret_sha256); a public client cannot introspect")
	}
	for _, u := range append(slices.Clone(c.RedirectURIs), c.PostLogoutRedirectURIs...) {
		if why := domain.CheckRedirectURI(u); why != "" {
			return c, fmt.Errorf("redirect URI %q %s", u, why)
		}
	}
	if c.Allows(GrantAuthorizationCode) {
		switch {
		case len(c.RedirectURIs) == 0:
			return c, errors.New("authorization_code needs redirect_uris")
		case !c.FirstParty:
			return c, errors.New("authorization_code needs first_party: true (authd has no consent screen for third-party clients yet)")
		}
	}
	return c, nil
}

// NewClientSecret returns a new random client secret (256 bits, base64url)
// and the hex SHA-256 to put in the clients file.
func NewClientSecret() (secret, sha256Hex string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	secret = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(secret))
	return secret, hex.EncodeToString(sum[:])
}

// oauthClients authenticates the clients of the OAuth endpoints.
type oauthClients struct {
	byID map[string]OAuthClient
}

func newOAuthClients(list []OAuthClient) oauthClients {
	if list == nil {
		list = DefaultOAuthClients()
	}
	m := make(map[string]OAuthClient, len(list))
	for _, c := range list {
		m[c.ID] = c
	}
	return oauthClients{byID: m}
}

// scopes returns every scope some client may ask for, sorted, openid
// first, for the metadata's scopes_supported.
func (c oauthClients) scopes() []string {
	set := map[string]bool{}
	for _, cl := range c.byID {
		for _, sc := range cl.Scopes {
			set[sc] = true
		}
	}
	out := make([]string, 0, len(set))
	for sc := range set {
		out = append(out, sc)
	}
	slices.SortFunc(out, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == domain.ScopeOpenID:
			return -1
		case b == domain.ScopeOpenID:
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

// anyAllows reports whether some client may use the grant.
func (c oauthClients) anyAllows(grant string) bool {
	for _, cl := range c.byID {
		if cl.Allows(grant) {
			return true
		}
	}
	return false
}

// dummySecret is compared against when the client is unknown, so an unknown
// client_id costs the same as a wrong secret.
var dummySecret = sha256.Sum256([]byte("authd: no such client"))

// authenticate finds and checks the client of a request (RFC 6749 §2.3.1):
// HTTP Basic with the form-encoded id and secret, or client_id and
// client_secret in the body, never both. It returns errInvalidClient for a
// missing, unknown or wrongly authenticated client and a
// *domain.RequestError when two methods are used at once.
func (c oauthClients) authenticate(r *http.Request, form url.Values) (OAuthClient, error) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return OAuthClient{}, errInvalidClient
		}
		if form.Has("client_secret") || (form.Has("client_id") && form.Get("client_id") != id) {
			return OAuthClient{}, &domain.RequestError{Reason: "the client authenticated in both the Authorization header and the body"}
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if id == "" {
		return OAuthClient{}, errInvalidClient
	}
	client, known := c.byID[id]
	want := dummySecret[:]
	if known && client.SecretSHA256 != nil {
		want = client.SecretSHA256
	}
	got := sha256.Sum256([]byte(secret))
	match := subtle.ConstantTimeCompare(got[:], want) == 1
	switch {
	case !known:
		return OAuthClient{}, errInvalidClient
	case client.SecretSHA256 == nil && secret != "":
		return OAuthClient{}, errInvalidClient // a public client has no secret to present
	case client.SecretSHA256 != nil && !match:
		return OAuthClient{}, errInvalidClient
	}
	return client, nil
}

// errors of OAuth client authentication and grant selection; they have rows
// in errors.go like every other error.
var (
	errInvalidClient      = errors.New("invalid client")
	errUnauthorizedClient = domain.ErrUnauthorizedClient
	errUnsupportedGrant   = errors.New("unsupported grant type")
)
