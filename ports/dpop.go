package ports

import (
	"context"
	"time"

	"github.com/authd/authd/domain"
)

// ProofVerifier checks DPoP proofs (RFC 9449 §4.3, checks 1 to 7 and 12's
// key): that the proof is one compact JWS of bounded size whose header has
// typ "dpop+jwt", an accepted asymmetric alg and a public jwk of that
// algorithm's key type with no private part; that the signature verifies
// with that jwk; and that its claims have the types RFC 9449 gives them.
// It does not judge htm, htu, iat, ath, nonce or jti replay: the
// application does, with domain.DPoPPolicy at the instant it read from its
// clock.
type ProofVerifier interface {
	// VerifyProof returns the proof, with the thumbprint of its key, or
	// domain.ErrInvalidDPoPProof (as a *domain.ProofError).
	VerifyProof(ctx context.Context, proof string) (domain.Proof, error)
}

// ReplayCache remembers the proofs already used, so that each is accepted
// once (RFC 9449 §11.1). Keys come from domain.ReplayKey. Instances that
// share sessions must share it too, or a proof refused on one would pass on
// another. Every method returns an error wrapping domain.ErrUnavailable
// when the store cannot be reached or is full.
type ReplayCache interface {
	// Remember records key until the instant until and reports whether it
	// was new: false when key is recorded already with an until after now.
	// Of concurrent calls with one key, at most one reports true.
	Remember(ctx context.Context, key string, now, until time.Time) (bool, error)
	// PurgeReplays forgets every key whose until is at or before now, and
	// returns how many it removed.
	PurgeReplays(ctx context.Context, now time.Time) (int, error)
	// Entries returns how many keys the cache holds, including any past
	// their until that it has not forgotten yet.
	Entries(ctx context.Context) (int, error)
}
