// Package memory implements the user and session stores in process memory:
// the default for one instance, and the reference the store contract test
// holds every other store to. Sessions are kept compactly (about 200 bytes
// each) and forgotten by PurgeSessions once none of their tokens can be
// accepted, so memory stays bounded by the sessions that are alive.
//
// It imports only domain, ports and the standard library.
package memory
