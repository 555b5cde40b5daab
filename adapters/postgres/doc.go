// Package postgres keeps users, sessions, login failures and known login
// addresses in PostgreSQL with github.com/jackc/pgx/v5, so several authd
// instances can share them. It implements ports.UserStore,
// ports.SessionStore, ports.FailureLog and ports.KnownAddresses; its schema is embedded and applied by Migrate. Refresh rotation is one
// conditional UPDATE, so two instances can never both rotate a token, and a
// trigger announces every revocation with NOTIFY; WatchRevocations turns
// those (and a periodic catch-up query) into callbacks, so access tokens of
// revoked sessions are refused on every instance within about a second
// without a database read per request.
//
// It imports only domain, ports, pgx and the standard library.
package postgres
