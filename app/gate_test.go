package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/authd/authd/app"
	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryUseCaseGoesThroughTheGate: every use case that acts with a
// token, given a bound session's token without its key's proof, another
// client's token, or a rotated refresh token, refuses it and changes
// nothing: the session is neither rotated nor revoked, and the user's
// other session lives on. (Before, /oauth/revoke ended a bound session
// with no proof or with an old token, and /logout/ {"all": true} took
// another client's or a rotated token and ended every session.)
func TestEveryUseCaseGoesThroughTheGate(t *testing.T) {
	t.Parallel()
	type useCase func(svc *app.Service, access, refresh string) error
	uses := map[string]useCase{
		"Authenticate": func(svc *app.Service, access, _ string) error {
			_, err := svc.Authenticate(context.Background(), access, domain.ProofRequest{Method: "GET", URL: protectedURL})
			return err
		},
		"Refresh": func(svc *app.Service, _, refresh string) error {
			_, err := svc.Refresh(context.Background(), refresh, "authd", domain.ProofRequest{Method: "POST", URL: refreshURL})
			return err
		},
		"Logout": func(svc *app.Service, _, refresh string) error {
			return svc.Logout(context.Background(), refresh, "authd", false, domain.ProofRequest{Method: "POST", URL: refreshURL})
		},
		"Logout all": func(svc *app.Service, _, refresh string) error {
			return svc.Logout(context.Background(), refresh, "authd", true, domain.ProofRequest{Method: "POST", URL: refreshURL})
		},
		"Revoke refresh token": func(svc *app.Service, _, refresh string) error {
			return svc.Revoke(context.Background(), refresh, "authd", domain.Refresh, domain.ProofRequest{Method: "POST", URL: refreshURL})
		},
		"Revoke access token": func(svc *app.Service, access, _ string) error {
			return svc.Revoke(context.Background(), access, "authd", domain.Access, domain.ProofRequest{Method: "POST", URL: refreshURL})
		},
	}
	// Each token situation: how to make it, and what each use case answers
	// ("" for an answer without error: RFC 7009 revocation changes nothing
	// silently). A use case missing from a row does not apply: a resource
	// request names no client, and an access token of a rotated
	// generation lives, stateless, to its exp by design.
	type situation struct {
		login  func(t *testing.T, svc *app.Service, clk *countingClock) (access, refresh, sid string)
		answer map[string]string
	}
	ctx := context.Background()
	situations := map[string]situation{
		"bound, no proof": {
			login: func(t *testing.T, svc *app.Service, clk *countingClock) (string, string, string) {
				pair, err := svc.Login(ctx, minsu, "", (&holder{jkt: keyA, clock: clk}).login())
				require.NoError(t, err)
				return pair.Access, pair.Refresh, pair.SessionID
			},
			answer: map[string]string{"Authenticate": "invalid_token", "Refresh": "invalid_dpop_proof", "Logout": "invalid_dpop_proof",
				"Logout all": "invalid_dpop_proof", "Revoke refresh token": "invalid_dpop_proof", "Revoke access token": "invalid_dpop_proof"},
		},
		"another client's token": {
			login: func(t *testing.T, svc *app.Service, _ *countingClock) (string, string, string) {
				cred := minsu
				cred.ClientID = "confidential-app"
				pair, err := svc.Login(ctx, cred, "", domain.ProofRequest{})
				require.NoError(t, err)
				return pair.Access, pair.Refresh, pair.SessionID
			},
			answer: map[string]string{"Refresh": "invalid_token", "Logout": "invalid_token", "Logout all": "invalid_token",
				"Revoke refresh token": "", "Revoke access token": ""},
		},
		"rotated refresh token": {
			login: func(t *testing.T, svc *app.Service, clk *countingClock) (string, string, string) {
				pair, err := svc.Login(ctx, minsu, "", domain.ProofRequest{})
				require.NoError(t, err)
				clk.advance(time.Second)
				_, err = svc.Refresh(ctx, pair.Refresh, "authd", domain.ProofRequest{})
				require.NoError(t, err)
				return pair.Access, pair.Refresh, pair.SessionID
			},
			answer: map[string]string{"Logout": "invalid_token", "Logout all": "invalid_token", "Revoke refresh token": ""},
		},
	}
	for sname, sit := range situations {
		for uname, want := range sit.answer {
			t.Run(sname+"/"+uname, func(t *testing.T) {
				t.Parallel()
				svc, clk, store := dpopService(t, domain.DPoPOptional)
				other, err := svc.Login(ctx, minsu, "", domain.ProofRequest{}) // the user's other session
				require.NoError(t, err)
				access, refresh, sid := sit.login(t, svc, clk)
				before, err := store.Session(ctx, sid)
				require.NoError(t, err)

				err = uses[uname](svc, access, refresh)
				assert.Equal(t, want, codeOf(err), "%v", err)

				after, err := store.Session(ctx, sid)
				require.NoError(t, err)
				assert.False(t, after.Revoked(), "the session is not revoked")
				assert.Equal(t, before.Generation, after.Generation, "nor rotated")
				o, err := store.Session(ctx, other.SessionID)
				require.NoError(t, err)
				assert.False(t, o.Revoked(), "the user's other session lives on")
			})
		}
	}

	// The one exception, by design: a rotated token at Refresh is reuse,
	// and revokes its session (RFC 9700 §4.14.2); the gate's client and
	// key checks come first, so only the session's own client and key
	// holder can trigger it.
	t.Run("rotated refresh token/Refresh", func(t *testing.T) {
		t.Parallel()
		svc, clk, store := dpopService(t, domain.DPoPOptional)
		access, refresh, sid := situations["rotated refresh token"].login(t, svc, clk)
		assert.Equal(t, "refresh_token_reused", codeOf(uses["Refresh"](svc, access, refresh)))
		sess, err := store.Session(ctx, sid)
		require.NoError(t, err)
		assert.True(t, sess.Revoked())
	})
}

// codeOf is the contract's code of err, "" for nil.
func codeOf(err error) string { return domain.Code(err) }
