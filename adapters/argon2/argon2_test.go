package argon2

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var _ ports.PasswordHasher = (*Hasher)(nil)

// cheap keeps the tests fast; the format and logic do not depend on cost.
func cheap() Params { return Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} }

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := New(cheap(), 2, time.Second)
	enc, err := h.Hash(ctx, "1229")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$"), enc)

	assert.NoError(t, h.Verify(ctx, enc, "1229"))
	assert.ErrorIs(t, h.Verify(ctx, enc, "1228"), domain.ErrInvalidCredentials)
	assert.ErrorIs(t, h.Verify(ctx, enc, ""), domain.ErrInvalidCredentials)
	assert.ErrorIs(t, h.VerifyDummy(ctx, "1229"), domain.ErrInvalidCredentials)

	enc2, err := h.Hash(ctx, "1229")
	require.NoError(t, err)
	assert.NotEqual(t, enc, enc2, "every hash has its own salt")
}

func TestOWASPParams(t *testing.T) {
	h := New(OWASP(), 1, time.Second)
	enc, err := h.Hash(context.Background(), "pw")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$"), enc)
	p, salt, key, err := Decode(enc)
	require.NoError(t, err)
	assert.Equal(t, OWASP(), p)
	assert.Len(t, salt, 16)
	assert.Len(t, key, 32)
}

func TestDecodeRejects(t *testing.T) {
	for name, enc := range map[string]string{
		"empty":       "",
		"bcrypt":      "$2a$10$abcdefghijklmnopqrstuu",
		"argon2i":     "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"old version": "$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"huge memory": "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"zero time":   "$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"bad salt":    "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5a2V5a2V5a2V5a2V5a2V5",
		"short key":   "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5",
	} {
		t.Run(name, func(t *testing.T) {
			_, _, _, err := Decode(enc)
			assert.Error(t, err)
			err = New(cheap(), 1, time.Second).Verify(context.Background(), enc, "x")
			assert.Error(t, err)
			assert.False(t, errors.Is(err, domain.ErrInvalidCredentials), "a broken hash is not a wrong password")
		})
	}
}

func TestQueueFullIsUnavailable(t *testing.T) {
	h := New(cheap(), 1, 10*time.Millisecond)
	require.NoError(t, h.acquire(context.Background())) // occupy the only slot
	defer h.release()
	err := h.VerifyDummy(context.Background(), "x")
	assert.ErrorIs(t, err, domain.ErrUnavailable)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h2 := New(cheap(), 1, time.Hour)
	require.NoError(t, h2.acquire(context.Background()))
	defer h2.release()
	assert.ErrorIs(t, h2.VerifyDummy(ctx, "x"), domain.ErrUnavailable)
}

func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	h := New(OWASP(), 0, time.Minute)
	enc, err := h.Hash(ctx, "1229")
	require.NoError(b, err)
	b.Run("wrong_password", func(b *testing.B) {
		for b.Loop() {
			_ = h.Verify(ctx, enc, "0000")
		}
	})
	b.Run("unknown_user", func(b *testing.B) {
		for b.Loop() {
			_ = h.VerifyDummy(ctx, "0000")
		}
	})
}

// TestQueueBound: with every slot busy, callers may wait up to the queue's
// bound; one more is refused at once, and Admit says so beforehand. The
// wait is an hour, so a refusal that waited would not come back.
func TestQueueBound(t *testing.T) {
	ctx := context.Background()
	h := New(cheap(), 1, time.Hour).WithQueue(1)
	enc, err := h.Hash(ctx, "pw")
	require.NoError(t, err)
	require.NoError(t, h.Admit(), "a free slot")

	h.sem <- struct{}{} // the one slot, busy
	assert.NoError(t, h.Admit(), "the slot is busy and the queue has room")
	waited := make(chan error, 1)
	go func() { waited <- h.Verify(ctx, enc, "pw") }()
	require.Eventually(t, func() bool { return h.waiting.Load() == 1 }, 10*time.Second, time.Millisecond)

	assert.ErrorIs(t, h.Admit(), domain.ErrUnavailable, "the slot is busy and the queue full")
	assert.ErrorIs(t, h.Verify(ctx, enc, "pw"), domain.ErrUnavailable, "refused without waiting")
	assert.ErrorIs(t, h.VerifyDummy(ctx, "pw"), domain.ErrUnavailable)

	<-h.sem // the slot frees: the waiting caller runs
	assert.NoError(t, <-waited)
	assert.NoError(t, h.Admit())
	assert.Zero(t, h.waiting.Load())
}

// TestNoQueueBound: without WithQueue, Admit never refuses.
func TestNoQueueBound(t *testing.T) {
	h := New(cheap(), 1, time.Hour)
	h.sem <- struct{}{}
	assert.NoError(t, h.Admit())
}
