package jwx_test

import (
	"context"
	"strings"
	"testing"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/domain"
)

func benchKeys(b *testing.B, alg string) *jwx.Keys {
	b.Helper()
	var keys *jwx.Keys
	var err error
	if alg == jwx.HS256 {
		keys, err = jwx.HMAC([]byte(strings.Repeat("s", 32)))
	} else {
		keys, err = jwx.Generate(alg)
	}
	if err != nil {
		b.Fatal(err)
	}
	return keys
}

// BenchmarkIssuePair signs an access and a refresh token, as every login and
// refresh does.
func BenchmarkIssuePair(b *testing.B) {
	for _, alg := range jwx.Algorithms {
		b.Run(alg, func(b *testing.B) {
			iss := jwx.NewIssuer(benchKeys(b, alg))
			ctx := context.Background()
			a, r := claims(domain.Access), claims(domain.Refresh)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := iss.Issue(ctx, a); err != nil {
					b.Fatal(err)
				}
				if _, err := iss.Issue(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify is one full verification of an access token: parse,
// signature, claims, policy.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range jwx.Algorithms {
		b.Run(alg, func(b *testing.B) {
			keys := benchKeys(b, alg)
			ctx := context.Background()
			tok, err := jwx.NewIssuer(keys).Issue(ctx, claims(domain.Access))
			if err != nil {
				b.Fatal(err)
			}
			ver := jwx.NewVerifier(keys)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := verifyAt(ctx, ver, tok, domain.Access, t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
