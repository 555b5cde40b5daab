// Package random implements ports.IDGenerator with crypto/rand.
//
// It imports only domain, ports and the standard library.
package random

import (
	"crypto/rand"
	"encoding/base64"
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
