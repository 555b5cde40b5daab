package interop

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authd/authd/adapters/clock"
	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// httpGet sends a GET with an optional bearer token and extra "Name: value"
// headers ("Host: x" sets the request's Host), and returns status, headers
// and body.
func httpGet(t *testing.T, c *http.Client, url, token string, headers ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Add(k, v)
	}
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(body)
}

// TestNginxAuthRequest puts real nginx with deployments/nginx/auth_request.conf
// in front of a small upstream: a valid token reaches it with the caller's
// identity set by nginx; a missing, expired, forged or revoked one is
// stopped with 401 and authd's WWW-Authenticate. authd runs as the file's
// comment says: nginx's address trusted, the gateway's origin configured.
func TestNginxAuthRequest(t *testing.T) {
	t.Parallel()
	conf, err := os.ReadFile("../../../../deployments/nginx/auth_request.conf")
	require.NoError(t, err)
	const origin = "http://api.example" // the file's server_name, on port 80 as clients see it
	e := harness.NewEnv(t, harness.TrustedGateway(origin))
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "upstream saw %s (%s) on %s", r.Header.Get("X-Auth-Username"), r.Header.Get("X-Auth-Subject"), r.URL.Path)
	}))
	t.Cleanup(upstream.Close)
	servers := strings.NewReplacer(
		"127.0.0.1:5000", strings.TrimPrefix(e.Server.URL, "http://"),
		"127.0.0.1:8080", strings.TrimPrefix(upstream.URL, "http://"),
		"listen 127.0.0.1:8000", "listen LISTEN",
	).Replace(string(conf))
	gw := harness.StartNginx(t, servers) + "/orders/7"
	c := &http.Client{Timeout: 5 * time.Second}
	const host = "Host: api.example"

	p := e.Login("minsu", "1229")
	status, _, body := httpGet(t, c, gw, p.Access, host, "X-Auth-Username: admin")
	assert.Equal(t, 200, status, body)
	assert.Equal(t, "upstream saw minsu (2) on /orders/7", body, "nginx must replace a client's own X-Auth-Username")

	unauthorized := func(name, token, wantError string) {
		t.Helper()
		status, h, body := httpGet(t, c, gw, token, host)
		assert.Equal(t, 401, status, "%s: %s", name, body)
		assert.NotContains(t, body, "upstream saw", name)
		www := h.Get("WWW-Authenticate")
		assert.True(t, strings.HasPrefix(www, `Bearer realm="authd"`), "%s: %q", name, www)
		if wantError != "" {
			assert.Contains(t, www, wantError, name)
		}
	}
	unauthorized("missing", "", "")
	parts := strings.Split(p.Access, ".")
	unauthorized("forged", parts[0]+"."+parts[1]+".AAAA", `error="invalid_token"`)
	unauthorized("refresh token", p.Refresh, `error="invalid_token"`)

	revoked := e.Login("minsu", "1229")
	require.Equal(t, 204, e.Do("POST", "/logout/", "", harness.Bearer(revoked.Refresh)).Status)
	unauthorized("revoked", revoked.Access, `error="invalid_token"`)

	// A DPoP-bound token through the gateway: the proof names the URL the
	// client called, http://api.example/orders/7, which authd rebuilds from
	// nginx's X-Original-* and its own AUTH_VERIFY_ORIGINS.
	c2 := harness.NewDPoPClient(t, e)
	bound := c2.Login().Pair(t)
	proof := func(url string) string {
		pr, err := c2.Key.Proof("GET", url, bound.Access, "", e.Clock.Now())
		require.NoError(t, err)
		return pr
	}
	used := proof(origin + "/orders/7")
	status, _, body = httpGet(t, c, gw, "", host, "Authorization: DPoP "+bound.Access, "DPoP: "+used)
	assert.Equal(t, 200, status, body)
	assert.Equal(t, "upstream saw minsu (2) on /orders/7", body)
	for name, headers := range map[string][]string{
		"bound token as Bearer": {"Authorization: Bearer " + bound.Access},
		"no proof":              {"Authorization: DPoP " + bound.Access},
		"replayed proof":        {"Authorization: DPoP " + bound.Access, "DPoP: " + used},
		// The red team's finding: a proof made for another host. Asked
		// for api.example, authd judges it against the configured origin ...
		"a proof for another host":        {"Authorization: DPoP " + bound.Access, "DPoP: " + proof("http://evil.example/orders/7")},
		"a proof for nginx's own address": {"Authorization: DPoP " + bound.Access, "DPoP: " + proof(gw)},
		// ... and a client-sent X-Forwarded-Host changes nothing.
		"a forwarded host": {"Authorization: DPoP " + bound.Access, "DPoP: " + proof("http://evil.example/orders/7"),
			"X-Forwarded-Host: evil.example", "X-Forwarded-Proto: http"},
	} {
		status, h, body := httpGet(t, c, gw, "", append([]string{host}, headers...)...)
		assert.Equal(t, 401, status, "%s: %s", name, body)
		assert.NotContains(t, body, "upstream saw", name)
		assert.True(t, strings.HasPrefix(h.Get("WWW-Authenticate"), "DPoP "), "%s: %q", name, h.Get("WWW-Authenticate"))
	}
	// ... and sent with that host's name, the request never reaches authd:
	// the file serves api.example only.
	status, _, body = httpGet(t, c, gw, "", "Host: evil.example", "Authorization: DPoP "+bound.Access, "DPoP: "+proof("http://evil.example/orders/7"))
	assert.Equal(t, http.StatusMisdirectedRequest, status, body)
	assert.NotContains(t, body, "upstream saw")

	e.Clock.Advance(time.Minute)
	unauthorized("expired", p.Access, "expired")
}

// composeBehindNginx starts two authd processes on one PostgreSQL, with one
// keys file and the settings in extra, behind real nginx running
// deployments/compose/nginx.conf with only its addresses replaced (port 80
// is not ours to take on a test machine). It returns both and nginx's URL.
func composeBehindNginx(t *testing.T, extra map[string]string) (a, b *harness.Process, gw string) {
	t.Helper()
	harness.NginxBinary(t)
	conf, err := os.ReadFile("../../../../deployments/compose/nginx.conf")
	require.NoError(t, err)
	keys, err := jwx.Generate(jwx.EdDSA)
	require.NoError(t, err)
	env := map[string]string{
		"AUTH_STORE": "postgres", "AUTH_DATABASE_URL": pgtest.Database(t), "AUTH_DEMO_USERS": "true",
		"AUTH_JWT_KEYS_FILE": harness.KeysFile(t, keys), "AUTH_LOG_LEVEL": "info",
	}
	for k, v := range extra {
		env[k] = v
	}
	a, b = harness.StartProcess(t, env), harness.StartProcess(t, env)
	gw = harness.StartNginx(t, strings.NewReplacer(
		"authd-a:5000", strings.TrimPrefix(a.URL, "http://"),
		"authd-b:5000", strings.TrimPrefix(b.URL, "http://"),
		"listen 80;", "listen LISTEN;",
	).Replace(string(conf)))
	return a, b, gw
}

// TestNginxLoadBalancerFromCompose runs deployments/compose/nginx.conf with
// real nginx, only its addresses replaced, in front of two authd processes
// on one PostgreSQL: logins and refreshes through nginx land on both
// instances, and the login throttle keys on the client address nginx
// forwards (AUTH_TRUSTED_PROXIES), not on nginx's own.
func TestNginxLoadBalancerFromCompose(t *testing.T) {
	t.Parallel()
	const public = "http://authd.compose.test" // AUTH_PUBLIC_URL, as compose.yaml sets it
	a, b, gw := composeBehindNginx(t, map[string]string{
		"AUTH_TRUSTED_PROXIES": "127.0.0.1/32", "AUTH_LOGIN_MAX_FAILURES": "1", // 10 per client address
		"AUTH_PUBLIC_URL": public,
	})

	post := func(c *http.Client, path, body, token string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest("POST", gw+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := c.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var m map[string]any
		raw, _ := io.ReadAll(res.Body)
		_ = json.Unmarshal(raw, &m)
		return res.StatusCode, m
	}

	alice := harness.ClientFrom("127.0.0.2")
	status, m := post(alice, "/login/", `{"username":"minsu","password":"1229"}`, "")
	require.Equal(t, 200, status, "%v", m)
	refresh := m["refresh"].(string)
	for i := range 20 {
		status, m = post(alice, "/refresh/", "", refresh)
		require.Equal(t, 200, status, "refresh %d through nginx: %v", i, m)
		refresh = m["refresh"].(string)
	}
	for range 2 { // the newest access token works on either instance
		status, _, body := httpGet(t, alice, gw+"/protected/", m["access"].(string))
		require.Equal(t, 200, status, body)
	}
	countA := strings.Count(a.Logs.String(), `"route":"/refresh`)
	countB := strings.Count(b.Logs.String(), `"route":"/refresh`)
	t.Logf("refreshes served: instance A %d, instance B %d", countA, countB)
	assert.Positive(t, countA, "instance A served no refresh")
	assert.Positive(t, countB, "instance B served no refresh")

	// A DPoP-bound session through the load balancer: proofs name the
	// public URL, whichever instance nginx picks, and a proof one instance
	// accepted is refused by the other.
	key, err := authclient.NewDPoPKey()
	require.NoError(t, err)
	send := func(method, path, body, scheme, token, proof string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, gw+path, strings.NewReader(body))
		require.NoError(t, err)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", scheme+" "+token)
		}
		if proof != "" {
			req.Header.Set("DPoP", proof)
		}
		res, err := alice.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		return res.StatusCode, m
	}
	proof := func(method, path, access string) string {
		p, err := key.Proof(method, public+path, access, "", clock.System{}.Now())
		require.NoError(t, err)
		return p
	}
	status, m = send("POST", "/login/", `{"username":"minsu","password":"1229"}`, "", "", proof("POST", "/login/", ""))
	require.Equal(t, 200, status, "%v", m)
	require.Equal(t, "DPoP", m["token_type"])
	for i := range 6 {
		status, m = send("POST", "/refresh/", "", "DPoP", m["refresh"].(string), proof("POST", "/refresh/", ""))
		require.Equal(t, 200, status, "bound refresh %d through nginx: %v", i, m)
	}
	access := m["access"].(string)
	used := proof("GET", "/protected/", access)
	status, _ = send("GET", "/protected/", "", "DPoP", access, used)
	require.Equal(t, 200, status)
	for range 2 { // whichever instance gets it
		status, m = send("GET", "/protected/", "", "DPoP", access, used)
		assert.Equal(t, 401, status, "a used proof, again through nginx")
		assert.Equal(t, "invalid_dpop_proof", m["error"])
	}
	status, _ = send("GET", "/protected/", "", "Bearer", access, "")
	assert.Equal(t, 401, status, "the bound token as a bearer token")

	// One address sprays usernames until its own limit ...
	mallory := harness.ClientFrom("127.0.0.3")
	for i := range 10 {
		status, m = post(mallory, "/login/", fmt.Sprintf(`{"username":"ghost%d","password":"x"}`, i), "")
		require.Equal(t, 401, status, "%v", m)
	}
	status, m = post(mallory, "/login/", `{"username":"minsu","password":"1229"}`, "")
	assert.Equal(t, 429, status, "mallory's address is throttled: %v", m)
	// ... which is not nginx's address: another client still logs in.
	status, m = post(harness.ClientFrom("127.0.0.4"), "/login/", `{"username":"minsu","password":"1229"}`, "")
	assert.Equal(t, 200, status, "a different client behind the same nginx: %v", m)
}

// TestDrainLosesNoRequestBehindNginx: two authd behind the compose file's
// nginx, a client looping logins, refreshes and protected calls through
// it; SIGTERM to one instance, which drains (AUTH_SHUTDOWN_DRAIN: /readyz
// fails at once, everything else keeps serving) and then shuts down
// gracefully. The client sees no failed request.
func TestDrainLosesNoRequestBehindNginx(t *testing.T) {
	t.Parallel()
	a, _, gw := composeBehindNginx(t, map[string]string{
		"AUTH_SHUTDOWN_DRAIN": "1s", "AUTH_SHUTDOWN_TIMEOUT": "5s", "AUTH_REFRESH_REUSE_GRACE": "10s", // as compose.yaml
	})
	c := &http.Client{Timeout: 10 * time.Second}
	call := func(method, path, body, token string) (int, map[string]any) {
		req, err := http.NewRequest(method, gw+path, strings.NewReader(body))
		if err != nil {
			return 0, nil
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := c.Do(req)
		if err != nil {
			return 0, map[string]any{"transport_error": err.Error()}
		}
		defer res.Body.Close()
		var m map[string]any
		raw, _ := io.ReadAll(res.Body)
		_ = json.Unmarshal(raw, &m)
		return res.StatusCode, m
	}

	stop := make(chan struct{})
	type failure struct {
		what   string
		status int
		body   map[string]any
	}
	var failures []failure
	var requests int
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			status, m := call("POST", "/login/", `{"username":"minsu","password":"1229"}`, "")
			requests++
			if status != 200 {
				failures = append(failures, failure{"login", status, m})
				continue
			}
			access, refresh := m["access"].(string), m["refresh"].(string)
			for range 5 {
				status, m = call("GET", "/protected/", "", access)
				requests++
				if status != 200 {
					failures = append(failures, failure{"protected", status, m})
				}
				status, m = call("POST", "/refresh/", "", refresh)
				requests++
				if status != 200 {
					failures = append(failures, failure{"refresh", status, m})
					break
				}
				access, refresh = m["access"].(string), m["refresh"].(string)
			}
		}
	}()

	time.Sleep(700 * time.Millisecond) // traffic on both instances before the signal: not a wait for expiry
	require.NoError(t, a.Cmd.Process.Signal(syscall.SIGTERM))
	// While it drains, A is not ready but still serves.
	assert.Eventually(t, func() bool { status, _ := a.Call(t, "GET", "/readyz", "", ""); return status == 503 },
		500*time.Millisecond, 10*time.Millisecond, "not ready while draining")
	status, _ := a.Call(t, "GET", "/unprotected/", "", "")
	assert.Equal(t, 200, status, "still serving while draining")
	exited := make(chan error, 1)
	go func() { exited <- a.Cmd.Wait() }()
	select {
	case err := <-exited:
		assert.NoError(t, err, "A exits 0 after draining and shutting down")
	case <-time.After(15 * time.Second):
		t.Fatal("A did not stop")
	}
	time.Sleep(700 * time.Millisecond) // traffic on B alone after A is gone
	close(stop)
	<-done
	t.Logf("%d requests through nginx, %d failed", requests, len(failures))
	assert.Empty(t, failures)
	assert.Greater(t, requests, 20)
	assert.Contains(t, a.Logs.String(), "authd draining")
}
