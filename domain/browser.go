package domain

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"time"
)

// MaxBrowserSessionTokens bounds how many token sessions one browser
// session remembers having issued (for logout to end them): one per
// client sign-in; past it, the oldest are forgotten and logout no longer
// ends them (they still end on their own).
const MaxBrowserSessionTokens = 64

// BrowserSession is a user's single sign-on session at authd's login page:
// the browser holds its cookie, and every authorization request it makes
// while the session lives completes without the password. Its ID is the
// sid of the ID tokens issued in it; the cookie carries the ID and a
// secret whose SHA-256 alone is stored.
type BrowserSession struct {
	ID           string
	SecretSHA256 []byte
	UserID       string
	Username     string
	// AuthTime is when the password was entered (OIDC auth_time).
	AuthTime  time.Time
	ExpiresAt time.Time
	// EndedAt is zero while the session lives.
	EndedAt time.Time
	// Sessions are the ids of the token sessions issued through it, oldest
	// first, at most MaxBrowserSessionTokens.
	Sessions []string
}

// BrowserCookie returns the cookie value of a browser session: its id and
// its secret.
func BrowserCookie(id, secret string) string { return id + "." + secret }

// SplitBrowserCookie returns the id and the secret of a cookie value.
func SplitBrowserCookie(v string) (id, secret string, ok bool) {
	id, secret, ok = strings.Cut(v, ".")
	return id, secret, ok && id != "" && secret != "" && len(v) <= 256
}

// SecretHash returns the stored form of a browser session's secret.
func SecretHash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// Opens reports whether secret is the session's, in constant time.
func (b BrowserSession) Opens(secret string) bool {
	return subtle.ConstantTimeCompare(SecretHash(secret), b.SecretSHA256) == 1
}

// Live reports whether the session can sign in at now.
func (b BrowserSession) Live(now time.Time) bool {
	return b.EndedAt.IsZero() && now.Before(b.ExpiresAt)
}

// FreshFor reports whether the password was entered at most maxAge before
// now (OIDC max_age); a negative maxAge means no limit.
func (b BrowserSession) FreshFor(maxAge time.Duration, now time.Time) bool {
	return maxAge < 0 || !now.After(b.AuthTime.Add(maxAge))
}

// WithToken returns the session remembering one more token session, the
// oldest forgotten past MaxBrowserSessionTokens.
func (b BrowserSession) WithToken(sessionID string) BrowserSession {
	list := append(append([]string(nil), b.Sessions...), sessionID)
	if n := len(list) - MaxBrowserSessionTokens; n > 0 {
		list = list[n:]
	}
	b.Sessions = list
	return b
}
