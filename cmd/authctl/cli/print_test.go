package cli_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/authd/authd/cmd/authdtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoginNamesTheServerAndRoundsDown: authctl says which server it logged
// in to, and shows time left rounded down to the second, as the server's
// expires_in does: logged in at 12:00:00.4, the access token (exp
// 12:01:00) has 59 s left, not "1m0s".
func TestLoginNamesTheServerAndRoundsDown(t *testing.T) {
	t.Parallel()
	srv := authdtest.Start(t, authdtest.WithStart(time.Date(2026, 12, 7, 12, 0, 0, 400_000_000, time.UTC)))
	out, err := authctl(t, srv, filepath.Join(t.TempDir(), "tokens.json"), "1229\n", "login", "--username", "minsu")
	require.NoError(t, err, out)
	assert.Contains(t, out, "logged in as minsu at "+srv.URL)
	assert.Contains(t, out, "access token expires in 59s by the server's dev clock, refresh token in 4m59s")
}
