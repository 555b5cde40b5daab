package domain

import (
	"strconv"
	"strings"
	"time"
)

// TokenKind tells access tokens from refresh tokens.
type TokenKind uint8

// The two kinds of token authd issues.
const (
	Access TokenKind = iota + 1
	Refresh
)

// String returns the value of the token's "type" claim: "access" or
// "refresh", as the seed server wrote it.
func (k TokenKind) String() string {
	switch k {
	case Access:
		return "access"
	case Refresh:
		return "refresh"
	}
	return "unknown"
}

// Typ returns the JOSE "typ" header of the kind: "at+jwt" for access tokens
// (RFC 9068) and "rt+jwt" for refresh tokens.
func (k TokenKind) Typ() string {
	switch k {
	case Access:
		return "at+jwt"
	case Refresh:
		return "rt+jwt"
	}
	return ""
}

// letter is the one-letter tag of the kind inside a token id.
func (k TokenKind) letter() byte {
	if k == Access {
		return 'a'
	}
	return 'r'
}

// Claims are the claims of one token, in domain terms. Times are whole
// seconds in UTC.
type Claims struct {
	Issuer    string
	Audience  string
	Subject   string // the user id
	Username  string // preferred_username
	SessionID string // sid
	ID        string // jti, see TokenID
	Kind      TokenKind
	IssuedAt  time.Time
	NotBefore time.Time
	ExpiresAt time.Time
	// ClientID is the OAuth 2.0 client the token was issued to (RFC 9068
	// §2.2 client_id); empty for tokens of authd's own /login/.
	ClientID string
	// Scope is the space-separated scope the token grants (RFC 9068
	// §2.2.3, RFC 6749 §3.3); empty for tokens of authd's own /login/ and
	// for a grant that asked for none. A refresh token carries the scope
	// originally granted, which a refresh may narrow for its access token
	// but never widen.
	Scope string
	// JKT is the cnf.jkt claim (RFC 9449 §6.1) of an access token bound to a
	// DPoP key: that key's RFC 7638 thumbprint. Refresh tokens do not carry
	// it; their session holds the binding.
	JKT string
	// Generation is the refresh generation the jti names (see TokenID): set
	// by Policy.NewClaims, and by Policy.Validate from the jti of a token
	// that passed, so no caller parses the jti again.
	Generation uint64
}

// Service reports whether the claims are a service token's (the
// client_credentials grant): an access token of no session, whose subject
// is its client. It is the one place that tells service tokens from user
// tokens; Policy.Validate judges each by its own rules, and a service
// principal is refused where a user is required.
func (c Claims) Service() bool { return c.Kind == Access && c.SessionID == "" }

// TokenID returns the jti of the token of the given kind and refresh
// generation of session sid: "<sid>.a<generation>" or "<sid>.r<generation>".
// It is unique because session ids are random and generations only grow, and
// it lets the rotation rules see which generation a refresh token belongs to
// without storing the token itself.
func TokenID(sid string, kind TokenKind, generation uint64) string {
	return sid + "." + string(kind.letter()) + strconv.FormatUint(generation, 10)
}

// generation returns the refresh generation encoded in the claims' jti. It
// returns an *TokenError for ErrInvalidToken when the jti does not belong to
// the claims' session and kind.
func (c Claims) generation() (uint64, error) {
	n := len(c.SessionID)
	if n == 0 || len(c.ID) < n+3 || !strings.HasPrefix(c.ID, c.SessionID) || c.ID[n] != '.' || c.ID[n+1] != c.Kind.letter() {
		return 0, InvalidToken("jti")
	}
	rest := c.ID[n+2:]
	if rest[0] == '0' || rest[0] == '+' {
		return 0, InvalidToken("jti")
	}
	g, err := strconv.ParseUint(rest, 10, 64)
	if err != nil {
		return 0, InvalidToken("jti")
	}
	return g, nil
}
