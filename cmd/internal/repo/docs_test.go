package repo

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Shutdown() // the cluster TestDocsAsPrinted's PostgreSQL block ran on, if any
	os.Exit(code)
}

// docBlock is a fenced block of a page, with the role its
// <!-- as-printed: ROLE --> comment gives it: what TestDocsAsPrinted does
// with it.
type docBlock struct {
	role, lang, text string
}

// docBlocks reads the page's fenced blocks, by role. Every block must carry
// a role on the line before its fence, so a new block cannot go unchecked.
func docBlocks(t *testing.T, page string) map[string]docBlock {
	t.Helper()
	data, err := os.ReadFile(page)
	require.NoError(t, err)
	blocks := map[string]docBlock{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		lang, ok := strings.CutPrefix(lines[i], "```")
		if !ok {
			continue
		}
		var role string
		if i > 0 {
			role, _ = strings.CutPrefix(lines[i-1], "<!-- as-printed: ")
			role, _ = strings.CutSuffix(role, " -->")
		}
		require.True(t, role != "" && role != lines[i-1], "%s:%d: a block without <!-- as-printed: ROLE --> before it", page, i+1)
		end := i + 1
		for end < len(lines) && lines[end] != "```" {
			end++
		}
		require.Less(t, end, len(lines), "%s:%d: unclosed block", page, i+1)
		_, dup := blocks[role]
		require.False(t, dup, "%s: two blocks named %s", page, role)
		blocks[role] = docBlock{role, lang, strings.Join(lines[i+1:end], "\n") + "\n"}
		i = end
	}
	return blocks
}

// TestDocsAsPrinted runs docs/testing.md and docs/template.md as a reader
// would, block by block, against the built binary and the test kit: the kit's
// Go test in a module of its own outside the repository, wired to a copy of
// it by the page's own go mod edit commands; the binary's commands and the
// dev clock's requests; the pytest example; the GitHub Actions and GitLab CI
// steps' commands in a directory laid out as their checkouts are (with the
// service containers played by the binary on loopback); the users file, the
// keys, PostgreSQL and the production switches. Ports 5000 and 9090 become
// free ports and `go run ./cmd/authd` the built binary; nothing else of a
// command changes. Three blocks run elsewhere, and this test checks they do:
// gonew (TestTemplate), and the deletions followed by the rename and the
// renamed copy's whole suite, and the Node DPoP client (.ci/run's steps, which
// need the several minutes a full suite takes and npm).
//
// It runs only with AUTH_TEST_DOCS=1, which .ci/run sets: it copies and
// builds the repository and starts a dozen servers, about a minute.
func TestDocsAsPrinted(t *testing.T) {
	if os.Getenv("AUTH_TEST_DOCS") != "1" {
		t.Skip("runs docs/testing.md and docs/template.md as printed; set AUTH_TEST_DOCS=1 to run it (.ci/run does)")
	}
	for _, tool := range []string{"bash", "curl", "git", "sed", "head"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "no %s to run the pages' commands", tool)
	}
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	testing_ := docBlocks(t, filepath.Join(root, "docs/testing.md"))
	template := docBlocks(t, filepath.Join(root, "docs/template.md"))
	assert.ElementsMatch(t, keys(testing_), []string{"kit-test", "kit-get", "binary", "dev-clock", "pytest", "node-dpop", "actions-step", "actions-service", "gitlab-ci"},
		"docs/testing.md's blocks changed: say here how each is run")
	assert.ElementsMatch(t, keys(template), []string{"gonew", "rename", "hash-password", "users-file", "postgres", "keygen", "switches", "delete"},
		"docs/template.md's blocks changed: say here how each is run")

	ci, err := os.ReadFile(filepath.Join(root, ".ci/run"))
	require.NoError(t, err)
	for _, role := range []string{"<!-- as-printed: $1 -->", "$(block delete)", "$(block rename)", "docs/testing/node-dpop"} {
		assert.True(t, strings.Contains(string(ci), role), ".ci/run runs the block %s", role)
	}
	rename, err := os.ReadFile(filepath.Join(root, "cmd/internal/repo/rename_test.go"))
	require.NoError(t, err)
	assert.Contains(t, string(rename), `blocks["gonew"]`, "TestTemplate runs gonew as the gonew block names it")

	// The reader's clone: a copy of the repository as git has it.
	clone := filepath.Join(t.TempDir(), "authd")
	copyRenamed(t, root, repositoryFiles(t, root), clone, module, module)
	bin := filepath.Join(t.TempDir(), "authd")
	run(t, root, readerEnv(), "go", "build", "-o", bin, "./cmd/authd")

	t.Run("testing.md/kit", func(t *testing.T) {
		// A team's module next to the clone, as the page lays it out.
		mod := filepath.Join(filepath.Dir(clone), "yourservice")
		require.NoError(t, os.MkdirAll(mod, 0o755))
		env := readerEnv()
		run(t, mod, env, "go", "mod", "init", "example.com/yourservice")
		require.NoError(t, os.WriteFile(filepath.Join(mod, "yourservice_test.go"), []byte(testing_["kit-test"].text), 0o644))
		var script []string
		for _, line := range strings.Split(testing_["kit-get"].text, "\n") {
			if !strings.HasPrefix(line, "git clone ") { // the copy above is the clone
				script = append(script, line)
			}
		}
		out, err := runScript(t, mod, env, strings.Join(script, "\n"))
		require.NoError(t, err, out)
		out, err = runScript(t, mod, env, "go test ./...")
		require.NoError(t, err, "the page's Go test, in a module of its own:\n%s", out)
		gomod, err := os.ReadFile(filepath.Join(mod, "go.mod"))
		require.NoError(t, err)
		indirect := strings.Count(string(gomod), "// indirect")
		assert.True(t, indirect >= 20 && indirect <= 45, "the page says about thirty indirect requirements; go mod tidy added %d", indirect)
	})

	t.Run("testing.md/binary", func(t *testing.T) {
		port := freePort(t)
		env := append(readerEnv(), "AUTH_ADDR=127.0.0.1:"+port)
		out, err := runScript(t, clone, env, ports(testing_["binary"].text, port, ""))
		require.NoError(t, err, out)
		assert.Contains(t, out, `{"status":"ready"}`)
		out, err = runScript(t, clone, env, ports(testing_["dev-clock"].text, port, ""))
		require.NoError(t, err, out)
		assert.Contains(t, out, `"now":`)
		// The table's requests, with the header the page says they need.
		doc, err := os.ReadFile(filepath.Join(root, "docs/testing.md"))
		require.NoError(t, err)
		rows := regexp.MustCompile("(?m)^\\| `POST /dev/clock/` `(\\{[^`]*\\})` \\|").FindAllStringSubmatch(string(doc), -1)
		require.Len(t, rows, 3, "the dev clock table's POST rows")
		for _, row := range rows {
			res, err := http.Post("http://127.0.0.1:"+port+"/dev/clock/", "application/json", strings.NewReader(row[1]))
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, 200, res.StatusCode, row[1])
		}
		res, err := http.Post("http://127.0.0.1:"+port+"/dev/clock/", "", strings.NewReader(`{"advance":"60s"}`))
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 415, res.StatusCode, "the page says a POST without Content-Type is 415")
	})

	t.Run("testing.md/pytest", func(t *testing.T) {
		require.FileExists(t, filepath.Join(clone, "authd"), "the binary block builds ./authd first")
		port := freePort(t)
		out, err := runScript(t, clone, append(readerEnv(), "AUTH_ADDR=127.0.0.1:"+port), withoutPipInstall(t, ports(testing_["pytest"].text, port, "")))
		require.NoError(t, err, out)
		assert.Contains(t, out, "passed")
	})

	// A workspace as the CI snippets' checkouts leave it: the team's tests
	// (the pytest example stands for them) and authd beside them.
	workspace := func(t *testing.T) string {
		ws := t.TempDir()
		require.NoError(t, os.Symlink(clone, filepath.Join(ws, "authd")))
		require.NoError(t, os.MkdirAll(filepath.Join(ws, "tests"), 0o755))
		data, err := os.ReadFile(filepath.Join(root, "docs/testing/test_authd_expiry.py"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(ws, "tests/test_authd_expiry.py"), data, 0o644))
		return ws
	}

	t.Run("testing.md/github-actions-step", func(t *testing.T) {
		var wf struct {
			Jobs map[string]struct {
				Env   map[string]string
				Steps []struct{ Name, Run, Uses string }
			}
		}
		require.NoError(t, yaml.Unmarshal([]byte(testing_["actions-step"].text), &wf))
		job := wf.Jobs["test"]
		require.NotEmpty(t, job.Steps)
		steps := func(t *testing.T, jobEnv map[string]string) (string, error) {
			ws := workspace(t)
			githubEnv := filepath.Join(t.TempDir(), "github_env")
			require.NoError(t, os.WriteFile(githubEnv, nil, 0o644))
			env := append(readerEnv(), "RUNNER_TEMP="+t.TempDir(), "GITHUB_ENV="+githubEnv)
			for k, v := range jobEnv {
				env = append(env, k+"="+strings.ReplaceAll(v, "${{ github.run_id }}", "4711"))
			}
			for _, step := range job.Steps {
				if step.Run == "" {
					continue // actions/checkout and setup-go: the workspace above
				}
				exported, err := os.ReadFile(githubEnv)
				require.NoError(t, err)
				stepEnv := append(env, strings.Fields(string(exported))...)
				// GitHub runs a step with bash -eo pipefail.
				if out, err := runScript(t, ws, stepEnv, "set -o pipefail\n"+withoutPipInstall(t, step.Run)); err != nil {
					return fmt.Sprintf("step %q: %v\n%s", step.Name+step.Run, err, out), err
				}
			}
			return "", nil
		}
		out, err := steps(t, job.Env)
		require.NoError(t, err, out)
		// authd that never starts (a clock token under 16 characters):
		// the step fails and prints authd's log.
		t.Run("authd_does_not_start", func(t *testing.T) {
			out, err := steps(t, map[string]string{"AUTHD_CLOCK_TOKEN": "short"})
			require.Error(t, err)
			assert.Contains(t, out, "AUTH_DEV_CLOCK_TOKEN", "the failed step prints authd's log")
		})
	})

	// A service container, played by the binary on loopback with the
	// service's settings; the job's steps run as printed.
	service := func(t *testing.T, env map[string]string) string {
		port := freePort(t)
		var vars []string
		for k, v := range env {
			if k == "AUTH_ADDR" {
				require.Equal(t, "0.0.0.0:5000", v)
				v = "127.0.0.1:" + port
			}
			vars = append(vars, k+"="+v)
		}
		startBinary(t, bin, append(readerEnv(), vars...), port)
		return port
	}

	t.Run("testing.md/github-actions-service", func(t *testing.T) {
		var wf struct {
			Jobs map[string]struct {
				Services map[string]struct{ Env map[string]string }
				Env      map[string]string
				Steps    []struct{ Run string }
			}
		}
		require.NoError(t, yaml.Unmarshal([]byte(testing_["actions-service"].text), &wf))
		job := wf.Jobs["test"]
		port := service(t, job.Services["authd"].Env)
		ws := workspace(t)
		env := readerEnv()
		for k, v := range job.Env {
			env = append(env, k+"="+ports(v, port, ""))
		}
		for _, step := range job.Steps {
			if step.Run != "" {
				out, err := runScript(t, ws, env, withoutPipInstall(t, step.Run))
				require.NoError(t, err, "%s\n%s", step.Run, out)
			}
		}
	})

	t.Run("testing.md/gitlab-ci", func(t *testing.T) {
		var ci map[string]struct {
			Services []struct {
				Name, Alias string
				Variables   map[string]string
			}
			Variables map[string]string
			Script    []string
		}
		require.NoError(t, yaml.Unmarshal([]byte(testing_["gitlab-ci"].text), &ci))
		job := ci["test"]
		require.Len(t, job.Services, 1)
		port := service(t, job.Services[0].Variables)
		ws := workspace(t)
		env := readerEnv()
		for k, v := range job.Variables {
			env = append(env, k+"="+strings.ReplaceAll(v, job.Services[0].Alias+":5000", "127.0.0.1:"+port))
		}
		for _, line := range job.Script {
			out, err := runScript(t, ws, env, withoutPipInstall(t, line))
			require.NoError(t, err, "%s\n%s", line, out)
		}
	})

	t.Run("template.md/users", func(t *testing.T) {
		dir := t.TempDir()
		password := "correct horse battery staple " + strconv.FormatInt(time.Now().UnixNano(), 36)
		env := append(readerEnv(), "PASSWORD="+password)
		hash, err := runScript(t, dir, env, binary(template["hash-password"].text, bin))
		require.NoError(t, err, hash)
		require.True(t, strings.HasPrefix(hash, "$argon2id$"), hash)
		var users []map[string]string
		require.NoError(t, json.Unmarshal([]byte(template["users-file"].text), &users))
		require.Len(t, users, 1)
		users[0]["password_hash"] = strings.TrimSpace(hash)
		file, err := json.Marshal(users)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "users.json"), file, 0o600))
		port := freePort(t)
		log := startBinary(t, bin, append(readerEnv(), "AUTH_ADDR=127.0.0.1:"+port, "AUTH_USERS_FILE="+filepath.Join(dir, "users.json")), port)
		assert.Equal(t, 200, login(t, port, users[0]["username"], password))
		assert.Contains(t, readFile(t, log), "users: AUTH_USERS_FILE loaded")
	})

	t.Run("template.md/keygen", func(t *testing.T) {
		dir := t.TempDir()
		out, err := runScript(t, dir, readerEnv(), binary(template["keygen"].text, bin))
		require.NoError(t, err, out)
		info, err := os.Stat(filepath.Join(dir, "keys.json"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	})

	t.Run("template.md/postgres", func(t *testing.T) {
		url := pgtest.Database(t)
		dir := t.TempDir()
		password := "correct horse battery staple " + strconv.FormatInt(time.Now().UnixNano(), 36)
		lines := strings.Split(strings.TrimSpace(binary(template["postgres"].text, bin)), "\n")
		script := regexp.MustCompile(`postgres://[^' ]*`).ReplaceAllString(strings.Join(lines[:len(lines)-1], "\n"), url)
		require.Contains(t, script, url, "the page prints a PostgreSQL URL")
		port := freePort(t)
		// The last line serves in the foreground; here in the background,
		// in the same shell, and then the test waits for it.
		serve := regexp.MustCompile(`\s+#.*$`).ReplaceAllString(lines[len(lines)-1], "")
		env := append(readerEnv(), "PASSWORD="+password, "AUTH_ADDR=127.0.0.1:"+port)
		out, err := runScript(t, dir, env, script+"\n"+serve+" >authd.log 2>&1 &\n"+
			"curl -s --retry 5 --retry-connrefused -o /dev/null localhost:"+port+"/readyz")
		require.NoError(t, err, out)
		assert.Equal(t, 200, login(t, port, "alice", password), readFile(t, filepath.Join(dir, "authd.log")))
		assert.Contains(t, readFile(t, filepath.Join(dir, "authd.log")), "users: those in PostgreSQL")
	})

	t.Run("template.md/switches", func(t *testing.T) {
		public, admin := freePort(t), freePort(t)
		out, err := runScript(t, t.TempDir(), append(readerEnv(), "AUTH_ADDR=127.0.0.1:"+public), ports(binary(template["switches"].text, bin), public, admin))
		require.NoError(t, err, out)
		assert.Contains(t, out, "# HELP authd_", "metrics on the admin port")
		assert.Contains(t, out, "authd: healthy")
		for _, path := range []string{"/", "/metrics"} {
			res, err := http.Get("http://127.0.0.1:" + public + path)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, 404, res.StatusCode, "public %s", path)
		}
	})
}

// keys returns the roles of the blocks.
func keys(m map[string]docBlock) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// readerEnv is the environment a reader's shell has: this one without
// authd's and CI's settings, with the Python that has pytest first on PATH
// (Debian's python3-pytest installs into /usr/bin/python3; a pyenv shim
// earlier on PATH may lack it).
func readerEnv() []string {
	var env []string
	for _, kv := range withoutRequirements(os.Environ()) {
		switch {
		case strings.HasPrefix(kv, "AUTH_"), strings.HasPrefix(kv, "AUTHD_"), strings.HasPrefix(kv, "GITHUB_"), strings.HasPrefix(kv, "RUNNER_"), strings.HasPrefix(kv, "GOWORK="):
		case strings.HasPrefix(kv, "PATH="):
			env = append(env, "PATH=/usr/bin:"+strings.TrimPrefix(kv, "PATH="))
		default:
			env = append(env, kv)
		}
	}
	return append(env, "GOWORK=off")
}

// withoutPipInstall drops a page's `pip install pytest` line when pytest is
// already installed: Debian's python refuses pip outside a virtual
// environment, and .ci/run installs python3-pytest, the alternative the page
// names.
func withoutPipInstall(t *testing.T, script string) string {
	t.Helper()
	if exec.Command("/usr/bin/python3", "-c", "import pytest").Run() != nil {
		return script
	}
	var kept []string
	for _, line := range strings.Split(script, "\n") {
		if !regexp.MustCompile(`^\s*(python3 -m )?pip install pytest\b`).MatchString(line) {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// ports replaces the pages' ports 5000 (public) and 9090 (admin) with free
// ones.
func ports(s, public, admin string) string {
	s = strings.NewReplacer(":5000", ":"+public).Replace(s)
	if admin != "" {
		s = strings.ReplaceAll(s, ":9090", ":"+admin)
	}
	return s
}

// binary replaces `go run ./cmd/authd` with the built binary.
func binary(s, bin string) string {
	return strings.ReplaceAll(s, "go run ./cmd/authd", bin)
}

// freePort returns a port nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	require.NoError(t, err)
	return port
}

// runScript runs the script with bash -eu in dir (errexit, as a careful
// reader's shell; without pipefail, as an interactive one: `curl | head`
// is fine there), in a process
// group of its own that the test's end stops, so a server the script starts
// in the background (`authd &`) lives until then. Output goes to a file,
// not a pipe, so the script's end is not held up by a background process
// that keeps the pipe open.
func runScript(t *testing.T, dir string, env []string, script string) (string, error) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "out")
	require.NoError(t, err)
	defer f.Close()
	cmd := exec.Command("bash", "-eu", "-c", script)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	pgid := cmd.Process.Pid
	t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGTERM) })
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(5 * time.Minute):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		err = fmt.Errorf("still running after 5 minutes: %w", <-done)
	}
	return readFile(t, f.Name()), err
}

// startBinary starts the built authd with env, its log in a file it
// returns, and waits until it serves /healthz on port; the test's end stops
// it.
func startBinary(t *testing.T, bin string, env []string, port string) string {
	t.Helper()
	log := filepath.Join(t.TempDir(), "authd.log")
	_, err := runScript(t, filepath.Dir(log), env, fmt.Sprintf("%q >authd.log 2>&1 &", bin))
	require.NoError(t, err)
	for i := 0; i < 100; i++ {
		if res, err := http.Get("http://127.0.0.1:" + port + "/healthz"); err == nil {
			res.Body.Close()
			return log
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("authd did not start:\n%s", readFile(t, log))
	return ""
}

// login logs in at /login/ and returns the status.
func login(t *testing.T, port, username, password string) int {
	t.Helper()
	body, err := json.Marshal(map[string]string{"username": username, "password": password})
	require.NoError(t, err)
	res, err := http.Post("http://127.0.0.1:"+port+"/login/", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

// readFile returns the file's content, or the error as text.
func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return string(data)
}
