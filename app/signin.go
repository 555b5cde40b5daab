package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// OIDC are the stores and the signer of the authorization code flow. They
// are set together or not at all: without them the flow's use cases
// answer errOIDCOff.
type OIDC struct {
	Codes    ports.CodeStore
	Browsers ports.BrowserSessionStore
	IDTokens ports.IDTokenIssuer
}

var errOIDCOff = errors.New("app: the authorization code flow is not configured")

func (o OIDC) on() bool { return o.Codes != nil && o.Browsers != nil && o.IDTokens != nil }

// secret returns 256 random bits, as two ids: codes and browser session
// secrets are bearer secrets and get twice an id's entropy.
func (s *Service) secret() string { return s.ids.NewID() + s.ids.NewID() }

// SignIn checks a password entered on the login page, with the same
// throttle and hashing as Login, and starts a browser session (single
// sign-on) lasting the policy's SessionMaxAge. It returns Login's errors.
func (s *Service) SignIn(ctx context.Context, cred domain.Credentials, clientIP string) (domain.SignIn, error) {
	if !s.oidc.on() {
		return domain.SignIn{}, errOIDCOff
	}
	if err := cred.Validate(); err != nil {
		return domain.SignIn{}, err
	}
	now := s.clock.Now()
	u, err := s.checkThrottled(ctx, cred, clientIP, now, nil)
	if err != nil {
		return domain.SignIn{}, err
	}
	secret := s.secret()
	b := domain.BrowserSession{ID: s.ids.NewID(), SecretSHA256: domain.SecretHash(secret), UserID: u.ID, Username: u.Username,
		AuthTime: now.UTC().Truncate(time.Second), ExpiresAt: now.UTC().Add(s.policy.SessionMaxAge)}
	if err := s.oidc.Browsers.CreateBrowserSession(ctx, b); err != nil {
		return domain.SignIn{}, fmt.Errorf("create browser session: %w", err)
	}
	s.record(ctx, now, domain.AuditEvent{Kind: domain.AuditLoginSucceeded, UserID: u.ID, Username: u.Username, ClientID: cred.ClientID})
	return domain.SignIn{Cookie: domain.BrowserCookie(b.ID, secret), UserID: u.ID, ExpiresIn: domain.ExpiresIn(b.ExpiresAt, now)}, nil
}

// browserSession returns the live browser session of a cookie, or
// domain.ErrLoginRequired.
func (s *Service) browserSession(ctx context.Context, cookie string, now time.Time) (domain.BrowserSession, error) {
	id, secret, ok := domain.SplitBrowserCookie(cookie)
	if !ok {
		return domain.BrowserSession{}, domain.ErrLoginRequired
	}
	b, err := s.oidc.Browsers.BrowserSession(ctx, id)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return domain.BrowserSession{}, domain.ErrLoginRequired
	case err != nil:
		return domain.BrowserSession{}, fmt.Errorf("load browser session: %w", err)
	case !b.Opens(secret) || !b.Live(now):
		return domain.BrowserSession{}, domain.ErrLoginRequired
	}
	return b, nil
}

// Authorize issues an authorization code for a request whose client,
// redirect URI, scope and PKCE challenge the transport validated, to the
// browser session of its cookie: domain.ErrLoginRequired when there is
// none, it ended, or its password is older than the request's MaxAge. The
// code lives domain.CodeTTL and is stored only as its hash.
func (s *Service) Authorize(ctx context.Context, req domain.AuthRequest) (string, error) {
	if !s.oidc.on() {
		return "", errOIDCOff
	}
	now := s.clock.Now()
	b, err := s.browserSession(ctx, req.Cookie, now)
	if err != nil {
		return "", err
	}
	if !b.FreshFor(req.MaxAge, now) {
		return "", domain.ErrLoginRequired
	}
	code := s.secret()
	c := domain.AuthCode{
		Hash: domain.CodeHash(code), ClientID: req.ClientID, RedirectURI: req.RedirectURI, Challenge: req.Challenge,
		Nonce: req.Nonce, Scope: req.Scope, UserID: b.UserID, Username: b.Username, BrowserSessionID: b.ID,
		AuthTime: b.AuthTime, CreatedAt: now.UTC(), ExpiresAt: now.UTC().Add(domain.CodeTTL), SessionID: s.ids.NewID(),
		DPoPJKT: req.DPoPJKT,
	}
	if err := s.oidc.Codes.CreateCode(ctx, c); err != nil {
		return "", fmt.Errorf("store code: %w", err)
	}
	return code, nil
}

// ExchangeCode redeems an authorization code (RFC 6749 §4.1.3): once,
// within its lifetime, by the client and redirect URI it was issued to,
// with the PKCE verifier of its challenge, and, when the request carries a
// DPoP proof or the code names a key (dpop_jkt), with a proof of that key,
// which binds the session. It starts a token session as Login does and,
// with scope openid, signs an ID token. A code presented a second time is
// domain.ErrCodeUsed and revokes the session its first exchange started
// (RFC 6749 §4.1.2). Other errors: domain.ErrInvalidGrant, the DPoP
// errors, domain.ErrUnavailable.
func (s *Service) ExchangeCode(ctx context.Context, x domain.CodeExchange) (domain.CodeGrant, error) {
	if !s.oidc.on() {
		return domain.CodeGrant{}, errOIDCOff
	}
	if x.Code == "" || x.Verifier == "" {
		return domain.CodeGrant{}, &domain.RequestError{Reason: "code and code_verifier are required"}
	}
	now := s.clock.Now()
	proof, err := s.loginProof(ctx, x.Proof, now)
	if err != nil {
		return domain.CodeGrant{}, err
	}
	c, err := s.oidc.Codes.UseCode(ctx, domain.CodeHash(x.Code), now)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return domain.CodeGrant{}, domain.InvalidGrant("unknown code")
	case errors.Is(err, domain.ErrCodeUsed):
		return domain.CodeGrant{}, errors.Join(err, s.revokeCodeSession(ctx, c, now))
	case err != nil:
		return domain.CodeGrant{}, fmt.Errorf("use code: %w", err)
	}
	if err := c.Redeem(x.ClientID, x.RedirectURI, x.Verifier, now); err != nil {
		return domain.CodeGrant{}, err
	}
	jkt := ""
	switch {
	case c.DPoPJKT != "" && (proof == nil || proof.JKT != c.DPoPJKT):
		return domain.CodeGrant{}, domain.InvalidProof("the code is bound to another DPoP key (dpop_jkt)")
	case proof != nil:
		if err := s.spendProof(ctx, *proof, x.ClientIP, now); err != nil {
			return domain.CodeGrant{}, err
		}
		jkt = proof.JKT
	}
	sess := domain.NewSession(c.SessionID, domain.User{ID: c.UserID, Username: c.Username}, now, s.policy, jkt)
	if err := s.sessions.CreateSession(ctx, sess); errors.Is(err, domain.ErrConflict) {
		// A second exchange got in first and left the session revoked.
		return domain.CodeGrant{}, domain.ErrCodeUsed
	} else if err != nil {
		return domain.CodeGrant{}, fmt.Errorf("create session: %w", err)
	}
	if err := s.oidc.Browsers.AddBrowserToken(ctx, c.BrowserSessionID, sess.ID); err != nil && !errors.Is(err, domain.ErrNotFound) {
		return domain.CodeGrant{}, fmt.Errorf("note session in browser session: %w", err)
	}
	pair, err := s.issuePair(ctx, sess, now, grantOf(c.ClientID, c.Scope))
	if err != nil {
		return domain.CodeGrant{}, err
	}
	g := domain.CodeGrant{Pair: pair, Scope: c.Scope}
	if domain.HasScope(c.Scope, domain.ScopeOpenID) {
		at := now.UTC().Truncate(time.Second)
		g.IDToken, err = s.oidc.IDTokens.IssueIDToken(ctx, domain.IDClaims{
			Issuer: s.policy.Issuer, Subject: c.UserID, Username: c.Username, Audience: c.ClientID,
			IssuedAt: at, ExpiresAt: at.Add(s.policy.AccessTTL), AuthTime: c.AuthTime, Nonce: c.Nonce,
			SessionID: c.BrowserSessionID, Alg: x.IDTokenAlg,
		}, pair.Access)
		if err != nil {
			return domain.CodeGrant{}, fmt.Errorf("sign ID token: %w", err)
		}
	}
	return g, nil
}

// revokeCodeSession revokes the session the first exchange of a code
// started. If that exchange has not stored it yet, a revoked session takes
// its id first, so the exchange fails instead of starting a live one.
func (s *Service) revokeCodeSession(ctx context.Context, c domain.AuthCode, now time.Time) error {
	for range 2 {
		revoked, err := s.sessions.RevokeSession(ctx, c.SessionID, domain.ReasonReuse, now)
		if err == nil {
			s.noteRevoked(now, revoked)
			return nil
		}
		if !errors.Is(err, domain.ErrNotFound) {
			return fmt.Errorf("revoke session of a reused code: %w", err)
		}
		tomb := domain.NewSession(c.SessionID, domain.User{ID: c.UserID, Username: c.Username}, now, s.policy, "").Revoke(domain.ReasonReuse, now)
		if err := s.sessions.CreateSession(ctx, tomb); !errors.Is(err, domain.ErrConflict) {
			if err != nil {
				return fmt.Errorf("revoke session of a reused code: %w", err)
			}
			return nil
		}
	}
	return nil
}

// IDTokenHint reads an id_token_hint (OIDC RP-Initiated Logout §2): an ID
// token this server signed for the issuer, expired or not. Errors:
// domain.ErrInvalidToken.
func (s *Service) IDTokenHint(ctx context.Context, token string) (domain.IDClaims, error) {
	if !s.oidc.on() {
		return domain.IDClaims{}, errOIDCOff
	}
	c, err := s.oidc.IDTokens.VerifyIDToken(ctx, token)
	if err != nil {
		return domain.IDClaims{}, err
	}
	if c.Issuer != s.policy.Issuer {
		return domain.IDClaims{}, domain.InvalidToken("iss")
	}
	return c, nil
}

// SignOut ends the browser session of the request's cookie (a missing or
// unknown one is not an error: there is nothing to end). A request not
// known to come from a client of that very session (no id_token_hint of
// it) and not confirmed by the user is domain.ErrLogoutUnconfirmed, and
// ends nothing. It also revokes the token sessions issued through the
// browser session when the request says so (domain.SignOut.EndsTokens).
// It returns how many token sessions it revoked.
func (s *Service) SignOut(ctx context.Context, req domain.SignOut) (int, error) {
	if !s.oidc.on() {
		return 0, errOIDCOff
	}
	now := s.clock.Now()
	b, err := s.browserSession(ctx, req.Cookie, now)
	if errors.Is(err, domain.ErrLoginRequired) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if !req.Confirmed && !req.FromSessionOf(b) {
		return 0, domain.ErrLogoutUnconfirmed
	}
	ended, err := s.oidc.Browsers.EndBrowserSession(ctx, b.ID, now)
	if err != nil {
		return 0, fmt.Errorf("end browser session: %w", err)
	}
	if !req.EndsTokens(ended) {
		return 0, nil
	}
	n := 0
	for _, id := range ended.Sessions {
		revoked, err := s.sessions.RevokeSession(ctx, id, domain.ReasonLogout, now)
		if errors.Is(err, domain.ErrNotFound) {
			continue // purged: nothing of it can be accepted any more
		}
		if err != nil {
			return n, fmt.Errorf("revoke session: %w", err)
		}
		s.noteRevoked(now, revoked)
		n++
	}
	return n, nil
}
