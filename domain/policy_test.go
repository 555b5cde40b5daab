package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 is a whole second; logins in these tests happen at t0.
var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

const sid = "AAAAAAAAAAAAAAAAAAAAAA"

var minsu = domain.User{ID: "2", Username: "minsu"}

func TestValidateExpiryBoundaries(t *testing.T) {
	p := domain.DefaultPolicy()
	s := domain.NewSession(sid, minsu, t0, p, "")
	access, refresh := s.Tokens(p)
	ms := time.Millisecond
	for _, tc := range []struct {
		name string
		c    domain.Claims
		kind domain.TokenKind
		at   time.Duration
		want error
	}{
		{"access at issue", access, domain.Access, 0, nil},
		{"access at T+59.999s", access, domain.Access, 59999 * ms, nil},
		{"access at T+59.999999999s", access, domain.Access, time.Minute - 1, nil},
		{"access at T+60s", access, domain.Access, time.Minute, domain.ErrTokenExpired},
		{"access at T+61s", access, domain.Access, 61 * time.Second, domain.ErrTokenExpired},
		{"refresh at T+299.999s", refresh, domain.Refresh, 299999 * ms, nil},
		{"refresh at T+300s", refresh, domain.Refresh, 300 * time.Second, domain.ErrTokenExpired},
		{"access before nbf", access, domain.Access, -ms, domain.ErrInvalidToken},
		{"refresh as access", refresh, domain.Access, 0, domain.ErrInvalidToken},
		{"access as refresh", access, domain.Refresh, 0, domain.ErrInvalidToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Validate(tc.c, tc.kind, t0.Add(tc.at))
			if tc.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestValidateLeeway(t *testing.T) {
	p := domain.DefaultPolicy()
	p.Leeway = 5 * time.Second
	access, _ := domain.NewSession(sid, minsu, t0, p, "").Tokens(p)
	assert.NoError(t, validate(p, access, domain.Access, t0.Add(64*time.Second+999*time.Millisecond)))
	assert.ErrorIs(t, validate(p, access, domain.Access, t0.Add(65*time.Second)), domain.ErrTokenExpired)
	assert.NoError(t, validate(p, access, domain.Access, t0.Add(-5*time.Second)))
	assert.ErrorIs(t, validate(p, access, domain.Access, t0.Add(-5*time.Second-1)), domain.ErrInvalidToken)
}

func TestValidateRejectsClaims(t *testing.T) {
	p := domain.DefaultPolicy()
	good, _ := domain.NewSession(sid, minsu, t0, p, "").Tokens(p)
	for name, mutate := range map[string]func(c *domain.Claims){
		"wrong issuer":        func(c *domain.Claims) { c.Issuer = "evil" },
		"wrong audience":      func(c *domain.Claims) { c.Audience = "other" },
		"no subject":          func(c *domain.Claims) { c.Subject = "" },
		"no session":          func(c *domain.Claims) { c.SessionID = "" },
		"no jti":              func(c *domain.Claims) { c.ID = "" },
		"no exp":              func(c *domain.Claims) { c.ExpiresAt = time.Time{} },
		"no iat":              func(c *domain.Claims) { c.IssuedAt = time.Time{} },
		"lifetime over TTL":   func(c *domain.Claims) { c.ExpiresAt = c.ExpiresAt.Add(time.Second) },
		"exp before iat":      func(c *domain.Claims) { c.ExpiresAt = c.IssuedAt.Add(-time.Second) },
		"iat in the future":   func(c *domain.Claims) { c.IssuedAt = c.IssuedAt.Add(time.Second) },
		"jti of other sid":    func(c *domain.Claims) { c.ID = "BBBB.a1" },
		"jti of other kind":   func(c *domain.Claims) { c.ID = sid + ".r1" },
		"jti gen not number":  func(c *domain.Claims) { c.ID = sid + ".ax" },
		"jti gen zero-padded": func(c *domain.Claims) { c.ID = sid + ".a01" },
	} {
		t.Run(name, func(t *testing.T) {
			c := good
			mutate(&c)
			_, err := p.Validate(c, domain.Access, t0)
			assert.ErrorIs(t, err, domain.ErrInvalidToken)
			var te *domain.TokenError
			assert.True(t, errors.As(err, &te))
		})
	}
	assert.NoError(t, validate(p, good, domain.Access, t0))
}

func TestNewClaimsWholeSecondsAndCap(t *testing.T) {
	p := domain.DefaultPolicy()
	p.SessionMaxAge = 7 * time.Minute
	login := t0.Add(400 * time.Millisecond)
	s := domain.NewSession(sid, minsu, login, p, "")
	assert.Equal(t, t0.Add(7*time.Minute), s.ExpiresAt, "the session end is whole seconds from the truncated login")

	a, r := s.Tokens(p)
	assert.Equal(t, t0, a.IssuedAt)
	assert.Equal(t, t0, a.NotBefore)
	assert.Equal(t, t0.Add(time.Minute), a.ExpiresAt)
	assert.Equal(t, t0.Add(5*time.Minute), r.ExpiresAt)
	assert.Equal(t, sid+".a1", a.ID)
	assert.Equal(t, sid+".r1", r.ID)

	// Four minutes later the refresh token's exp would pass the session end:
	// it is capped there.
	late := p.NewClaims(domain.Refresh, s, 2, t0.Add(4*time.Minute))
	assert.Equal(t, s.ExpiresAt, late.ExpiresAt)
	lateAccess := p.NewClaims(domain.Access, s, 2, t0.Add(6*time.Minute+30*time.Second))
	assert.Equal(t, s.ExpiresAt, lateAccess.ExpiresAt)
}

func TestExpiresIn(t *testing.T) {
	exp := t0.Add(time.Minute)
	assert.Equal(t, int64(60), domain.ExpiresIn(exp, t0))
	assert.Equal(t, int64(59), domain.ExpiresIn(exp, t0.Add(400*time.Millisecond)))
	assert.Equal(t, int64(0), domain.ExpiresIn(exp, exp))
	assert.Equal(t, int64(0), domain.ExpiresIn(exp, exp.Add(time.Hour)))
}

func TestPolicyCheck(t *testing.T) {
	require.NoError(t, domain.DefaultPolicy().Check())
	for name, mutate := range map[string]func(p *domain.Policy){
		"zero access":       func(p *domain.Policy) { p.AccessTTL = 0 },
		"fractional access": func(p *domain.Policy) { p.AccessTTL = 1500 * time.Millisecond },
		"negative leeway":   func(p *domain.Policy) { p.Leeway = -1 },
		"negative grace":    func(p *domain.Policy) { p.ReuseGrace = -1 },
		"no issuer":         func(p *domain.Policy) { p.Issuer = "" },
		"no max age":        func(p *domain.Policy) { p.SessionMaxAge = 0 },
	} {
		p := domain.DefaultPolicy()
		mutate(&p)
		assert.Error(t, p.Check(), name)
	}
}

func TestCredentials(t *testing.T) {
	assert.ErrorIs(t, domain.Credentials{}.Validate(), domain.ErrCredentialsMissing)
	assert.ErrorIs(t, domain.Credentials{Username: "minsu"}.Validate(), domain.ErrCredentialsMissing)
	assert.ErrorIs(t, domain.Credentials{Password: "1229"}.Validate(), domain.ErrCredentialsMissing)
	assert.NoError(t, domain.Credentials{Username: "minsu", Password: "1229"}.Validate())
}

func TestErrorsUnwrap(t *testing.T) {
	assert.ErrorIs(t, domain.InvalidToken("x"), domain.ErrInvalidToken)
	assert.ErrorIs(t, &domain.RequestError{Reason: "x"}, domain.ErrInvalidRequest)
	err := error(&domain.RateLimitError{RetryAfter: time.Second})
	assert.ErrorIs(t, err, domain.ErrRateLimited)
	var rl *domain.RateLimitError
	require.True(t, errors.As(err, &rl))
	assert.Equal(t, time.Second, rl.RetryAfter)
}

// validate is Policy.Validate's error alone.
func validate(p domain.Policy, c domain.Claims, kind domain.TokenKind, now time.Time) error {
	_, err := p.Validate(c, kind, now)
	return err
}
