// Package memory implements the stores in process memory (users, sessions,
// the failure log and the DPoP replay cache): the default for one instance.
// Each is held to the same contract test in adapters/storetest as the
// PostgreSQL stores. Sessions are kept compactly (about 200 bytes each) and
// forgotten by PurgeSessions once none of their tokens can be accepted, so
// memory stays bounded by the sessions that are alive; the failure log and
// the replay cache are bounded by a number of keys.
//
// It imports only domain, ports and the standard library.
package memory
