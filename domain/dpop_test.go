package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/authd/authd/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSameURL(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"https://authd.example/protected/", "https://authd.example/protected/", true},
		{"HTTPS://Authd.Example/protected/", "https://authd.example/protected/", true},
		{"https://authd.example:443/protected/", "https://authd.example/protected/", true},
		{"http://authd.example:80/x", "http://authd.example/x", true},
		{"http://authd.example", "http://authd.example/", true},
		{"https://authd.example/protected/?a=1#frag", "https://authd.example/protected/", true},
		{"https://authd.example/%7euser/%2f", "https://authd.example/~user/%2F", true},
		{"http://[::1]:5000/x", "http://[::1]:5000/x", true},
		{"https://authd.example:8443/protected/", "https://authd.example/protected/", false},
		{"http://authd.example/protected/", "https://authd.example/protected/", false},
		{"https://authd.example/Protected/", "https://authd.example/protected/", false},
		{"https://authd.example/protected", "https://authd.example/protected/", false},
		{"https://evil.example/protected/", "https://authd.example/protected/", false},
		{"https://user@authd.example/protected/", "https://authd.example/protected/", false},
		{"/protected/", "/protected/", false},
		{"ftp://authd.example/x", "ftp://authd.example/x", false},
		{"", "", false},
	} {
		assert.Equal(t, tc.same, domain.SameURL(tc.a, tc.b), "%q vs %q", tc.a, tc.b)
	}
}

func TestCheckProof(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	p := domain.DefaultDPoPPolicy()
	token := "header.payload.signature"
	good := domain.Proof{
		JKT: "thumb", Algorithm: "ES256", ID: "jti-1", Method: "GET",
		URL: "http://127.0.0.1:5000/protected/", IssuedAt: now, AccessTokenHash: domain.AccessTokenHash(token),
	}
	req := domain.ProofRequest{Method: "GET", URL: "http://127.0.0.1:5000/protected/", Scheme: "DPoP"}
	require.NoError(t, p.CheckProof(good, req, token, now, domain.DPoPNonces{}))

	edge := good
	edge.IssuedAt = now.Add(-time.Minute)
	assert.NoError(t, p.CheckProof(edge, req, token, now, domain.DPoPNonces{}), "iat exactly the window ago")
	edge.IssuedAt = now.Add(domain.DPoPMaxAhead)
	assert.NoError(t, p.CheckProof(edge, req, token, now, domain.DPoPNonces{}), "iat exactly the allowance ahead")
	edge.IssuedAt = now.Add(domain.DPoPMaxAhead + time.Second)
	assert.ErrorIs(t, p.CheckProof(edge, req, token, now, domain.DPoPNonces{}), domain.ErrInvalidDPoPProof,
		"iat a second past the allowance ahead, though within the window: its jti would outlive one window")
	short := p
	short.Window = 2 * time.Second
	edge.IssuedAt = now.Add(3 * time.Second)
	assert.ErrorIs(t, short.CheckProof(edge, req, token, now, domain.DPoPNonces{}), domain.ErrInvalidDPoPProof,
		"a window shorter than the allowance bounds it")

	for name, tc := range map[string]struct {
		change func(*domain.Proof)
		token  string
		want   error
	}{
		"alg not accepted": {func(pr *domain.Proof) { pr.Algorithm = "RS256" }, token, domain.ErrInvalidDPoPProof},
		"wrong htm":        {func(pr *domain.Proof) { pr.Method = "POST" }, token, domain.ErrInvalidDPoPProof},
		"lower-case htm":   {func(pr *domain.Proof) { pr.Method = "get" }, token, domain.ErrInvalidDPoPProof},
		"wrong htu":        {func(pr *domain.Proof) { pr.URL = "http://127.0.0.1:5000/sessions/" }, token, domain.ErrInvalidDPoPProof},
		"stale iat":        {func(pr *domain.Proof) { pr.IssuedAt = now.Add(-time.Minute - time.Second) }, token, domain.ErrInvalidDPoPProof},
		"future iat":       {func(pr *domain.Proof) { pr.IssuedAt = now.Add(time.Minute + time.Second) }, token, domain.ErrInvalidDPoPProof},
		"missing ath":      {func(pr *domain.Proof) { pr.AccessTokenHash = "" }, token, domain.ErrInvalidDPoPProof},
		"another's ath":    {func(pr *domain.Proof) {}, "another.access.token", domain.ErrInvalidDPoPProof},
		"ath not checked":  {func(pr *domain.Proof) { pr.AccessTokenHash = "" }, "", nil},
	} {
		t.Run(name, func(t *testing.T) {
			pr := good
			tc.change(&pr)
			err := p.CheckProof(pr, req, tc.token, now, domain.DPoPNonces{})
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			var pe *domain.ProofError
			assert.True(t, errors.As(err, &pe))
			assert.Equal(t, "invalid_dpop_proof", domain.Code(err))
		})
	}
}

func TestCheckProofNonce(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 30, 0, time.UTC)
	p := domain.DefaultDPoPPolicy()
	p.Nonce = true
	nonces := domain.DPoPNonces{Key: []byte("0123456789abcdef0123456789abcdef"), Period: time.Minute}
	pr := domain.Proof{Algorithm: "EdDSA", Method: "POST", URL: "https://a.example/login/", IssuedAt: now}
	req := domain.ProofRequest{Method: "POST", URL: "https://a.example/login/"}

	err := p.CheckProof(pr, req, "", now, nonces)
	assert.ErrorIs(t, err, domain.ErrUseDPoPNonce, "no nonce")
	assert.Equal(t, "use_dpop_nonce", domain.Code(err))

	pr.Nonce = nonces.Current(now)
	assert.NoError(t, p.CheckProof(pr, req, "", now, nonces))
	later := pr
	later.IssuedAt = now.Add(time.Minute)
	assert.NoError(t, p.CheckProof(later, req, "", later.IssuedAt, nonces), "the previous period's nonce still counts")
	later.IssuedAt = now.Add(2 * time.Minute)
	assert.ErrorIs(t, p.CheckProof(later, req, "", later.IssuedAt, nonces), domain.ErrUseDPoPNonce, "two periods on it is stale")
	other := domain.DPoPNonces{Key: []byte("another key of thirty-two bytes!"), Period: time.Minute}
	pr.Nonce = other.Current(now)
	assert.ErrorIs(t, p.CheckProof(pr, req, "", now, nonces), domain.ErrUseDPoPNonce, "another key's nonce")
}

func TestDPoPPolicyCheck(t *testing.T) {
	require.NoError(t, domain.DefaultDPoPPolicy().Check())
	for field, change := range map[string]func(*domain.DPoPPolicy){
		"Mode":       func(p *domain.DPoPPolicy) { p.Mode = "sometimes" },
		"Window":     func(p *domain.DPoPPolicy) { p.Window = 1500 * time.Millisecond },
		"Algorithms": func(p *domain.DPoPPolicy) { p.Algorithms = []string{"HS256"} },
	} {
		p := domain.DefaultDPoPPolicy()
		change(&p)
		var pe *domain.PolicyError
		require.ErrorAs(t, p.Check(), &pe)
		assert.Equal(t, field, pe.Field)
	}
}

func TestReplayKey(t *testing.T) {
	a := domain.Proof{JKT: "key-a", ID: "1"}
	b := domain.Proof{JKT: "key-b", ID: "1"}
	assert.Len(t, domain.ReplayKey(a), 22)
	assert.Equal(t, domain.ReplayKey(a), domain.ReplayKey(a))
	assert.NotEqual(t, domain.ReplayKey(a), domain.ReplayKey(b), "the same jti of two keys are two proofs")
	assert.NotEqual(t, domain.ReplayKey(domain.Proof{JKT: "k", ID: "a\x00b"}), domain.ReplayKey(domain.Proof{JKT: "k\x00a", ID: "b"}))
}

func TestBoundSessionBindsOnlyTheAccessToken(t *testing.T) {
	p := domain.DefaultPolicy()
	s := domain.NewSession("AAAAAAAAAAAAAAAAAAAAAA", domain.User{ID: "1", Username: "minsu"}, time.Unix(1_800_000_000, 0), p, "thumb")
	access, refresh := s.Tokens(p)
	assert.Equal(t, "thumb", access.JKT)
	assert.Empty(t, refresh.JKT, "the session holds the refresh token's binding")
	next, _, err := s.DecideRefresh(1, time.Unix(1_800_000_010, 0), p)
	require.NoError(t, err)
	assert.Equal(t, "thumb", next.JKT, "rotation keeps the binding")
}
