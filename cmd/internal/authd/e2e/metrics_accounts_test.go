package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMetricsOfAccountsAndCodeFlow: the sign-up, password change, admin and
// code-flow use cases are counted by the metrics decorators as /login/ is,
// with the contract's error codes as outcomes.
func TestMetricsOfAccountsAndCodeFlow(t *testing.T) {
	t.Parallel()
	u := newUsersEnv(t, harness.WithOIDCClients(t))
	r := u.signUp("younghee", pw)
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	assert.Equal(t, http.StatusConflict, u.signUp("younghee", pw).Status)
	access := r.Body["access"].(string)
	change := func(current string) int {
		return u.Do("POST", "/password/", `{"current_password":"`+current+`","new_password":"another-`+pw+`"}`,
			harness.JSONHeader, harness.Bearer(access)).Status
	}
	assert.Equal(t, http.StatusUnauthorized, change("wrong"))
	assert.Equal(t, http.StatusNoContent, change(pw))
	assert.Equal(t, http.StatusCreated, u.adm("POST", "/admin/users/", `{"username":"chulsoo","password":"`+pw+`"}`).Status)
	assert.Equal(t, http.StatusOK, u.adm("PATCH", "/admin/users/chulsoo", `{"disabled":true}`).Status)
	assert.Equal(t, http.StatusNotFound, u.adm("DELETE", "/admin/users/nobody", "").Status)
	assert.Equal(t, http.StatusNoContent, u.adm("DELETE", "/admin/users/chulsoo", "").Status)

	// The code flow: a first authorization finds no browser session, the
	// login page signs in (a wrong password first), the code is redeemed
	// and then replayed; a hintless logout asks, one with the ID token ends
	// the browser session and the session issued through it.
	b := harness.NewBrowser(t, u.Server.URL)
	verifier, challenge := harness.PKCE()
	page := b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", challenge))
	q := harness.Redirected(t, b.Submit(b.Submit(page, "minsu", "wrong"), "minsu", "1229"), "https://app.example/cb")
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {"spa"}, "code": {q.Get("code")},
		"redirect_uri": {"https://app.example/cb"}, "code_verifier": {verifier}}.Encode()
	tok := u.Do("POST", "/oauth/token", form, "Content-Type: application/x-www-form-urlencoded")
	require.Equal(t, http.StatusOK, tok.Status, tok.Raw)
	assert.Equal(t, "invalid_grant", u.Do("POST", "/oauth/token", form, "Content-Type: application/x-www-form-urlencoded").Code())
	second := codeFlowSignIn(t, u.Env, b)
	assert.Equal(t, http.StatusOK, b.Get("/oauth/logout").Status)
	assert.Equal(t, http.StatusOK, b.Get("/oauth/logout?"+url.Values{"id_token_hint": {second.Body["id_token"].(string)}}.Encode()).Status)

	m := u.adm("GET", "/metrics", "") // the admin listener serves the metrics
	require.Equal(t, http.StatusOK, m.Status)
	for _, line := range []string{
		`authd_signups_total{outcome="success"} 1`,
		`authd_signups_total{outcome="username_taken"} 1`,
		`authd_password_changes_total{outcome="invalid_credentials"} 1`,
		`authd_password_changes_total{outcome="success"} 1`,
		`authd_admin_actions_total{action="create",outcome="success"} 1`,
		`authd_admin_actions_total{action="update",outcome="success"} 1`,
		`authd_admin_actions_total{action="delete",outcome="not_found"} 1`,
		`authd_admin_actions_total{action="delete",outcome="success"} 1`,
		`authd_logins_total{outcome="invalid_credentials"} 1`, // the login page's wrong password
		`authd_logins_total{outcome="success"} 1`,             // and its sign-in (sign-up logs in without Login)
		`authd_authorizations_total{outcome="login_required"} 1`,
		`authd_authorizations_total{outcome="success"} 2`,
		`authd_code_exchanges_total{outcome="success"} 2`,
		`authd_code_exchanges_total{outcome="invalid_grant"} 1`,
		`authd_revocations_total{reason="code_reuse"} 1`,
		`authd_browser_logouts_total{outcome="logout_unconfirmed"} 1`,
		`authd_browser_logouts_total{outcome="success"} 1`,
		`authd_revocations_total{reason="browser_logout"} 2`, // both sessions of the browser session, the replayed code's too
	} {
		assert.True(t, strings.Contains(m.Raw, line+"\n"), "missing metric line %s", line)
	}
}
