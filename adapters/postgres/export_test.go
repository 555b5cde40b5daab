package postgres

import (
	"context"
	"time"

	"github.com/authd/authd/domain"
)

// The revocation catch-up's queries, for the tests that explain them.
const (
	LookbackQuery = lookbackQuery
	UnseenQuery   = unseenQuery
)

// RevocationReader returns a function that reads revocations as the watcher
// does, each call from where the previous one stopped.
func (s *Store) RevocationReader(lookback time.Duration) func(context.Context) ([]domain.Session, error) {
	var seen *snapshot
	return func(ctx context.Context) ([]domain.Session, error) { return s.readRevoked(ctx, lookback, &seen) }
}

// RevocationReaderAfter is RevocationReader for a watcher whose last
// catch-up saw the transaction counter at xmax, with none in progress.
func (s *Store) RevocationReaderAfter(lookback time.Duration, xmax int64) func(context.Context) ([]domain.Session, error) {
	seen := &snapshot{xmax: xmax}
	return func(ctx context.Context) ([]domain.Session, error) { return s.readRevoked(ctx, lookback, &seen) }
}
