package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeviceTokens: a token is valid for its username alone until it
// expires, under its key alone, and any change to it breaks it.
func TestDeviceTokens(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 500_000_000, time.UTC)
	d := domain.DeviceTokens{Key: []byte("0123456789abcdef0123456789abcdef"), TTL: 30 * 24 * time.Hour}
	token, exp := d.Issue("minsu", "AAAAAAAAAAAAAAAAAAAAAA", now)
	require.True(t, d.Enabled())
	assert.Equal(t, now.Add(d.TTL).Truncate(time.Second), exp)
	assert.LessOrEqual(t, len(token), domain.MaxDeviceTokenBytes)
	assert.NotContains(t, token, "minsu", "the token names no user")

	assert.True(t, d.Valid(token, "minsu", now))
	assert.True(t, d.Valid(token, "minsu", exp.Add(-time.Nanosecond)), "until its exp")
	assert.False(t, d.Valid(token, "minsu", exp), "not at its exp")
	assert.False(t, d.Valid(token, "Minsu", now), "usernames match exactly")
	assert.False(t, d.Valid(token, "chulsu", now), "another user's token")
	other := domain.DeviceTokens{Key: []byte("fedcba9876543210fedcba9876543210"), TTL: d.TTL}
	assert.False(t, other.Valid(token, "minsu", now), "another key")
	shorter := domain.DeviceTokens{Key: d.Key, TTL: time.Hour}
	assert.False(t, shorter.Valid(token, "minsu", now), "an expiry further ahead than the lifetime")
	assert.False(t, domain.DeviceTokens{}.Valid(token, "minsu", now), "no key: no tokens")
	assert.False(t, domain.DeviceTokens{}.Enabled())

	parts := strings.Split(token, ".")
	require.Len(t, parts, 4)
	for name, bad := range map[string]string{
		"empty":         "",
		"other prefix":  "dv2." + strings.Join(parts[1:], "."),
		"other id":      strings.Join([]string{parts[0], "BAAAAAAAAAAAAAAAAAAAAA", parts[2], parts[3]}, "."),
		"later exp":     strings.Join([]string{parts[0], parts[1], parts[2][:len(parts[2])-1] + "9", parts[3]}, "."),
		"exp with plus": strings.Join([]string{parts[0], parts[1], "+" + parts[2], parts[3]}, "."),
		"no id":         strings.Join([]string{parts[0], "", parts[2], parts[3]}, "."),
		"flipped mac":   token[:len(token)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(token, "A")],
		"extra part":    token + ".x",
		"too long":      token + strings.Repeat("A", domain.MaxDeviceTokenBytes),
	} {
		assert.False(t, d.Valid(bad, "minsu", now), name)
	}
}
