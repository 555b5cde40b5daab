package app_test

import (
	"context"
	"testing"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signedInThroughCode signs minsu in on the login page and redeems a code
// through that browser session: the cookie and the code grant.
func (f *oidcFixture) signedInThroughCode(t *testing.T) (domain.SignIn, domain.CodeGrant) {
	t.Helper()
	ctx := context.Background()
	in, err := f.svc.SignIn(ctx, domain.Credentials{Username: "minsu", Password: "right"}, "192.0.2.1")
	require.NoError(t, err)
	code, err := f.svc.Authorize(ctx, f.request(in.Cookie))
	require.NoError(t, err)
	g, err := f.svc.ExchangeCode(ctx, f.exchange(code))
	require.NoError(t, err)
	return in, g
}

// TestSignOutNeedsConfirmation: a logout not known to come from a client
// of the browser session (no id_token_hint, or one of another session, a
// logout_hint alone) ends nothing until the user confirms it: a link on
// another site cannot sign the user out (OIDC RP-Initiated Logout §2).
func TestSignOutNeedsConfirmation(t *testing.T) {
	t.Parallel()
	for name, req := range map[string]domain.SignOut{
		"no hint":          {},
		"another sid":      {HintSID: "another-sid"},
		"logout_hint only": {LogoutHint: "minsu"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newOIDCFixture(t)
			in, g := f.signedInThroughCode(t)
			req.Cookie = in.Cookie
			n, err := f.svc.SignOut(ctx, req)
			assert.ErrorIs(t, err, domain.ErrLogoutUnconfirmed)
			assert.Zero(t, n)
			_, err = f.svc.Authorize(ctx, f.request(in.Cookie))
			assert.NoError(t, err, "the browser session goes on")
			_, err = f.svc.Refresh(ctx, g.Pair.Refresh, "app", domain.ProofRequest{})
			assert.NoError(t, err, "and its tokens")
		})
	}
}

// TestConfirmedSignOut: a confirmed logout ends the browser session, and
// the token sessions issued through it only when its logout_hint names
// the session's user (username or sub).
func TestConfirmedSignOut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, hint string
		revoked    int
	}{
		{"no hint", "", 0},
		{"logout_hint username", "minsu", 1},
		{"logout_hint sub", "2", 1},
		{"logout_hint of another user", "younghee", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newOIDCFixture(t)
			in, g := f.signedInThroughCode(t)
			n, err := f.svc.SignOut(ctx, domain.SignOut{Cookie: in.Cookie, LogoutHint: tc.hint, Confirmed: true})
			require.NoError(t, err)
			assert.Equal(t, tc.revoked, n)
			_, err = f.svc.Authorize(ctx, f.request(in.Cookie))
			assert.ErrorIs(t, err, domain.ErrLoginRequired, "the browser session ended")
			_, err = f.svc.Refresh(ctx, g.Pair.Refresh, "app", domain.ProofRequest{})
			if tc.revoked > 0 {
				assert.ErrorIs(t, err, domain.ErrSessionRevoked)
			} else {
				assert.NoError(t, err, "only the browser session ended")
			}
		})
	}
}

// TestSignOutWithoutABrowserSession: with no live browser session there
// is nothing to end and nothing to confirm.
func TestSignOutWithoutABrowserSession(t *testing.T) {
	t.Parallel()
	f := newOIDCFixture(t)
	for _, cookie := range []string{"", "nope", "id.secret"} {
		n, err := f.svc.SignOut(context.Background(), domain.SignOut{Cookie: cookie})
		assert.NoError(t, err, cookie)
		assert.Zero(t, n, cookie)
	}
}
