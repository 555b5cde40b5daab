package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// watchedBody is a request body that records whether it was read.
type watchedBody struct {
	r    io.Reader
	read bool
}

func (b *watchedBody) Read(p []byte) (int, error) { b.read = true; return b.r.Read(p) }
func (b *watchedBody) Close() error               { return nil }

// TestLoginAdmission: a login the admission refuses is answered 503 with
// Retry-After before its body is read and without reaching the use case;
// one it admits is served as always.
func TestLoginAdmission(t *testing.T) {
	t.Parallel()
	calls := 0
	auth := &fakeAuth{login: func(context.Context, domain.Credentials, string) (domain.TokenPair, error) {
		calls++
		return domain.TokenPair{Access: "a", Refresh: "r"}, nil
	}}
	full := true
	h, err := NewHandler(Deps{Auth: auth, Logger: &recordingLog{}, Stopwatch: stillClock{}, PublicURL: testPublicURL,
		LoginAdmission: func() error {
			if full {
				return fmt.Errorf("password hashing: 1 running and 1 waiting: %w", domain.ErrUnavailable)
			}
			return nil
		}})
	require.NoError(t, err)
	login := func() (*httptest.ResponseRecorder, *watchedBody) {
		body := &watchedBody{r: strings.NewReader(`{"username":"minsu","password":"1229"}`)}
		req := httptest.NewRequest(http.MethodPost, "/login/", nil)
		req.Body = body
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec, body
	}

	rec, body := login()
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m))
	assert.Equal(t, "unavailable", m["error"])
	assert.False(t, body.read, "the body of a refused login is never read")
	assert.Zero(t, calls, "nor does it reach the use case")

	full = false
	rec, body = login()
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.True(t, body.read)
	assert.Equal(t, 1, calls)
}
