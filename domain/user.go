package domain

// User is an account that can log in. PasswordHash is an encoded hash (an
// argon2id PHC string in the shipped adapters); the plain password is never
// stored.
type User struct {
	ID           string
	Username     string
	PasswordHash string
}

// Credentials are what a client presents to log in.
type Credentials struct {
	Username string
	Password string
}

// Validate returns ErrCredentialsMissing when the username or the password is
// empty, the seed server's first check.
func (c Credentials) Validate() error {
	if c.Username == "" || c.Password == "" {
		return ErrCredentialsMissing
	}
	return nil
}
