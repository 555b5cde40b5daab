package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stillDevClock is a ports.DevClock that never moves; the tests here only
// reach its guard.
type stillDevClock struct{ stillClock }

func (stillDevClock) Set(time.Time)               {}
func (stillDevClock) Advance(time.Duration) error { return nil }
func (stillDevClock) Release()                    {}
func (stillDevClock) Frozen() bool                { return true }

// TestListenersNameTheSameDPoPAlgorithms: the DPoP algorithms a handler is
// built with are the ones every answer names, on both listeners: the
// public one's challenges and metadata, and the admin one's challenges
// (its dev clock's 401), which before named the defaults whatever
// AUTH_DPOP_ALGS said. Without any configured, both name the defaults.
func TestListenersNameTheSameDPoPAlgorithms(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		algs []string
		want string
	}{
		"configured": {[]string{"ES256"}, `DPoP realm="authd", algs="ES256"`},
		"default":    {nil, `DPoP realm="authd", algs="ES256 EdDSA Ed25519"`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			auth := &fakeAuth{authenticate: func(context.Context, string) (domain.Principal, error) {
				return domain.Principal{}, domain.ErrTokenMissing
			}}
			d := Deps{Auth: auth, Logger: &recordingLog{}, Stopwatch: stillClock{}, PublicURL: testPublicURL,
				DevClock: stillDevClock{}, DevClockToken: "dev-secret", SeparateAdmin: true, DPoPAlgorithms: tc.algs}
			public, err := NewHandler(d)
			require.NoError(t, err)
			admin, err := NewAdminHandler(d)
			require.NoError(t, err)
			challenges := func(h http.Handler, path string) []string {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
				require.Equal(t, 401, rec.Code, path)
				return rec.Header().Values("WWW-Authenticate")
			}
			both := []string{`Bearer realm="authd"`, tc.want}
			assert.Equal(t, both, challenges(public, "/protected/"), "public")
			assert.Equal(t, both, challenges(admin, "/dev/clock/"), "admin")

			rec := httptest.NewRecorder()
			public.ServeHTTP(rec, httptest.NewRequest("GET", "/.well-known/oauth-authorization-server", nil))
			require.Equal(t, 200, rec.Code)
			var m struct {
				Algs []string `json:"dpop_signing_alg_values_supported"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m))
			wantAlgs := tc.algs
			if wantAlgs == nil {
				wantAlgs = []string{"ES256", "EdDSA", "Ed25519"}
			}
			assert.Equal(t, wantAlgs, m.Algs, "the metadata lists what the challenges name")
		})
	}
}

// TestOAuthDescriptionsAreASCII: every error_description an OAuth endpoint
// can send is in the character set RFC 6749 §5.2 allows (%x20-21 / %x23-5B
// / %x5D-7E); the Korean text goes in message instead.
func TestOAuthDescriptionsAreASCII(t *testing.T) {
	t.Parallel()
	all := []problem{internalProblem}
	for _, row := range problems {
		all = append(all, row.p)
	}
	for _, p := range all {
		for _, c := range []byte(p.en) {
			assert.True(t, c >= 0x20 && c <= 0x7e && c != '"' && c != '\\', "%s: %q", p.code, p.en)
		}
		rec := httptest.NewRecorder()
		writeOAuthError(rec, httptest.NewRequest("POST", "/oauth/token", nil), rowError(p.code))
		var body oauthErrorBody
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		assert.Equal(t, p.en, body.Description, "ASCII even for a Korean caller")
	}
}

// rowError returns an error that classifies as the row with the code.
func rowError(code string) error {
	for _, row := range problems {
		if row.p.code == code {
			return row.err
		}
	}
	return errors.New("internal")
}
