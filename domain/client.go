package domain

import (
	"net/url"
	"slices"
	"strings"
)

// The grant types of the token endpoint (RFC 6749 §4.1, §4.3 and §6).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// ScopeOpenID is the scope that makes an authorization an OpenID Connect
// authentication request, answered with an ID token (OIDC Core §3.1.2.1).
const ScopeOpenID = "openid"

// Client is a client of the OAuth endpoints (RFC 6749 §2). A client without
// a secret hash is public: it identifies itself by client_id alone, and
// proves it is the one that asked for a code with PKCE alone.
type Client struct {
	ID string
	// SecretSHA256 is the SHA-256 of the client secret, or nil for a public
	// client. Client secrets are random and high-entropy, so a fast hash
	// compared in constant time is as strong as a password hash here.
	SecretSHA256 []byte
	// Grants are the grant types the client may use.
	Grants []string
	// Introspect allows the client to call the introspection endpoint.
	Introspect bool
	// RedirectURIs are where authorization responses may be sent: compared
	// as exact strings, except that a loopback URI (http://127.0.0.1/... or
	// http://[::1]/...) matches with any port (RFC 8252 §7.3).
	RedirectURIs []string
	// PostLogoutRedirectURIs are where RP-initiated logout may send the
	// browser afterwards, compared as exact strings.
	PostLogoutRedirectURIs []string
	// Scopes are the scopes the client may ask for; a request gets the
	// subset it names.
	Scopes []string
	// FirstParty marks a client of the same operator as authd: it is not
	// asked for consent. authd has no consent screen yet, so only first
	// party clients may use the authorization code grant.
	FirstParty bool
	// IDTokenAlg is the algorithm of the client's ID tokens
	// (id_token_signed_response_alg); empty means RS256.
	IDTokenAlg string
}

// Public reports whether the client has no secret.
func (c Client) Public() bool { return c.SecretSHA256 == nil }

// Allows reports whether the client may use the grant type.
func (c Client) Allows(grant string) bool { return slices.Contains(c.Grants, grant) }

// AllowsRedirect reports whether uri is one of the client's redirect URIs:
// the same string, or, for a registered loopback URI, the same URI with
// any port (RFC 8252 §7.3). Nothing is normalized: a URI that differs in
// case, encoding, a trailing slash or a user part is another URI.
func (c Client) AllowsRedirect(uri string) bool {
	for _, r := range c.RedirectURIs {
		if r == uri || loopbackMatch(r, uri) {
			return true
		}
	}
	return false
}

// AllowsPostLogoutRedirect reports whether uri is one of the client's
// post-logout redirect URIs, as the same string.
func (c Client) AllowsPostLogoutRedirect(uri string) bool {
	return slices.Contains(c.PostLogoutRedirectURIs, uri)
}

// loopbackMatch reports whether uri is the registered loopback URI with
// another port: same scheme (http), same IP literal, same path and query,
// no user part and no fragment.
func loopbackMatch(registered, uri string) bool {
	r, err1 := url.Parse(registered)
	u, err2 := url.Parse(uri)
	if err1 != nil || err2 != nil || !IsLoopbackRedirect(r) || !IsLoopbackRedirect(u) {
		return false
	}
	return hostOf(u) == hostOf(r) && !u.ForceQuery && u.RawPath == r.RawPath && u.Path == r.Path && u.RawQuery == r.RawQuery
}

// hostOf is the host as written, without its port: "127.0.0.1" or "[::1]".
func hostOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return strings.TrimSuffix(u.Host, ":"+p)
	}
	return u.Host
}

// IsLoopbackRedirect reports whether u is a loopback redirect URI of RFC
// 8252 §7.3: http, the IP literal 127.0.0.1 or [::1] (not "localhost",
// §8.3), no user part or fragment.
func IsLoopbackRedirect(u *url.URL) bool {
	h := hostOf(u)
	return u.Scheme == "http" && (h == "127.0.0.1" || h == "[::1]") && u.User == nil && u.Fragment == ""
}

// CheckRedirectURI returns a reason when s cannot be registered as a
// redirect URI: it must be an absolute URI without a fragment (RFC 6749
// §3.1.2) or a user part, https, or http only on a loopback address, or a
// private-use scheme of a native app (RFC 8252 §7.1, with a dot).
func CheckRedirectURI(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "" && u.Path == ""):
		return "is not an absolute URI"
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "has a fragment"
	case u.User != nil:
		return "has a user part"
	case u.Scheme == "https" && u.Host != "":
		return ""
	case u.Scheme == "http" && (IsLoopbackRedirect(u) || u.Hostname() == "localhost"):
		return ""
	case u.Scheme == "http":
		return "is http on a host that is not loopback (use https)"
	case strings.Contains(u.Scheme, "."):
		return "" // a native app's private-use scheme, reverse DNS (RFC 8252 §7.1)
	}
	return "has a scheme that is neither https, loopback http nor a reverse-DNS private-use scheme"
}

// GrantScope returns the scopes of a request for requested (a
// space-separated list, RFC 6749 §3.3) that the client may have, in the
// order asked, without repeats. A scope the client may not have is a
// *ScopeError for ErrInvalidScope; so is any scope asked by a client that
// registered none (§3.3 lets the server fail a request it cannot grant
// as asked, and silently granting less would hide the mistake).
func (c Client) GrantScope(requested string) (string, error) {
	return scopeWithin(c.Scopes, requested)
}

// scopeWithin returns the scopes of requested in the order asked, without
// repeats, or a *ScopeError for the first that is not in allowed.
func scopeWithin(allowed []string, requested string) (string, error) {
	var out []string
	for _, s := range strings.Fields(requested) {
		if !slices.Contains(allowed, s) {
			return "", &ScopeError{Scope: s}
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, " "), nil
}

// ServiceScope returns the scope of a client_credentials grant for
// requested: GrantScope's, and when nothing is asked, every scope the
// client registered (the predefined default of RFC 6749 §3.3: a service
// client is registered for what it calls).
func (c Client) ServiceScope(requested string) (string, error) {
	if strings.TrimSpace(requested) == "" {
		return strings.Join(c.Scopes, " "), nil
	}
	return c.GrantScope(requested)
}

// HasScope reports whether scope s is in the space-separated list.
func HasScope(list, s string) bool { return slices.Contains(strings.Fields(list), s) }

// NarrowScope returns the scope of a refresh's access token: the granted
// scope when requested is empty, else the requested scopes in the order
// asked, without repeats, each of which must have been granted (RFC 6749
// §6: a refresh may narrow the scope, never widen it). A scope not granted
// is a *ScopeError.
func NarrowScope(granted, requested string) (string, error) {
	if strings.TrimSpace(requested) == "" {
		return granted, nil
	}
	return scopeWithin(strings.Fields(granted), requested)
}

// ValidScopeToken reports whether s is a scope-token of RFC 6749 §3.3:
// one or more printable ASCII characters other than space, '"' and '\'.
// Such a scope can be quoted in a WWW-Authenticate challenge and sent in a
// header as it is.
func ValidScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if ch := s[i]; ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\' {
			return false
		}
	}
	return true
}
