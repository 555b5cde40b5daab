package repo

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// module is this module's path, read from go.mod so that a team that
// renames the module (docs/template.md) keeps a working architecture test.
var module = modulePath("../../../go.mod")

// modulePath returns the module path of a go.mod file.
func modulePath(gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	panic("no module line in " + gomod)
}

// technologies lists the one third-party technology each adapter may use
// besides the standard library, domain and ports.
var technologies = map[string][]string{
	"adapters/httpapi":   {"github.com/go-chi/chi/v5", "github.com/go-chi/cors"},
	"adapters/jwx":       {"github.com/lestrrat-go/jwx/v3"},
	"adapters/zaplog":    {"go.uber.org/zap"},
	"adapters/argon2":    {"golang.org/x/crypto", "golang.org/x/sys/cpu"},
	"adapters/memory":    nil,
	"adapters/metrics":   {"github.com/prometheus/client_golang"},
	"adapters/postgres":  {"github.com/jackc/pgx/v5"},
	"adapters/clock":     nil,
	"adapters/random":    nil,
	"adapters/storetest": {"github.com/stretchr/testify"},
	"adapters/zxcvbn":    {"github.com/trustelem/zxcvbn"},
}

// importAllowed says whether the package in dir (relative to the module
// root) may import path under the dependency rule of docs/architecture.md.
// It returns the reason when it may not.
func importAllowed(dir, path string) (bool, string) {
	std := !strings.Contains(strings.Split(path, "/")[0], ".")
	layer := strings.SplitN(dir, "/", 3)
	own := strings.TrimPrefix(path, module+"/")
	internal := own != path
	switch {
	case internal && own == dir: // an external test package importing its own package
		return true, ""
	case layer[0] == "cmd":
		return true, ""
	case std:
		return true, ""
	case layer[0] == "domain":
		return false, "domain imports only the standard library"
	case layer[0] == "ports":
		return internal && own == "domain", "ports imports only domain"
	case layer[0] == "app":
		return internal && (own == "domain" || own == "ports"), "app imports only domain and ports"
	case layer[0] == "adapters":
		adapter := strings.Join(layer[:min(2, len(layer))], "/")
		if internal {
			ownAdapter := own == adapter || strings.HasPrefix(own, adapter+"/") // its own subpackages
			return own == "domain" || own == "ports" || ownAdapter, "an adapter imports domain and ports, never app, cmd or another adapter"
		}
		techs, known := technologies[adapter]
		if !known {
			return false, "adapter " + adapter + " has no technology listed in architecture_test.go"
		}
		for _, t := range techs {
			if path == t || strings.HasPrefix(path, t+"/") {
				return true, ""
			}
		}
		return false, adapter + " may use only " + strings.Join(techs, ", ")
	}
	return false, "package outside the layers"
}

// testOnly are the imports every test file may add: assertions, the shared
// store contract test, and the in-memory store as a reference store for
// black-box tests of the use cases.
func testOnly(path string) bool {
	return strings.HasPrefix(path, "github.com/stretchr/testify") ||
		path == module+"/adapters/storetest" || path == module+"/adapters/memory"
}

func TestDependencyRule(t *testing.T) {
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	checked := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		isTest := strings.HasSuffix(p, "_test.go")
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if isTest && (testOnly(path) || strings.HasPrefix(filepath.ToSlash(rel), "cmd")) {
				continue
			}
			ok, why := importAllowed(filepath.ToSlash(rel), path)
			assert.True(t, ok, "%s imports %s: %s", strings.TrimPrefix(p, root+string(os.PathSeparator)), path, why)
			checked++
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, checked, 50, "the walk found the imports")
}

// TestDependencyRuleCatchesViolations proves the rule fails on each kind of
// wrong-way import.
func TestDependencyRuleCatchesViolations(t *testing.T) {
	for _, tc := range []struct{ dir, path string }{
		{"domain", module + "/ports"},
		{"domain", "go.uber.org/zap"},
		{"ports", module + "/app"},
		{"ports", module + "/adapters/memory"},
		{"app", module + "/adapters/jwx"},
		{"app", "github.com/go-chi/chi/v5"},
		{"adapters/httpapi", module + "/app"},
		{"adapters/httpapi", module + "/adapters/jwx"},
		{"adapters/httpapi", "go.uber.org/zap"},
		{"adapters/memory", module + "/cmd/authd"},
		{"adapters/postgres", module + "/adapters/memory"},
		{"adapters/postgres/pgtest", module + "/adapters/jwx"},
		{"adapters/newthing", "example.com/lib"},
	} {
		ok, _ := importAllowed(tc.dir, tc.path)
		assert.False(t, ok, "%s importing %s must be refused", tc.dir, tc.path)
	}
	for _, tc := range []struct{ dir, path string }{
		{"domain", "time"},
		{"ports", module + "/domain"},
		{"app", module + "/ports"},
		{"adapters/httpapi", "github.com/go-chi/chi/v5/middleware"},
		{"adapters/jwx", module + "/domain"},
		{"adapters/postgres", module + "/adapters/postgres/pgtest"},
		{"cmd/authd", module + "/app"},
	} {
		ok, why := importAllowed(tc.dir, tc.path)
		assert.True(t, ok, "%s importing %s must be allowed: %s", tc.dir, tc.path, why)
	}
}

// clockReads returns the places in a Go file that refer to time.Now,
// time.Since or time.Until, called or not (f := time.Now; f() counts), under
// whatever name the file imports package time as.
func clockReads(filename string, src []byte) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, 0)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, imp := range f.Imports {
		if strings.Trim(imp.Path.Value, `"`) != "time" {
			continue
		}
		switch {
		case imp.Name == nil:
			names["time"] = true
		case imp.Name.Name == ".":
			return []string{fset.Position(imp.Pos()).String() + ": dot-import of time"}, nil
		default:
			names[imp.Name.Name] = true
		}
	}
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && names[x.Name] && x.Obj == nil {
			switch sel.Sel.Name {
			case "Now", "Since", "Until":
				found = append(found, fset.Position(sel.Pos()).String()+": time."+sel.Sel.Name)
			}
		}
		return true
	})
	return found, nil
}

// TestOnlyTheClockAdapterReadsTheClock keeps every reference to time.Now,
// time.Since and time.Until out of non-test files outside adapters/clock,
// so that freezing the clock port freezes authd.
func TestOnlyTheClockAdapterReadsTheClock(t *testing.T) {
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	checked := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if strings.HasPrefix(filepath.ToSlash(rel), "adapters/clock/") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		found, err := clockReads(rel, src)
		if err != nil {
			return err
		}
		checked++
		assert.Empty(t, found, "read the clock port instead")
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, checked, 50)
}

// TestClockReadsAreFoundHoweverWritten proves the check above on the ways
// a text search would miss.
func TestClockReadsAreFoundHoweverWritten(t *testing.T) {
	for name, src := range map[string]string{
		"called":       "package x\nimport \"time\"\nvar n = time.Now()",
		"as a value":   "package x\nimport \"time\"\nvar f = time.Now\nvar n = f()",
		"renamed":      "package x\nimport t \"time\"\nvar d = t.Since(t.Time{})",
		"until":        "package x\nimport \"time\"\nvar d = time.Until(time.Time{})",
		"spaced":       "package x\nimport \"time\"\nvar n = time.\n\tNow()",
		"dot-imported": "package x\nimport . \"time\"\nvar n = Now()",
	} {
		found, err := clockReads(name+".go", []byte(src))
		require.NoError(t, err, name)
		assert.NotEmpty(t, found, name)
	}
	for name, src := range map[string]string{
		"a method of a time.Time": "package x\nimport \"time\"\nfunc f(c interface{ Now() time.Time }) time.Time { return c.Now() }",
		"a local named time":      "package x\nfunc f() { time := struct{ Now int }{}; _ = time.Now }",
	} {
		found, err := clockReads(name+".go", []byte(src))
		require.NoError(t, err, name)
		assert.Empty(t, found, name)
	}
}

// TestOneCompositionRoot: under cmd/, only the composition root wires the
// use cases; the command and the test kit go through it, so neither can
// serve anything the other does not.
func TestOneCompositionRoot(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	wiring := map[string]bool{module + "/app": true}
	for adapter := range technologies {
		wiring[module+"/"+adapter] = true
	}
	for _, pkg := range []string{"authd", "authdtest"} {
		files, err := filepath.Glob(filepath.Join(root, pkg, "*.go"))
		require.NoError(t, err)
		require.NotEmpty(t, files, pkg)
		imported := false
		for _, p := range files {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
			require.NoError(t, err)
			for _, imp := range f.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				imported = imported || path == module+"/cmd/internal/authd"
				// The kit reads the clock and hashes its users' passwords
				// itself; it wires nothing.
				if pkg == "authdtest" && (path == module+"/adapters/clock" || path == module+"/adapters/argon2") {
					continue
				}
				assert.False(t, wiring[path], "cmd/%s imports %s: wiring belongs in cmd/internal/authd", pkg, path)
			}
		}
		assert.True(t, imported, "cmd/%s must go through cmd/internal/authd", pkg)
	}
}
