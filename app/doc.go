// Package app holds authd's use cases: log in, refresh, authenticate, log out,
// list and revoke sessions, introspect and revoke tokens of either kind. Each
// reads the clock once and passes that instant to the domain rules, so one
// request sees one time. Tokens are judged in one place (verify.go) and
// login attempts throttled in another (throttle.go).
//
// It imports only the domain and ports packages and the standard library.
package app
