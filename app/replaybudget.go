package app

import (
	"sync"
	"time"
)

// maxBudgetGroups bounds how many address groups the replay budget counts
// in one period; groups beyond it share one count, so the budget's memory
// stays bounded however many addresses a client has.
const maxBudgetGroups = 1 << 16

// overflowGroup is the count the groups beyond maxBudgetGroups share.
const overflowGroup = "\x00overflow"

// replayBudget bounds how many DPoP proofs one address group (see
// domain.AddressGroup) may have the replay cache remember per period (the
// proof window): at most limit in each fixed period, so at most twice that
// live at once, since a proof is remembered for about one window. It sits
// in front of the replay cache, whatever store holds it, so a client with
// a valid token cannot fill the cache, or a table, for everyone. It is
// safe for concurrent use; a nil budget or a limit of 0 allows everything.
type replayBudget struct {
	mu     sync.Mutex
	limit  int
	period time.Duration
	start  time.Time      // the current period's start
	counts map[string]int // proofs spent this period by group
}

// newReplayBudget returns a budget of limit proofs per group and period,
// or nil (no budget) when limit is 0 or less.
func newReplayBudget(limit int, period time.Duration) *replayBudget {
	if limit <= 0 || period <= 0 {
		return nil
	}
	return &replayBudget{limit: limit, period: period, counts: map[string]int{}}
}

// take charges one proof to group at now. It returns 0 when the proof may
// be remembered, else how long until the group's next period begins.
func (b *replayBudget) take(group string, now time.Time) time.Duration {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if start := now.Truncate(b.period); !start.Equal(b.start) {
		b.start, b.counts = start, map[string]int{} // a new period: O(1), the old map is garbage
	}
	if _, known := b.counts[group]; !known && len(b.counts) >= maxBudgetGroups {
		group = overflowGroup
	}
	if b.counts[group] >= b.limit {
		return b.start.Add(b.period).Sub(now)
	}
	b.counts[group]++
	return 0
}
