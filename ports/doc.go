// Package ports declares the interfaces the application needs from the
// outside world: a clock, user and session stores, a token issuer and
// verifier, a password hasher and a logger. Adapters implement them; the
// application layer depends only on them.
//
// It imports only the domain package and the standard library. Every method
// names in its doc comment the domain errors it returns.
package ports
