package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Remember records key until the instant until. A new key is inserted, a
// key whose until has passed is taken anew, and a key still within its time
// changes nothing; the primary key makes concurrent calls on any number of
// instances agree on the one that inserted, so a proof is accepted once
// across all of them.
//
// Calls that arrive while earlier ones are at the database go together in
// one statement (see replayBatcher): under load one round trip and one
// commit carry many proofs; a lone call goes alone and waits for nothing.
func (s *Store) Remember(ctx context.Context, key string, now, until time.Time) (bool, error) {
	if !storable(key) {
		return false, nil
	}
	return s.replays.remember(ctx, key, now, until)
}

// rememberBatchQuery inserts a batch of keys with their untils. A key
// already present is taken anew only when its until is at or before $3;
// RETURNING names the keys this statement inserted or took anew, which are
// the new ones.
const rememberBatchQuery = `INSERT INTO dpop_replays AS r (key, until)
	SELECT k, u FROM unnest($1::text[], $2::timestamptz[]) AS t(k, u)
	ON CONFLICT (key) DO UPDATE SET until = EXCLUDED.until WHERE r.until <= $3
	RETURNING key`

// replayBatchMax bounds the keys of one statement, and replayWorkers how
// many statements are at the database at once: enough to keep one
// instance's DPoP requests from queueing behind a single round trip, few
// enough that under load each statement carries many keys.
const (
	replayBatchMax = 128
	replayWorkers  = 2
)

// rememberCall is one Remember waiting for its batch.
type rememberCall struct {
	key        string
	now, until time.Time
	done       chan rememberResult // buffered: a worker never blocks on a caller gone away
}

type rememberResult struct {
	fresh bool
	err   error
}

// replayBatcher groups concurrent Remember calls. Each of its workers takes
// the first waiting call, then every other call already waiting (up to
// replayBatchMax), and sends them as one statement, without ever waiting
// for more to arrive.
type replayBatcher struct {
	s     *Store
	calls chan *rememberCall
	once  sync.Once
	stop  chan struct{}
	wg    sync.WaitGroup
}

func newReplayBatcher(s *Store) *replayBatcher {
	return &replayBatcher{s: s, calls: make(chan *rememberCall), stop: make(chan struct{})}
}

// remember hands the call to a worker (starting them on first use) and
// waits for its answer or for ctx to end.
func (b *replayBatcher) remember(ctx context.Context, key string, now, until time.Time) (bool, error) {
	b.once.Do(func() {
		for range replayWorkers {
			b.wg.Add(1)
			go b.work()
		}
	})
	c := &rememberCall{key: key, now: now, until: until, done: make(chan rememberResult, 1)}
	select {
	case b.calls <- c:
	case <-ctx.Done():
		return false, unavailable("remember proof", ctx.Err())
	case <-b.stop:
		return false, unavailable("remember proof", errClosed)
	}
	select {
	case r := <-c.done:
		return r.fresh, r.err
	case <-ctx.Done():
		return false, unavailable("remember proof", ctx.Err())
	}
}

// close stops the workers once the calls they hold are answered.
func (b *replayBatcher) close() {
	close(b.stop)
	b.wg.Wait()
}

func (b *replayBatcher) work() {
	defer b.wg.Done()
	batch := make([]*rememberCall, 0, replayBatchMax)
	for {
		select {
		case c := <-b.calls:
			batch = append(batch[:0], c)
		case <-b.stop:
			return
		}
	drain:
		for len(batch) < replayBatchMax {
			select {
			case c := <-b.calls:
				batch = append(batch, c)
			default:
				break drain
			}
		}
		b.send(batch)
	}
}

// send runs one batch's statement and answers its calls. The keys go in
// sorted order, so that two instances' batches sharing keys lock them in
// the same order and cannot deadlock; a key twice in one batch goes once,
// and its later calls are replays of the first. The batch is judged at the
// earliest now among its calls: a key whose until falls between that and a
// later call's now is refused as still remembered, the safe side, by at
// most the batch's wait.
func (b *replayBatcher) send(batch []*rememberCall) {
	slices.SortStableFunc(batch, func(x, y *rememberCall) int {
		switch {
		case x.key < y.key:
			return -1
		case x.key > y.key:
			return 1
		}
		return 0
	})
	keys := make([]string, 0, len(batch))
	untils := make([]time.Time, 0, len(batch))
	now := batch[0].now
	for i, c := range batch {
		if c.now.Before(now) {
			now = c.now
		}
		if i > 0 && batch[i-1].key == c.key {
			continue
		}
		keys, untils = append(keys, c.key), append(untils, c.until)
	}
	fresh, err := b.s.rememberBatch(keys, untils, now)
	for i, c := range batch {
		dup := i > 0 && batch[i-1].key == c.key
		c.done <- rememberResult{fresh: err == nil && !dup && fresh[c.key], err: err}
	}
}

// rememberBatch runs the batch statement and returns the keys it took.
func (s *Store) rememberBatch(keys []string, untils []time.Time, now time.Time) (map[string]bool, error) {
	ctx, cancel := s.op(context.Background())
	defer cancel()
	rows, err := s.pool.Query(ctx, rememberBatchQuery, keys, untils, now)
	if err != nil {
		return nil, unavailable("remember proof", err)
	}
	defer rows.Close()
	fresh := make(map[string]bool, len(keys))
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, unavailable("remember proof", err)
		}
		fresh[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("remember proof", err)
	}
	return fresh, nil
}

// errClosed is the error of a Remember on a closed store.
var errClosed = fmt.Errorf("store closed")

// PurgeReplays deletes the keys whose until is at or before now.
func (s *Store) PurgeReplays(ctx context.Context, now time.Time) (int, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `DELETE FROM dpop_replays WHERE until <= $1`, now)
	if err != nil {
		return 0, unavailable("purge proofs", err)
	}
	return int(tag.RowsAffected()), nil
}

// Entries counts the rows of dpop_replays.
func (s *Store) Entries(ctx context.Context) (int, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM dpop_replays`).Scan(&n); err != nil {
		return 0, unavailable("count proofs", err)
	}
	return n, nil
}
