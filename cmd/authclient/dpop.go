package authclient

import (
	"crypto"
	"crypto/ecdsa"
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
// 9449): ES256 on P-256. Tokens issued to a client that sent proofs are
// bound to the key's thumbprint, so a copy of them is useless without the
// private key, which never leaves the client. It is safe for concurrent
// use.
type DPoPKey struct {
	priv *ecdsa.PrivateKey
	hdr  string // the encoded protected header, built once
	jkt  string
}

// NewDPoPKey makes a fresh key pair.
func NewDPoPKey() (*DPoPKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return dpopKeyOf(priv)
}

func dpopKeyOf(priv *ecdsa.PrivateKey) (*DPoPKey, error) {
	pub, err := jwk.Import(&priv.PublicKey)
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
	hdr := `{"typ":"dpop+jwt","alg":"ES256","jwk":` + string(pubJSON) + `}`
	return &DPoPKey{priv: priv, hdr: base64.RawURLEncoding.EncodeToString([]byte(hdr)), jkt: base64.RawURLEncoding.EncodeToString(tp)}, nil
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

// UnmarshalJSON reads a private P-256 JWK.
func (k *DPoPKey) UnmarshalJSON(data []byte) error {
	key, err := jwk.ParseKey(data)
	if err != nil {
		return fmt.Errorf("authclient: DPoP key: %w", err)
	}
	var priv ecdsa.PrivateKey
	if err := jwk.Export(key, &priv); err != nil || priv.Curve != elliptic.P256() {
		return errors.New("authclient: DPoP key: not a private P-256 key")
	}
	got, err := dpopKeyOf(&priv)
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
	sig, err := jwsbb.Sign(k.priv, "ES256", []byte(input), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("authclient: sign DPoP proof: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
