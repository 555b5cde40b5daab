package memory

import (
	"context"
	"sync"
	"time"

	"github.com/authd/authd/domain"
)

// DefaultAuditCapacity is how many events the in-memory audit log keeps:
// the most recent, about 40 MiB at most.
const DefaultAuditCapacity = 100_000

// Audit is an audit log (ports.AuditLog) in memory: a ring of the most
// recent events, so failed logins (which anyone can cause) cannot grow it
// without bound. It is safe for concurrent use.
type Audit struct {
	mu     sync.Mutex
	events []domain.AuditEvent // oldest first; at most capacity
	start  int                 // index of the oldest once the ring is full
	next   int64
	limit  int
}

// NewAudit returns an empty log keeping the capacity most recent events
// (DefaultAuditCapacity when capacity is not positive).
func NewAudit(capacity int) *Audit {
	if capacity <= 0 {
		capacity = DefaultAuditCapacity
	}
	return &Audit{limit: capacity, next: 1}
}

// Record appends the event, forgetting the oldest when full.
func (a *Audit) Record(_ context.Context, e domain.AuditEvent) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	e.ID = a.next
	a.next++
	if len(a.events) < a.limit {
		a.events = append(a.events, e)
		return nil
	}
	a.events[a.start] = e
	a.start = (a.start + 1) % a.limit
	return nil
}

// Events returns up to limit events after the ID, of the username's only
// when it is not "".
func (a *Audit) Events(_ context.Context, username string, after int64, limit int) ([]domain.AuditEvent, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []domain.AuditEvent
	for i := range a.events {
		e := a.events[(a.start+i)%len(a.events)]
		if len(out) >= limit {
			break
		}
		if e.ID > after && (username == "" || e.Username == username) {
			out = append(out, e)
		}
	}
	return out, nil
}

// PurgeEvents forgets the events before the instant.
func (a *Audit) PurgeEvents(_ context.Context, before time.Time) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	kept := make([]domain.AuditEvent, 0, len(a.events))
	for i := range a.events {
		if e := a.events[(a.start+i)%len(a.events)]; !e.At.Before(before) {
			kept = append(kept, e)
		}
	}
	n := len(a.events) - len(kept)
	a.events, a.start = kept, 0
	return n, nil
}
