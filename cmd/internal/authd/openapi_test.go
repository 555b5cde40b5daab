package authd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/authd/authd/docs"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The OpenAPI document, loaded once for the whole test binary.
var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

func openAPIRouter() (routers.Router, error) {
	specOnce.Do(func() {
		// The playground's files are text the validator may read as such.
		for _, ct := range []string{"text/html", "text/javascript", "text/css"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(docs.OpenAPI)
		if err != nil {
			specErr = err
			return
		}
		if err = doc.Validate(loader.Context); err != nil {
			specErr = err
			return
		}
		doc.Servers = nil // match the test servers' random ports
		specRouter, specErr = legacy.NewRouter(doc)
	})
	return specRouter, specErr
}

// validateResponse checks a response against the OpenAPI document: its
// status must be documented for the operation, and its headers and body
// must match. A path or method the document does not have may only answer
// 404 or 405 (the probes of the error tests); anything else is an endpoint
// the document forgot.
func validateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	router, err := openAPIRouter()
	if err != nil {
		return err
	}
	// The document lists each path once, without the trailing slash that
	// every path is also served with.
	if p := req.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
		req = req.Clone(req.Context())
		req.URL.Path = strings.TrimSuffix(p, "/")
	}
	// HEAD is GET without the body and OPTIONS is 204 with Allow on every
	// path (RFC 9110), as the document's description says; neither is
	// listed per operation.
	head := req.Method == http.MethodHead
	if head {
		req = req.Clone(req.Context())
		req.Method = http.MethodGet
	}
	if req.Method == http.MethodOptions && status == http.StatusNoContent {
		if header.Get("Allow") == "" || len(body) > 0 {
			return fmt.Errorf("OPTIONS must answer 204 with Allow and no body")
		}
		probe := req.Clone(req.Context())
		for _, m := range strings.Split(header.Get("Allow"), ", ") {
			if m == http.MethodHead || m == http.MethodOptions {
				continue
			}
			probe.Method = m
			if _, _, err := router.FindRoute(probe); err != nil {
				return fmt.Errorf("Allow names %s, which the document does not have for this path: %w", m, err)
			}
		}
		return nil
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return nil
		}
		return fmt.Errorf("undocumented endpoint: %w", err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: head},
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

func TestOpenAPIDocumentIsValidAndServed(t *testing.T) {
	_, err := openAPIRouter()
	require.NoError(t, err)
	e := newEnv(t)
	r := e.do("GET", "/openapi.yaml", "")
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "application/yaml", r.header.Get("Content-Type"))
	assert.Equal(t, string(docs.OpenAPI), r.raw)
}

// TestOpenAPIValidatorCatchesWrongResponses proves the validation that
// every e2e request goes through would fail on a response that breaks the
// document.
func TestOpenAPIValidatorCatchesWrongResponses(t *testing.T) {
	req := func(method, path string) *http.Request {
		r, _ := http.NewRequest(method, "http://127.0.0.1:1"+path, nil)
		return r
	}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	tokens := http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}, "Pragma": {"no-cache"}}
	good := `{"access":"a.b.c","refresh":"d.e.f","token_type":"Bearer","expires_in":60,"refresh_expires_in":300}`
	require.NoError(t, validateResponse(req("POST", "/login/"), 200, tokens, []byte(good)))
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
			assert.Error(t, validateResponse(tc.req, tc.status, tc.header, []byte(tc.body)))
		})
	}
}

// checkAgainstSpec is called by env.do for every response.
func checkAgainstSpec(t *testing.T, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(nil))
	if err := validateResponse(r, res.StatusCode, res.Header, body); err != nil {
		t.Errorf("%s %s → %d does not match docs/openapi.yaml: %v", req.Method, req.URL.Path, res.StatusCode, err)
	}
}
