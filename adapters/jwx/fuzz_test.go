package jwx_test

import (
	"context"
	"errors"
	"strings"
	"testing"

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
