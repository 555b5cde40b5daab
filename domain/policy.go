package domain

import "time"

// Policy holds the expiry rules: how long each kind of token lives, how much
// clock skew is tolerated, how long a session may last, and the reuse grace
// window of refresh rotation.
type Policy struct {
	Issuer        string
	Audience      string
	AccessTTL     time.Duration
	RefreshTTL    time.Duration
	Leeway        time.Duration
	SessionMaxAge time.Duration
	ReuseGrace    time.Duration
	// ServiceTTL is the lifetime of service tokens (the client_credentials
	// grant); 0 means AccessTTL.
	ServiceTTL time.Duration
}

// ServiceLifetime returns the lifetime of service tokens: ServiceTTL, or
// AccessTTL when it is 0.
func (p Policy) ServiceLifetime() time.Duration {
	if p.ServiceTTL == 0 {
		return p.AccessTTL
	}
	return p.ServiceTTL
}

// DefaultPolicy returns the seed server's lifetimes (access 1 minute, refresh
// 5 minutes) and the contract's other defaults.
func DefaultPolicy() Policy {
	return Policy{
		Issuer:        "authd",
		Audience:      "authd",
		AccessTTL:     time.Minute,
		RefreshTTL:    5 * time.Minute,
		SessionMaxAge: 24 * time.Hour,
	}
}

// PolicyError says which field of a Policy cannot work, and why.
type PolicyError struct {
	Field  string // the Policy field, such as "AccessTTL"
	Reason string
}

// Error implements error.
func (e *PolicyError) Error() string { return e.Field + " " + e.Reason }

// Check returns a *PolicyError naming the first field that cannot work:
// lifetimes must be whole seconds of at least one second, the leeway and
// grace must not be negative, issuer and audience must not be empty. It is
// the one check of a policy: the configuration and app.New both call it.
func (p Policy) Check() error {
	for _, d := range []struct {
		field string
		v     time.Duration
	}{{"AccessTTL", p.AccessTTL}, {"RefreshTTL", p.RefreshTTL}, {"SessionMaxAge", p.SessionMaxAge}, {"ServiceTTL", p.ServiceLifetime()}} {
		if d.v < time.Second || d.v%time.Second != 0 {
			return &PolicyError{d.field, "must be a whole number of seconds, at least 1s, not " + d.v.String()}
		}
	}
	switch {
	case p.Leeway < 0:
		return &PolicyError{"Leeway", "must not be negative"}
	case p.ReuseGrace < 0:
		return &PolicyError{"ReuseGrace", "must not be negative"}
	case p.Issuer == "":
		return &PolicyError{"Issuer", "must not be empty"}
	case p.Audience == "":
		return &PolicyError{"Audience", "must not be empty"}
	}
	return nil
}

// RefreshAudienceSuffix marks the audience of refresh tokens.
const RefreshAudienceSuffix = ":refresh"

// AudienceFor returns the aud claim of tokens of the kind: the configured
// audience for access tokens, and the same with ":refresh" for refresh
// tokens. Both kinds are signed with the one published key, so a resource
// server that verifies with the JWKS and checks iss and aud, but not typ
// (many do), would otherwise take a refresh token, even a used one, for an
// access token. No resource server is configured with the refresh audience;
// only authd ever reads refresh tokens.
func (p Policy) AudienceFor(kind TokenKind) string {
	if kind == Refresh {
		return p.Audience + RefreshAudienceSuffix
	}
	return p.Audience
}

// TTL returns the lifetime of tokens of the kind.
func (p Policy) TTL(kind TokenKind) time.Duration {
	if kind == Access {
		return p.AccessTTL
	}
	return p.RefreshTTL
}

// NewClaims returns the claims of a token of the kind for generation gen of
// session s, issued at the instant at. iat and nbf are at truncated to the
// second; exp is iat plus the kind's TTL, but never later than the session's
// end.
func (p Policy) NewClaims(kind TokenKind, s Session, gen uint64, at time.Time) Claims {
	iat := at.UTC().Truncate(time.Second)
	exp := iat.Add(p.TTL(kind))
	if exp.After(s.ExpiresAt) {
		exp = s.ExpiresAt
	}
	jkt := ""
	if kind == Access {
		jkt = s.JKT
	}
	return Claims{
		JKT:        jkt,
		Issuer:     p.Issuer,
		Audience:   p.AudienceFor(kind),
		Subject:    s.UserID,
		Username:   s.Username,
		SessionID:  s.ID,
		ID:         TokenID(s.ID, kind, gen),
		Kind:       kind,
		IssuedAt:   iat,
		NotBefore:  iat,
		ExpiresAt:  exp,
		Generation: gen,
	}
}

// Validate applies the contract's rules to claims that came from a token whose
// signature was already verified, and returns them with Generation read
// from the jti. A token is accepted while nbf - leeway <= now < exp +
// leeway; at or after exp + leeway it fails with ErrTokenExpired.
// Everything else that is wrong (kind, issuer, audience, a lifetime longer
// than the TTL, missing claims, a jti not of its session and kind) fails
// with ErrInvalidToken.
func (p Policy) Validate(c Claims, want TokenKind, now time.Time) (Claims, error) {
	switch {
	case c.Kind != want:
		return Claims{}, InvalidToken("type")
	case c.Issuer != p.Issuer:
		return Claims{}, InvalidToken("iss")
	case c.Audience != p.AudienceFor(want):
		return Claims{}, InvalidToken("aud")
	case c.Service():
		return p.validateService(c, now)
	case c.Subject == "" || c.SessionID == "" || c.ID == "":
		return Claims{}, InvalidToken("missing claim")
	case c.ExpiresAt.IsZero() || c.IssuedAt.IsZero() || c.NotBefore.IsZero():
		return Claims{}, InvalidToken("missing time claim")
	case !c.NotBefore.Equal(c.IssuedAt):
		return Claims{}, InvalidToken("nbf differs from iat")
	case c.ExpiresAt.Sub(c.IssuedAt) > p.TTL(want) || c.ExpiresAt.Before(c.IssuedAt):
		return Claims{}, InvalidToken("lifetime")
	}
	gen, err := c.generation()
	if err != nil {
		return Claims{}, err
	}
	if err := p.ValidateTime(c, now); err != nil {
		return Claims{}, err
	}
	c.Generation = gen
	return c, nil
}

// validateService is Validate's path for a service token (Claims.Service),
// after kind, issuer and audience: its subject is its client, it has a
// jti, and its lifetime is at most ServiceLifetime. It has no session and
// no generation.
func (p Policy) validateService(c Claims, now time.Time) (Claims, error) {
	switch {
	case c.ClientID == "" || c.Subject != c.ClientID || c.ID == "":
		return Claims{}, InvalidToken("a service token's sub must be its client_id")
	case c.Username != "" || c.JKT != "":
		return Claims{}, InvalidToken("a service token names no user")
	case c.ExpiresAt.IsZero() || c.IssuedAt.IsZero() || c.NotBefore.IsZero():
		return Claims{}, InvalidToken("missing time claim")
	case !c.NotBefore.Equal(c.IssuedAt):
		return Claims{}, InvalidToken("nbf differs from iat")
	case c.ExpiresAt.Sub(c.IssuedAt) > p.ServiceLifetime() || c.ExpiresAt.Before(c.IssuedAt):
		return Claims{}, InvalidToken("lifetime")
	}
	if err := p.ValidateTime(c, now); err != nil {
		return Claims{}, err
	}
	c.Generation = 0
	return c, nil
}

// NewServiceClaims returns the claims of a service token of the
// client_credentials grant (RFC 6749 §4.4) for the client, with the jti
// id and the scope, issued at the instant at: sub and client_id are the
// client's id, no session, exp is iat plus ServiceLifetime.
func (p Policy) NewServiceClaims(clientID, id, scope string, at time.Time) Claims {
	iat := at.UTC().Truncate(time.Second)
	return Claims{
		Issuer: p.Issuer, Audience: p.AudienceFor(Access), Subject: clientID, ClientID: clientID,
		ID: id, Kind: Access, IssuedAt: iat, NotBefore: iat, ExpiresAt: iat.Add(p.ServiceLifetime()), Scope: scope,
	}
}

// ValidateTime applies only the time rule to claims that already passed
// Validate: accepted while nbf - leeway <= now < exp + leeway,
// ErrTokenExpired at or after exp + leeway, ErrInvalidToken before nbf. The
// verified-token cache re-checks every hit with it.
func (p Policy) ValidateTime(c Claims, now time.Time) error {
	switch {
	case now.Before(c.NotBefore.Add(-p.Leeway)):
		return InvalidToken("nbf")
	case !now.Before(c.ExpiresAt.Add(p.Leeway)):
		return &TokenError{Err: ErrTokenExpired, Reason: "exp"}
	}
	return nil
}

// ExpiresIn returns the whole seconds from now until t, rounded down and never
// negative; it is what the token response reports as expires_in. Rounding
// down keeps a client that trusts it from ever sending a token it believes
// valid after its exp: at a login at 12:00:00.4 the access token's exp is
// 12:01:00, so expires_in is 59.
func ExpiresIn(t, now time.Time) int64 {
	d := t.Sub(now)
	if d <= 0 {
		return 0
	}
	return int64(d / time.Second)
}
