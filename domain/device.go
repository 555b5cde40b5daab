package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// DeviceTokens makes and checks device tokens, OWASP's "device cookies": a
// successful login hands one out, and a later login of the same username
// that presents it proves that the client logged in before, which a
// stranger guessing from the owner's address (behind one NAT, say) cannot.
// The login throttle then judges such a login by the token's own small
// limit instead of the address's.
//
// A token is "dv1.<id>.<exp>.<mac>": a random id, the Unix second it
// expires, and the HMAC-SHA256 under Key of the username, the id and exp.
// It names no user and holds no claim anyone else reads, and nothing else
// is signed with Key, so it cannot be taken for an access token by a
// service that verifies authd's tokens with the published keys. It is
// stateless: every instance with the same Key accepts every other's
// tokens.
type DeviceTokens struct {
	Key []byte
	TTL time.Duration
}

// MaxDeviceTokenBytes bounds the text Valid looks at; a token is about 80
// bytes.
const MaxDeviceTokenBytes = 128

// deviceTokenPrefix names the format, so a later one can be told apart.
const deviceTokenPrefix = "dv1."

// Enabled reports whether tokens are made at all: a key and a lifetime.
func (d DeviceTokens) Enabled() bool { return len(d.Key) > 0 && d.TTL >= time.Second }

// Issue returns the token of username with the random id (no dots), and
// the instant it expires: now plus TTL, in whole seconds.
func (d DeviceTokens) Issue(username, id string, now time.Time) (string, time.Time) {
	exp := now.Add(d.TTL).Truncate(time.Second).UTC()
	e := strconv.FormatInt(exp.Unix(), 10)
	return deviceTokenPrefix + id + "." + e + "." + d.mac(username, id, e), exp
}

// Valid reports whether token is one Issue made with this key for exactly
// username, and has not expired at now. A token whose expiry lies further
// ahead than TTL is not valid either, so shortening TTL shortens the tokens
// already out. The MAC is compared in constant time.
func (d DeviceTokens) Valid(token, username string, now time.Time) bool {
	if !d.Enabled() || len(token) > MaxDeviceTokenBytes {
		return false
	}
	rest, ok := strings.CutPrefix(token, deviceTokenPrefix)
	if !ok {
		return false
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 || parts[0] == "" {
		return false
	}
	id, e, mac := parts[0], parts[1], parts[2]
	exp, err := strconv.ParseInt(e, 10, 64)
	if err != nil || strconv.FormatInt(exp, 10) != e {
		return false // one spelling of each instant only
	}
	if at := time.Unix(exp, 0); !now.Before(at) || at.After(now.Add(d.TTL)) {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(d.mac(username, id, e)))
}

// mac is the token's HMAC, base64url without padding. The parts are
// separated by NUL, which no username holds (Credentials.Validate).
func (d DeviceTokens) mac(username, id, exp string) string {
	m := hmac.New(sha256.New, d.Key)
	m.Write([]byte("authd device token\x00"))
	m.Write([]byte(username))
	m.Write([]byte{0})
	m.Write([]byte(id))
	m.Write([]byte{0})
	m.Write([]byte(exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
