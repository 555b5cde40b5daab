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

// signUpOnly is an AccountService whose sign-up is counted; a sign-up
// that reaches it is served.
type signUpOnly struct{ calls int }

func (a *signUpOnly) SignUp(context.Context, domain.Credentials, string, domain.ProofRequest) (domain.TokenPair, error) {
	a.calls++
	return domain.TokenPair{Access: "a", Refresh: "r"}, nil
}

func (a *signUpOnly) ChangePassword(context.Context, string, domain.ProofRequest, string, string, string) error {
	return nil
}

// TestSignUpAdmission: a sign-up spends an argon2id hash as a login does,
// so the admission that refuses logins refuses it the same way, before its
// body is read and without reaching the use case.
func TestSignUpAdmission(t *testing.T) {
	t.Parallel()
	accounts := &signUpOnly{}
	full := true
	h, err := NewHandler(Deps{Auth: &fakeAuth{}, Accounts: accounts, SignUp: true, Logger: &recordingLog{}, Stopwatch: stillClock{}, PublicURL: testPublicURL,
		LoginAdmission: func() error {
			if full {
				return fmt.Errorf("password hashing: 1 running and 1 waiting: %w", domain.ErrUnavailable)
			}
			return nil
		}})
	require.NoError(t, err)
	signUp := func() (*httptest.ResponseRecorder, *watchedBody) {
		body := &watchedBody{r: strings.NewReader(`{"username":"younghee","password":"a long pass phrase"}`)}
		req := httptest.NewRequest(http.MethodPost, "/signup/", nil)
		req.Body = body
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec, body
	}

	rec, body := signUp()
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.False(t, body.read, "the body of a refused sign-up is never read")
	assert.Zero(t, accounts.calls, "nor does it reach the use case")

	full = false
	rec, body = signUp()
	assert.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.True(t, body.read)
	assert.Equal(t, 1, accounts.calls)
}
