// Package random implements ports.IDGenerator with crypto/rand, and a
// seeded generator for reproducible test runs.
//
// It imports only domain, ports and the standard library.
package random

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	mrand "math/rand/v2"
	"sync"
)

// IDs makes 128-bit random ids in base64url without padding (22 characters).
type IDs struct{}

// NewID returns a new id. crypto/rand.Read never fails on supported
// platforms; it panics rather than return a weak id if it ever does.
func (IDs) NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("random: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// SeededIDs makes ids from a seeded ChaCha8 stream: the same seed gives the
// same ids in the same order, run after run. That is what byte-identical
// tokens in golden-file tests need, and exactly what production must never
// have: anyone who knows the seed knows every session id. authd accepts a
// seed only together with the development clock.
type SeededIDs struct {
	mu  sync.Mutex
	rng *mrand.ChaCha8
}

// Seeded returns the generator of seed.
func Seeded(seed string) *SeededIDs {
	return &SeededIDs{rng: mrand.NewChaCha8(sha256.Sum256([]byte("authd dev seed\x00" + seed)))}
}

// NewID returns the next id of the stream, 128 bits in base64url.
func (s *SeededIDs) NewID() string {
	var b [16]byte
	s.mu.Lock()
	_, _ = s.rng.Read(b[:]) // ChaCha8.Read never fails
	s.mu.Unlock()
	return base64.RawURLEncoding.EncodeToString(b[:])
}
