// Package zxcvbn estimates password strength with github.com/trustelem/zxcvbn,
// a Go port of Dropbox's zxcvbn: it matches a password against frequency
// lists (the most common passwords, English words, names, surnames, TV and
// film words), keyboard patterns, sequences, repeats and dates, with the
// account's own words added, and estimates how many guesses it takes. It
// is the "common or derived" check of NIST SP 800-63B §3.1.1.2 without a
// list to ship or keep up to date.
//
// It imports domain, ports and github.com/trustelem/zxcvbn only.
package zxcvbn

import (
	"github.com/authd/authd/ports"
	"github.com/trustelem/zxcvbn"
)

// MinScore is the lowest zxcvbn score accepted: 2, at least 10^6 guesses
// ("somewhat guessable: protection from unthrottled online attacks"). Scores
// 0 and 1 are the top of the frequency lists and their near variants
// (password1, qwerty123, iloveyou2); online guessing is throttled, and
// offline guessing meets argon2id, so a higher floor would refuse
// passphrases NIST wants accepted for little gain.
const MinScore = 2

// judgedChars bounds the characters estimated: matching is quadratic in
// the length, and a password whose first 64 characters are not guessable
// is not guessable.
const judgedChars = 64

// Estimator is a ports.PasswordStrength. Its zero value is ready to use,
// and it is safe for concurrent use.
type Estimator struct{}

// Guessable reports whether the password scores below MinScore, with the
// related words (the username) added to the lists.
func (Estimator) Guessable(password string, related ...string) bool {
	if r := []rune(password); len(r) > judgedChars {
		password = string(r[:judgedChars])
	}
	return zxcvbn.PasswordStrength(password, related).Score < MinScore
}

var _ ports.PasswordStrength = Estimator{}
