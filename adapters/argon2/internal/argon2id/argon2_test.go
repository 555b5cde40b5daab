package argon2id

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	xargon2 "golang.org/x/crypto/argon2"
)

// TestSameAsXCrypto: the keys are x/crypto's for a range of parameters, in
// fresh memory and in one Memory reused from call to call, larger and
// smaller than the last, so that nothing of a previous hash leaks into the
// next.
func TestSameAsXCrypto(t *testing.T) {
	reused := &Memory{}
	for _, tc := range []struct {
		time, memory uint32
		threads      uint8
		keyLen       uint32
	}{
		{1, 64, 1, 32}, {2, 19456, 1, 32}, {3, 256, 2, 16}, {1, 1000, 4, 64}, {2, 67, 1, 32}, {2, 19456, 1, 32}, {1, 8, 1, 32},
	} {
		t.Run(fmt.Sprintf("t=%d,m=%d,p=%d", tc.time, tc.memory, tc.threads), func(t *testing.T) {
			pw, salt := []byte("1229"), []byte("somesaltsomesalt")
			want := xargon2.IDKey(pw, salt, tc.time, tc.memory, tc.threads, tc.keyLen)
			assert.Equal(t, want, IDKey(nil, pw, salt, tc.time, tc.memory, tc.threads, tc.keyLen), "fresh memory")
			assert.Equal(t, want, IDKey(reused, pw, salt, tc.time, tc.memory, tc.threads, tc.keyLen), "reused memory")
			assert.Equal(t, want, IDKey(reused, pw, salt, tc.time, tc.memory, tc.threads, tc.keyLen), "reused twice")
		})
	}
}

// TestMemoryFromAlloc: a Memory that grows asks its allocator once for
// the blocks, and reuses them for a hash that fits.
func TestMemoryFromAlloc(t *testing.T) {
	calls := 0
	m := NewMemory(func(n int) []Block { calls++; return make([]Block, n) })
	want := xargon2.IDKey([]byte("pw"), []byte("saltsalt"), 1, 64, 1, 32)
	for range 3 {
		assert.Equal(t, want, IDKey(m, []byte("pw"), []byte("saltsalt"), 1, 64, 1, 32))
	}
	assert.Equal(t, 1, calls)
	assert.Equal(t, 64, Blocks(64, 1))
	assert.Equal(t, 8, Blocks(3, 1), "at least 8 blocks per lane")
	assert.Equal(t, 64, Blocks(67, 1), "rounded down to a multiple of 4 per lane")
}
