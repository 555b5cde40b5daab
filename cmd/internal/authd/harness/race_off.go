//go:build !race

package harness

// raceDetector reports whether the tests run with -race (see
// race_on_test.go).
const Race = false
