package e2e

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hiddenField is a hidden input of an authd page's form.
var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// codeFlowSignIn signs the browser in as minsu through spa's code flow
// (the login page on the first call, single sign-on after) and returns the
// token response.
func codeFlowSignIn(t *testing.T, e *harness.Env, b *harness.Browser) harness.Response {
	t.Helper()
	verifier, challenge := harness.PKCE()
	p := b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", challenge))
	if p.Status == http.StatusOK {
		p = b.Submit(p, "minsu", "1229")
	}
	q := harness.Redirected(t, p, "https://app.example/cb")
	r := e.Do("POST", "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {"spa"}, "code": {q.Get("code")},
		"redirect_uri": {"https://app.example/cb"}, "code_verifier": {verifier}}.Encode(), "Content-Type: application/x-www-form-urlencoded")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	return r
}

// confirmForm returns the fields of a logout confirmation page's form.
func confirmForm(t *testing.T, p harness.Page) (action string, form url.Values) {
	t.Helper()
	m := harness.FormAction.FindStringSubmatch(p.Body)
	require.NotNil(t, m, p.Body)
	form = url.Values{}
	for _, f := range hiddenField.FindAllStringSubmatch(p.Body, -1) {
		form.Set(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	return html.UnescapeString(m[1]), form
}

// TestLogoutWithoutHintIsConfirmed: a logout request that is not known to
// come from a client of the browser session (no id_token_hint, or one of
// another session) is a logout CSRF if honoured at once: any site can link
// to it. authd asks instead (OIDC RP-Initiated Logout 1.0 §2) and ends
// nothing until its own page's form comes back with the CSRF token.
func TestLogoutWithoutHintIsConfirmed(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithOIDCClients(t))
	b := harness.NewBrowser(t, e.Server.URL)
	b.Lang = "en"
	first := codeFlowSignIn(t, e, b)
	stillSignedIn := func(msg string) {
		t.Helper()
		codeFlowSignIn(t, e, b) // no password: the browser session lives
		r := e.Do("POST", "/oauth/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"},
			"refresh_token": {first.Body["refresh_token"].(string)}}.Encode(), "Content-Type: application/x-www-form-urlencoded")
		require.Equal(t, http.StatusOK, r.Status, msg+": "+r.Raw)
		first.Body["refresh_token"] = r.Body["refresh_token"]
	}

	ask := b.Get("/oauth/logout?"+url.Values{"post_logout_redirect_uri": {"https://app.example/bye"}, "client_id": {"spa"},
		"state": {"s1"}, "logout_hint": {"minsu"}}.Encode(), "Sec-Fetch-Site: cross-site")
	require.Equal(t, http.StatusOK, ask.Status, ask.Body)
	assert.Contains(t, ask.Body, "Sign out of authd?")
	assert.Nil(t, harness.CookieNamed(ask.Header, "authd_sso"), "the session cookie is left alone")
	assert.Contains(t, ask.Header.Get("Content-Security-Policy"), "form-action 'self' https://app.example")
	assert.Contains(t, ask.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	stillSignedIn("a cross-site GET ends nothing")

	// Another site's form: without the page's token, with a forged one, or
	// with the right token from another origin.
	action, form := confirmForm(t, ask)
	assert.Equal(t, "/oauth/logout", action)
	assert.Equal(t, url.Values{"post_logout_redirect_uri": {"https://app.example/bye"}, "client_id": {"spa"}, "state": {"s1"},
		"logout_hint": {"minsu"}, "csrf_token": form["csrf_token"]}, form)
	noToken := url.Values{"logout_hint": {"minsu"}}
	assert.Equal(t, http.StatusOK, b.Send("POST", action, noToken.Encode(), "Origin: https://evil.example").Status, "asked again")
	forged := url.Values{"logout_hint": {"minsu"}, "csrf_token": {"forged"}}
	assert.Equal(t, http.StatusForbidden, b.Send("POST", action, forged.Encode(), "Origin: https://evil.example").Status)
	assert.Equal(t, http.StatusForbidden, b.Send("POST", action, form.Encode(), "Origin: https://evil.example").Status)
	link := b.Get(action + "?" + form.Encode())
	assert.Contains(t, link.Body, "Sign out of authd?", "the token in a link is no confirmation: only the form's POST is")
	stillSignedIn("a forged confirmation ends nothing")

	// An ID token of an earlier browser session of this browser is no
	// proof either.
	out := b.Get("/oauth/logout?" + url.Values{"id_token_hint": {first.Body["id_token"].(string)}}.Encode())
	assert.Equal(t, http.StatusOK, out.Status, out.Body)
	assert.Contains(t, out.Body, "You are signed out.", "the hint's own session: signed out at once")
	second := codeFlowSignIn(t, e, b) // the login page again: a new browser session
	old := b.Get("/oauth/logout?" + url.Values{"id_token_hint": {first.Body["id_token"].(string)}}.Encode())
	assert.Equal(t, http.StatusOK, old.Status)
	assert.Contains(t, old.Body, "Sign out of authd?", "another session's ID token: asked")
	first = second
	stillSignedIn("an old session's ID token ends nothing")

	// The user confirms: the browser session ends, and with logout_hint
	// naming its user, the tokens issued through it.
	ask = b.Get("/oauth/logout?" + url.Values{"post_logout_redirect_uri": {"https://app.example/bye"}, "client_id": {"spa"},
		"state": {"s1"}, "logout_hint": {"minsu"}}.Encode())
	action, form = confirmForm(t, ask)
	done := b.Send("POST", action, form.Encode(), "Origin: "+e.Server.URL)
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	assert.Equal(t, "https://app.example/bye?state=s1", done.Header.Get("Location"))
	gone := e.Do("POST", "/oauth/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"},
		"refresh_token": {first.Body["refresh_token"].(string)}}.Encode(), "Content-Type: application/x-www-form-urlencoded")
	assert.Equal(t, "invalid_grant", gone.Code(), gone.Raw)
	_, challenge := harness.PKCE()
	assert.Equal(t, http.StatusOK, b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", challenge)).Status, "signed out: the page again")
}

// TestConfirmedLogoutWithoutLogoutHintKeepsTokens: confirmed without
// logout_hint, only the browser session ends; the apps' tokens go on.
func TestConfirmedLogoutWithoutLogoutHintKeepsTokens(t *testing.T) {
	t.Parallel()
	e := harness.NewEnv(t, harness.WithOIDCClients(t))
	b := harness.NewBrowser(t, e.Server.URL)
	r := codeFlowSignIn(t, e, b)
	action, form := confirmForm(t, b.Get("/oauth/logout"))
	done := b.Send("POST", action, form.Encode(), "Origin: "+e.Server.URL)
	require.Equal(t, http.StatusOK, done.Status, done.Body)
	assert.Contains(t, done.Body, "로그아웃되었습니다.")
	if c := harness.CookieNamed(done.Header, "authd_sso"); assert.NotNil(t, c) {
		assert.Negative(t, c.MaxAge, "the session cookie is cleared")
	}
	_, challenge := harness.PKCE()
	assert.Equal(t, http.StatusOK, b.Get(harness.AuthorizeURL("spa", "https://app.example/cb", challenge)).Status, "signed out: the page again")
	ok := e.Do("POST", "/oauth/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"},
		"refresh_token": {r.Body["refresh_token"].(string)}}.Encode(), "Content-Type: application/x-www-form-urlencoded")
	assert.Equal(t, http.StatusOK, ok.Status, ok.Raw)
}
