package app

import (
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
)

// proofKey checks the request's DPoP proof at now, if it has one, and
// returns the thumbprint of its key ("" when the request has no proof). The
// verifier checks the proof's form and signature, domain.DPoPPolicy its
// claims against the request, and the replay cache that its jti is new; the
// jti is recorded only once every other check passed, so a proof refused
// for its htu, say, does not use up its jti. accessToken is the token a
// resource request presents, whose hash the proof must carry as ath; the
// token endpoints pass "".
func (s *Service) proofKey(ctx context.Context, req domain.ProofRequest, accessToken string, now time.Time) (string, error) {
	if req.Proof == "" {
		return "", nil
	}
	pr, err := s.proofs.VerifyProof(ctx, req.Proof)
	if err != nil {
		return "", err
	}
	if err := s.dpop.CheckProof(pr, req, accessToken, now, s.nonces); err != nil {
		return "", err
	}
	fresh, err := s.replays.Remember(ctx, domain.ReplayKey(pr), now, s.dpop.ReplayUntil(pr))
	if err != nil {
		return "", fmt.Errorf("remember proof: %w", err)
	}
	if !fresh {
		return "", domain.InvalidProof("jti replayed")
	}
	return pr.JKT, nil
}

// checkHolder checks that the request presenting a token bound to the key
// jkt ("" for an unbound token or session) comes from that key's holder:
// a proof of that very key, and, for an access token (accessToken not
// empty), the DPoP scheme and the token's hash in the proof (RFC 9449
// §4.3 and §7). It is the one binding rule of every use case that accepts
// a token: Authenticate for access tokens, Refresh and Logout for the
// session of a refresh token.
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
		_, err := s.proofKey(ctx, req, accessToken, now)
		return err
	}
	switch {
	case accessToken != "" && req.Scheme != domain.DPoPScheme:
		return &domain.ProofError{Err: domain.ErrInvalidToken, Reason: "a DPoP-bound token sent as a bearer token"}
	case req.Proof == "":
		return domain.InvalidProof("the token is bound and no proof came")
	}
	key, err := s.proofKey(ctx, req, accessToken, now)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(jkt)) != 1 {
		return domain.InvalidProof("the proof's key is not the token's")
	}
	return nil
}

// bindLogin returns the key a new session is bound to: the proof's, or ""
// for a login without one, which the policy may refuse.
func (s *Service) bindLogin(ctx context.Context, req domain.ProofRequest, now time.Time) (string, error) {
	jkt, err := s.proofKey(ctx, req, "", now)
	if err != nil {
		return "", err
	}
	if jkt == "" && s.dpop.Required() {
		return "", domain.InvalidProof("DPoP is required and the login has no proof")
	}
	return jkt, nil
}

// DPoPNonce returns the nonce responses offer in DPoP-Nonce, or "" when the
// policy does not ask for nonces.
func (s *Service) DPoPNonce(context.Context) string {
	if !s.dpop.Nonce {
		return ""
	}
	return s.nonces.Current(s.clock.Now())
}
