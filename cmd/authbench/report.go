package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// report is what authbench prints and writes as JSON.
type report struct {
	Machine string `json:"machine"`
	Cores   int    `json:"cores"`
	// Slots is how many hashes the server runs at once
	// (authd.HashConcurrency: the server runs on this machine too).
	Slots int `json:"hashing_slots"`
	// RSSBudgetMiB is the peak RSS the server plans for with Slots
	// (authd.RSSBudget).
	RSSBudgetMiB float64 `json:"server_rss_budget_mib"`
	Server       string  `json:"server"`
	Connections  int     `json:"connections"`
	Duration     string  `json:"duration"`
	HashTime     string  `json:"argon2id_hash_time"`
	PeakRSSMiB   float64 `json:"server_peak_rss_mib"`
	// AuthCost is cached /protected/ over /unprotected/ carrying the same
	// token: what authentication itself costs, without the token's bytes.
	AuthCost float64  `json:"cached_protected_over_unprotected_carrying_token"`
	Results  []result `json:"results"`
	Targets  []target `json:"targets"`
}

// target is one goal of the load benchmark (docs/performance.md) and
// whether this run met it.
type target struct {
	Goal   string `json:"goal"`
	Actual string `json:"actual"`
	Met    bool   `json:"met"`
}

// finish computes the ratios and checks the targets.
func (r *report) finish(peakRSS int64, hash time.Duration) {
	r.PeakRSSMiB = float64(peakRSS) / (1 << 20)
	if len(r.Results) < 6 || r.Results[0].RPS == 0 {
		return
	}
	base := r.Results[0].RPS
	for i := range r.Results {
		r.Results[i].Ratio = r.Results[i].RPS / base
	}
	carrying, warm, cold, refresh, login := r.Results[1], r.Results[2], r.Results[3], r.Results[4], r.Results[5]
	loginCeiling := float64(max(1, r.Slots)) / hash.Seconds()
	hashMS := float64(hash.Microseconds()) / 1000
	r.AuthCost = warm.RPS / carrying.RPS
	r.Targets = []target{
		{"cached /protected/ >= 0.85 x /unprotected/", fmt.Sprintf("%.2f (%.2f x /unprotected/ carrying the token)", warm.Ratio, r.AuthCost), warm.Ratio >= 0.85},
		{"cold /protected/ >= 0.20 x /unprotected/", fmt.Sprintf("%.2f", cold.Ratio), cold.Ratio >= 0.20},
		{"/refresh/ >= 0.08 x /unprotected/", fmt.Sprintf("%.2f", refresh.Ratio), refresh.Ratio >= 0.08},
		{fmt.Sprintf("/login/ successes >= 0.9 x hashing slots / hash time (%.1f/s)", loginCeiling), fmt.Sprintf("%.1f/s (%.2f)", login.OKRPS, login.OKRPS/loginCeiling), login.OKRPS >= 0.9*loginCeiling},
		{fmt.Sprintf("/login/ p99 <= 4 x hash time (%.0f ms)", 4*hashMS), fmt.Sprintf("%.0f ms", login.P99ms), login.P99ms <= 4*hashMS},
		{fmt.Sprintf("server peak RSS <= %.0f MiB (%d hashing slots)", r.RSSBudgetMiB, r.Slots), fmt.Sprintf("%.1f MiB", r.PeakRSSMiB), r.PeakRSSMiB > 0 && r.PeakRSSMiB <= r.RSSBudgetMiB},
	}
	if len(r.Results) >= 8 {
		verify, oauth := r.Results[6], r.Results[7]
		r.Targets = append(r.Targets,
			target{"/auth/verify (cache warm) >= 0.85 x /unprotected/", fmt.Sprintf("%.2f", verify.Ratio), verify.Ratio >= 0.85},
			target{"/oauth/token refresh within 10% of /refresh/", fmt.Sprintf("%.2f x /refresh/", oauth.RPS/refresh.RPS), oauth.RPS >= 0.9*refresh.RPS})
	}
	for _, res := range r.Results {
		if strings.Contains(res.Name, "DPoP-bound") {
			r.Targets = append(r.Targets, target{strings.TrimPrefix(res.Name, "GET ") + " >= 0.25 x /unprotected/",
				fmt.Sprintf("%.2f (%.2f x Bearer, cache warm)", res.Ratio, res.RPS/warm.RPS), res.Ratio >= 0.25})
		}
	}
	for i, res := range r.Results {
		if !strings.HasSuffix(res.Name, "("+mixedName+")") || i+1 >= len(r.Results) {
			continue
		}
		flood := r.Results[i+1]
		r.Targets = append(r.Targets,
			target{fmt.Sprintf("/login/ successes during the flood >= 0.8 x hashing slots / hash time (%.1f/s)", loginCeiling), fmt.Sprintf("%.1f/s (%.2f)", flood.OKRPS, flood.OKRPS/loginCeiling), flood.OKRPS >= 0.8*loginCeiling})
		if i+2 >= len(r.Results) || r.Results[i+2].RPS == 0 {
			continue
		}
		// Like with like: the generator shares the cores, so any flood of
		// that many connections slows /protected/; the login flood must
		// cost it no more than a flood of the cheapest request does.
		c := r.Results[i+2]
		r.Targets = append(r.Targets,
			target{"/protected/ during a login flood >= 0.8 x during the control flood", fmt.Sprintf("%.2f (%.0f vs %.0f/s; quiet %.0f/s)", res.RPS/c.RPS, res.RPS, c.RPS, warm.RPS), res.RPS >= 0.8*c.RPS},
			target{"/protected/ p99 during a login flood <= 1.5 x during the control flood", fmt.Sprintf("%.2f ms vs %.2f ms (%.2fx)", res.P99ms, c.P99ms, res.P99ms/c.P99ms), res.P99ms <= 1.5*c.P99ms})
	}
	for _, res := range r.Results {
		if res.Errors > 0 {
			r.Targets = append(r.Targets, target{"no errors in " + res.Name, fmt.Sprint(res.Errors), false})
		}
	}
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "machine: %s, %d cores; %d connections, %s per workload; argon2id hash %s\n\n",
		r.Machine, r.Cores, r.Connections, r.Duration, r.HashTime)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\trequests/s\t2xx/s\tp50 ms\tp99 ms\terrors\t503 shed\tratio\tpeak RSS MiB\tCPU µs/req\tWAL B/req\twrite xacts/req\t")
	for _, res := range r.Results {
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2f\t%.2f\t%d\t%d\t%.3f\t%.1f\t%.0f\t%.0f\t%.2f\t\n", res.Name, res.RPS, res.OKRPS, res.P50ms, res.P99ms, res.Errors, res.Shed, res.Ratio, res.PeakRSSMiB, res.CPUMicros, res.WALBytes, res.WriteXacts)
	}
	_ = tw.Flush()
	if r.PeakRSSMiB > 0 {
		fmt.Fprintf(w, "\nserver peak RSS: %.1f MiB\n", r.PeakRSSMiB)
	}
	fmt.Fprintln(w, "\ntargets:")
	for _, t := range r.Targets {
		mark := "met   "
		if !t.Met {
			mark = "MISSED"
		}
		fmt.Fprintf(w, "  %s %s: %s\n", mark, t.Goal, t.Actual)
	}
}

// machine describes the CPU, from /proc/cpuinfo where there is one.
func machine() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":")) + ", " + runtime.GOOS + "/" + runtime.GOARCH
			}
		}
	}
	return runtime.GOOS + "/" + runtime.GOARCH
}
