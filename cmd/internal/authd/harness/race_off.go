//go:build !race

package harness

// Race reports whether the tests run with -race (see
// race_on.go).
const Race = false
