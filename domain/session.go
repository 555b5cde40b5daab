package domain

import (
	"errors"
	"time"
)

// RevokeReason says why a session ended before its time.
type RevokeReason string

// The reasons a session can be revoked.
const (
	ReasonLogout RevokeReason = "logout"
	ReasonReuse  RevokeReason = "reuse"
	ReasonAdmin  RevokeReason = "admin"
)

// Session is the family of tokens one login starts. Every refresh rotates it
// to a new generation; only the refresh token of the current generation may
// be used. A revoked session stays revoked: nothing in this package turns a
// revoked session back into a live one.
type Session struct {
	ID         string
	UserID     string
	Username   string
	CreatedAt  time.Time
	LastUsedAt time.Time
	// ExpiresAt is the absolute end, CreatedAt plus the policy's session max
	// age, truncated to the second. No token of the session outlives it.
	ExpiresAt time.Time
	// Generation is the generation of the current refresh token; 1 at login.
	Generation uint64
	// RotatedAt is the instant the current generation was issued. Its tokens
	// carry it, truncated to the second, as iat.
	RotatedAt time.Time
	// PurgeAt is the instant after which no token of the session can still
	// be accepted, so a store may forget the session.
	PurgeAt time.Time
	// RevokedAt is zero while the session is live.
	RevokedAt    time.Time
	RevokeReason RevokeReason
	// JKT is the RFC 7638 thumbprint of the DPoP key the session is bound
	// to, empty for an unbound session. It is set at login and never
	// changes: every refresh of the session must be proven with that key.
	JKT string
}

// NewSession starts the session of a login of user at now, bound to the
// DPoP key of thumbprint jkt ("" for an unbound session).
func NewSession(id string, u User, now time.Time, p Policy, jkt string) Session {
	now = now.UTC()
	s := Session{
		ID:         id,
		UserID:     u.ID,
		Username:   u.Username,
		CreatedAt:  now,
		LastUsedAt: now,
		ExpiresAt:  now.Truncate(time.Second).Add(p.SessionMaxAge),
		Generation: 1,
		RotatedAt:  now,
		JKT:        jkt,
	}
	s.PurgeAt = s.purgeAt(p)
	return s
}

// purgeAt is the end of the longest-lived token of the current generation,
// plus the leeway.
func (s Session) purgeAt(p Policy) time.Time {
	end := s.RotatedAt.Truncate(time.Second).Add(max(p.AccessTTL, p.RefreshTTL))
	if end.After(s.ExpiresAt) {
		end = s.ExpiresAt
	}
	return end.Add(p.Leeway)
}

// Revoked reports whether the session was revoked.
func (s Session) Revoked() bool { return !s.RevokedAt.IsZero() }

// Live reports whether the session can still be used at now: not revoked,
// not past its absolute end, and with a refresh token that has not expired.
func (s Session) Live(now time.Time) bool {
	return !s.Revoked() && now.Before(s.ExpiresAt) && now.Before(s.PurgeAt)
}

// Revoke returns the session revoked at now for reason. Revoking a revoked
// session changes nothing: the first reason and instant are kept.
func (s Session) Revoke(reason RevokeReason, now time.Time) Session {
	if s.Revoked() {
		return s
	}
	s.RevokedAt = now.UTC()
	s.RevokeReason = reason
	return s
}

// Tokens returns the claims of the access and refresh tokens of the session's
// current generation. Called twice on the same session it returns the same
// claims, which is what lets the reuse grace window hand out the same pair.
func (s Session) Tokens(p Policy) (access, refresh Claims) {
	return p.NewClaims(Access, s, s.Generation, s.RotatedAt), p.NewClaims(Refresh, s, s.Generation, s.RotatedAt)
}

// RefreshOutcome is what a presented refresh token does to its session.
type RefreshOutcome uint8

// The outcomes of DecideRefresh.
const (
	// Rotated: the current token was presented; the session moves to the
	// next generation and the caller gets its tokens.
	Rotated RefreshOutcome = iota + 1
	// Replayed: the immediate predecessor came back inside the reuse grace
	// window; the caller gets the current generation's tokens again and the
	// session does not change.
	Replayed
	// Reused: an older token came back; the session is revoked for good.
	Reused
)

// Current reports whether gen is the session's current refresh generation
// at now: ErrSessionRevoked for a revoked session, ErrSessionExpired at or
// after its absolute end, ErrRefreshReused for any other generation (one
// already rotated away, which DecideRefresh treats as reuse unless the
// grace window replays it), and nil for the current one. These are the
// first rules of DecideRefresh, and introspection's test of a refresh
// token that is active.
func (s Session) Current(gen uint64, now time.Time) error {
	switch {
	case s.Revoked():
		return ErrSessionRevoked
	case !now.Before(s.ExpiresAt):
		return ErrSessionExpired
	case gen != s.Generation:
		return ErrRefreshReused
	}
	return nil
}

// DecideRefresh applies the rotation rules to a refresh token of generation
// gen presented at now. It returns the session as it must be stored and the
// outcome; it returns ErrSessionRevoked for a revoked session and
// ErrSessionExpired at or after the session's absolute end, and then the
// session must not change.
//
// The rules, in order: a revoked session stays revoked whatever is
// presented; an ended session refreshes no more; the current generation
// rotates; the immediate predecessor inside the grace window replays the
// current generation; anything else is reuse and revokes the session.
func (s Session) DecideRefresh(gen uint64, now time.Time, p Policy) (Session, RefreshOutcome, error) {
	now = now.UTC()
	err := s.Current(gen, now)
	switch {
	case err != nil && !errors.Is(err, ErrRefreshReused):
		return s, 0, err
	case err == nil:
		next := s
		next.Generation++
		next.RotatedAt = now
		next.LastUsedAt = now
		next.PurgeAt = next.purgeAt(p)
		return next, Rotated, nil
	case p.ReuseGrace > 0 && gen+1 == s.Generation && now.Before(s.RotatedAt.Add(p.ReuseGrace)):
		// ReuseGrace > 0 is not implied by the comparison: a request whose
		// now was read before another request's rotation instant (on this
		// instance, or on one whose clock runs behind) would otherwise
		// count as inside a zero-length window.
		return s, Replayed, nil
	default:
		return s.Revoke(ReasonReuse, now), Reused, nil
	}
}

// RetryWindow is how long after a rotation whose answer never reached the
// client (the store failed as it committed, say) the client may retry with
// the rotated token and get the new pair: see DecideRetry.
const RetryWindow = time.Minute

// DecideRetry applies the rotation rules to a refresh token of generation
// gen whose own rotation the server could not acknowledge: the store
// failed while rotating from gen, so the client got an error, not the new
// pair, and retries with the token it still holds. If that rotation did
// commit, gen is now the immediate predecessor and its child was never
// handed out, let alone used (a used child would have rotated the session
// on): the retry is Replayed, not reuse, so an outage does not log honest
// clients out. Anything else is decided as by DecideRefresh. The caller
// applies it only within RetryWindow of the failure, and only to
// rotations it knows were left unacknowledged.
func (s Session) DecideRetry(gen uint64, now time.Time, p Policy) (Session, RefreshOutcome, error) {
	if !s.Revoked() && now.UTC().Before(s.ExpiresAt) && gen+1 == s.Generation {
		return s, Replayed, nil
	}
	return s.DecideRefresh(gen, now, p)
}

// AccessValidUntil returns the instant after which no access token of the
// session can be accepted any more: the exp of the current generation's
// access token plus the leeway. A revoked session cannot rotate again, so an
// in-process list of revoked sessions may forget one after this instant.
func (s Session) AccessValidUntil(p Policy) time.Time {
	access, _ := s.Tokens(p)
	return access.ExpiresAt.Add(p.Leeway)
}
