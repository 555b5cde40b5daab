package domain

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is an account that can log in. PasswordHash is an encoded hash (an
// argon2id PHC string in the shipped adapters); the plain password is never
// stored. A disabled user cannot log in, and a login of one is answered
// exactly as a wrong password. CreatedAt is when the account was added.
type User struct {
	ID           string
	Username     string
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
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
	// Scope is the scope the tokens of the login grant, already checked
	// against the client's list (Client.GrantScope); empty on /login/.
	Scope string
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

// MaxNewUsernameChars is the longest username a new account may take, in
// characters (Unicode code points). Logins look up longer names
// (MaxUsernameBytes), so accounts made before the limit keep working.
const MaxNewUsernameChars = 64

// ValidateNewUsername returns a *RequestError when name cannot be a new
// account's username: empty, longer than MaxNewUsernameChars characters,
// not UTF-8 (also U+FFFD, the replacement character, which is what a JSON
// decoder makes of bytes that are not UTF-8), with a control character (NUL, newline, tab and the like,
// which would break logs and terminals), or with spaces around it (which a
// person typing it at login would not see). Usernames are compared exactly,
// as the seed does: "Minsu" and "minsu" are two accounts.
func ValidateNewUsername(name string) error {
	switch {
	case name == "":
		return &RequestError{Reason: "username is empty"}
	case !utf8.ValidString(name) || strings.ContainsRune(name, utf8.RuneError):
		return &RequestError{Reason: "username must be UTF-8 text"}
	case utf8.RuneCountInString(name) > MaxNewUsernameChars:
		return &RequestError{Reason: "username is longer than 64 characters"}
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return &RequestError{Reason: "username has a control character"}
	case strings.TrimSpace(name) != name:
		return &RequestError{Reason: "username starts or ends with a space"}
	}
	return nil
}

// UserChange is what an administrator changes about an account: nil
// fields stay as they are.
type UserChange struct {
	Disabled *bool
	Password *string
}

// UserDetail is an account as the admin API shows it: the user (its hash
// is never shown) and how many live sessions it has.
type UserDetail struct {
	User     User
	Sessions int
}
