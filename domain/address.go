package domain

import "net/netip"

// IPv6GroupBits is the prefix length by which IPv6 clients are grouped: a
// /64 is what one subscriber, one LAN or one cloud instance usually gets
// whole, so an address limit keyed by the exact IPv6 address would give a
// single client 2^64 fresh addresses to spread over.
const IPv6GroupBits = 64

// AddressGroup returns the key under which per-address limits count a
// client address: an IPv4 address (or an IPv4-mapped IPv6 one) as itself,
// an IPv6 address as its /64 ("2001:db8:1:2::/64"). Text that is not an IP
// address (an unknown client, say) is returned as it is.
func AddressGroup(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(IPv6GroupBits)
	if err != nil {
		return ip
	}
	return p.String()
}
