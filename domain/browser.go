package domain

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
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

// ErrLogoutUnconfirmed means a logout request at the end-session endpoint
// would end a live browser session it is not known to come from: the user
// must confirm it on authd's own page first (OIDC RP-Initiated Logout 1.0
// §2: the OP MUST ask when no id_token_hint of the current session came),
// so a cross-site link cannot sign the user out.
var ErrLogoutUnconfirmed = errors.New("logout must be confirmed by the user")

// SignOut is a logout request at the end-session endpoint (OIDC
// RP-Initiated Logout 1.0 §2) of a browser holding Cookie, its single
// sign-on cookie.
type SignOut struct {
	Cookie string
	// HintSID is the sid of the request's id_token_hint, "" without one.
	HintSID string
	// LogoutHint is the request's logout_hint: the user's username or
	// sub, "" without one.
	LogoutHint string
	// Confirmed is true when the user confirmed the logout on authd's own
	// page (a form carrying its CSRF token).
	Confirmed bool
}

// FromSessionOf reports whether the request is known to come from a client
// signed in through b: its id_token_hint's sid is b's. Only such a
// request ends b without the user's confirmation.
func (o SignOut) FromSessionOf(b BrowserSession) bool { return o.HintSID != "" && o.HintSID == b.ID }

// EndsTokens reports whether the logout also revokes the token sessions
// issued through b: its id_token_hint names b, or, confirmed by the user,
// its logout_hint names b's user (username or sub).
func (o SignOut) EndsTokens(b BrowserSession) bool {
	return o.FromSessionOf(b) || o.Confirmed && o.LogoutHint != "" && (o.LogoutHint == b.Username || o.LogoutHint == b.UserID)
}
