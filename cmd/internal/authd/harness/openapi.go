package harness

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
)

// The OpenAPI document, loaded once for the whole test binary.
var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// OpenAPIRouter returns the router of docs/openapi.yaml, loaded and
// validated once for the whole test binary.
func OpenAPIRouter() (routers.Router, error) {
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

// ValidateResponse checks a response against the OpenAPI document: its
// status must be documented for the operation, and its headers and body
// must match. A path or method the document does not have may only answer
// 404 or 405 (the probes of the error tests); anything else is an endpoint
// the document forgot.
func ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	router, err := OpenAPIRouter()
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
			return fmt.Errorf("an OPTIONS request must answer 204 with Allow and no body")
		}
		probe := req.Clone(req.Context())
		for _, m := range strings.Split(header.Get("Allow"), ", ") {
			if m == http.MethodHead || m == http.MethodOptions {
				continue
			}
			probe.Method = m
			if _, _, err := router.FindRoute(probe); err != nil {
				return fmt.Errorf("the Allow header names %s, which the document does not have for this path: %w", m, err)
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

// CheckAgainstSpec fails the test when the response does not match
// docs/openapi.yaml (ValidateResponse); Env.Do calls it for every response.
func CheckAgainstSpec(t *testing.T, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(nil))
	if err := ValidateResponse(r, res.StatusCode, res.Header, body); err != nil {
		t.Errorf("%s %s → %d does not match docs/openapi.yaml: %v", req.Method, req.URL.Path, res.StatusCode, err)
	}
}
