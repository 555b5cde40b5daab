package httpapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClientCredentialsInTheClientsFile: only a confidential client may
// list client_credentials, and scopes must be RFC 6749 §3.3 scope-tokens.
func TestClientCredentialsInTheClientsFile(t *testing.T) {
	t.Parallel()
	_, err := ParseOAuthClients([]byte(`[{"client_id": "job", "grant_types": ["client_credentials"]}]`))
	assert.ErrorContains(t, err, "confidential")
	list, err := ParseOAuthClients([]byte(`[{"client_id": "job", "client_secret_sha256": "` + sha64 + `", "grant_types": ["client_credentials"], "scope": "orders:read"}]`))
	require.NoError(t, err)
	assert.True(t, list[0].Allows(GrantClientCredentials))
	_, err = ParseOAuthClients([]byte(`[{"client_id": "job", "client_secret_sha256": "` + sha64 + `", "scope": "a\"b"}]`))
	assert.ErrorContains(t, err, "RFC 6749")
}

const sha64 = "0000000000000000000000000000000000000000000000000000000000000000"
