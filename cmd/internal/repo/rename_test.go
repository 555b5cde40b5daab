package repo

import (
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// renamedModule is the module path TestRenameAsATemplate gives the copy, as
// a team adopting authd would (docs/template.md).
const renamedModule = "example.com/acme/auth"

// renameImports rewrites, as gonew does, every import of the module old or
// a package below it to the same package under new, leaving the rest of
// the file byte for byte as it was.
func renameImports(src []byte, old, new string) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return nil, err
	}
	out := src
	for i := len(f.Imports) - 1; i >= 0; i-- { // from the end, so offsets stay valid
		lit := f.Imports[i].Path
		path, err := strconv.Unquote(lit.Value)
		if err != nil || (path != old && !strings.HasPrefix(path, old+"/")) {
			continue
		}
		start, end := fset.Position(lit.Pos()).Offset, fset.Position(lit.End()).Offset
		out = append(append(append([]byte{}, out[:start]...), strconv.Quote(new+path[len(old):])...), out[end:]...)
	}
	return out, nil
}

// hardCodedModule lists the places in Go source under dir, after a
// rename, that still name the old module path: a string that a rename by
// import paths cannot find, and that breaks the renamed copy.
func hardCodedModule(dir, old string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, `"`+old+`"`) || strings.Contains(line, `"`+old+`/`) || strings.Contains(line, "`"+old) {
				rel, _ := filepath.Rel(dir, p)
				found = append(found, rel+":"+strconv.Itoa(i+1)+": "+strings.TrimSpace(line))
			}
		}
		return nil
	})
	return found, err
}

// copyRenamed copies the repository's files (those git tracks, and new
// ones it does not ignore) into dst with the module renamed.
func copyRenamed(t *testing.T, root, dst, old, new string) {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	require.NoError(t, err, "git ls-files")
	for _, rel := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, rel)
		info, err := os.Lstat(src)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the work tree, or not a file
		}
		data, err := os.ReadFile(src)
		require.NoError(t, err)
		switch {
		case rel == "go.mod":
			data = bytes.Replace(data, []byte("module "+old+"\n"), []byte("module "+new+"\n"), 1)
		case strings.HasSuffix(rel, ".go"):
			data, err = renameImports(data, old, new)
			require.NoError(t, err, rel)
		}
		target := filepath.Join(dst, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(target), 0o755))
		require.NoError(t, os.WriteFile(target, data, info.Mode().Perm()))
	}
}

// TestRenameAsATemplate copies the repository, renames the module the way
// gonew does, and builds, vets and runs the short tests of the copy: the
// template works under another team's module path. Skipped under -short
// (it runs the short tests of a whole copy; the copy's own run is -short,
// so it does not recurse).
func TestRenameAsATemplate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a renamed copy of the repository; run without -short (CI does)")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git to list the repository's files")
	}
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	dst := t.TempDir()
	copyRenamed(t, root, dst, module, renamedModule)

	found, err := hardCodedModule(dst, module)
	require.NoError(t, err)
	assert.Empty(t, found, "Go source names the module path outside its imports; a renamed copy would break there")

	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}, {"test", "-short", "-count=1", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dst
		cmd.Env = withoutRequirements(os.Environ())
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s in the renamed copy:\n%s", strings.Join(args, " "), out)
	}
	data, err := os.ReadFile(filepath.Join(dst, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "module "+renamedModule+"\n")
}

// withoutRequirements drops the AUTH_TEST_REQUIRE_* variables: the copy's
// short tests skip what needs a server, rather than fail on it.
func withoutRequirements(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AUTH_TEST_REQUIRE_") {
			out = append(out, kv)
		}
	}
	return out
}

// TestRenameCatchesHardCodedPaths proves the rename test's checks: imports
// are renamed, and a module path written anywhere else is reported.
func TestRenameCatchesHardCodedPaths(t *testing.T) {
	src := []byte(`package x

import (
	"fmt"

	"example.org/orig/domain"
	alias "example.org/orig/adapters/jwx"
)

const self = "example.org/orig/app"
`)
	out, err := renameImports(src, "example.org/orig", renamedModule)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"example.com/acme/auth/domain"`)
	assert.Contains(t, string(out), `alias "example.com/acme/auth/adapters/jwx"`)
	assert.Contains(t, string(out), `"fmt"`)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.go"), out, 0o600))
	found, err := hardCodedModule(dir, "example.org/orig")
	require.NoError(t, err)
	require.Len(t, found, 1, "the constant is the one place a rename by imports misses")
	assert.Contains(t, found[0], "x.go:10")
}

// TestTemplateRenameCommands runs the rename-by-hand commands exactly as
// docs/template.md prints them, in a plain copy of the repository, and
// builds and vets the result, so the page cannot drift from what works.
func TestTemplateRenameCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a renamed copy of the repository; run without -short (CI does)")
	}
	for _, tool := range []string{"git", "bash", "sed", "grep", "xargs"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s to run the documented commands", tool)
		}
	}
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	doc, err := os.ReadFile(filepath.Join(root, "docs/template.md"))
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(doc), "From a clone, the same rename by hand:\n\n```sh\n")
	require.True(t, ok, "docs/template.md lost its rename-by-hand block")
	block, _, _ := strings.Cut(after, "```")
	lines := strings.Split(strings.TrimSpace(block), "\n")
	require.GreaterOrEqual(t, len(lines), 2)
	rename := strings.Join(lines[:2], "\n") // the last line builds and tests: done below

	dst := t.TempDir()
	copyRenamed(t, root, dst, module, module) // a plain copy
	for _, step := range [][]string{{"bash", "-euo", "pipefail", "-c", rename}, {"go", "build", "./..."}, {"go", "vet", "./..."}} {
		cmd := exec.Command(step[0], step[1:]...)
		cmd.Dir = dst
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s in the copy:\n%s", strings.Join(step, " "), out)
	}
	data, err := os.ReadFile(filepath.Join(dst, "cmd/authd/main.go"))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"`+renamedModule+`/cmd/internal/authd"`)
}

// gonewBinary returns gonew, or skips the test (fails it with
// AUTH_TEST_REQUIRE_GONEW=1, which CI sets after installing it).
func gonewBinary(t *testing.T) string {
	t.Helper()
	candidates := []string{"gonew"}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		candidates = append(candidates, filepath.Join(strings.TrimSpace(string(out)), "bin", "gonew"))
	}
	for _, c := range candidates {
		if path, err := exec.LookPath(c); err == nil {
			return path
		}
	}
	if os.Getenv("AUTH_TEST_REQUIRE_GONEW") == "1" {
		t.Fatal("AUTH_TEST_REQUIRE_GONEW=1 but no gonew (go install golang.org/x/tools/cmd/gonew@v0.52.0)")
	}
	t.Skip("no gonew (go install golang.org/x/tools/cmd/gonew@v0.52.0); set AUTH_TEST_REQUIRE_GONEW=1 to make this a failure")
	return ""
}

// TestGonewRename runs docs/template.md's gonew command itself: this
// repository's committed tree is served as github.com/authd/authd@v0.0.1 by
// a module proxy in a directory (GOPROXY=file://…), gonew copies it under
// example.com/acme/auth, and the copy builds and vets.
func TestGonewRename(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a renamed copy of the repository; run without -short (CI does)")
	}
	gonew := gonewBinary(t)
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	proxy := t.TempDir()
	dir := filepath.Join(proxy, filepath.FromSlash(module), "@v")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	for name, data := range map[string]string{
		"list":        "v0.0.1\n",
		"v0.0.1.info": `{"Version":"v0.0.1","Time":"2026-12-04T00:00:00Z"}`,
		"v0.0.1.mod":  string(gomod),
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	archive := exec.Command("git", "-C", root, "archive", "--prefix="+module+"@v0.0.1/", "--format=zip", "-o", filepath.Join(dir, "v0.0.1.zip"), "HEAD")
	out, err := archive.CombinedOutput()
	require.NoError(t, err, "git archive: %s", out)

	dst := filepath.Join(t.TempDir(), "auth")
	env := append(withoutRequirements(os.Environ()), "GOPROXY=file://"+filepath.ToSlash(proxy), "GONOSUMDB="+module, "GOFLAGS=-mod=mod")
	steps := [][]string{{gonew, module + "@v0.0.1", renamedModule, dst}, {"go", "build", "./..."}, {"go", "vet", "./..."}}
	for i, step := range steps {
		cmd := exec.Command(step[0], step[1:]...)
		cmd.Env = env
		if i > 0 {
			cmd.Dir = dst
		}
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s:\n%s", strings.Join(step, " "), out)
	}
	data, err := os.ReadFile(filepath.Join(dst, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "module "+renamedModule+"\n")
}
