// Package metrics exposes authd's Prometheus metrics with
// github.com/prometheus/client_golang: HTTP requests by route pattern, method
// and status; latency histograms by route; logins, refreshes, reuse
// detections, revocations and throttles by outcome; live sessions; and the
// Go runtime and process collectors; sign-ups, password changes, admin
// actions, authorizations, code exchanges and browser logouts by outcome.
// Use-case outcomes are counted by decorators around ports.AuthService,
// ports.AccountService, ports.AdminService and ports.SignInService, so the
// core never imports a metrics library.
//
// It imports only domain, ports, client_golang and the standard library.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds authd's collectors on a registry of its own.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	logins      *prometheus.CounterVec
	refreshes   *prometheus.CounterVec
	reuse       prometheus.Counter
	revocations *prometheus.CounterVec
	throttles   *prometheus.CounterVec
	// The account, administration and code-flow use cases (accounts.go).
	signUps         *prometheus.CounterVec
	passwordChanges *prometheus.CounterVec
	adminActions    *prometheus.CounterVec
	authorizations  *prometheus.CounterVec
	codeExchanges   *prometheus.CounterVec
	browserLogouts  *prometheus.CounterVec

	// The per-request series, looked up once per label set: resolving
	// labels through the vectors costs more than the rest of the
	// observation.
	series sync.Map // requestKey → *requestSeries
}

type requestKey struct {
	route, method string
	status        int
}

type requestSeries struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// New returns the metrics; liveSessions, when not nil, is read at every
// scrape for the live-sessions gauge.
func New(liveSessions func() float64) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "authd_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_logins_total", Help: "Login attempts (/login/, the password grant, the login page) by outcome.",
		}, []string{"outcome"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_refreshes_total", Help: "Refresh attempts by outcome.",
		}, []string{"outcome"}),
		reuse: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "authd_refresh_reuse_detections_total", Help: "Used refresh tokens presented again; each revoked its session.",
		}),
		revocations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_revocations_total", Help: "Session revocations by reason.",
		}, []string{"reason"}),
		throttles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_login_throttles_total", Help: "Logins refused by the throttle or the full hashing queue, by outcome.",
		}, []string{"outcome"}),
		signUps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_signups_total", Help: "Sign-ups (POST /signup/) by outcome.",
		}, []string{"outcome"}),
		passwordChanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_password_changes_total", Help: "Password changes by their users (POST /password/) by outcome.",
		}, []string{"outcome"}),
		adminActions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_admin_actions_total", Help: "Changes to users through the admin API, by action and outcome.",
		}, []string{"action", "outcome"}),
		authorizations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_authorizations_total", Help: "Authorization codes asked of a browser session, by outcome (login_required: the login page is shown).",
		}, []string{"outcome"}),
		codeExchanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_code_exchanges_total", Help: "Authorization code grants by outcome.",
		}, []string{"outcome"}),
		browserLogouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_browser_logouts_total", Help: "Logouts at the end-session endpoint by outcome (logout_unconfirmed: the user was asked).",
		}, []string{"outcome"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.logins, m.refreshes, m.reuse, m.revocations, m.throttles,
		m.signUps, m.passwordChanges, m.adminActions, m.authorizations, m.codeExchanges, m.browserLogouts,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if liveSessions != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "authd_live_sessions", Help: "Sessions neither revoked nor ended.",
		}, liveSessions))
	}
	return m
}

// CountFunc registers a counter read from f at every scrape, for counts an
// adapter keeps itself (such as the failure log's evictions).
func (m *Metrics) CountFunc(name, help string, f func() float64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
}

// GaugeFunc registers a gauge read from f at every scrape, for levels an
// adapter keeps itself (such as the DPoP replay cache's entries).
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest implements ports.RequestObserver.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	key := requestKey{route, method, status}
	v, ok := m.series.Load(key)
	if !ok {
		v, _ = m.series.LoadOrStore(key, &requestSeries{
			count:   m.requests.WithLabelValues(route, method, strconv.Itoa(status)),
			latency: m.latency.WithLabelValues(route),
		})
	}
	s := v.(*requestSeries)
	s.count.Inc()
	s.latency.Observe(d.Seconds())
}
