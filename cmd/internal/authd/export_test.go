package authd

import (
	"context"
	"time"

	"github.com/authd/authd/ports"
)

// What the external tests of this package (package authd_test, which use
// the harness and so cannot be inside package authd) need of its
// unexported parts.

// AdminMaxConnections is adminMaxConnections, the admin listener's cap.
const AdminMaxConnections = adminMaxConnections

// Sessions returns the App's session store.
func (a *App) Sessions() ports.SessionStore { return a.stores.sessions }

// PurgeLoop runs the App's purge loop every interval until ctx ends.
func (a *App) PurgeLoop(ctx context.Context, every time.Duration) { a.purgeLoop(ctx, every) }

// Purge deletes what expired before now, as one turn of the purge loop.
func (a *App) Purge(ctx context.Context, now time.Time) (int, error) {
	return a.service.Purge(ctx, now)
}
