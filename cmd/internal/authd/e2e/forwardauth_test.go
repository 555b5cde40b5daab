package e2e

import (
	"testing"

	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
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
	e := harness.NewEnv(t) // AUTH_TRUSTED_PROXIES empty: nobody's headers are believed
	c := harness.NewDPoPClient(t, e)
	p := c.Login().Pair(t)
	news := c.Proof("GET", "/public/news", p.Access)
	for _, headers := range [][]string{
		{"X-Original-Method: GET", "X-Original-URI: /public/news"},
		{"X-Forwarded-Method: GET", "X-Forwarded-Uri: /public/news"},
	} {
		r := e.Do("DELETE", "/auth/verify", "", append([]string{"Authorization: DPoP " + p.Access, "DPoP: " + news}, headers...)...)
		harness.AssertDPoPError(t, r, "invalid_dpop_proof")
		assert.Empty(t, r.Header.Get("X-Auth-Subject"), "%v", headers)
	}
	// The request authd received is what a direct caller's proof names.
	r := e.Do("DELETE", "/auth/verify", "", "Authorization: DPoP "+p.Access, "DPoP: "+c.Proof("DELETE", "/auth/verify", p.Access),
		"X-Original-Method: GET", "X-Original-URI: /public/news")
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Equal(t, "2", r.Header.Get("X-Auth-Subject"))
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
		e := harness.NewEnv(t, harness.TrustedGateway(api, shop)) // AUTH_VERIFY_HEADERS=nginx, the default
		c := harness.NewDPoPClient(t, e)
		p := c.Login().Pair(t)
		harness.AssertDPoPError(t, c.VerifyWith(p.Access, "DELETE", api+"/admin/users/7",
			"X-Forwarded-Method: DELETE", "X-Forwarded-Uri: /admin/users/7", "X-Forwarded-Proto: https", "X-Forwarded-Host: api.example"), "invalid_dpop_proof")
		// nginx's own headers, and the host only from the subrequest's Host:
		// a forwarded host does not move the origin.
		harness.AssertDPoPError(t, c.VerifyWith(p.Access, "DELETE", shop+"/admin/users/7",
			"X-Original-Method: DELETE", "X-Original-URI: /admin/users/7", "X-Forwarded-Proto: https", "X-Forwarded-Host: shop.example"), "invalid_dpop_proof")
		r := c.VerifyWith(p.Access, "DELETE", api+"/admin/users/7", "X-Original-Method: DELETE", "X-Original-URI: /admin/users/7")
		assert.Equal(t, 200, r.Status, r.Raw)
	})
	t.Run("traefik ignores nginx's headers", func(t *testing.T) {
		t.Parallel()
		e := harness.NewEnv(t, harness.TrustedGateway(api, shop), func(c *authd.Config) { c.VerifyHeaders = "traefik" })
		c := harness.NewDPoPClient(t, e)
		p := c.Login().Pair(t)
		traefik := []string{"X-Forwarded-Method: DELETE", "X-Forwarded-Uri: /admin/users/7", "X-Forwarded-Proto: https", "X-Forwarded-Host: shop.example"}
		// The red team's request: a proof for GET /public/news, and the
		// client's own X-Original-* naming it, which Traefik passes on.
		harness.AssertDPoPError(t, c.VerifyWith(p.Access, "GET", shop+"/public/news",
			append([]string{"X-Original-Method: GET", "X-Original-URI: /public/news"}, traefik...)...), "invalid_dpop_proof")
		r := c.VerifyWith(p.Access, "DELETE", shop+"/admin/users/7", append([]string{"X-Original-Method: GET", "X-Original-URI: /public/news"}, traefik...)...)
		assert.Equal(t, 200, r.Status, "the forwarded host selects a configured origin: %s", r.Raw)
	})
	t.Run("origins outside AUTH_VERIFY_ORIGINS are refused", func(t *testing.T) {
		t.Parallel()
		e := harness.NewEnv(t, harness.TrustedGateway(api), func(c *authd.Config) { c.VerifyHeaders = "traefik" })
		c := harness.NewDPoPClient(t, e)
		p := c.Login().Pair(t)
		for _, host := range []string{"evil.example", "api.example.evil.example", "api.example:8443"} {
			r := c.VerifyWith(p.Access, "GET", "https://"+host+"/orders",
				"X-Forwarded-Method: GET", "X-Forwarded-Uri: /orders", "X-Forwarded-Proto: https", "X-Forwarded-Host: "+host)
			harness.AssertDPoPError(t, r, "invalid_dpop_proof")
			assert.Empty(t, r.Header.Get("X-Auth-Subject"), host)
		}
		harness.AssertDPoPError(t, c.VerifyWith(p.Access, "GET", "http://api.example/orders",
			"X-Forwarded-Method: GET", "X-Forwarded-Uri: /orders", "X-Forwarded-Proto: http", "X-Forwarded-Host: api.example"), "invalid_dpop_proof")
	})
	t.Run("the default origin is the public URL's", func(t *testing.T) {
		t.Parallel()
		e := harness.NewEnv(t, harness.TrustedGateway(), func(c *authd.Config) { c.PublicURL = "https://auth.example/base" })
		c := harness.NewDPoPClient(t, e)
		proof, err := c.Key.Proof("POST", "https://auth.example/base/login/", "", "", e.Clock.Now())
		require.NoError(t, err)
		p := e.Do("POST", "/login/", `{"username":"minsu","password":"1229"}`, harness.JSONHeader, "DPoP: "+proof).Pair(t)
		harness.AssertDPoPError(t, c.VerifyWith(p.Access, "GET", "https://evil.example/orders", "X-Original-URI: /orders", "Host: evil.example"), "invalid_dpop_proof")
		r := c.VerifyWith(p.Access, "GET", "https://auth.example/orders", "X-Original-URI: /orders")
		assert.Equal(t, 200, r.Status, r.Raw)
	})
	t.Run("envoy", func(t *testing.T) {
		t.Parallel()
		e := harness.NewEnv(t, harness.TrustedGateway(api), func(c *authd.Config) { c.VerifyHeaders = "envoy" })
		c := harness.NewDPoPClient(t, e)
		p := c.Login().Pair(t)
		proof, err := c.Key.Proof("PUT", api+"/orders", p.Access, "", e.Clock.Now())
		require.NoError(t, err)
		r := e.Do("PUT", "/auth/verify/orders", "", "Authorization: DPoP "+p.Access, "DPoP: "+proof, "X-Original-Method: GET", "X-Original-URI: /public/news")
		assert.Equal(t, 200, r.Status, r.Raw)
	})
}
