package repo

import (
	"archive/zip"
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// renamedModule is the module path TestTemplate gives the copy, as
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

// repositoryFiles lists the repository's files: those git tracks and new
// ones it does not ignore, as a clone with the work in progress would have
// them (a file deleted in the work tree is left out).
func repositoryFiles(t *testing.T, root string) []string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	require.NoError(t, err, "git ls-files")
	var files []string
	for _, rel := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if info, err := os.Lstat(filepath.Join(root, rel)); err == nil && info.Mode().IsRegular() {
			files = append(files, rel)
		}
	}
	return files
}

// copyRenamed copies the files into dst with the module renamed from old
// to new as gonew does: go.mod's module line and every import.
func copyRenamed(t *testing.T, root string, files []string, dst, old, new string) {
	t.Helper()
	for _, rel := range files {
		src := filepath.Join(root, rel)
		info, err := os.Lstat(src)
		require.NoError(t, err)
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

// TestTemplate is docs/template.md's rename, three ways, on the same files
// (git's, with the work in progress): the page's rename-by-hand commands
// exactly as it prints them, run in a plain copy; gonew itself, copying the
// module from a module proxy in a directory (GOPROXY=file://…) that serves
// the files as the module's v0.0.1; and this test's own rewrite of
// go.mod and the imports. The three trees must be equal, file for file, and
// no Go file may name the module path outside an import (a string a rename
// by imports misses); then the copy builds and vets, once. The renamed
// copy's whole suite runs in .ci/run's step of its own.
//
// It runs only with AUTH_TEST_TEMPLATE=1, which .ci/run sets: it copies the
// repository three times and builds it, about a minute on two cores.
func TestTemplate(t *testing.T) {
	if os.Getenv("AUTH_TEST_TEMPLATE") != "1" {
		t.Skip("copies, renames and builds the repository three ways; set AUTH_TEST_TEMPLATE=1 to run it (.ci/run does)")
	}
	for _, tool := range []string{"git", "bash", "sed", "grep", "xargs"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("no %s to run the documented commands", tool)
		}
	}
	gonew := gonewBinary(t)
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	files := repositoryFiles(t, root)
	env := withoutRequirements(os.Environ())

	// This test's own rename, as gonew does it.
	ours := t.TempDir()
	copyRenamed(t, root, files, ours, module, renamedModule)
	found, err := hardCodedModule(ours, module)
	require.NoError(t, err)
	assert.Empty(t, found, "Go source names the module path outside its imports; a renamed copy would break there")

	// The page's commands, in a plain copy.
	blocks := docBlocks(t, filepath.Join(root, "docs/template.md"))
	require.Contains(t, blocks["gonew"].text, " "+module+" "+renamedModule+"\n", "the page's gonew command renames to the module this test checks")
	lines := strings.Split(strings.TrimSpace(blocks["rename"].text), "\n")
	require.GreaterOrEqual(t, len(lines), 2)
	byHand := t.TempDir()
	copyRenamed(t, root, files, byHand, module, module)                                  // a plain copy
	run(t, byHand, env, "bash", "-euo", "pipefail", "-c", strings.Join(lines[:2], "\n")) // the last line builds and tests: done below

	// gonew, from a module proxy in a directory serving the same files.
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
	writeModuleZip(t, filepath.Join(dir, "v0.0.1.zip"), root, module+"@v0.0.1/", files)
	// A module cache of its own: the shared one may hold another v0.0.1
	// from an earlier run, and a version in the cache is never fetched again.
	viaGonew := filepath.Join(t.TempDir(), "auth")
	run(t, "", append(env, "GOPROXY=file://"+filepath.ToSlash(proxy), "GONOSUMDB="+module, "GOFLAGS=-modcacherw", "GOMODCACHE="+t.TempDir()),
		gonew, module+"@v0.0.1", renamedModule, viaGonew)

	want := readTree(t, ours)
	assert.Empty(t, treeDiff(want, readTree(t, byHand)), "docs/template.md's commands and gonew's rename differ (files named)")
	assert.Empty(t, treeDiff(want, readTree(t, viaGonew)), "gonew's copy and this test's rename differ (files named)")
	assert.Contains(t, want["go.mod"], "module "+renamedModule+"\n")
	assert.Contains(t, want["cmd/authd/main.go"], `"`+renamedModule+`/cmd/internal/authd"`)

	run(t, ours, env, "bash", "-euo", "pipefail", "-c", "go build ./... && go vet ./...")
}

// run runs the command in dir with env and requires it to succeed.
func run(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s in %s:\n%s", name, strings.Join(args, " "), dir, out)
}

// writeModuleZip writes the files under root into a module zip at path, each
// named prefix+its path, as a module proxy serves a version.
func writeModuleZip(t *testing.T, path, root, prefix string, files []string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(root, rel))
		require.NoError(t, err)
		w, err := zw.Create(prefix + filepath.ToSlash(rel))
		require.NoError(t, err)
		_, err = w.Write(data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
}

// readTree reads every file under dir, by its slash-separated path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		tree[filepath.ToSlash(rel)] = string(data)
		return nil
	}))
	return tree
}

// treeDiff names the files that are in one tree only or differ.
func treeDiff(a, b map[string]string) []string {
	var diff []string
	for p, data := range a {
		if other, ok := b[p]; !ok {
			diff = append(diff, p+": only in the first")
		} else if other != data {
			diff = append(diff, p+": differs")
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			diff = append(diff, p+": only in the second")
		}
	}
	sort.Strings(diff)
	return diff
}

// withoutRequirements drops the AUTH_TEST_REQUIRE_* and AUTH_TEST_TEMPLATE
// variables: what runs in a copy skips what needs a server rather than
// fail on it, and does not copy the repository again.
func withoutRequirements(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AUTH_TEST_REQUIRE_") && !strings.HasPrefix(kv, "AUTH_TEST_TEMPLATE=") {
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
