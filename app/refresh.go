package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
)

// maxRotateAttempts bounds how often Refresh re-reads a session that another
// request rotated under it. Each retry sees a newer generation, so two
// attempts settle every race; the rest is headroom.
const maxRotateAttempts = 8

// Refresh rotates the session of a refresh token and returns the new pair.
// clientID is the OAuth 2.0 client that presents the token ("authd" on
// authd's own /refresh/); a token issued to one client is refused for
// another (RFC 6749 §6) before any rotation rule, so another client's
// request changes nothing, not even by presenting a used token.
//
// It returns, besides the verifier's token errors:
// domain.ErrRefreshReused when an already used token came back (the session
// is revoked before Refresh returns); domain.ErrInvalidToken for another
// client's token and the DPoP errors for a bound session's token without a
// proof of its key (nothing changes then);
// domain.ErrSessionRevoked for a revoked
// or unknown session; domain.ErrSessionExpired at the session's absolute end.
func (s *Service) Refresh(ctx context.Context, token, clientID string, dpop domain.ProofRequest) (domain.TokenPair, error) {
	return s.RefreshScope(ctx, token, clientID, "", dpop)
}

// RefreshScope is Refresh with the scope parameter of the token endpoint
// (RFC 6749 §6): the new access token gets scope, which must be among the
// scopes the refresh token was granted (domain.NarrowScope; empty keeps
// them all), and the new refresh token keeps the scope originally
// granted. A scope not granted is a *domain.ScopeError, before any
// rotation rule: nothing changes.
func (s *Service) RefreshScope(ctx context.Context, token, clientID, scope string, dpop domain.ProofRequest) (domain.TokenPair, error) {
	if token == "" {
		return domain.TokenPair{}, domain.ErrTokenMissing
	}
	now := s.clock.Now()
	// The gate before the rotation rules: a token of another client, or a
	// request without the session's key, can neither rotate the session
	// nor, with an old token, revoke it. The proof is spent once; the key
	// never changes.
	a, err := s.accept(ctx, token, presentation{kind: domain.Refresh, clientID: clientID, proof: dpop}, now)
	if err != nil {
		return domain.TokenPair{}, err
	}
	c, gen, sess := a.claims, a.claims.Generation, a.session
	access, err := domain.NarrowScope(c.Scope, scope)
	if err != nil {
		return domain.TokenPair{}, err
	}
	g := grant{clientID: c.ClientID, scope: c.Scope, access: access}
	for attempt := range maxRotateAttempts {
		if attempt > 0 {
			if sess, err = s.session(ctx, c); err != nil {
				return domain.TokenPair{}, err
			}
		}
		next, outcome, err := s.decide(sess, gen, now)
		if err != nil {
			s.noteRevoked(now, sess)
			return domain.TokenPair{}, err
		}
		if outcome == domain.Reused {
			revoked, err := s.sessions.RevokeSession(ctx, sess.ID, domain.ReasonReuse, now)
			if err != nil {
				return domain.TokenPair{}, fmt.Errorf("revoke reused session: %w", err)
			}
			s.noteRevoked(now, revoked)
			s.recordSessions(ctx, now, domain.AuditRefreshReused, c.ClientID, revoked)
			return domain.TokenPair{}, domain.ErrRefreshReused
		}
		switch outcome {
		case domain.Replayed:
			return s.issuePair(ctx, sess, now, g)
		case domain.Rotated:
			err = s.sessions.CompareAndRotate(ctx, gen, next)
			if errors.Is(err, domain.ErrConflict) {
				continue // someone rotated or revoked it first; decide again
			}
			if err != nil {
				if !errors.Is(err, domain.ErrNotFound) {
					// It may have committed all the same: the client's
					// retry with this token must not count as reuse.
					s.unacked.note(sess.ID, gen, now)
				}
				return domain.TokenPair{}, fmt.Errorf("rotate session: %w", err)
			}
			s.unacked.forget(sess.ID)
			return s.issuePair(ctx, next, now, g)
		}
		return domain.TokenPair{}, fmt.Errorf("refresh: unknown outcome %d", outcome)
	}
	return domain.TokenPair{}, fmt.Errorf("rotate session: too much contention: %w", domain.ErrUnavailable)
}

// decide applies the rotation rules to a refresh token of generation gen
// of the session at now: domain.Session.DecideRetry when it retries a
// rotation this instance could not acknowledge (the client never got that
// pair), else DecideRefresh.
func (s *Service) decide(sess domain.Session, gen uint64, now time.Time) (domain.Session, domain.RefreshOutcome, error) {
	if s.unacked.retry(sess.ID, gen, now) {
		return sess.DecideRetry(gen, now, s.policy)
	}
	return sess.DecideRefresh(gen, now, s.policy)
}

// session loads the session the claims belong to. A session the store no
// longer knows was purged, which happens only after every token of it
// expired, or was lost with an in-memory store's restart: either way it is
// not usable, and reported as revoked.
func (s *Service) session(ctx context.Context, c domain.Claims) (domain.Session, error) {
	sess, err := s.sessions.Session(ctx, c.SessionID)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Session{}, domain.ErrSessionRevoked
	}
	if err != nil {
		return domain.Session{}, fmt.Errorf("load session: %w", err)
	}
	if sess.UserID != c.Subject {
		return domain.Session{}, domain.InvalidToken("sub does not own sid")
	}
	return sess, nil
}

// clientMayUse returns domain.ErrInvalidToken when the token may not be
// used as presented. A token of authd's own endpoints (no client_id) is not
// restricted. A token issued to an OAuth client needs that client to be
// listed still (taking a client off the list ends its tokens, at the next
// request that presents one); it is that client's alone: another client
// presenting it is refused (RFC 6749 §6); and a presentation that names no
// client (authd's own /refresh/ and /logout/, or the token endpoint
// without client authentication) may use it only when the client is
// public, since a confidential client must authenticate (RFC 6749 §3.2.1).
// A resource request and introspection present no client.
func (s *Service) clientMayUse(c domain.Claims, p presentation) error {
	if c.ClientID == "" {
		return nil
	}
	var client domain.Client
	known := false
	if s.clients != nil {
		client, known = s.clients.Client(c.ClientID)
	}
	switch {
	case !known:
		return domain.InvalidToken("client_id names no listed client")
	case p.clientID != "" && p.clientID != c.ClientID:
		return domain.InvalidToken("client_id of another client")
	case p.clientID == "" && !p.resource && !p.inspect && !client.Public():
		return domain.InvalidToken("client_id of a confidential client that did not authenticate")
	case c.Service() && (client.Public() || !client.Allows(domain.GrantClientCredentials)):
		return domain.InvalidToken("a service token of a client no longer allowed client_credentials")
	}
	return nil
}
