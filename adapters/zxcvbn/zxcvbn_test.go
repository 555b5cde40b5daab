package zxcvbn_test

import (
	"strings"
	"testing"

	"github.com/authd/authd/adapters/zxcvbn"
	"github.com/stretchr/testify/assert"
)

func TestGuessable(t *testing.T) {
	t.Parallel()
	var e zxcvbn.Estimator
	for _, pw := range []string{"password", "password1", "12345678", "qwertyuiop", "iloveyou", "11111111", "abcdefgh"} {
		assert.True(t, e.Guessable(pw), "%q is common", pw)
	}
	assert.False(t, e.Guessable("hyunwoo1990"))
	assert.True(t, e.Guessable("hyunwoo1990", "hyunwoo"), "the account's own words make it guessable")
	for _, pw := range []string{"correct horse battery staple", "tangerine-orbit-kettle", "Xq7#mR2!vL9p", "바다가보이는창문"} {
		assert.False(t, e.Guessable(pw), "%q is not common", pw)
	}
}

func TestLongPasswordsAreJudgedByTheirStart(t *testing.T) {
	t.Parallel()
	var e zxcvbn.Estimator
	assert.False(t, e.Guessable("tangerine-orbit-kettle "+strings.Repeat("x", 10_000)))
}

func BenchmarkGuessable(b *testing.B) {
	var e zxcvbn.Estimator
	pw := "tangerine-orbit-kettle " + strings.Repeat("x", 1000)
	for b.Loop() {
		e.Guessable(pw, "minsu")
	}
}
