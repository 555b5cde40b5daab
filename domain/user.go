package domain

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
type Credentials struct {
	Username string
	Password string
	ClientID string
}

// Validate returns ErrCredentialsMissing when the username or the password is
// empty, the seed server's first check.
func (c Credentials) Validate() error {
	if c.Username == "" || c.Password == "" {
		return ErrCredentialsMissing
	}
	return nil
}
