// Package app holds authd's use cases: log in, refresh, authenticate, log out,
// list and revoke sessions. Each reads the clock once and passes that instant
// to the domain rules, so one request sees one time.
//
// It imports only the domain and ports packages and the standard library.
package app
