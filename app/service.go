package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
)

// Deps are the ports a Service needs. Every field is required.
type Deps struct {
	Clock    ports.Clock
	Users    ports.UserStore
	Sessions ports.SessionStore
	Issuer   ports.TokenIssuer
	Verifier ports.TokenVerifier
	Hasher   ports.PasswordHasher
	IDs      ports.IDGenerator
	Failures ports.FailureLog
	Proofs   ports.ProofVerifier
	Replays  ports.ReplayCache
	Policy   domain.Policy
	// DPoP holds the proof rules; a zero value means
	// domain.DefaultDPoPPolicy. Nonces makes the server nonces when
	// DPoP.Nonce is set, and needs a key then.
	DPoP   domain.DPoPPolicy
	Nonces domain.DPoPNonces
	// AddressThrottle limits failed logins per username and client address,
	// IPThrottle per client address across usernames, and AccountDelay
	// slows down failures per username from addresses that username has
	// not logged in from recently. A zero policy sets no limit.
	AddressThrottle domain.ThrottlePolicy
	IPThrottle      domain.ThrottlePolicy
	AccountDelay    domain.DelayPolicy
	// KnownAddresses remembers the addresses each account logged in from,
	// which skip its AccountDelay; required when AccountDelay is set.
	KnownAddresses ports.KnownAddresses
	// Devices makes the device tokens successful logins hand out (a zero
	// value: none); a key needs at least 16 bytes. DeviceThrottle limits
	// failed logins per device token: a login with a valid device token of
	// its username is judged by it alone while under it, exempt from the
	// three limits above. A zero DeviceThrottle makes device tokens count
	// for nothing.
	Devices        domain.DeviceTokens
	DeviceThrottle domain.ThrottlePolicy
	// TokenCacheSize is how many verified access tokens to remember; 0
	// turns the cache off. DefaultTokenCacheSize suits most services.
	TokenCacheSize int
	// Accounts manages the users of Users (the same store): sign-up,
	// password changes and administration need it, and answer
	// domain.ErrUnavailable without it. Strength judges new passwords;
	// without it only domain.CheckNewPassword's rules apply.
	Accounts ports.UserAdmin
	Strength ports.PasswordStrength
	// SignUpThrottle limits sign-ups per client address (an IPv6 /64 as
	// one), every attempt counting; a zero policy sets no limit.
	SignUpThrottle domain.ThrottlePolicy
	// Audit records the security events; nil records none. A failure to
	// record is logged to Log (when set) and does not fail the use case.
	Audit ports.AuditLog
	Log   ports.Logger
	// DPoPAddressBudget is how many DPoP proofs one client address (an
	// IPv6 /64 counting as one) may have remembered per DPoP window, in
	// front of the replay cache; 0 sets no budget.
	// DefaultDPoPAddressBudget suits most services.
	DPoPAddressBudget int
	// OIDC holds the stores and the signer of the authorization code flow;
	// all three or none (the flow is off).
	OIDC OIDC
	// Clients are the OAuth clients; the acceptance gate refuses a token
	// issued to a client that is not among them. nil knows no client, so
	// only tokens of authd's own endpoints are accepted.
	Clients ports.Clients
}

// DefaultDPoPAddressBudget lets one address (or /64) spend 10,000 proofs a
// DPoP window, about 170 a second with the default window: far above what
// one client sends, while filling the in-memory replay cache (2^20 keys)
// would take a hundred addresses with valid tokens.
const DefaultDPoPAddressBudget = 10_000

// Service runs the use cases. It is safe for concurrent use.
type Service struct {
	clock    ports.Clock
	users    ports.UserStore
	sessions ports.SessionStore
	issuer   ports.TokenIssuer
	verifier ports.TokenVerifier
	hasher   ports.PasswordHasher
	ids      ports.IDGenerator
	failures ports.FailureLog
	known    ports.KnownAddresses // nil when AccountDelay is off
	proofs   ports.ProofVerifier
	replays  ports.ReplayCache
	policy   domain.Policy
	dpop     domain.DPoPPolicy
	nonces   domain.DPoPNonces
	throttle throttle
	budget   *replayBudget // nil when off
	revoked  *revocationList
	unacked  *unacknowledged
	cache    *tokenCache // nil when off
	oidc     OIDC
	accounts ports.UserAdmin
	strength ports.PasswordStrength
	signups  domain.ThrottlePolicy
	audit    ports.AuditLog
	log      ports.Logger
	clients  ports.Clients // nil: none
}

// New returns a Service, or an error when a dependency is missing or the
// policy cannot work.
func New(d Deps) (*Service, error) {
	if d.Clock == nil || d.Users == nil || d.Sessions == nil || d.Issuer == nil ||
		d.Verifier == nil || d.Hasher == nil || d.IDs == nil || d.Failures == nil || d.Proofs == nil || d.Replays == nil {
		return nil, errors.New("app: every dependency is required")
	}
	if (d.OIDC.Codes != nil || d.OIDC.Browsers != nil || d.OIDC.IDTokens != nil) && !d.OIDC.on() {
		return nil, errors.New("app: OIDC needs Codes, Browsers and IDTokens together")
	}
	if d.AccountDelay.Free > 0 && d.KnownAddresses == nil {
		return nil, errors.New("app: AccountDelay needs KnownAddresses")
	}
	if len(d.Devices.Key) > 0 && len(d.Devices.Key) < 16 {
		return nil, errors.New("app: device tokens need a key of at least 16 bytes")
	}
	if err := d.Policy.Check(); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	if d.DPoP.Mode == "" {
		d.DPoP = domain.DefaultDPoPPolicy()
	}
	if err := d.DPoP.Check(); err != nil {
		return nil, fmt.Errorf("app: DPoP %w", err)
	}
	if d.DPoP.Nonce && len(d.Nonces.Key) < 16 {
		return nil, errors.New("app: DPoP nonces need a key of at least 16 bytes")
	}
	return &Service{
		clock: d.Clock, users: d.Users, sessions: d.Sessions, issuer: d.Issuer,
		verifier: d.Verifier, hasher: d.Hasher, ids: d.IDs, failures: d.Failures, known: d.KnownAddresses, policy: d.Policy,
		proofs: d.Proofs, replays: d.Replays, dpop: d.DPoP, nonces: d.Nonces,
		throttle: throttle{pair: d.AddressThrottle, ip: d.IPThrottle, account: d.AccountDelay,
			device: d.DeviceThrottle, devices: d.Devices},
		budget:  newReplayBudget(d.DPoPAddressBudget, d.DPoP.Window),
		revoked: newRevocationList(), unacked: newUnacknowledged(), cache: newTokenCache(d.TokenCacheSize),
		oidc: d.OIDC, clients: d.Clients,
		accounts: d.Accounts, strength: d.Strength, signups: d.SignUpThrottle, audit: d.Audit, log: d.Log,
	}, nil
}

// grant is what a pair is issued for: the client it is issued to (empty
// for authd's own endpoints), the scope its refresh token carries (the
// scope originally granted) and the scope of its access token (the same,
// or narrower after a refresh that asked for less).
type grant struct {
	clientID      string
	scope, access string
}

// grantOf is the grant of a new login or code: one scope for both tokens.
func grantOf(clientID, scope string) grant {
	return grant{clientID: clientID, scope: scope, access: scope}
}

// issuePair signs the current generation's tokens of the session for the
// grant.
func (s *Service) issuePair(ctx context.Context, sess domain.Session, now time.Time, g grant) (domain.TokenPair, error) {
	ac, rc := sess.Tokens(s.policy)
	ac.ClientID, rc.ClientID = g.clientID, g.clientID
	ac.Scope, rc.Scope = g.access, g.scope
	access, err := s.issuer.Issue(ctx, ac)
	if err != nil {
		return domain.TokenPair{}, fmt.Errorf("sign access token: %w", err)
	}
	refresh, err := s.issuer.Issue(ctx, rc)
	if err != nil {
		return domain.TokenPair{}, fmt.Errorf("sign refresh token: %w", err)
	}
	return domain.TokenPair{
		Access:           access,
		Refresh:          refresh,
		AccessExpiresIn:  domain.ExpiresIn(ac.ExpiresAt, now),
		RefreshExpiresIn: domain.ExpiresIn(rc.ExpiresAt, now),
		SessionID:        sess.ID,
		UserID:           sess.UserID,
		JKT:              sess.JKT,
		Scope:            g.access,
	}, nil
}

// noteRevoked records revoked sessions in the in-process list that
// Authenticate consults, so their access tokens fail at once.
func (s *Service) noteRevoked(now time.Time, sessions ...domain.Session) {
	for _, sess := range sessions {
		if sess.Revoked() {
			s.revoked.add(sess.ID, sess.AccessValidUntil(s.policy), now)
		}
	}
}

// ObserveRevoked records sessions that another instance revoked, as a store
// that shares sessions between instances reports them. Their access tokens
// fail on this instance from then on.
func (s *Service) ObserveRevoked(sessions ...domain.Session) {
	s.noteRevoked(s.clock.Now(), sessions...)
}

var (
	_ ports.AuthService    = (*Service)(nil)
	_ ports.SignInService  = (*Service)(nil)
	_ ports.AccountService = (*Service)(nil)
	_ ports.AdminService   = (*Service)(nil)
)
