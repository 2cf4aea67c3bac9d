package exporter

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"golang.org/x/net/netutil"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/check"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/probe/posture"
)

// Record is one probe the exporter ran, as the debug page lists it.
type Record struct {
	// ID is random and unguessable (128 bits): /probes/ID shows this one to whoever has its link, and
	// counting through the IDs finds nothing.
	ID      string
	Module  string
	Target  string
	Started time.Time
	// Deadline is the time the probe was given (module max_time or the scrape timeout).
	Deadline time.Duration
	Report   *probe.Report
	// Check is the verdict on the module's expectations, for a module that states them.
	Check *check.TargetResult
	// Posture is the domain's mail posture, for a module with posture = true and a domain target.
	Posture *posture.Report
}

// Success is probe_success: the verdict on the module's expectations when it states them, else the
// probe's own (working settings found, or every endpoint works).
func (r *Record) Success() bool { return Success(r.Report, r.Check) }

// Success is probe_success for a report and, when a module states expectations, their verdict tr (nil
// otherwise): decided here once, for the exporter's log and for every rendering of the metric.
func Success(rep *probe.Report, tr *check.TargetResult) bool {
	if tr != nil {
		return tr.Status != check.Fail
	}
	return rep.Status != probe.StatusFail
}

// View renders what the exporter serves (package report implements it).
type View interface {
	// Metrics are the metric families of one probe.
	Metrics(rec *Record) prometheus.Gatherer
	// Report writes the human report of one probe with its transcripts (redacted), then its metrics.
	Report(w io.Writer, rec *Record) error
	// Index writes the HTML page listing recent probes, newest first.
	Index(w io.Writer, recent []*Record, modules []string) error
	// ContentSecurityPolicy is the policy every answer carries: default-src 'none' and whatever the
	// pages' own markup needs (their inline style, by hash).
	ContentSecurityPolicy() string
}

// Config is the exporter's policy.
type Config struct {
	// Modules by name; DefaultModule must be among them.
	Modules map[string]Module
	// Base is the probe configuration every module starts from (resolver, dialer, trusted roots).
	Base probe.Config
	// Getenv reads the modules' password_env variables.
	Getenv func(string) string
	// Allow lists the targets that may be probed.
	Allow *AllowList
	// Concurrency bounds the probes running at once.
	Concurrency int
	// TargetInterval is the shortest time between two probes of one (module, target); requests in between
	// get the last probe's result.
	TargetInterval time.Duration
	// TimeoutOffset is taken off Prometheus' scrape timeout, for the answer's way back.
	TimeoutOffset time.Duration
	// History is how many recent probes the debug pages keep (none without DebugPages). Each holds at
	// most one run's transcripts (2 MiB), so History bounds the exporter's memory.
	History int
	// DebugPages serves /, /probes/ID and /probe?debug=true: reports and transcripts of recent probes to
	// anyone who can reach the exporter. Off, / says only what the exporter serves.
	DebugPages bool
	// MaxConnections bounds the HTTP connections open at once (0: DefaultMaxConnections); more wait to
	// be accepted.
	MaxConnections int
	View           View
	// Policy is the connection policy of every probe (netpolicy): nil refuses every internal address;
	// --allow-private ranges are passed in one made with netpolicy.New. Serve adds the listener to it.
	Policy *netpolicy.Policy
}

// DefaultMaxConnections is the connection limit without --max-connections: room for many Prometheus
// servers' scrapes next to the probes' own connections within a usual 1024 open files.
const DefaultMaxConnections = 256

// Exporter serves /probe, /metrics, / and /probes/ID.
type Exporter struct {
	cfg     Config
	probers map[string]*probe.Prober
	limit   *limiter
	mux     *http.ServeMux
	// idle is how long a connection may wait for its next request (idleTimeout; tests shorten it).
	idle time.Duration

	own       *prometheus.Registry
	probes    *prometheus.CounterVec
	refused   *prometheus.CounterVec
	shared    prometheus.Counter
	durations *prometheus.HistogramVec

	mu     sync.Mutex
	recent []*Record // a ring of cfg.History, oldest overwritten
	pos    int       // where the next record goes: the oldest once the ring is full
}

// Refusal reasons, the values of mailcheck_exporter_refused_total{reason}.
const (
	RefusedCredentials = "credentials"
	RefusedBadQuery    = "bad_query"
	RefusedModule      = "unknown_module"
	RefusedNotAllowed  = "not_allowed"
	RefusedBusy        = "busy"
)

// SharedProbeHeader names, in an answer given the result of an earlier or running probe (the interval
// rule), that probe's ID.
const SharedProbeHeader = "X-Mailcheck-Shared-Probe"

// New checks the policy and reads every module's credentials (so a missing password fails at start-up,
// not at the first scrape).
func New(cfg Config) (*Exporter, error) {
	if cfg.Allow == nil || cfg.Allow.Empty() {
		return nil, errors.New("no --allow-target: give the domains and hosts this exporter may probe (e.g. --allow-target '*.example.com'; '*' allows anything)")
	}
	if cfg.Concurrency < 1 {
		return nil, errors.New("--concurrency must be at least 1")
	}
	if cfg.TargetInterval < 0 || cfg.TimeoutOffset < 0 {
		return nil, errors.New("--target-interval and --timeout-offset must be 0 or more")
	}
	if _, ok := cfg.Modules[DefaultModule]; !ok {
		return nil, fmt.Errorf("no module %q", DefaultModule)
	}
	if cfg.History < 0 || !cfg.DebugPages {
		cfg.History = 0 // nothing would show the records: keep none
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = DefaultMaxConnections
	}
	if cfg.Getenv == nil {
		cfg.Getenv = func(string) string { return "" }
	}
	if cfg.Policy == nil {
		cfg.Policy = netpolicy.New(nil)
	}
	// Scrapers choose the targets, and the targets' DNS records choose where the probes go: every
	// module's prober dials through the policy.
	cfg.Base.Policy = cfg.Policy
	e := &Exporter{cfg: cfg, probers: map[string]*probe.Prober{}, limit: newLimiter(cfg.Concurrency, cfg.TargetInterval), idle: idleTimeout}
	for name, m := range cfg.Modules {
		creds, err := m.Credentials(cfg.Getenv)
		if err != nil {
			return nil, err
		}
		e.probers[name] = probe.NewProber(m.ProbeConfig(cfg.Base, creds))
	}
	e.instrument()
	e.mux = http.NewServeMux()
	e.mux.HandleFunc("GET /probe", e.serveProbe)
	e.mux.Handle("GET /metrics", promhttp.HandlerFor(e.own, promhttp.HandlerOpts{}))
	if cfg.DebugPages {
		e.mux.HandleFunc("GET /probes/{id}", e.serveRecord)
		e.mux.HandleFunc("GET /{$}", e.serveIndex)
	} else {
		e.mux.HandleFunc("GET /{$}", e.serveAbout)
	}
	return e, nil
}

// The exporter's own metric names (on /metrics).
const (
	MetricExporterProbes   = "mailcheck_exporter_probes_total"
	MetricExporterRefused  = "mailcheck_exporter_refused_total"
	MetricExporterShared   = "mailcheck_exporter_shared_results_total"
	MetricExporterInFlight = "mailcheck_exporter_probes_in_flight"
	MetricExporterDuration = "mailcheck_exporter_probe_duration_seconds"
)

func (e *Exporter) instrument() {
	e.own = prometheus.NewRegistry()
	e.probes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricExporterProbes,
		Help: "Probes run, by module and result (success or failure)."}, []string{"module", "result"})
	e.refused = prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricExporterRefused,
		Help: "Requests to /probe refused, by reason: credentials, bad_query, unknown_module, not_allowed, busy."}, []string{"reason"})
	e.shared = prometheus.NewCounter(prometheus.CounterOpts{Name: MetricExporterShared,
		Help: "Requests answered with the result of a probe of the same target that was running or younger than --target-interval."})
	inFlight := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: MetricExporterInFlight,
		Help: "Probes running now."}, func() float64 { return float64(e.limit.inFlight()) })
	e.durations = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: MetricExporterDuration,
		Help: "How long probes took, by module.", Buckets: []float64{.1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"module"})
	for _, r := range []string{RefusedCredentials, RefusedBadQuery, RefusedModule, RefusedNotAllowed, RefusedBusy} {
		e.refused.WithLabelValues(r)
	}
	e.own.MustRegister(e.probes, e.refused, e.shared, inFlight, e.durations,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// ServeHTTP makes the Exporter an http.Handler. Every answer says that it is no page to run scripts in,
// to frame or to sniff for another type: the pages show what servers said, and a probe is a GET any web
// page could send.
func (e *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	csp := e.cfg.View.ContentSecurityPolicy()
	if csp == "" {
		csp = "default-src 'none'; frame-ancestors 'none'"
	}
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	e.mux.ServeHTTP(w, r)
}

func (e *Exporter) refuse(w http.ResponseWriter, reason string, code int, msg string) {
	e.refused.WithLabelValues(reason).Inc()
	http.Error(w, msg, code)
}

func (e *Exporter) serveProbe(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now() // the deadline counts from here, not from when a probe slot frees
	q := r.URL.Query()
	if err := CheckQuery(q); err != nil {
		reason := RefusedBadQuery
		if strings.Contains(err.Error(), CredentialHint) {
			reason = RefusedCredentials
		}
		e.refuse(w, reason, http.StatusBadRequest, err.Error())
		return
	}
	debug := q.Get("debug") == "true"
	if debug && !e.cfg.DebugPages {
		e.refuse(w, RefusedBadQuery, http.StatusForbidden, "debug=true: the debug pages are off (start the exporter with --debug-pages)")
		return
	}
	name := q.Get("module")
	if name == "" {
		name = DefaultModule
	}
	m, ok := e.cfg.Modules[name]
	if !ok {
		e.refuse(w, RefusedModule, http.StatusBadRequest, fmt.Sprintf("unknown module %q (modules: %s)", name, strings.Join(e.moduleNames(), ", ")))
		return
	}
	if err := validateTarget(q.Get("target")); err != nil {
		e.refuse(w, RefusedBadQuery, http.StatusBadRequest, "target: "+err.Error())
		return
	}
	req, err := probe.ParseRequest(q.Get("target"))
	if err != nil {
		e.refuse(w, RefusedBadQuery, http.StatusBadRequest, "target: "+err.Error())
		return
	}
	if !e.cfg.Allow.Allows(req) {
		e.refuse(w, RefusedNotAllowed, http.StatusForbidden, fmt.Sprintf("target %q is not allowed: no --allow-target pattern matches it", req.Target))
		return
	}
	if err := m.Binds(req); err != nil { // a login module's password stays inside its account
		e.refuse(w, RefusedNotAllowed, http.StatusForbidden, err.Error())
		return
	}
	if m.Judges() && len(req.Endpoints) != 1 {
		e.refuse(w, RefusedBadQuery, http.StatusBadRequest, fmt.Sprintf("module %s states expectations of one endpoint (as a check target does): the target must be an endpoint URL such as imaps://mail.example.com:993", name))
		return
	}
	budget, err := Deadline(r, m, e.cfg.TimeoutOffset)
	if err != nil {
		e.refuse(w, RefusedBadQuery, http.StatusBadRequest, err.Error())
		return
	}
	req.ApplySTARTTLS(probe.STARTTLSPolicy(m.STARTTLS))
	deadline := arrived.Add(budget)
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()
	key := requestKey(name, req)
	var mine *Record
	res, shared, err := e.limit.do(ctx, key, func() *result {
		mine = e.run(m, req, budget, deadline)
		return e.result(mine)
	})
	if err != nil {
		e.refuseLimited(w, key, budget, err)
		return
	}
	if shared {
		e.shared.Inc()
		w.Header().Set(SharedProbeHeader, res.id)
	}
	if debug {
		e.serveDebug(w, res, mine)
		return
	}
	if res.err != nil {
		http.Error(w, "rendering the probe's metrics failed: "+res.err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", string(expfmt.FmtText))
	_, _ = w.Write(res.metrics)
}

// refuseLimited answers a request the limiter did not serve: no probe slot before the deadline, or the
// interval rule neither sharing a result nor allowing a new probe.
func (e *Exporter) refuseLimited(w http.ResponseWriter, key string, budget time.Duration, err error) {
	if errors.Is(err, errBusy) {
		e.refuse(w, RefusedBusy, http.StatusServiceUnavailable,
			fmt.Sprintf("no probe slot became free within %s: %d probes are running (--concurrency)", budget, e.cfg.Concurrency))
		return
	}
	retry := e.limit.retryAfter(key)
	w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
	msg := fmt.Sprintf("%d targets were probed within --target-interval (%s), the most the exporter remembers: a new target is probed once the oldest is %s old", maxKeys, e.cfg.TargetInterval, e.cfg.TargetInterval)
	if errors.Is(err, errForgotten) {
		msg = fmt.Sprintf("this target was probed less than --target-interval (%s) ago and its result is no longer kept: it is probed again in %s", e.cfg.TargetInterval, retry.Round(time.Second))
	}
	e.refuse(w, RefusedBusy, http.StatusServiceUnavailable, msg)
}

// serveDebug answers debug=true: the probe's report when this request ran it or the history still holds
// it, else the metrics it returned.
func (e *Exporter) serveDebug(w http.ResponseWriter, res *result, rec *Record) {
	if rec == nil {
		rec = e.find(res.id)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if rec != nil {
		_ = e.cfg.View.Report(w, rec)
		return
	}
	fmt.Fprintf(w, "Probe %s ran less than --target-interval ago; its report is no longer among the --history probes kept.\n\nMetrics returned to Prometheus:\n\n", res.id)
	_, _ = w.Write(res.metrics)
}

// run probes once, detached from the request that started it (others may be waiting for it), until the
// deadline of that request: a probe that waited for a slot has only what is left of it.
func (e *Exporter) run(m Module, req probe.Request, budget time.Duration, deadline time.Time) *Record {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	rec := &Record{ID: newID(), Module: m.Name, Target: req.Target, Started: time.Now(), Deadline: budget}
	p := e.probers[m.Name].Fresh()
	postureDone := startPosture(ctx, p, m, req) // beside the probe: the scrape costs its slowest part
	rec.Report = p.Run(ctx, req)
	rec.Posture = postureDone(rec.Report)
	if m.Judges() {
		if t, err := m.CheckTarget(req.Target); err == nil { // checked when the module was read
			tr := check.Evaluate(t, rec.Report.Endpoints)
			rec.Check = &tr
		}
	}
	result := "failure"
	if rec.Success() {
		result = "success"
	}
	e.probes.WithLabelValues(m.Name, result).Inc()
	e.durations.WithLabelValues(m.Name).Observe(time.Since(rec.Started).Seconds())
	e.remember(rec)
	return rec
}

// result renders what the interval rule keeps of rec: its metrics in Prometheus' text format, as /probe
// serves them to every scrape that shares the probe.
func (e *Exporter) result(rec *Record) *result {
	res := &result{id: rec.ID}
	mfs, err := e.cfg.View.Metrics(rec).Gather()
	if err != nil {
		res.err = err
		return res
	}
	var b bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			res.err = err
			return res
		}
	}
	res.metrics = b.Bytes()
	return res
}

// newID is a probe's random ID, 128 bits in hex.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b[:])
}

// remember keeps rec in the ring of the last cfg.History records, overwriting the oldest.
func (e *Exporter) remember(rec *Record) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cfg.History == 0 {
		return
	}
	if len(e.recent) < e.cfg.History {
		e.recent = append(e.recent, rec)
		return
	}
	e.recent[e.pos] = rec
	e.pos = (e.pos + 1) % e.cfg.History
}

// Recent returns the remembered probes, newest first.
func (e *Exporter) Recent() []*Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*Record, 0, len(e.recent))
	newest := len(e.recent) - 1 // until the ring is full, the last appended
	if len(e.recent) == e.cfg.History {
		newest = e.pos - 1 + len(e.recent) // the one before the oldest
	}
	for i := range e.recent {
		out = append(out, e.recent[(newest-i+len(e.recent))%len(e.recent)])
	}
	return out
}

// find returns the remembered probe with this ID, or nil.
func (e *Exporter) find(id string) *Record {
	for _, rec := range e.Recent() {
		if rec.ID == id {
			return rec
		}
	}
	return nil
}

func (e *Exporter) moduleNames() []string {
	names := make([]string, 0, len(e.cfg.Modules))
	for n := range e.cfg.Modules {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (e *Exporter) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = e.cfg.View.Index(w, e.Recent(), e.moduleNames())
}

func (e *Exporter) serveRecord(w http.ResponseWriter, r *http.Request) {
	if rec := e.find(r.PathValue("id")); rec != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_ = e.cfg.View.Report(w, rec)
		return
	}
	http.Error(w, "no such probe among the recent ones (the debug pages keep --history probes)", http.StatusNotFound)
}

// serveAbout is / without the debug pages: what the exporter serves, no probe.
func (e *Exporter) serveAbout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "mailcheck exporter\n\n/probe?target=DOMAIN|ADDRESS|URL&module=NAME  a probe's metrics (modules: %s)\n/metrics  the exporter's own metrics\n\nThe debug pages (recent probes with their reports) are off; start the exporter with --debug-pages to serve them.\n",
		strings.Join(e.moduleNames(), ", "))
}

// HTTP bounds: how long a client may take to send a request (a GET, headers only) and may stay idle
// between requests; writeGrace is the time an answer may take to write after the longest probe.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 15 * time.Second
	writeGrace        = 10 * time.Second
	maxHeaderBytes    = 16 << 10
)

// server is the HTTP server Serve runs: every connection is bounded in time (a client that sends
// nothing, sends slowly, never reads the answer or keeps an idle connection open is dropped) and there
// are at most cfg.MaxConnections of them.
func (e *Exporter) server() *http.Server {
	var longest time.Duration
	for _, m := range e.cfg.Modules {
		longest = max(longest, m.MaxTime.Duration)
	}
	return &http.Server{
		Handler:           e,
		ReadHeaderTimeout: readHeaderTimeout,
		// ReadTimeout is as long as WriteTimeout: net/http keeps the read deadline while the handler
		// runs, and its expiry would cancel the request's context in the middle of a probe.
		ReadTimeout:    longest + writeGrace,
		WriteTimeout:   longest + writeGrace,
		IdleTimeout:    e.idle,
		MaxHeaderBytes: maxHeaderBytes,
	}
}

// Serve answers HTTP on ln, at most cfg.MaxConnections connections at once, until ctx ends; then it
// shuts down, giving running probes the longest module max_time to finish.
func (e *Exporter) Serve(ctx context.Context, ln net.Listener) error {
	e.cfg.Policy.DenySelf(ln.Addr()) // a target pointing back here must not make the exporter probe itself
	srv := e.server()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(netutil.LimitListener(ln, e.cfg.MaxConnections)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), srv.WriteTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
