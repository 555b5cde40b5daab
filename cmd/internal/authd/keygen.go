package authd

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/adapters/random"
)

// keygen prints a new private JWK Set with one key, for
// AUTH_JWT_KEYS_FILE: `authd keygen --alg EdDSA > keys.json`; with
// --id-token-alg RS256 a second key, which signs the ID tokens of the
// authorization code flow (the first key of each algorithm signs). To rotate,
// put the new key first and keep the old one after it until every token it
// signed has expired.
func keygen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("authd keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	alg := fs.String("alg", jwx.EdDSA, "algorithm: EdDSA, ES256, RS256 or HS256")
	idAlg := fs.String("id-token-alg", "", "also add a key for ID tokens of this algorithm (RS256, which OpenID Connect requires; ES256 or EdDSA for clients that choose them)")
	path := fs.String("out", "", "write the key set to this new file, readable by its owner only (0600), instead of stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keygen: unexpected argument %q", fs.Arg(0))
	}
	var keys *jwx.Keys
	var err error
	if *alg == jwx.HS256 {
		keys, err = jwx.GenerateHMAC(random.IDs{}.NewID())
	} else {
		keys, err = jwx.Generate(*alg)
	}
	if err == nil && *idAlg != "" {
		if *idAlg == jwx.HS256 {
			return fmt.Errorf("keygen: ID tokens are signed with RS256, ES256 or EdDSA, not HS256")
		}
		keys, err = keys.WithGenerated(*idAlg)
	}
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	out, err := keys.PrivateJWKS()
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	if *path == "" {
		_, err = fmt.Fprintf(stdout, "%s\n", out)
		return err
	}
	// O_EXCL: never overwrite a key set someone may still depend on.
	f, err := os.OpenFile(*path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	if _, err := fmt.Fprintf(f, "%s\n", out); err != nil {
		f.Close()
		return fmt.Errorf("keygen: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	_, err = fmt.Fprintf(stderr, "authd: wrote %s (mode 0600)\n", *path)
	return err
}
