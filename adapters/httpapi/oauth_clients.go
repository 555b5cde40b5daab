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

// The grant types of the token endpoint (RFC 6749 §4.3 and §6).
const (
	GrantPassword     = "password"
	GrantRefreshToken = "refresh_token"
)

// DefaultClientID is the public client that may use both grants when no
// clients file is configured.
const DefaultClientID = "authd"

// OAuthClient is a client of the OAuth 2.0 endpoints (RFC 6749 §2). A client
// without a secret hash is public: it identifies itself by client_id alone.
type OAuthClient struct {
	ID string
	// SecretSHA256 is the SHA-256 of the client secret, or nil for a public
	// client. Client secrets are random and high-entropy, so a fast hash
	// compared in constant time is as strong as a password hash here and
	// costs microseconds instead of an argon2id slot per request.
	SecretSHA256 []byte
	// Grants are the grant types the client may use.
	Grants []string
	// Introspect allows the client to call the introspection endpoint.
	Introspect bool
}

// DefaultOAuthClients is the client list without a clients file: the
// public client "authd" with both grants and no introspection.
func DefaultOAuthClients() []OAuthClient {
	return []OAuthClient{{ID: DefaultClientID, Grants: []string{GrantPassword, GrantRefreshToken}}}
}

// clientFile is one entry of AUTH_OAUTH_CLIENTS_FILE.
type clientFile struct {
	ID           *string  `json:"client_id"`
	SecretSHA256 string   `json:"client_secret_sha256"`
	Grants       []string `json:"grant_types"`
	Introspect   bool     `json:"introspect"`
}

// ParseOAuthClients reads a clients file: a JSON array of objects with
// client_id, client_secret_sha256 (hex; absent for a public client),
// grant_types and introspect. Unknown fields, unknown grants, duplicate ids,
// malformed hashes and introspect on a public client are errors.
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
		c := OAuthClient{ID: *e.ID, Introspect: e.Introspect}
		if e.SecretSHA256 != "" {
			sum, err := hex.DecodeString(e.SecretSHA256)
			if err != nil || len(sum) != sha256.Size {
				return nil, fmt.Errorf("client %q: client_secret_sha256 must be 64 hex digits (authd client-secret prints it)", c.ID)
			}
			c.SecretSHA256 = sum
		}
		for _, g := range e.Grants {
			if g != GrantPassword && g != GrantRefreshToken {
				return nil, fmt.Errorf("client %q: grant type %q is not password or refresh_token", c.ID, g)
			}
		}
		if c.Introspect && c.SecretSHA256 == nil {
			// Introspection answers who a token belongs to (sub, username,
			// sid, jti); a public client's client_id is no secret, so it
			// would answer that to anyone holding a token.
			return nil, fmt.Errorf("client %q: introspect needs a confidential client (a client_secret_sha256); a public client cannot introspect", c.ID)
		}
		c.Grants = e.Grants
		out = append(out, c)
	}
	return out, nil
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

// allows reports whether the client may use the grant type.
func (c OAuthClient) allows(grant string) bool { return slices.Contains(c.Grants, grant) }

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
	errUnauthorizedClient = errors.New("unauthorized client")
	errUnsupportedGrant   = errors.New("unsupported grant type")
)
