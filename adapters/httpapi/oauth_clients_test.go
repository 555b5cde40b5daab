package httpapi_test

import (
	"testing"

	"github.com/authd/authd/adapters/httpapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseOAuthClients(t *testing.T) {
	t.Parallel()
	_, sum := httpapi.NewClientSecret()
	clients, err := httpapi.ParseOAuthClients([]byte(`[
		{"client_id": "backend", "client_secret_sha256": "` + sum + `", "grant_types": ["password", "refresh_token"], "introspect": true},
		{"client_id": "spa", "grant_types": ["refresh_token"]}
	]`))
	require.NoError(t, err)
	require.Len(t, clients, 2)
	assert.Equal(t, "backend", clients[0].ID)
	assert.Len(t, clients[0].SecretSHA256, 32)
	assert.True(t, clients[0].Introspect)
	assert.Nil(t, clients[1].SecretSHA256)

	for name, data := range map[string]string{
		"not an array":    `{"client_id":"x"}`,
		"no client_id":    `[{"grant_types":["password"]}]`,
		"empty client_id": `[{"client_id":""}]`,
		"listed twice":    `[{"client_id":"a"},{"client_id":"a"}]`,
		"short hash":      `[{"client_id":"a","client_secret_sha256":"abcd"}]`,
		"hash not hex":    `[{"client_id":"a","client_secret_sha256":"` + string(make([]byte, 0)) + `zz` + sum[2:] + `"}]`,
		"unknown grant":   `[{"client_id":"a","grant_types":["client_credentials"]}]`,
		"unknown field":   `[{"client_id":"a","client_secret":"plain text"}]`,
		"not JSON":        `client_id=a`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := httpapi.ParseOAuthClients([]byte(data))
			assert.Error(t, err)
		})
	}
}

// TestPublicClientsCannotIntrospect: introspection tells who a token
// belongs to (sub, username, sid, jti); a public client authenticates with
// its client_id alone, so a file giving one introspect is refused, saying
// why.
func TestPublicClientsCannotIntrospect(t *testing.T) {
	t.Parallel()
	_, err := httpapi.ParseOAuthClients([]byte(`[{"client_id": "spa", "grant_types": ["refresh_token"], "introspect": true}]`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `client "spa"`)
	assert.Contains(t, err.Error(), "client_secret_sha256")
	_, sum := httpapi.NewClientSecret()
	_, err = httpapi.ParseOAuthClients([]byte(`[{"client_id": "rs", "client_secret_sha256": "` + sum + `", "introspect": true}]`))
	assert.NoError(t, err, "a confidential client may")
}

func TestNewClientSecretIsRandom(t *testing.T) {
	t.Parallel()
	a, ha := httpapi.NewClientSecret()
	b, hb := httpapi.NewClientSecret()
	assert.NotEqual(t, a, b)
	assert.NotEqual(t, ha, hb)
	assert.Len(t, ha, 64)
}
