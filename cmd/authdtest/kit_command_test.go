package authdtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/adapters/jwx"
	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/cmd/authdtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// session runs one scripted session against the server at base and
// records every answer (status, the headers a client reads, the body) with
// the server's address written as BASE, so two servers on two ports can be
// compared: bearer and DPoP-bound logins, protected calls and a refresh,
// the metadata, /auth/verify with a gateway's headers, a proof for
// localhost, and errors. Proofs are made with key at T, where the script
// first freezes the server's clock.
func session(t *testing.T, base string, key *authclient.DPoPKey) []exchange {
	t.Helper()
	localhost := strings.Replace(base, "127.0.0.1", "localhost", 1)
	var out []exchange
	var last map[string]any
	do := func(method, url, body, auth string, headers ...string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, url, rd)
		require.NoError(t, err)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ": ")
			req.Header.Add(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		var h []string
		for _, name := range []string{"Content-Type", "Cache-Control", "WWW-Authenticate", "X-Auth-Subject", "X-Auth-Username", "X-Auth-Session", "DPoP-Nonce"} {
			h = append(h, name+": "+strings.Join(res.Header.Values(name), " | "))
		}
		normal := strings.NewReplacer(base, "BASE", localhost, "BASE")
		out = append(out, exchange{res.StatusCode, normal.Replace(method + " " + url + "\n" + strings.Join(h, "\n")), normal.Replace(string(raw))})
		last = nil
		_ = json.Unmarshal(raw, &last)
	}
	str := func(k string) string { s, _ := last[k].(string); return s }
	proof := func(method, url, access string) string {
		t.Helper()
		p, err := key.Proof(method, url, access, "", T)
		require.NoError(t, err)
		return "DPoP: " + p
	}

	do("POST", base+"/dev/clock/", `{"set":"`+T.Format(time.RFC3339)+`"}`, "")
	do("POST", base+"/login/", `{"username":"minsu","password":"1229"}`, "")
	bearer := str("access")
	do("GET", base+"/protected/", "", "Bearer "+bearer)

	do("POST", base+"/login/", `{"username":"chulsu","password":"1234"}`, "", proof("POST", base+"/login/", ""))
	access, refresh := str("access"), str("refresh")
	do("GET", base+"/protected/", "", "DPoP "+access, proof("GET", base+"/protected/", access))
	do("POST", base+"/refresh/", "", "DPoP "+refresh, proof("POST", base+"/refresh/", ""))
	used, access := refresh, str("access")
	do("GET", base+"/sessions/", "", "DPoP "+access, proof("GET", base+"/sessions/", access))
	// The same server by another name: the proof names the URL the client
	// used, which is not the server's public URL.
	do("GET", localhost+"/protected/", "", "DPoP "+access, proof("GET", localhost+"/protected/", access))

	do("GET", base+"/.well-known/oauth-authorization-server", "", "")

	// /auth/verify with a gateway's headers, from a peer that is no trusted
	// proxy: a bearer token passes, and a proof names the request received.
	gateway := []string{"X-Original-Method: GET", "X-Original-URI: /public/news", "X-Forwarded-Proto: https", "X-Forwarded-Host: api.example"}
	do("DELETE", base+"/auth/verify", "", "Bearer "+bearer, gateway...)
	do("DELETE", base+"/auth/verify", "", "DPoP "+access, append(gateway, proof("GET", base+"/public/news", access))...)
	do("DELETE", base+"/auth/verify", "", "DPoP "+access, append(gateway, proof("DELETE", base+"/auth/verify", access))...)

	do("GET", base+"/protected/", "", "")
	do("POST", base+"/refresh/", "", "DPoP "+used, proof("POST", base+"/refresh/", ""))
	return out
}

// TestKitServesWhatTheCommandServes: the test kit (cmd/authdtest) and the
// command (the composition root's Run, as cmd/authd calls it) answer one
// scripted session alike, answer for answer: same status, same headers,
// same body, tokens included (same keys file, seed and instant), once
// their ports are written as BASE. Both decide their public URL the same
// way, so a proof naming localhost instead of 127.0.0.1 fails on both.
func TestKitServesWhatTheCommandServes(t *testing.T) {
	t.Parallel()
	keys := keysFile(t, jwx.EdDSA)
	key, err := authclient.NewDPoPKey()
	require.NoError(t, err)
	cmd := startCommand(t, map[string]string{
		"AUTH_DEV_CLOCK": "true", "AUTH_DEV_SEED": "kit", "AUTH_JWT_KEYS_FILE": keys, "AUTH_LOG_LEVEL": "warn", "AUTH_HASH_QUEUE_WAIT": "10s",
	})
	kit := authdtest.Start(t, authdtest.WithKeysFile(keys, jwx.EdDSA), authdtest.WithSeed("kit"))

	fromCommand := session(t, cmd, key)
	fromKit := session(t, kit.URL, key)
	require.Len(t, fromKit, len(fromCommand))
	for i := range fromCommand {
		assert.Equal(t, fromCommand[i], fromKit[i], "answer %d differs between cmd/authd and the kit", i)
	}

	// What the session saw, on both.
	statuses := make([]int, len(fromKit))
	for i, x := range fromKit {
		statuses[i] = x.status
	}
	assert.Equal(t, []int{200, 200, 200, 200, 200, 200, 200, 401, 200, 200, 401, 200, 401, 401}, statuses)
	assert.Contains(t, fromKit[3].body, `"token_type":"DPoP"`)
	assert.Contains(t, fromKit[7].header, `error="invalid_dpop_proof"`, "a proof for localhost")
	assert.Contains(t, fromKit[8].body, `"token_endpoint":"BASE/oauth/token"`)
	assert.Contains(t, fromKit[9].header, "X-Auth-Username: minsu")
	assert.Contains(t, fromKit[11].header, "X-Auth-Username: chulsu")
	assert.Contains(t, fromKit[12].body, `"token_missing"`)
	assert.Contains(t, fromKit[13].body, `"refresh_token_reused"`)
}
