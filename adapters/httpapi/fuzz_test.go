package httpapi

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authd/authd/domain"
)

// FuzzDecode feeds the JSON request decoder arbitrary bodies and content
// types. It must never panic and must answer with nil or one of the
// client-error classes, never anything that would become a 500.
func FuzzDecode(f *testing.F) {
	for _, seed := range []struct{ body, ct string }{
		{`{"username":"minsu","password":"1229"}`, "application/json"},
		{`{"username":null}`, "application/json; charset=utf-8"},
		{`[]`, "application/json"}, {`null`, "application/json"}, {``, "application/json"},
		{`{"username":1}`, "application/json"}, {`{} {}`, "application/json"},
		{strings.Repeat("[", 20000), "application/json"}, {"{\"username\":\"\xff\"}", "application/json"},
		{`{"username":"minsu"}`, "text/plain"}, {`{"a":1}`, ""}, {`{"a":1}`, "application/json; x"},
	} {
		f.Add(seed.body, seed.ct)
	}
	f.Fuzz(func(t *testing.T, body, ct string) {
		req := httptest.NewRequest("POST", "/login/", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		var dst struct {
			Username *string `json:"username"`
			Password *string `json:"password"`
		}
		err := decode(httptest.NewRecorder(), req, &dst)
		if err == nil {
			return
		}
		if p := classify(err); p.status < 400 || p.status >= 500 {
			t.Fatalf("body %q (%q) gave %v, status %d", body, ct, err, p.status)
		}
		var re *domain.RequestError
		if !errors.As(err, &re) && !errors.Is(err, errPayloadTooLarge) && !errors.Is(err, errUnsupportedMedia) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}
