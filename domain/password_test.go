package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
)

func TestCheckNewPassword(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		user, password string
		rule           string // "" for accepted
	}{
		"eight characters":         {"minsu", "tangerin", ""},
		"seven characters":         {"minsu", "tangeri", domain.RuleTooShort},
		"eight Korean syllables":   {"minsu", "바다가보이는창문", ""},
		"64 characters":            {"minsu", strings.Repeat("k", 64), ""},
		"256 characters":           {"minsu", strings.Repeat("k", 256), ""},
		"257 characters":           {"minsu", strings.Repeat("k", 257), domain.RuleTooLong},
		"no composition rules":     {"minsu", "all lower case words", ""},
		"spaces count":             {"minsu", "        ", ""},
		"the username":             {"minsu12345", "minsu12345", domain.RuleUsername},
		"the username in any case": {"Minsu", "MINSU-2026", domain.RuleUsername},
		"the username backwards":   {"minsu", "usnim-2026", domain.RuleUsername},
		"inside the username":      {"satangsusu", "satangsu", domain.RuleUsername},
		"a two-letter username":    {"jo", "jo-tangerine", ""},
		"an unrelated long name":   {"kimminsu", "tangerine-orbit", ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := domain.CheckNewPassword(tc.user, tc.password)
			if tc.rule == "" {
				assert.NoError(t, err)
				return
			}
			var pe *domain.PasswordError
			if assert.True(t, errors.As(err, &pe), "%v", err) {
				assert.Equal(t, tc.rule, pe.Rule)
			}
			assert.ErrorIs(t, err, domain.ErrWeakPassword)
			assert.Equal(t, "weak_password", domain.Code(err))
		})
	}
	assert.ErrorIs(t, domain.CheckNewPassword("minsu", "\xff\xfe-tangerine"), domain.ErrInvalidRequest)
}

func TestValidateNewUsername(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		name string
		ok   bool
	}{
		"plain":          {"minsu", true},
		"Korean":         {"김민수", true},
		"inner space":    {"kim minsu", true},
		"64 characters":  {strings.Repeat("민", 64), true},
		"65 characters":  {strings.Repeat("u", 65), false},
		"empty":          {"", false},
		"NUL":            {"min\x00su", false},
		"newline":        {"minsu\nadmin", false},
		"tab":            {"min\tsu", false},
		"DEL":            {"minsu\x7f", false},
		"not UTF-8":      {"\xff", false},
		"U+FFFD":         {"min\ufffdsu", false}, // what encoding/json makes of bytes that are not UTF-8
		"leading space":  {" minsu", false},
		"trailing space": {"minsu ", false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := domain.ValidateNewUsername(tc.name)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, domain.ErrInvalidRequest)
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	ctx := domain.WithRequest(t.Context(), domain.Request{ID: "req-1", ClientIP: "192.0.2.1"})
	assert.Equal(t, domain.Request{ID: "req-1", ClientIP: "192.0.2.1"}, domain.RequestOf(ctx))
	assert.Equal(t, domain.Request{}, domain.RequestOf(t.Context()))
}
