package harness

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// NginxBinary returns Debian's nginx, or skips the test with the reason
// (fails instead when AUTH_TEST_REQUIRE_NGINX=1, which CI sets).
func NginxBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"nginx", "/usr/sbin/nginx"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("AUTH_TEST_REQUIRE_NGINX") == "1" {
		t.Fatal("AUTH_TEST_REQUIRE_NGINX=1 but no nginx (apt-get install nginx)")
	}
	t.Skip("no nginx on this machine (apt-get install nginx); set AUTH_TEST_REQUIRE_NGINX=1 to make this a failure")
	return ""
}

// StartNginx runs real nginx in the foreground with servers (the inside of
// an http{} block) in a throwaway prefix, and stops it when the test ends.
// "LISTEN" in servers is replaced by a free loopback address, whose URL it
// returns.
func StartNginx(t *testing.T, servers string) string {
	t.Helper()
	bin := NginxBinary(t)
	dir := t.TempDir()
	addr := FreeAddr(t)
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the workers must write the temp dirs below
	}
	conf := fmt.Sprintf(`%s
worker_processes 1;
error_log %[2]s/error.log warn;
pid %[2]s/nginx.pid;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/servers.conf;
}
`, user, dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "servers.conf"), []byte(strings.ReplaceAll(servers, "LISTEN", addr)), 0o600))

	cmd := exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
	logs := &SyncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT) // graceful stop
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return false
		}
		c.Close()
		return true
	}, 10*time.Second, 20*time.Millisecond, "nginx did not start: %s %s", logs, readFile(filepath.Join(dir, "error.log")))
	return "http://" + addr
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// ClientFrom returns an HTTP client whose connections come from the
// loopback address ip (any of 127.0.0.0/8 works on Linux), so that a test
// can play several clients that a proxy tells apart by address.
func ClientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
		},
	}
}
