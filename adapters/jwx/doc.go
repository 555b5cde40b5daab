// Package jwx issues and verifies authd's JWTs with
// github.com/lestrrat-go/jwx/v3. Verification is pinned: only the configured
// algorithm, only keys looked up by kid among the configured ones, only the
// expected typ; headers that carry keys or key locations (jwk, jku, x5u,
// x5c) are never consulted. Time checks run against the instant the caller
// read from its clock, through jwt.WithClock.
//
// It imports only domain, ports, jwx and the standard library.
package jwx
