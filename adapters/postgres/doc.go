// Package postgres keeps users, sessions, login failures and known login
// addresses in PostgreSQL with github.com/jackc/pgx/v5, so several authd
// instances can share them. It implements ports.UserStore,
// ports.SessionStore, ports.FailureLog and ports.KnownAddresses; its schema is embedded and applied by Migrate. Refresh rotation is one
// conditional UPDATE, so two instances can never both rotate a token, and a
// trigger records every revocation's transaction and announces it with
// NOTIFY; WatchRevocations reads revocations in commit order, on each
// notification and every interval (ADR 0004), and turns them into
// callbacks, so access tokens of revoked sessions are refused on every
// instance within about a second without a database read per request.
//
// It imports only domain, ports, pgx and the standard library.
package postgres
