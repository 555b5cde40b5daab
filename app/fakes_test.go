package app_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authd/authd/adapters/storetest"
	"github.com/authd/authd/domain"
)

// countingClock is a frozen clock that counts its reads.
type countingClock struct {
	mu    sync.Mutex
	now   time.Time
	reads atomic.Int32
}

func (c *countingClock) Now() time.Time {
	c.reads.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *countingClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// jsonTokens issues "tokens" that are the claims as JSON, and verifies them
// as they are (the use cases judge them with the domain policy): enough to
// drive the use cases without crypto.
type jsonTokens struct{ policy domain.Policy }

func (j jsonTokens) Issue(_ context.Context, c domain.Claims) (string, error) {
	b, err := json.Marshal(c)
	return string(b), err
}

func (j jsonTokens) Verify(_ context.Context, token string, kind domain.TokenKind) (domain.Claims, error) {
	var c domain.Claims
	if err := json.Unmarshal([]byte(token), &c); err != nil {
		return c, domain.InvalidToken("not json")
	}
	return c, nil
}

// fakeUsers holds users by name; err, when set, is returned for every call.
type fakeUsers struct {
	users map[string]domain.User
	err   error
}

func (f *fakeUsers) UserByUsername(_ context.Context, name string) (domain.User, error) {
	if f.err != nil {
		return domain.User{}, f.err
	}
	if u, ok := f.users[name]; ok {
		return u, nil
	}
	return domain.User{}, domain.ErrNotFound
}

// fakeHasher accepts password "right" for hash "h" and records dummy calls.
type fakeHasher struct {
	dummies atomic.Int32
	err     error
}

func (f *fakeHasher) Hash(context.Context, string) (string, error) { return "h", nil }

func (f *fakeHasher) Verify(_ context.Context, encoded, password string) error {
	if f.err != nil {
		return f.err
	}
	if encoded == "h" && password == "right" {
		return nil
	}
	return domain.ErrInvalidCredentials
}

func (f *fakeHasher) VerifyDummy(context.Context, string) error {
	f.dummies.Add(1)
	if f.err != nil {
		return f.err
	}
	return domain.ErrInvalidCredentials
}

// randIDs makes ids as the random adapter does.
type randIDs struct{}

func (randIDs) NewID() string { return storetest.NewID() }

// jsonProofs "verifies" proofs that are a domain.Proof as JSON, so the use
// cases' DPoP rules can be driven without crypto; the jwx adapter's own
// tests cover the signatures. A proof that is not such JSON is invalid.
type jsonProofs struct{}

func (jsonProofs) VerifyProof(_ context.Context, proof string) (domain.Proof, error) {
	var p domain.Proof
	if err := json.Unmarshal([]byte(proof), &p); err != nil || p.JKT == "" {
		return domain.Proof{}, domain.InvalidProof("not a proof")
	}
	return p, nil
}
