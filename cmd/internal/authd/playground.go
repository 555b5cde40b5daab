package authd

import "github.com/authd/authd/adapters/httpapi/playground"

// The browser playground is wired here, apart from wire.go, so that a team
// that does not want it deletes adapters/httpapi/playground and this file
// and nothing else (docs/template.md §6): authd then serves no playground,
// and the tests that drive it skip (harness.NeedPlayground).
func init() { playgroundFiles = playground.Files }
