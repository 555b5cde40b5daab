// Package domain holds the rules of authd that do not depend on any
// technology: users and credentials, token claims, the expiry policy, sessions
// and their refresh-token rotation, and the errors every layer speaks.
//
// It imports only the standard library and never reads the wall clock: every
// function that depends on time takes the instant as a parameter, so tests can
// check the 1-minute and 5-minute boundaries to the nanosecond.
package domain
