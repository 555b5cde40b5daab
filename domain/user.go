package domain

import (
	"strings"
	"unicode/utf8"
)

// User is an account that can log in. PasswordHash is an encoded hash (an
// argon2id PHC string in the shipped adapters); the plain password is never
// stored.
type User struct {
	ID           string
	Username     string
	PasswordHash string
}

// Credentials are what a client presents to log in: a username and a
// password, and the OAuth 2.0 client they came through (empty on authd's
// own /login/), which the session's tokens then name as client_id.
// DeviceToken is the device token an earlier login of this client handed
// out (see DeviceTokens), or empty; an invalid one is simply ignored.
type Credentials struct {
	Username    string
	Password    string
	ClientID    string
	DeviceToken string
}

// MaxUsernameBytes is the longest username a login looks up.
const MaxUsernameBytes = 256

// Validate returns ErrCredentialsMissing when the username or the password is
// empty, the seed server's first check, and a *RequestError when the
// username cannot be anyone's: not UTF-8, with a NUL, or longer than
// MaxUsernameBytes. (The password is only ever hashed, so any bytes do.)
func (c Credentials) Validate() error {
	switch {
	case c.Username == "" || c.Password == "":
		return ErrCredentialsMissing
	case len(c.Username) > MaxUsernameBytes:
		return &RequestError{Reason: "username is too long"}
	case !utf8.ValidString(c.Username) || strings.ContainsRune(c.Username, 0):
		return &RequestError{Reason: "username must be UTF-8 text without NUL"}
	}
	return nil
}
