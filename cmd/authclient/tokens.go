package authclient

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Tokens is a token pair as authd hands it out, and the DPoP key it is
// bound to, if any: the key is kept with the pair (in a token file too),
// because the pair is worthless without it.
type Tokens struct {
	Access    string   `json:"access"`
	Refresh   string   `json:"refresh"`
	TokenType string   `json:"token_type,omitempty"`
	DPoPKey   *DPoPKey `json:"dpop_key,omitempty"`
}

// TokenStore keeps the current pair between refreshes (and, for a file,
// between runs). Save is called after every rotation, so a store must not
// lose a pair it was given.
type TokenStore interface {
	// Load returns the stored pair; an empty pair when there is none.
	Load() (Tokens, error)
	// Save replaces the stored pair.
	Save(Tokens) error
}

// MemoryStore keeps the pair in memory.
type MemoryStore struct {
	mu sync.Mutex
	t  Tokens
}

// Load returns the pair.
func (m *MemoryStore) Load() (Tokens, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t, nil
}

// Save replaces the pair.
func (m *MemoryStore) Save(t Tokens) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = t
	return nil
}

// FileStore keeps the pair in a JSON file readable only by its owner,
// replaced atomically on every save.
type FileStore struct {
	Path string
}

// Load reads the file; a missing file is an empty pair.
func (f FileStore) Load() (Tokens, error) {
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return Tokens{}, nil
	}
	if err != nil {
		return Tokens{}, err
	}
	var t Tokens
	if err := json.Unmarshal(data, &t); err != nil {
		return Tokens{}, fmt.Errorf("authclient: token file %s: %w", f.Path, err)
	}
	return t, nil
}

// Save writes the pair to a temporary file and renames it into place.
func (f FileStore) Save(t Tokens) error {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".tokens-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.Path)
}

// Claims are the parts of a token a client reads without verifying it:
// only the server that issued a token can vouch for it, but its owner may
// read when it expires.
type Claims struct {
	Subject   string `json:"sub"`
	Username  string `json:"preferred_username"`
	SessionID string `json:"sid"`
	ID        string `json:"jti"`
	Type      string `json:"type"`
	IssuedAt  int64  `json:"iat"`
	ExpiresAt int64  `json:"exp"`
	// Cnf holds the thumbprint of the DPoP key a bound token is bound to.
	Cnf struct {
		JKT string `json:"jkt"`
	} `json:"cnf"`
}

// Expiry returns exp as a time.
func (c Claims) Expiry() time.Time { return time.Unix(c.ExpiresAt, 0).UTC() }

// Lifetime returns exp minus iat.
func (c Claims) Lifetime() time.Duration { return time.Duration(c.ExpiresAt-c.IssuedAt) * time.Second }

// Decode reads a token's header and claims without verifying anything.
func Decode(token string) (header map[string]any, claims Claims, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, Claims{}, errors.New("authclient: not a compact JWT")
	}
	hdr, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, Claims{}, fmt.Errorf("authclient: header: %w", err)
	}
	if err := json.Unmarshal(hdr, &header); err != nil {
		return nil, Claims{}, fmt.Errorf("authclient: header: %w", err)
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, Claims{}, fmt.Errorf("authclient: claims: %w", err)
	}
	if err := json.Unmarshal(body, &claims); err != nil {
		return nil, Claims{}, fmt.Errorf("authclient: claims: %w", err)
	}
	return header, claims, nil
}
