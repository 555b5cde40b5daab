package authd

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeploymentsUseKnownSettings checks that every AUTH_ variable the
// deployment files set is one authd reads, so a typo or a renamed setting
// cannot silently fall back to a default in production.
func TestDeploymentsUseKnownSettings(t *testing.T) {
	known := map[string]bool{}
	for _, s := range settings {
		known[s.env] = true
	}
	re := regexp.MustCompile(`AUTH_[A-Z0-9_]+`)
	found := 0
	err := filepath.WalkDir("../../../deployments", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) == ".md" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, name := range re.FindAllString(string(data), -1) {
			found++
			assert.True(t, known[name], "%s sets %s, which authd does not read", path, name)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, found, 10)
}
