//go:build !unix

package argon2

import "github.com/authd/authd/adapters/argon2/internal/argon2id"

// workMemory returns n blocks on the Go heap, where no anonymous mapping
// is at hand.
func workMemory(n int) []argon2id.Block { return make([]argon2id.Block, n) }
