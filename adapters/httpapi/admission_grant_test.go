package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// switchedAdmission is a LoginAdmission that refuses while full is set.
type switchedAdmission struct{ full bool }

func (a *switchedAdmission) admit() error {
	if a.full {
		return fmt.Errorf("password hashing: 1 running and 1 waiting: %w", domain.ErrUnavailable)
	}
	return nil
}

// TestPasswordGrantAdmission: the OAuth password grant spends an argon2id
// hash as /login/ does, so the login admission refuses it with 503
// temporarily_unavailable and Retry-After before the use case is reached.
// The refresh grant spends no hash and is never refused by it.
func TestPasswordGrantAdmission(t *testing.T) {
	t.Parallel()
	logins := 0
	auth := &fakeAuth{
		login: func(context.Context, domain.Credentials, string) (domain.TokenPair, error) {
			logins++
			return domain.TokenPair{Access: "a", Refresh: "r"}, nil
		},
		refresh: func(context.Context, string) (domain.TokenPair, error) {
			return domain.TokenPair{Access: "a", Refresh: "r"}, nil
		},
	}
	adm := &switchedAdmission{full: true}
	h, err := NewHandler(Deps{Auth: auth, Logger: &recordingLog{}, Stopwatch: stillClock{}, PublicURL: testPublicURL,
		OAuthClients:   []OAuthClient{{ID: "authd", Grants: []string{GrantPassword, GrantRefreshToken}}},
		LoginAdmission: adm.admit})
	require.NoError(t, err)
	token := func(form string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	const password = "grant_type=password&client_id=authd&username=minsu&password=1229"

	rec := token(password)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.Contains(t, rec.Body.String(), `"error":"temporarily_unavailable"`)
	assert.Zero(t, logins, "the use case is not reached")
	rec = token("grant_type=refresh_token&client_id=authd&refresh_token=r")
	assert.Equal(t, http.StatusOK, rec.Code, "a refresh spends no hash: %s", rec.Body.String())

	adm.full = false
	rec = token(password)
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, 1, logins)
}

// passwordOnly is an AccountService whose password changes are counted.
type passwordOnly struct{ calls int }

func (a *passwordOnly) SignUp(context.Context, domain.Credentials, string, domain.ProofRequest) (domain.TokenPair, error) {
	return domain.TokenPair{}, fmt.Errorf("not used")
}

func (a *passwordOnly) ChangePassword(context.Context, string, domain.ProofRequest, string, string, string) error {
	a.calls++
	return nil
}

// TestPasswordChangeAdmission: POST /password/ spends argon2id hashes (the
// current password's check and the new one's hash), so the login
// admission refuses it as it refuses a login: 503 with Retry-After before
// its body is read and without reaching the use case.
func TestPasswordChangeAdmission(t *testing.T) {
	t.Parallel()
	accounts := &passwordOnly{}
	adm := &switchedAdmission{full: true}
	h, err := NewHandler(Deps{Auth: &fakeAuth{}, Accounts: accounts, Logger: &recordingLog{}, Stopwatch: stillClock{},
		PublicURL: testPublicURL, LoginAdmission: adm.admit})
	require.NoError(t, err)
	change := func() (*httptest.ResponseRecorder, *watchedBody) {
		body := &watchedBody{r: strings.NewReader(`{"current_password":"1229","new_password":"a long pass phrase"}`)}
		req := httptest.NewRequest(http.MethodPost, "/password/", nil)
		req.Body = body
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer access")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec, body
	}

	rec, body := change()
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.False(t, body.read, "the body of a refused change is never read")
	assert.Zero(t, accounts.calls, "nor does it reach the use case")

	adm.full = false
	rec, body = change()
	assert.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assert.True(t, body.read)
	assert.Equal(t, 1, accounts.calls)
}
