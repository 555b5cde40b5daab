package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The password rules (NIST SP 800-63B §3.1.1.2): a length of at least
// MinPasswordChars characters, at most MaxPasswordChars (so at least 64 are
// accepted, as §3.1.1.2 requires), no composition rules, and no password
// that is common or derived from the username. A *PasswordError names the
// rule a password broke.
const (
	MinPasswordChars = 8
	MaxPasswordChars = 256
)

// The rules a PasswordError can name.
const (
	// RuleTooShort: fewer than MinPasswordChars characters.
	RuleTooShort = "too_short"
	// RuleTooLong: more than MaxPasswordChars characters.
	RuleTooLong = "too_long"
	// RuleUsername: the password is the username, contains it, or is
	// contained in it (case and order aside).
	RuleUsername = "username"
	// RuleCommon: a strength estimator with frequency lists (common
	// passwords, words, names, keyboard patterns, dates) guesses it in
	// few tries.
	RuleCommon = "common"
)

// PasswordError is returned for a new password that breaks a rule. It
// unwraps to ErrWeakPassword; Rule is one of the Rule constants.
type PasswordError struct {
	Rule string
}

// Error implements error.
func (e *PasswordError) Error() string { return fmt.Sprintf("%v: %s", ErrWeakPassword, e.Rule) }

// Unwrap returns ErrWeakPassword.
func (e *PasswordError) Unwrap() error { return ErrWeakPassword }

// CheckNewPassword applies the rules this package can judge alone, length
// and the username, to a password chosen for the account username. It
// returns a *PasswordError, or nil; whether the password is common is the
// application's to ask a strength estimator (ports.PasswordStrength),
// after these pass. Characters are Unicode code points, so a Korean
// password counts its syllables, not its bytes; any character is allowed,
// spaces included. Invalid UTF-8 is a *RequestError.
func CheckNewPassword(username, password string) error {
	if !utf8.ValidString(password) {
		return &RequestError{Reason: "password must be UTF-8 text"}
	}
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordChars:
		return &PasswordError{Rule: RuleTooShort}
	case n > MaxPasswordChars:
		return &PasswordError{Rule: RuleTooLong}
	case derivedFrom(strings.ToLower(password), strings.ToLower(username)):
		return &PasswordError{Rule: RuleUsername}
	}
	return nil
}

// derivedFrom reports whether the (lower-cased) password is built from the
// (lower-cased) username: it contains the username forwards or backwards
// (a username of three characters or more), or the username contains it.
func derivedFrom(password, username string) bool {
	if username == "" {
		return false
	}
	if strings.Contains(username, password) {
		return true
	}
	if utf8.RuneCountInString(username) < 3 {
		return false
	}
	return strings.Contains(password, username) || strings.Contains(password, reverse(username))
}

// reverse returns s with its characters in the opposite order.
func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
