package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLoadCountsRequestsErrorsAndShed(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 3 {
		case 0:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	b := newBench(srv.URL, 4)
	r := b.load(context.Background(), 200*time.Millisecond, func(int) error {
		_, err := b.do("GET", "/", "", "")
		return err
	})
	assert.Positive(t, r.Requests)
	assert.InDelta(t, r.Requests/3, r.Shed, float64(r.Requests)/10+2)
	assert.InDelta(t, r.Requests/3, r.Errors, float64(r.Requests)/10+2)
	assert.Less(t, r.OKRPS, r.RPS)
	assert.LessOrEqual(t, r.P50ms, r.P99ms)
}

func TestReportTargets(t *testing.T) {
	r := report{Cores: 2, Slots: 1, RSSBudgetMiB: 64, Results: []result{
		{Name: "unprotected", RPS: 1000},
		{Name: "carrying", RPS: 920},
		{Name: "warm", RPS: 900},
		{Name: "cold", RPS: 100},
		{Name: "refresh", RPS: 100},
		{Name: "login", RPS: 200, OKRPS: 90, P99ms: 100},
		{Name: "verify", RPS: 800},
		{Name: "oauth refresh", RPS: 95},
		{Name: "GET /protected/ (" + mixedName + ")", RPS: 400, P99ms: 9},
		{Name: "POST /login/ (the flood)", RPS: 300, OKRPS: 45},
		{Name: "GET /protected/ (control)", RPS: 480, P99ms: 7},
	}}
	r.finish(60<<20, 20*time.Millisecond)
	met := func(prefix string) bool {
		for _, tg := range r.Targets {
			if strings.HasPrefix(tg.Goal, prefix) {
				return tg.Met
			}
		}
		t.Fatalf("no target %q", prefix)
		return false
	}
	assert.Equal(t, 0.9, r.Results[2].Ratio)
	assert.InDelta(t, 900.0/920, r.AuthCost, 1e-9)
	assert.True(t, met("cached /protected/"))
	assert.False(t, met("cold /protected/"), "0.10 < 0.20")
	assert.True(t, met("/refresh/"))
	assert.True(t, met("/login/ successes >="), "90/s >= 0.9 x 1 slot (half of 2 cores) / 20 ms")
	assert.False(t, met("/login/ p99"), "100 ms > 4 x 20 ms")
	assert.True(t, met("server peak RSS"))
	assert.False(t, met("/auth/verify"), "0.80 < 0.85")
	assert.True(t, met("/oauth/token refresh"), "95 >= 0.9 x 100")
	assert.True(t, met("/protected/ during a login flood"), "400 >= 0.8 x 480 (the control)")
	assert.True(t, met("/protected/ p99 during"), "9 ms <= 1.5 x 7 ms")
	assert.True(t, met("/login/ successes during the flood"), "45/s >= 0.8 x 50/s")
	r.Results[7].RPS = 89
	r.Results[8].RPS, r.Results[8].P99ms = 300, 11
	r.finish(65<<20, 20*time.Millisecond)
	assert.False(t, met("/oauth/token refresh"), "89 < 0.9 x 100")
	assert.False(t, met("/protected/ during a login flood"), "300 < 0.8 x 480")
	assert.False(t, met("/protected/ p99 during"), "11 ms > 1.5 x 7 ms")
	assert.False(t, met("server peak RSS"), "65 MiB > 64 MiB")
}

func TestUnitCosts(t *testing.T) {
	res := result{Requests: 200}
	unit(&res, costs{cpuTicks: 100, walLSN: 1000, xid: 50, ok: true, db: true},
		costs{cpuTicks: 104, walLSN: 41000, xid: 451, ok: true, db: true})
	assert.InDelta(t, 200.0, res.CPUMicros, 1e-9, "4 ticks of 10 ms over 200 requests")
	assert.InDelta(t, 200.0, res.WALBytes, 1e-9)
	assert.InDelta(t, 2.0, res.WriteXacts, 1e-9, "400 writes: the second reading took one id itself")
	empty := result{Requests: 200}
	unit(&empty, costs{}, costs{})
	assert.Zero(t, empty.CPUMicros+empty.WALBytes+empty.WriteXacts, "nothing measured, nothing reported")
}
