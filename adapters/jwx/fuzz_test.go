package jwx_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/domain"
)

// FuzzVerify feeds the verifier arbitrary strings. It must never panic, it
// must answer every input with nil, ErrTokenExpired or ErrInvalidToken, and
// whatever it accepts must be a token the issuer made. The seed corpus (a
// valid token and mangled variants) runs with every `go test`.
func FuzzVerify(f *testing.F) {
	_, _, iss, ver := setup(f)
	ctx := context.Background()
	access, err := iss.Issue(ctx, claims(domain.Access))
	if err != nil {
		f.Fatal(err)
	}
	refresh, err := iss.Issue(ctx, claims(domain.Refresh))
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(access, ".")
	for _, seed := range []string{
		access, refresh, "", ".", "..", "a.b.c", parts[0] + "." + parts[1] + ".",
		parts[0] + ".." + parts[2], access + "=", strings.ToUpper(access),
		"eyJhbGciOiJub25lIn0.e30.", "eyJ9.e30.AA", parts[0] + ".bnVsbA." + parts[2],
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := verifyAt(ctx, ver, token, domain.Access, t0)
		switch {
		case err == nil:
			if token != access {
				t.Fatalf("accepted a token the issuer did not make: %q", token)
			}
			if c != claims(domain.Access) {
				t.Fatalf("claims changed: %+v", c)
			}
		case !errors.Is(err, domain.ErrInvalidToken) && !errors.Is(err, domain.ErrTokenExpired):
			t.Fatalf("unexpected error class: %v", err)
		}
	})
}

// FuzzVerifyProof feeds the DPoP proof verifier arbitrary strings. It must
// never panic, every refusal must be a *domain.ProofError for
// ErrInvalidDPoPProof, and whatever it accepts must be a complete proof of
// bounded size with a thumbprint. (A proof is signed by the key in its own
// header, so anyone can make valid ones: the fuzzer may find the seed's,
// signed anew in each worker with a key of its own.)
func FuzzVerifyProof(f *testing.F) {
	v, err := jwx.NewProofVerifier(domain.SupportedDPoPAlgorithms)
	if err != nil {
		f.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	good := newProofParts(ecJWK(&ec.PublicKey), "ES256").sign(f, ec, "ES256")
	parts := strings.Split(good, ".")
	for _, seed := range []string{
		good, "", ".", "..", "a.b.c", parts[0] + "." + parts[1] + ".", good + "=", strings.ToUpper(good),
		"eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6Im5vbmUifQ.e30.", parts[0] + ".bnVsbA." + parts[2],
	} {
		f.Add(seed)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, proof string) {
		p, err := v.VerifyProof(ctx, proof)
		if err == nil {
			if len(proof) > jwx.MaxProofSize || p.ID == "" || p.Method == "" || p.URL == "" || len(p.JKT) != 43 || p.IssuedAt.IsZero() {
				t.Fatalf("accepted an incomplete proof %q: %+v", proof, p)
			}
			return
		}
		var pe *domain.ProofError
		if !errors.As(err, &pe) || !errors.Is(err, domain.ErrInvalidDPoPProof) {
			t.Fatalf("unexpected error class: %v", err)
		}
	})
}
