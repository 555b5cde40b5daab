package domain_test

import (
	"errors"
	"testing"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
)

func TestNarrowScope(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		granted, requested, want string
		invalid                  bool
	}{
		"none asked keeps the grant":     {"a b", "", "a b", false},
		"a subset, in the order asked":   {"a b c", "c a c", "c a", false},
		"nothing granted, nothing asked": {"", " ", "", false},
		"wider is refused":               {"a", "a b", "", true},
		"anything on an empty grant":     {"", "a", "", true},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := domain.NarrowScope(tc.granted, tc.requested)
			assert.Equal(t, tc.invalid, errors.Is(err, domain.ErrInvalidScope), err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestGrantScopeOfAClientWithoutScopes(t *testing.T) {
	t.Parallel()
	_, err := domain.Client{ID: "authd"}.GrantScope("anything")
	assert.ErrorIs(t, err, domain.ErrInvalidScope)
	got, err := domain.Client{ID: "authd"}.GrantScope("")
	assert.NoError(t, err)
	assert.Empty(t, got)
}

func TestValidScopeToken(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"openid", "orders:read", "https://api.example/x!"} {
		assert.True(t, domain.ValidScopeToken(ok), ok)
	}
	for _, bad := range []string{"", "a b", `a"b`, `a\b`, "a\x7f", "é"} {
		assert.False(t, domain.ValidScopeToken(bad), bad)
	}
}
