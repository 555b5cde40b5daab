package memory_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/authd/authd/adapters/memory"
	"github.com/authd/authd/adapters/storetest"
	"github.com/authd/authd/ports"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var _ ports.KnownAddresses = (*memory.KnownAddresses)(nil)

func TestKnownAddressesContract(t *testing.T) {
	t.Parallel()
	storetest.TestKnownAddresses(t, func(*testing.T) ports.KnownAddresses { return memory.NewKnownAddresses() })
}

func TestFailureLogFloodContract(t *testing.T) {
	t.Parallel()
	storetest.TestFailureLogFlood(t, func(_ *testing.T, maxKeys int) ports.FailureLog { return memory.NewFailuresWithLimit(maxKeys) })
}

// TestKnownAccountsAreBounded: past its limit the store forgets the
// account that logged in least recently of a sample, counting it, and an
// account it holds is never evicted to record its own login. Not in
// parallel: the heap it measures is the whole test binary's.
func TestKnownAccountsAreBounded(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := memory.NewKnownAddressesWithLimit(10)
	require.NoError(t, k.RememberAddress(ctx, "user:recent", "addr:1", t0.Add(time.Hour), 20))
	for i := range 9 {
		require.NoError(t, k.RememberAddress(ctx, fmt.Sprint("user:", i), "addr:1", t0, 20))
	}
	require.NoError(t, k.RememberAddress(ctx, "user:recent", "addr:2", t0.Add(time.Hour), 20))
	assert.Equal(t, 10, k.Accounts())
	assert.Zero(t, k.Evictions(), "a held account's login evicts nothing")
	for i := range 9 {
		require.NoError(t, k.RememberAddress(ctx, fmt.Sprint("user:new-", i), "addr:1", t0.Add(time.Minute), 20))
	}
	assert.Equal(t, 10, k.Accounts())
	assert.Equal(t, uint64(9), k.Evictions())
	ok, err := k.AddressKnown(ctx, "user:recent", "addr:2", t0)
	require.NoError(t, err)
	assert.True(t, ok, "the account that logged in most recently is never the least recent of a sample")
}

// BenchmarkKnownAddresses fills the store with b.N accounts of 20
// addresses each and reports the heap bytes an account costs: run it with
// -bench KnownAddresses -benchtime 100000x.
func BenchmarkKnownAddresses(b *testing.B) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	addresses := make([]string, 20)
	for i := range addresses {
		addresses[i] = fmt.Sprintf("addr:%043d", i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	k := memory.NewKnownAddressesWithLimit(b.N)
	b.ResetTimer()
	for i := range b.N {
		account := fmt.Sprintf("user:%043d", i) // the size of the application's hashed keys
		for j, address := range addresses {
			if err := k.RememberAddress(ctx, account, address, t0.Add(time.Duration(i*20+j)), 20); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "B/account")
	runtime.KeepAlive(k)
}
