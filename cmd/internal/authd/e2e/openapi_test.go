package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/authd/authd/docs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenAPIDocumentIsValidAndServed(t *testing.T) {
	t.Parallel()
	_, err := harness.OpenAPIRouter()
	require.NoError(t, err)
	e := harness.NewEnv(t)
	r := e.Do("GET", "/openapi.yaml", "")
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, "application/yaml", r.Header.Get("Content-Type"))
	assert.Equal(t, string(docs.OpenAPI), r.Raw)
}

// TestOpenAPIValidatorCatchesWrongResponses proves the validation that
// every e2e request goes through would fail on a response that breaks the
// document.
func TestOpenAPIValidatorCatchesWrongResponses(t *testing.T) {
	t.Parallel()
	req := func(method, path string) *http.Request {
		r, _ := http.NewRequest(method, "http://127.0.0.1:1"+path, nil)
		return r
	}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	tokens := http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}, "Pragma": {"no-cache"}}
	good := `{"access":"a.b.c","refresh":"d.e.f","token_type":"Bearer","expires_in":60,"refresh_expires_in":300}`
	require.NoError(t, harness.ValidateResponse(req("POST", "/login/"), 200, tokens, []byte(good)))
	for name, tc := range map[string]struct {
		req    *http.Request
		status int
		header http.Header
		body   string
	}{
		"token_type missing":         {req("POST", "/login/"), 200, tokens, `{"access":"a.b.c","refresh":"d.e.f","expires_in":60,"refresh_expires_in":300}`},
		"expires_in a string":        {req("POST", "/login"), 200, tokens, strings.Replace(good, `60`, `"60"`, 1)},
		"no Cache-Control":           {req("POST", "/login/"), 200, jsonHeader, good},
		"undocumented status":        {req("GET", "/protected/"), 418, jsonHeader, `{"error":"invalid_token","message":"x"}`},
		"unknown error code":         {req("GET", "/protected/"), 401, http.Header{"Content-Type": {"application/json"}, "Www-Authenticate": {`Bearer realm="authd"`}}, `{"error":"nope","message":"x"}`},
		"401 without a challenge":    {req("GET", "/protected/"), 401, jsonHeader, `{"error":"token_missing","message":"x"}`},
		"429 without Retry-After":    {req("POST", "/login/"), 429, jsonHeader, `{"error":"rate_limited","message":"x"}`},
		"an extra field in the user": {req("GET", "/protected"), 200, jsonHeader, `{"message":"m","user":{"id":"2","username":"minsu","admin":true}}`},
		"an undocumented endpoint":   {req("GET", "/admin/"), 200, jsonHeader, `{}`},
		"a private key in the JWKS":  {req("GET", "/.well-known/jwks.json"), 200, http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"public, max-age=300"}}, `{"keys":[{"kty":"OKP","kid":"k","alg":"EdDSA","use":"sig","x":"x","d":"secret"}]}`},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, harness.ValidateResponse(tc.req, tc.status, tc.header, []byte(tc.body)))
		})
	}
}
