package ports

import (
	"context"

	"github.com/authd/authd/domain"
)

// TokenIssuer signs tokens.
type TokenIssuer interface {
	// Issue returns the signed compact JWT of the claims. Issuing the same
	// claims twice returns the same bytes (the reuse grace window relies on
	// it), so signatures must be deterministic: ECDSA by RFC 6979. It fails
	// only on a broken key.
	Issue(ctx context.Context, c domain.Claims) (string, error)
}

// TokenVerifier checks that a token is one of ours: its size and shape, its
// header (the kind's typ, a configured key and that key's algorithm), its
// signature, and its claims' types. It does not judge time, issuer,
// audience or lifetimes: the application does that with domain.Policy at
// the instant it read from its clock, in one place for every use case.
type TokenVerifier interface {
	// Verify returns the token's claims, or domain.ErrInvalidToken (as a
	// *domain.TokenError) for anything that is not a well-formed token of
	// the kind signed with a configured key.
	Verify(ctx context.Context, token string, kind domain.TokenKind) (domain.Claims, error)
}

// PasswordHasher hashes and checks passwords.
type PasswordHasher interface {
	// Hash returns the encoded hash of a new password. It returns an error
	// wrapping domain.ErrUnavailable when the hashing queue is full.
	Hash(ctx context.Context, password string) (string, error)
	// Verify checks the password against the encoded hash in constant time.
	// It returns domain.ErrInvalidCredentials when they do not match, an
	// error wrapping domain.ErrUnavailable when the hashing queue is full,
	// and any other error for a hash it cannot decode.
	Verify(ctx context.Context, encoded, password string) error
	// VerifyDummy does the work of one Verify against a fixed hash and
	// returns domain.ErrInvalidCredentials, so that an unknown username costs
	// as much time as a wrong password. It too may return ErrUnavailable.
	VerifyDummy(ctx context.Context, password string) error
}

// IDGenerator makes session ids.
type IDGenerator interface {
	// NewID returns a new unguessable id of 128 random bits in base64url
	// without padding (22 characters); stores may rely on that form. It
	// never fails.
	NewID() string
}

// PasswordStrength estimates how easily a password is guessed.
type PasswordStrength interface {
	// Guessable reports whether an attacker with lists of common
	// passwords, words, names and patterns would guess the password in few
	// tries; related are words an attacker knows about the account (its
	// username) that make it weaker when the password uses them. It never
	// fails.
	Guessable(password string, related ...string) bool
}

// IDTokenIssuer signs and reads OpenID Connect ID tokens (OIDC Core §2).
type IDTokenIssuer interface {
	// IssueIDToken returns the signed ID token of the claims, with at_hash
	// computed from accessToken when it is not empty (OIDC Core §3.1.3.6),
	// signed with the algorithm c.Alg names (empty: RS256). It fails for
	// an algorithm it has no key for.
	IssueIDToken(ctx context.Context, c domain.IDClaims, accessToken string) (string, error)
	// VerifyIDToken returns the claims of an ID token this issuer signed,
	// whatever its exp (an id_token_hint may have expired, OIDC RP-Initiated
	// Logout §2), or domain.ErrInvalidToken.
	VerifyIDToken(ctx context.Context, token string) (domain.IDClaims, error)
}
