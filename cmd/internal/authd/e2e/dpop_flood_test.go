package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/authd/authd/adapters/postgres/pgtest"
	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/cmd/internal/authd"
	"github.com/authd/authd/cmd/internal/authd/harness"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replayEntries reads authd_dpop_replay_entries from /metrics.
func replayEntries(e *harness.Env) int {
	e.T.Helper()
	m := e.Do("GET", "/metrics", "")
	require.Equal(e.T, 200, m.Status)
	found := regexp.MustCompile(`(?m)^authd_dpop_replay_entries (\d+)$`).FindStringSubmatch(m.Raw)
	require.NotNil(e.T, found, "no authd_dpop_replay_entries gauge")
	n, err := strconv.Atoi(found[1])
	require.NoError(e.T, err)
	return n
}

// TestDPoPLoginFloodFillsNoReplayStore: 5,000 logins (1,000 under -race) with fresh proofs
// from one address, wrong passwords and then throttled, grow the replay
// cache by at most the logins that reached the password check (none of
// them succeeds, so by nothing), on memory and on PostgreSQL alike, while
// an honest DPoP client behind the same limits keeps getting 200. Before
// the fix every such login remembered its proof before the throttle ran,
// and a flood like this one filled the memory cache (2^20 keys; every DPoP
// request then got 503) or the table without bound.
func TestDPoPLoginFloodFillsNoReplayStore(t *testing.T) {
	t.Parallel()
	for name, store := range map[string]func(*authd.Config){
		"memory":   func(*authd.Config) {},
		"postgres": func(c *authd.Config) { harness.WithPostgres(pgtest.Database(t))(c) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := harness.NewEnv(t, harness.BehindProxy, store)
			honest := harness.NewDPoPClient(t, e)
			r := honest.Login()
			require.Equal(t, 200, r.Status, r.Raw)
			p := r.Pair(t)
			before := replayEntries(e)

			key, err := authclient.NewDPoPKeyFor("Ed25519") // the attacker's own key: the cheaper to sign
			require.NoError(t, err)
			logins := 5000
			if harness.Race {
				logins = 1000
			}
			reachedPassword, honestProofs := 0, 0
			for i := range logins {
				proof, err := key.Proof("POST", e.Server.URL+"/login/", "", "", e.Clock.Now())
				require.NoError(t, err)
				// Straight to the server: 5,000 answers checked against the
				// OpenAPI document would take most of the test's time.
				req, err := http.NewRequest("POST", e.Server.URL+"/login/", strings.NewReader(`{"username":"minsu","password":"wrong"}`))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("DPoP", proof)
				req.Header.Set("X-Forwarded-For", "198.51.100.7")
				res, err := e.Server.Client().Do(req)
				require.NoError(t, err)
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				switch res.StatusCode {
				case 401:
					reachedPassword++
				case 429:
				default:
					t.Fatalf("login %d: %d", i, res.StatusCode)
				}
				if i%100 == 0 {
					honestProofs++
					require.Equal(t, 200, honest.Get("/protected/", p.Access).Status, "the honest client at flood login %d", i)
				}
			}
			assert.Equal(t, 10, reachedPassword, "the pair limit let ten guesses through, then 429s")
			grown := replayEntries(e) - before
			assert.LessOrEqual(t, grown, honestProofs, "only the honest client's proofs were remembered (the flood's logins all failed)")
			assert.GreaterOrEqual(t, grown, honestProofs)
		})
	}
}
