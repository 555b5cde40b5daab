package authclient

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authd/authd/domain"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
)

// DPoPKey is the key pair a client proves possession of with DPoP (RFC
// 9449): ES256 on P-256 by default, or Ed25519. Tokens issued to a client
// that sent proofs are bound to the key's thumbprint, so a copy of them is
// useless without the private key, which never leaves the client. It is
// safe for concurrent use.
type DPoPKey struct {
	priv crypto.Signer // *ecdsa.PrivateKey or ed25519.PrivateKey
	alg  string        // "ES256" or "Ed25519"
	hdr  string        // the encoded protected header, built once
	jkt  string
}

// NewDPoPKey makes a fresh ES256 key pair, the algorithm every DPoP server
// accepts.
func NewDPoPKey() (*DPoPKey, error) { return NewDPoPKeyFor("ES256") }

// NewDPoPKeyFor makes a fresh key pair for alg: "ES256", or "Ed25519"
// (RFC 9864's name for EdDSA on Ed25519), whose proofs cost the server
// about a quarter less to verify.
func NewDPoPKeyFor(alg string) (*DPoPKey, error) {
	switch alg {
	case "ES256":
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		return dpopKeyOf(priv)
	case "Ed25519":
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return dpopKeyOf(priv)
	}
	return nil, fmt.Errorf("authclient: DPoP keys are ES256 or Ed25519, not %q", alg)
}

func dpopKeyOf(priv crypto.Signer) (*DPoPKey, error) {
	alg := "ES256"
	if _, ok := priv.(ed25519.PrivateKey); ok {
		alg = "Ed25519"
	}
	pub, err := jwk.Import(priv.Public())
	if err != nil {
		return nil, fmt.Errorf("authclient: DPoP key: %w", err)
	}
	pubJSON, err := json.Marshal(pub)
	if err != nil {
		return nil, err
	}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	hdr := `{"typ":"dpop+jwt","alg":"` + alg + `","jwk":` + string(pubJSON) + `}`
	return &DPoPKey{priv: priv, alg: alg, hdr: base64.RawURLEncoding.EncodeToString([]byte(hdr)), jkt: base64.RawURLEncoding.EncodeToString(tp)}, nil
}

// Thumbprint returns the key's RFC 7638 thumbprint: the cnf.jkt of tokens
// bound to it.
func (k *DPoPKey) Thumbprint() string { return k.jkt }

// MarshalJSON writes the key as a private JWK, for a token file readable by
// its owner only.
func (k *DPoPKey) MarshalJSON() ([]byte, error) {
	key, err := jwk.Import(k.priv)
	if err != nil {
		return nil, err
	}
	return json.Marshal(key)
}

// UnmarshalJSON reads a private P-256 or Ed25519 JWK.
func (k *DPoPKey) UnmarshalJSON(data []byte) error {
	key, err := jwk.ParseKey(data)
	if err != nil {
		return fmt.Errorf("authclient: DPoP key: %w", err)
	}
	var raw any
	if err := jwk.Export(key, &raw); err != nil {
		return fmt.Errorf("authclient: DPoP key: %w", err)
	}
	var signer crypto.Signer
	switch priv := raw.(type) {
	case *ecdsa.PrivateKey:
		if priv.Curve == elliptic.P256() {
			signer = priv
		}
	case ed25519.PrivateKey:
		signer = priv
	}
	if signer == nil {
		return errors.New("authclient: DPoP key: not a private P-256 or Ed25519 key")
	}
	got, err := dpopKeyOf(signer)
	if err != nil {
		return err
	}
	*k = *got
	return nil
}

// Proof returns a DPoP proof for one request: its method, its URL (query
// and fragment are dropped), the access token it carries ("" at the token
// endpoints), and the server's nonce ("" when it asked for none). Each
// proof has a new random jti and may be used once.
func (k *DPoPKey) Proof(method, url, accessToken, nonce string, now time.Time) (string, error) {
	if i := strings.IndexAny(url, "?#"); i >= 0 {
		url = url[:i]
	}
	var jti [16]byte
	_, _ = rand.Read(jti[:])
	claims := struct {
		JTI   string `json:"jti"`
		HTM   string `json:"htm"`
		HTU   string `json:"htu"`
		IAT   int64  `json:"iat"`
		ATH   string `json:"ath,omitempty"`
		Nonce string `json:"nonce,omitempty"`
	}{base64.RawURLEncoding.EncodeToString(jti[:]), method, url, now.Unix(), "", nonce}
	if accessToken != "" {
		claims.ATH = domain.AccessTokenHash(accessToken)
	}
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := k.hdr + "." + base64.RawURLEncoding.EncodeToString(body)
	sig, err := jwsbb.Sign(k.priv, k.alg, []byte(input), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("authclient: sign DPoP proof: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
