package authd

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeploymentsUseKnownSettings checks that every AUTH_ variable the
// deployment files set is one authd reads, so a typo or a renamed setting
// cannot silently fall back to a default in production.
func TestDeploymentsUseKnownSettings(t *testing.T) {
	t.Parallel()
	known := map[string]bool{}
	for _, env := range settingNames() {
		known[env] = true
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

// TestKubernetesMemoryFitsHashing: the pod's memory limit holds authd's own
// budget, 64 MiB plus one argon2id hash (19 MiB) per GOMAXPROCS, and
// GOMAXPROCS is pinned by the manifest and the CPU limit, so a big node
// cannot raise the hashing concurrency past what the limit holds.
func TestKubernetesMemoryFitsHashing(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../../deployments/k8s/deployment.yaml")
	require.NoError(t, err)
	text := string(data)
	procs := regexp.MustCompile(`name: GOMAXPROCS, value: "(\d+)"`).FindStringSubmatch(text)
	require.NotNil(t, procs, "the manifest pins GOMAXPROCS")
	cpu := regexp.MustCompile(`limits: \{cpu: "(\d+)", memory: (\d+)Mi\}`).FindStringSubmatch(text)
	require.NotNil(t, cpu, "the manifest sets CPU and memory limits")
	n, _ := strconv.Atoi(procs[1])
	cores, _ := strconv.Atoi(cpu[1])
	mem, _ := strconv.Atoi(cpu[2])
	assert.LessOrEqual(t, n, cores, "GOMAXPROCS within the CPU limit")
	assert.GreaterOrEqual(t, int64(mem)<<20, RSSBudget(n), "the container's memory limit holds authd's RSS budget")
	assert.Contains(t, text, "port: admin", "probes on the admin port")
	assert.Contains(t, text, `AUTH_PLAYGROUND, value: "false"`)
}
