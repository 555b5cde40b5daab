// Package jwx issues and verifies authd's JWTs with
// github.com/lestrrat-go/jwx/v3. Verification is pinned: only the configured
// algorithm, only keys looked up by kid among the configured ones, only the
// expected typ; headers that carry keys or key locations (jwk, jku, x5u,
// x5c) are never consulted. The compact serialization is read strictly
// here (repeated or wrong-case member names refused) and only the signature
// arithmetic is jwx's (jws/jwsbb). The verifier says only whether a token is
// ours; time, issuer, audience and lifetimes are judged by the application
// with the domain policy (app/verify.go, docs/adr/0002-strict-verifier.md). Keys come from a JWK Set file or are
// generated, and the public ones are published as a JWKS.
//
// It imports only domain, ports, jwx and the standard library.
package jwx
