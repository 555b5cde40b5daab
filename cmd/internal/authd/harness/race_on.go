//go:build race

package harness

// Race reports whether the tests run with -race, which makes the
// signature arithmetic of DPoP proofs about ten times slower: floods of
// thousands of signed requests run a fifth as long then, proving the same
// bound.
const Race = true
