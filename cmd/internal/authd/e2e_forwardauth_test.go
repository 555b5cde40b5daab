package authd

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestForwardAuthSpoofFromUntrustedPeer is the red team's Traefik finding:
// a client that reaches /auth/verify through a gateway that forwards its
// headers (or directly) names a harmless request in X-Original-Method and
// X-Original-URI, with a proof for that request, while the request being
// judged is another. From a peer outside AUTH_TRUSTED_PROXIES the request
// judged is the one authd received, so the proof does not pass.
func TestForwardAuthSpoofFromUntrustedPeer(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // AUTH_TRUSTED_PROXIES empty: nobody's headers are believed
	c := newDPoPClient(t, e)
	p := c.login().pair(t)
	news := c.proof("GET", "/public/news", p.access)
	for _, headers := range [][]string{
		{"X-Original-Method: GET", "X-Original-URI: /public/news"},
		{"X-Forwarded-Method: GET", "X-Forwarded-Uri: /public/news"},
	} {
		r := e.do("DELETE", "/auth/verify", "", append([]string{"Authorization: DPoP " + p.access, "DPoP: " + news}, headers...)...)
		assertDPoPError(t, r, "invalid_dpop_proof")
		assert.Empty(t, r.header.Get("X-Auth-Subject"), "%v", headers)
	}
	// The request authd received is what a direct caller's proof names.
	r := e.do("DELETE", "/auth/verify", "", "Authorization: DPoP "+p.access, "DPoP: "+c.proof("DELETE", "/auth/verify", p.access),
		"X-Original-Method: GET", "X-Original-URI: /public/news")
	require.Equal(t, 200, r.status, r.raw)
	assert.Equal(t, "2", r.header.Get("X-Auth-Subject"))
}

// trustedGateway makes the test's own loopback connections a trusted
// gateway's (AUTH_TRUSTED_PROXIES=127.0.0.1/32) in front of the origins
// (AUTH_VERIFY_ORIGINS).
func trustedGateway(origins ...string) func(*Config) {
	return func(c *Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		c.VerifyOrigins = origins
	}
}

// verifyWith sends the proof for method and url to /auth/verify with the
// gateway's headers.
func (c *dpopClient) verifyWith(access, method, url string, headers ...string) response {
	c.e.t.Helper()
	proof, err := c.key.Proof(method, url, access, "", c.e.clock.Now())
	require.NoError(c.e.t, err)
	return c.e.do("GET", "/auth/verify", "", append([]string{"Authorization: DPoP " + access, "DPoP: " + proof}, headers...)...)
}

// TestForwardAuthHeaderFamilies: a trusted gateway's headers are read in
// the configured family only (AUTH_VERIFY_HEADERS), never another family
// as a fallback, and the origin a proof names is always a configured one
// (AUTH_VERIFY_ORIGINS): a forwarded host only selects among them.
func TestForwardAuthHeaderFamilies(t *testing.T) {
	t.Parallel()
	const api, shop = "https://api.example", "https://shop.example"
	t.Run("nginx ignores Traefik's headers", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, trustedGateway(api, shop)) // AUTH_VERIFY_HEADERS=nginx, the default
		c := newDPoPClient(t, e)
		p := c.login().pair(t)
		assertDPoPError(t, c.verifyWith(p.access, "DELETE", api+"/admin/users/7",
			"X-Forwarded-Method: DELETE", "X-Forwarded-Uri: /admin/users/7", "X-Forwarded-Proto: https", "X-Forwarded-Host: api.example"), "invalid_dpop_proof")
		// nginx's own headers, and the host only from the subrequest's Host:
		// a forwarded host does not move the origin.
		assertDPoPError(t, c.verifyWith(p.access, "DELETE", shop+"/admin/users/7",
			"X-Original-Method: DELETE", "X-Original-URI: /admin/users/7", "X-Forwarded-Proto: https", "X-Forwarded-Host: shop.example"), "invalid_dpop_proof")
		r := c.verifyWith(p.access, "DELETE", api+"/admin/users/7", "X-Original-Method: DELETE", "X-Original-URI: /admin/users/7")
		assert.Equal(t, 200, r.status, r.raw)
	})
	t.Run("traefik ignores nginx's headers", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, trustedGateway(api, shop), func(c *Config) { c.VerifyHeaders = "traefik" })
		c := newDPoPClient(t, e)
		p := c.login().pair(t)
		traefik := []string{"X-Forwarded-Method: DELETE", "X-Forwarded-Uri: /admin/users/7", "X-Forwarded-Proto: https", "X-Forwarded-Host: shop.example"}
		// The red team's request: a proof for GET /public/news, and the
		// client's own X-Original-* naming it, which Traefik passes on.
		assertDPoPError(t, c.verifyWith(p.access, "GET", shop+"/public/news",
			append([]string{"X-Original-Method: GET", "X-Original-URI: /public/news"}, traefik...)...), "invalid_dpop_proof")
		r := c.verifyWith(p.access, "DELETE", shop+"/admin/users/7", append([]string{"X-Original-Method: GET", "X-Original-URI: /public/news"}, traefik...)...)
		assert.Equal(t, 200, r.status, "the forwarded host selects a configured origin: %s", r.raw)
	})
	t.Run("origins outside AUTH_VERIFY_ORIGINS are refused", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, trustedGateway(api), func(c *Config) { c.VerifyHeaders = "traefik" })
		c := newDPoPClient(t, e)
		p := c.login().pair(t)
		for _, host := range []string{"evil.example", "api.example.evil.example", "api.example:8443"} {
			r := c.verifyWith(p.access, "GET", "https://"+host+"/orders",
				"X-Forwarded-Method: GET", "X-Forwarded-Uri: /orders", "X-Forwarded-Proto: https", "X-Forwarded-Host: "+host)
			assertDPoPError(t, r, "invalid_dpop_proof")
			assert.Empty(t, r.header.Get("X-Auth-Subject"), host)
		}
		assertDPoPError(t, c.verifyWith(p.access, "GET", "http://api.example/orders",
			"X-Forwarded-Method: GET", "X-Forwarded-Uri: /orders", "X-Forwarded-Proto: http", "X-Forwarded-Host: api.example"), "invalid_dpop_proof")
	})
	t.Run("the default origin is the public URL's", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, trustedGateway(), func(c *Config) { c.PublicURL = "https://auth.example/base" })
		c := newDPoPClient(t, e)
		proof, err := c.key.Proof("POST", "https://auth.example/base/login/", "", "", e.clock.Now())
		require.NoError(t, err)
		p := e.do("POST", "/login/", `{"username":"minsu","password":"1229"}`, jsonCT, "DPoP: "+proof).pair(t)
		assertDPoPError(t, c.verifyWith(p.access, "GET", "https://evil.example/orders", "X-Original-URI: /orders", "Host: evil.example"), "invalid_dpop_proof")
		r := c.verifyWith(p.access, "GET", "https://auth.example/orders", "X-Original-URI: /orders")
		assert.Equal(t, 200, r.status, r.raw)
	})
	t.Run("envoy", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, trustedGateway(api), func(c *Config) { c.VerifyHeaders = "envoy" })
		c := newDPoPClient(t, e)
		p := c.login().pair(t)
		proof, err := c.key.Proof("PUT", api+"/orders", p.access, "", e.clock.Now())
		require.NoError(t, err)
		r := e.do("PUT", "/auth/verify/orders", "", "Authorization: DPoP "+p.access, "DPoP: "+proof, "X-Original-Method: GET", "X-Original-URI: /public/news")
		assert.Equal(t, 200, r.status, r.raw)
	})
}
