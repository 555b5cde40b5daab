package app

import (
	"github.com/authd/authd/domain"

	"sync"
	"time"
)

// maxUnacknowledged bounds the rotations remembered as unacknowledged; past
// it a failed rotation is not remembered, and its retry is judged as any
// refresh (reuse, if the rotation did commit).
const maxUnacknowledged = 1 << 16

// unacknowledged remembers, for domain.RetryWindow, the rotations this
// instance began but could not confirm (the store answered an error that
// may have followed a commit), by session id and the generation rotated
// from, so that the client's retry with that token can be told from reuse
// (domain.Session.DecideRetry). A later confirmed rotation of the session
// forgets it. It is safe for concurrent use.
type unacknowledged struct {
	mu sync.Mutex
	m  map[string]unackedRotation
}

type unackedRotation struct {
	fromGen uint64
	until   time.Time
}

func newUnacknowledged() *unacknowledged {
	return &unacknowledged{m: make(map[string]unackedRotation)}
}

// note records that the rotation of session sid from fromGen, begun at
// now, was not acknowledged.
func (u *unacknowledged) note(sid string, fromGen uint64, now time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.m) >= maxUnacknowledged {
		for id, r := range u.m {
			if !now.Before(r.until) {
				delete(u.m, id)
			}
		}
		if len(u.m) >= maxUnacknowledged {
			return
		}
	}
	u.m[sid] = unackedRotation{fromGen: fromGen, until: now.Add(domain.RetryWindow)}
}

// retry reports whether a token of generation gen of session sid, at now,
// is the retry of a rotation this instance could not acknowledge.
func (u *unacknowledged) retry(sid string, gen uint64, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	r, ok := u.m[sid]
	if ok && !now.Before(r.until) {
		delete(u.m, sid)
		return false
	}
	return ok && r.fromGen == gen
}

// forget drops the session's record once one of its rotations was
// acknowledged: the client holds the new pair, so the old token is no
// longer a retry.
func (u *unacknowledged) forget(sid string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.m, sid)
}
