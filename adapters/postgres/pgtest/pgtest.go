// Package pgtest gives tests a throwaway PostgreSQL. With
// AUTH_TEST_DATABASE_URL set it uses that server; otherwise it starts a
// cluster of its own from the Debian binaries (initdb and pg_ctl under
// /usr/lib/postgresql/*/bin) in a temporary directory on a free loopback
// port, and removes it afterwards. Without PostgreSQL installed the tests
// skip with the reason, unless AUTH_TEST_REQUIRE_POSTGRES=1, which makes
// that a failure (CI sets it).
//
// It imports only the standard library and pgx.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a PostgreSQL server the tests own.
type Cluster struct {
	bin, dir string
	port     int
	cred     *syscall.Credential
	mu       sync.Mutex
	running  bool
}

var (
	sharedOnce sync.Once
	shared     *Cluster
	sharedErr  error
)

// skipOrFail skips the test with the reason, or fails it when PostgreSQL is
// required.
func skipOrFail(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("AUTH_TEST_REQUIRE_POSTGRES") == "1" {
		tb.Fatalf("AUTH_TEST_REQUIRE_POSTGRES=1 but "+format, args...)
	}
	tb.Skipf(format, args...)
}

// Database returns the URL of a new, empty database for the test, on
// AUTH_TEST_DATABASE_URL's server or on a cluster shared by the test binary.
func Database(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("AUTH_TEST_DATABASE_URL")
	if base == "" {
		sharedOnce.Do(func() { shared, sharedErr = start() })
		if sharedErr != nil {
			skipOrFail(tb, "no PostgreSQL for this test: %v (apt-get install postgresql, or set AUTH_TEST_DATABASE_URL)", sharedErr)
		}
		base = shared.URL("postgres")
	}
	return createDatabase(tb, base)
}

// NewCluster starts a cluster for one test alone, for tests that stop and
// start the server. It is removed when the test ends.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := start()
	if err != nil {
		skipOrFail(tb, "no PostgreSQL for this test: %v (apt-get install postgresql)", err)
	}
	tb.Cleanup(c.Remove)
	return c
}

// Shutdown stops the cluster Database started, if any. A TestMain calls it
// after m.Run.
func Shutdown() {
	if shared != nil {
		shared.Remove()
	}
}

func createDatabase(tb testing.TB, base string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		skipOrFail(tb, "cannot reach PostgreSQL at the test URL: %v", err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "authd_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, base); err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("test database URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// binDir finds the newest /usr/lib/postgresql/<version>/bin with initdb.
func binDir() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", errors.New("no initdb under /usr/lib/postgresql/*/bin")
	}
	sort.Slice(matches, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(matches[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(matches[j]))))
		return vi > vj
	})
	return filepath.Dir(matches[0]), nil
}

// start makes and starts a cluster. PostgreSQL refuses to run as root, so
// as root the server runs as the postgres user the Debian package creates.
func start() (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "authd-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if out, err := c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		c.Remove()
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		c.Remove()
		return nil, err
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if err := c.Start(); err != nil {
		c.Remove()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd.CombinedOutput()
}

// Start starts the server (again) on its port and waits until it accepts
// connections.
func (c *Cluster) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return nil
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", c.port, c.dir)
	if out, err := c.run("pg_ctl", "-D", c.data(), "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "start"); err != nil {
		return fmt.Errorf("pg_ctl start: %v: %s", err, out)
	}
	c.running = true
	return nil
}

// Stop shuts the server down cleanly (pg_ctl -m fast): connections are cut,
// committed data stays.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return nil
	}
	if out, err := c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	c.running = false
	return nil
}

// Remove stops the server and deletes its files.
func (c *Cluster) Remove() {
	_ = c.Stop()
	_ = os.RemoveAll(c.dir)
}

// URL returns the URL of a database of the cluster.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, database)
}

// Database returns the URL of a new, empty database on this cluster.
func (c *Cluster) Database(tb testing.TB) string {
	tb.Helper()
	return createDatabase(tb, c.URL("postgres"))
}
