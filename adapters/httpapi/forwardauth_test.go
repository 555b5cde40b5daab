package httpapi

import (
	"context"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProofRequestURL: the URL a proof must name is built from the public
// URL the handler was given, never from the request's Host; at
// /auth/verify a trusted gateway's headers of the configured family name
// the client's request, within the configured origins.
func TestProofRequestURL(t *testing.T) {
	t.Parallel()
	auth := &fakeAuth{authenticate: func(context.Context, string) (domain.Principal, error) {
		return domain.Principal{UserID: "2", Username: "minsu"}, nil
	}}
	const gateway, client = "10.0.0.5:40000", "192.0.2.9:40000"
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")}
	origins := []string{"https://api.example", "https://shop.example:8443"}
	type request struct {
		peer, method, target, host string
		headers                    map[string]string
	}
	for name, tc := range map[string]struct {
		publicURL, family string
		origins           []string
		req               request
		method, url       string // what the proof must name; "" for a refusal
	}{
		"the public URL, not the Host": {"https://auth.example/base/", "", nil,
			request{client, "GET", "/protected/?x=1", "evil.example", nil}, "GET", "https://auth.example/base/protected/"},
		"/auth/verify without gateway headers": {testPublicURL, "", nil,
			request{gateway, "DELETE", "/auth/verify", "", nil}, "DELETE", testPublicURL + "/auth/verify"},
		"nginx from a trusted gateway": {testPublicURL, VerifyNginx, origins,
			request{gateway, "GET", "/auth/verify", "authd:5000", map[string]string{"X-Original-Method": "DELETE", "X-Original-URI": "/orders/7?x=1"}},
			"DELETE", "https://api.example/orders/7"},
		"nginx is the default family": {testPublicURL, "", origins,
			request{gateway, "GET", "/auth/verify", "", map[string]string{"X-Original-Method": "POST", "X-Original-URI": "/orders"}},
			"POST", "https://api.example/orders"},
		"nginx: the subrequest's Host selects a configured origin": {testPublicURL, VerifyNginx, origins,
			request{gateway, "GET", "/auth/verify", "SHOP.example:8443", map[string]string{"X-Original-URI": "/cart"}},
			"GET", "https://shop.example:8443/cart"},
		"nginx from an untrusted peer: the request authd received": {testPublicURL, VerifyNginx, origins,
			request{client, "DELETE", "/auth/verify", "", map[string]string{"X-Original-Method": "GET", "X-Original-URI": "/public/news"}},
			"DELETE", testPublicURL + "/auth/verify"},
		"nginx ignores Traefik's headers": {testPublicURL, VerifyNginx, origins,
			request{gateway, "DELETE", "/auth/verify", "", map[string]string{"X-Forwarded-Method": "GET", "X-Forwarded-Uri": "/public/news",
				"X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example:8443"}},
			"DELETE", testPublicURL + "/auth/verify"},
		"nginx ignores a forwarded host": {testPublicURL, VerifyNginx, origins,
			request{gateway, "GET", "/auth/verify", "", map[string]string{"X-Original-URI": "/orders", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example:8443"}},
			"GET", "https://api.example/orders"},
		"traefik from a trusted gateway": {testPublicURL, VerifyTraefik, origins,
			request{gateway, "GET", "/auth/verify", "", map[string]string{"X-Forwarded-Method": "DELETE", "X-Forwarded-Uri": "/admin/users/7",
				"X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example:8443"}},
			"DELETE", "https://shop.example:8443/admin/users/7"},
		"traefik ignores nginx's headers": {testPublicURL, VerifyTraefik, origins,
			request{gateway, "GET", "/auth/verify", "", map[string]string{"X-Original-Method": "GET", "X-Original-URI": "/public/news",
				"X-Forwarded-Method": "DELETE", "X-Forwarded-Uri": "/admin/users/7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example"}},
			"DELETE", "https://api.example/admin/users/7"},
		"traefik: a host outside the origins selects the first": {testPublicURL, VerifyTraefik, origins,
			request{gateway, "GET", "/auth/verify", "", map[string]string{"X-Forwarded-Uri": "/x", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}},
			"GET", "https://api.example/x"},
		"traefik: the scheme must match too": {testPublicURL, VerifyTraefik, origins,
			request{gateway, "GET", "/auth/verify", "", map[string]string{"X-Forwarded-Uri": "/x", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "shop.example:8443"}},
			"GET", "https://api.example/x"},
		"envoy from a trusted gateway": {testPublicURL, VerifyEnvoy, origins,
			request{gateway, "PUT", "/auth/verify/api/orders?x=1", "shop.example:8443", map[string]string{"X-Original-URI": "/public/news"}},
			"PUT", "https://shop.example:8443/api/orders"},
		"envoy from an untrusted peer": {testPublicURL, VerifyEnvoy, origins,
			request{client, "PUT", "/auth/verify/api/orders", "shop.example:8443", nil},
			"PUT", testPublicURL + "/auth/verify/api/orders"},
		"origins default to the public URL's": {"https://auth.example/base", VerifyNginx, nil,
			request{gateway, "GET", "/auth/verify", "", map[string]string{"X-Original-URI": "/orders"}},
			"GET", "https://auth.example/orders"},
		"a URI that is not a path": {testPublicURL, VerifyNginx, origins,
			request{gateway, "GET", "/auth/verify", "", map[string]string{"X-Original-URI": "@evil.example/x"}}, "", ""},
	} {
		t.Run(name, func(t *testing.T) {
			h, err := NewHandler(Deps{Auth: auth, Logger: &recordingLog{}, Stopwatch: stillClock{}, PublicURL: tc.publicURL,
				TrustedProxies: trusted, VerifyHeaders: tc.family, VerifyOrigins: tc.origins})
			require.NoError(t, err)
			req := httptest.NewRequest(tc.req.method, "http://authd.internal"+tc.req.target, nil)
			req.RemoteAddr = tc.req.peer
			if tc.req.host != "" {
				req.Host = tc.req.host
			}
			req.Header.Set("Authorization", "DPoP a.b.c")
			req.Header.Set("DPoP", "proof")
			for k, v := range tc.req.headers {
				req.Header.Set(k, v)
			}
			auth.lastProof = domain.ProofRequest{}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if tc.url == "" {
				assert.Equal(t, 401, rec.Code)
				assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `error="invalid_dpop_proof"`)
				assert.Empty(t, auth.lastProof.Proof, "no use case ran")
				return
			}
			require.Equal(t, 200, rec.Code, rec.Body.String())
			got := auth.lastProof
			assert.NotEmpty(t, got.Client, "the client's address, for the replay budget")
			got.Client = ""
			assert.Equal(t, domain.ProofRequest{Proof: "proof", Method: tc.method, URL: tc.url, Scheme: "DPoP"}, got)
		})
	}

	t.Run("a gateway header sent twice", func(t *testing.T) {
		h, err := NewHandler(Deps{Auth: auth, Logger: &recordingLog{}, Stopwatch: stillClock{}, PublicURL: testPublicURL, TrustedProxies: trusted})
		require.NoError(t, err)
		req := httptest.NewRequest("GET", "/auth/verify", nil)
		req.RemoteAddr = gateway
		req.Header.Set("Authorization", "DPoP a.b.c")
		req.Header.Set("DPoP", "proof")
		req.Header.Add("X-Original-URI", "/orders")
		req.Header.Add("X-Original-URI", "/admin")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, 401, rec.Code)
	})
}

// TestNewHandlerSettings: the public URL is required, and the verify
// settings are checked when the handler is built.
func TestNewHandlerSettings(t *testing.T) {
	t.Parallel()
	auth := &fakeAuth{}
	for name, d := range map[string]Deps{
		"no public URL":           {},
		"a relative public URL":   {PublicURL: "/auth"},
		"a public URL with query": {PublicURL: "https://auth.example/?x=1"},
		"an unknown family":       {PublicURL: testPublicURL, VerifyHeaders: "haproxy"},
		"an origin with a path":   {PublicURL: testPublicURL, VerifyOrigins: []string{"https://api.example/app"}},
		"a wildcard origin":       {PublicURL: testPublicURL, VerifyOrigins: []string{"*"}},
	} {
		d.Auth, d.Logger, d.Stopwatch = auth, &recordingLog{}, stillClock{}
		_, err := NewHandler(d)
		assert.Error(t, err, name)
	}
}

func TestParseOrigin(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://API.example/":     "https://api.example",
		"https://api.example:443":  "https://api.example",
		"http://api.example:80":    "http://api.example",
		"http://127.0.0.1:8000":    "http://127.0.0.1:8000",
		"HTTPS://api.example:8443": "https://api.example:8443",
		"http://[::1]:8000":        "http://[::1]:8000",
	} {
		got, err := ParseOrigin(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "*", "api.example", "ftp://api.example", "https://api.example/x", "https://u@api.example",
		"https://api.example?x", "https://api.example#f", "https://"} {
		_, err := ParseOrigin(in)
		assert.Error(t, err, in)
	}
}
