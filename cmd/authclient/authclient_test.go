package authclient_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/authd/authd/cmd/authclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var _ authclient.TokenStore = (*authclient.MemoryStore)(nil)
var _ authclient.TokenStore = authclient.FileStore{}

func TestFileStore(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "tokens.json")
	fs := authclient.FileStore{Path: path}
	got, err := fs.Load()
	require.NoError(t, err)
	assert.Equal(t, authclient.Tokens{}, got, "no file is no tokens")
	require.NoError(t, fs.Save(authclient.Tokens{Access: "a", Refresh: "r"}))
	got, err = fs.Load()
	require.NoError(t, err)
	assert.Equal(t, authclient.Tokens{Access: "a", Refresh: "r"}, got)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "tokens are for their owner only")
	require.NoError(t, os.WriteFile(path, []byte("{"), 0o600))
	_, err = fs.Load()
	assert.Error(t, err)
}

func TestDecode(t *testing.T) {
	t.Parallel()
	// {"alg":"EdDSA","kid":"k","typ":"at+jwt"} . {"sub":"2","preferred_username":"minsu","iat":1000,"exp":1060,"type":"access"}
	tok := "eyJhbGciOiJFZERTQSIsImtpZCI6ImsiLCJ0eXAiOiJhdCtqd3QifQ." +
		"eyJzdWIiOiIyIiwicHJlZmVycmVkX3VzZXJuYW1lIjoibWluc3UiLCJpYXQiOjEwMDAsImV4cCI6MTA2MCwidHlwZSI6ImFjY2VzcyJ9.c2ln"
	hdr, c, err := authclient.Decode(tok)
	require.NoError(t, err)
	assert.Equal(t, "at+jwt", hdr["typ"])
	assert.Equal(t, "minsu", c.Username)
	assert.Equal(t, time.Unix(1060, 0).UTC(), c.Expiry())
	assert.Equal(t, time.Minute, c.Lifetime())
	for _, bad := range []string{"", "a.b", "!.e30.x", "e30.!.x", "bm90anNvbg.e30.x"} {
		_, _, err := authclient.Decode(bad)
		assert.Error(t, err, bad)
	}
}

func TestConfigRequired(t *testing.T) {
	t.Parallel()
	_, err := authclient.New(authclient.Config{})
	assert.Error(t, err)
	_, err = authclient.NewVerifier(authclient.VerifierConfig{})
	assert.Error(t, err)
	lo := &authclient.LoggedOutError{Code: "session_revoked"}
	assert.True(t, errors.Is(lo, authclient.ErrLoggedOut))
}
