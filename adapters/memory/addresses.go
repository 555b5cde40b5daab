package memory

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// DefaultMaxKnownAccounts bounds the accounts a KnownAddresses store holds:
// measured, an account of 20 addresses costs 431 bytes of heap, so 100,000
// such accounts hold 41 MiB (BenchmarkKnownAddresses).
const DefaultMaxKnownAccounts = 100_000

// KnownAddresses is an in-memory ports.KnownAddresses. Each account keeps
// at most the number of addresses the caller asks for, the most recently
// used; an address is held as a 64-bit hash under a seed of this process
// (a stranger's address is taken for a known one only by a collision with
// one of the account's few addresses: 20 in 2^64) and its last use, 16 bytes.
// The store holds at most a fixed number of accounts; past it, recording a
// new account forgets the one of a random sample that logged in least
// recently. It never touches the failure log, so logins cannot steer what
// that forgets. It is safe for concurrent use.
type KnownAddresses struct {
	mu          sync.Mutex
	seed        maphash.Seed
	accounts    map[string][]knownAddress
	maxAccounts int
	evictions   uint64
}

// knownAddress is one address of an account: its hash and its last use in
// Unix nanoseconds.
type knownAddress struct {
	hash uint64
	at   int64
}

// NewKnownAddresses returns an empty store of DefaultMaxKnownAccounts
// accounts.
func NewKnownAddresses() *KnownAddresses {
	return NewKnownAddressesWithLimit(DefaultMaxKnownAccounts)
}

// NewKnownAddressesWithLimit returns an empty store of at most maxAccounts
// accounts.
func NewKnownAddressesWithLimit(maxAccounts int) *KnownAddresses {
	return &KnownAddresses{seed: maphash.MakeSeed(), accounts: make(map[string][]knownAddress), maxAccounts: max(maxAccounts, 1)}
}

// RememberAddress records the account's login from the address, keeping
// its keep most recently used addresses.
func (k *KnownAddresses) RememberAddress(_ context.Context, account, address string, at time.Time, keep int) error {
	h, n := maphash.String(k.seed, address), at.UnixNano()
	k.mu.Lock()
	defer k.mu.Unlock()
	list, ok := k.accounts[account]
	if !ok && len(k.accounts) >= k.maxAccounts {
		k.evict()
	}
	found := false
	for i := range list {
		if list[i].hash == h {
			list[i].at = max(list[i].at, n)
			found = true
			break
		}
	}
	switch {
	case found:
	case keep > 0 && len(list) >= keep:
		// In place, so a full list never grows; an address older than all
		// the account keeps is not among its keep most recent.
		if i := leastRecent(list); list[i].at < n {
			list[i] = knownAddress{hash: h, at: n}
		}
	default:
		if keep > 0 && len(list) == cap(list) {
			// Grow by doubling, but never past keep: append's doubling
			// would give a list of 20 room for 32.
			grown := make([]knownAddress, len(list), min(max(2*cap(list), 2), keep))
			copy(grown, list)
			list = grown
		}
		list = append(list, knownAddress{hash: h, at: n})
	}
	for keep > 0 && len(list) > keep { // the caller asks for fewer than before
		i := leastRecent(list)
		list = append(list[:i], list[i+1:]...)
	}
	k.accounts[account] = list
	return nil
}

// leastRecent is the index of the address used least recently.
func leastRecent(list []knownAddress) int {
	oldest := 0
	for i := range list {
		if list[i].at < list[oldest].at {
			oldest = i
		}
	}
	return oldest
}

// evict forgets, of a random sample of accounts (Go's map order is
// random), the one whose latest login is the oldest. It runs with the lock
// held.
func (k *KnownAddresses) evict() {
	var victim string
	latest := int64(0)
	n := 0
	for account, list := range k.accounts {
		if l := newestOf(list); n == 0 || l < latest {
			victim, latest = account, l
		}
		if n++; n == evictionSample {
			break
		}
	}
	delete(k.accounts, victim)
	k.evictions++
}

// newestOf is the latest use of any of the addresses.
func newestOf(list []knownAddress) int64 {
	var newest int64
	for _, a := range list {
		newest = max(newest, a.at)
	}
	return newest
}

// AddressKnown reports whether the account logged in from the address
// after since.
func (k *KnownAddresses) AddressKnown(_ context.Context, account, address string, since time.Time) (bool, error) {
	h, cut := maphash.String(k.seed, address), since.UnixNano()
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, a := range k.accounts[account] {
		if a.hash == h {
			return a.at > cut, nil
		}
	}
	return false, nil
}

// PurgeAddresses forgets addresses last used at or before the instant and
// accounts left with none.
func (k *KnownAddresses) PurgeAddresses(_ context.Context, before time.Time) (int, error) {
	cut := before.UnixNano()
	k.mu.Lock()
	defer k.mu.Unlock()
	removed := 0
	for account, list := range k.accounts {
		kept := list[:0]
		for _, a := range list {
			if a.at > cut {
				kept = append(kept, a)
			}
		}
		removed += len(list) - len(kept)
		if len(kept) == 0 {
			delete(k.accounts, account)
		} else {
			k.accounts[account] = kept
		}
	}
	return removed, nil
}

// Accounts returns how many accounts the store holds addresses of.
func (k *KnownAddresses) Accounts() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.accounts)
}

// Evictions returns how many accounts were forgotten to stay within the
// limit.
func (k *KnownAddresses) Evictions() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.evictions
}
