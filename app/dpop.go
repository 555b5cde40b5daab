package app

import (
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
)

// judgeProof checks the request's DPoP proof at now, if it has one, without
// remembering it: the verifier checks the proof's form and signature and
// domain.DPoPPolicy its claims against the request. It reports false when
// the request has no proof. accessToken is the token a resource request
// presents, whose hash the proof must carry as ath; the token endpoints
// pass "". Only spendProof remembers a proof, and only once the request
// can succeed, so requests that fail for any other reason (a throttled or
// wrong login above all) cannot fill the replay cache.
func (s *Service) judgeProof(ctx context.Context, req domain.ProofRequest, accessToken string, now time.Time) (domain.Proof, bool, error) {
	if req.Proof == "" {
		return domain.Proof{}, false, nil
	}
	pr, err := s.proofs.VerifyProof(ctx, req.Proof)
	if err != nil {
		return domain.Proof{}, false, err
	}
	if err := s.dpop.CheckProof(pr, req, accessToken, now, s.nonces); err != nil {
		return domain.Proof{}, false, err
	}
	return pr, true, nil
}

// spendProof records a judged proof's jti in the replay cache, so that it
// is accepted once (RFC 9449 §11.1), after charging it to the client's
// address budget: one address cannot hold more than its share of the
// cache. It returns a *domain.RateLimitError over the budget, a
// *domain.ProofError for a jti already used, and the cache's errors.
func (s *Service) spendProof(ctx context.Context, pr domain.Proof, client string, now time.Time) error {
	if wait := s.budget.take(domain.AddressGroup(client), now); wait > 0 {
		return &domain.RateLimitError{RetryAfter: wait}
	}
	fresh, err := s.replays.Remember(ctx, domain.ReplayKey(pr), now, s.dpop.ReplayUntil(pr))
	if err != nil {
		return fmt.Errorf("remember proof: %w", err)
	}
	if !fresh {
		return domain.InvalidProof("jti replayed")
	}
	return nil
}

// checkHolder checks that the request presenting a token bound to the key
// jkt ("" for an unbound token or session) comes from that key's holder:
// a proof of that very key, and, for an access token (accessToken not
// empty), the DPoP scheme and the token's hash in the proof (RFC 9449
// §4.3 and §7); the proof is spent (see spendProof) once it passed. It is
// the binding rule of the acceptance gate (see accept) that every use
// case taking a token goes through.
//
// An unbound token passes unless the policy requires DPoP; a proof that
// comes with one is still checked, so a broken client learns of it. An
// access token in an "Authorization: DPoP" header must be bound.
func (s *Service) checkHolder(ctx context.Context, jkt string, req domain.ProofRequest, accessToken string, now time.Time) error {
	if jkt == "" {
		switch {
		case s.dpop.Required():
			return &domain.ProofError{Err: domain.ErrInvalidToken, Reason: "DPoP is required and the token is not bound"}
		case accessToken != "" && req.Scheme == domain.DPoPScheme:
			return &domain.ProofError{Err: domain.ErrInvalidToken, Reason: "DPoP scheme with an unbound token"}
		}
		pr, ok, err := s.judgeProof(ctx, req, accessToken, now)
		if err != nil || !ok {
			return err
		}
		return s.spendProof(ctx, pr, req.Client, now)
	}
	switch {
	case accessToken != "" && req.Scheme != domain.DPoPScheme:
		return &domain.ProofError{Err: domain.ErrInvalidToken, Reason: "a DPoP-bound token sent as a bearer token"}
	case req.Proof == "":
		return domain.InvalidProof("the token is bound and no proof came")
	}
	pr, _, err := s.judgeProof(ctx, req, accessToken, now)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(pr.JKT), []byte(jkt)) != 1 {
		return domain.InvalidProof("the proof's key is not the token's")
	}
	return s.spendProof(ctx, pr, req.Client, now)
}

// loginProof judges a login's proof: the proof, when the login has one,
// to be spent once the password proved right; none is refused when the
// policy requires DPoP.
func (s *Service) loginProof(ctx context.Context, req domain.ProofRequest, now time.Time) (*domain.Proof, error) {
	pr, ok, err := s.judgeProof(ctx, req, "", now)
	switch {
	case err != nil:
		return nil, err
	case !ok && s.dpop.Required():
		return nil, domain.InvalidProof("DPoP is required and the login has no proof")
	case !ok:
		return nil, nil
	}
	return &pr, nil
}

// DPoPNonce returns the nonce responses offer in DPoP-Nonce, or "" when the
// policy does not ask for nonces.
func (s *Service) DPoPNonce(context.Context) string {
	if !s.dpop.Nonce {
		return ""
	}
	return s.nonces.Current(s.clock.Now())
}
