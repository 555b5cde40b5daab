package app

import (
	"sync"

	"github.com/authd/authd/domain"
)

// DefaultTokenCacheSize is how many verified access tokens the cache holds:
// at about 700 bytes each (the token and its claims), 10,000 cost some 7 MB.
const DefaultTokenCacheSize = 10_000

// tokenCache remembers access tokens that passed full verification, keyed by
// the exact token string, like Envoy's jwt_authn cache. A hit skips the
// signature check, the costliest step of a request, and the checks of the
// claims' shape, which cannot change; not the rules that depend on time or
// state: the caller re-applies the time rule at now (exp, nbf) and the
// revocation list on every hit. A token that never passed
// verification is never stored, so the cache cannot make a bad token good;
// its key is the whole token, so no two tokens can collide.
//
// It holds at most max entries; when full it evicts an arbitrary one (Go's
// map iteration order is random), which keeps every operation O(1) and is
// as good as LRU for the access pattern of short-lived tokens.
type tokenCache struct {
	mu  sync.RWMutex
	m   map[string]domain.Claims
	max int
}

func newTokenCache(max int) *tokenCache {
	if max <= 0 {
		return nil
	}
	return &tokenCache{m: make(map[string]domain.Claims, min(max, 1024)), max: max}
}

// get returns the claims of a verified token.
func (c *tokenCache) get(token string) (domain.Claims, bool) {
	if c == nil {
		return domain.Claims{}, false
	}
	c.mu.RLock()
	claims, ok := c.m[token]
	c.mu.RUnlock()
	return claims, ok
}

// put remembers a token that passed full verification.
func (c *tokenCache) put(token string, claims domain.Claims) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[token] = claims
}

// drop forgets a token, once it has expired.
func (c *tokenCache) drop(token string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.m, token)
	c.mu.Unlock()
}

// len returns the number of cached tokens.
func (c *tokenCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
