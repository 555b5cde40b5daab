package repo

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// topLevel is everything the repository may hold at its root besides
// dotfiles: the layout the project fixed (docs/architecture.md) and the
// licence.
var topLevel = map[string]bool{
	"go.mod": true, "go.sum": true, "cmd": true, "domain": true, "ports": true, "adapters": true,
	"app": true, "deployments": true, "docs": true, "README.md": true, "LICENSE": true,
}

// trackedFiles returns the files git tracks in the repository, or skips
// the test outside a git checkout (a copy made with gonew, say).
func trackedFiles(t *testing.T) (root string, files []string) {
	t.Helper()
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: the tracked files cannot be listed")
	}
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): the tracked files cannot be listed", err)
	}
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	require.NotEmpty(t, files)
	return root, files
}

// TestRepositoryTopLevel: the root holds exactly the fixed layout; nothing
// else gets committed beside it (a built binary landed at the root once).
func TestRepositoryTopLevel(t *testing.T) {
	t.Parallel()
	_, files := trackedFiles(t)
	seen := map[string]bool{}
	for _, f := range files {
		top := strings.SplitN(f, "/", 2)[0]
		if !topLevel[top] && !strings.HasPrefix(top, ".") {
			seen[top] = true
		}
	}
	var extra []string
	for name := range seen {
		extra = append(extra, name)
	}
	sort.Strings(extra)
	assert.Empty(t, extra, "tracked at the top level but not part of the layout")
}

// executableMagic are the first bytes of the executable formats Go builds:
// ELF, Mach-O (both byte orders, 64 and 32 bits) and PE.
var executableMagic = [][]byte{
	[]byte("\x7fELF"), {0xcf, 0xfa, 0xed, 0xfe}, {0xfe, 0xed, 0xfa, 0xcf},
	{0xce, 0xfa, 0xed, 0xfe}, {0xfe, 0xed, 0xfa, 0xce}, []byte("MZ"),
}

// isExecutable reports whether data starts like a built program.
func isExecutable(data []byte) bool {
	for _, m := range executableMagic {
		if bytes.HasPrefix(data, m) {
			return true
		}
	}
	return false
}

// TestNoBuiltBinaryIsTracked: no tracked file anywhere is a compiled
// program; binaries are built by CI and by the reader, never committed.
func TestNoBuiltBinaryIsTracked(t *testing.T) {
	t.Parallel()
	root, files := trackedFiles(t)
	for _, f := range files {
		fh, err := os.Open(filepath.Join(root, f))
		if os.IsNotExist(err) {
			continue // deleted in the work tree, not yet committed
		}
		require.NoError(t, err)
		head := make([]byte, 4)
		n, _ := fh.Read(head)
		fh.Close()
		assert.False(t, isExecutable(head[:n]), "%s is a built binary: remove it from git and ignore it", f)
	}
}

// TestIsExecutableKnowsTheFormats proves the check on each format's magic
// and on text that merely starts alike.
func TestIsExecutableKnowsTheFormats(t *testing.T) {
	t.Parallel()
	for _, m := range executableMagic {
		assert.True(t, isExecutable(append(append([]byte{}, m...), 0, 1)), "%x", m)
	}
	for _, text := range []string{"package main", "# ELF", "Mz", ""} {
		assert.False(t, isExecutable([]byte(text)), text)
	}
}
