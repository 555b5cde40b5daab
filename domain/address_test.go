package domain_test

import (
	"testing"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
)

func TestAddressGroup(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.7":               "192.0.2.7",
		"::ffff:192.0.2.7":        "192.0.2.7",
		"2001:db8:1:2::1":         "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:1:2:3": "2001:db8:1:2::/64",
		"2001:DB8:1:2::9":         "2001:db8:1:2::/64",
		"fe80::1%eth0":            "fe80::/64",
		"2001:db8:1:3::1":         "2001:db8:1:3::/64",
		"":                        "",
		"not an address":          "not an address",
	} {
		assert.Equal(t, want, domain.AddressGroup(in), in)
	}
}
