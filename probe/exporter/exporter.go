package exporter

import (
	"context"
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

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/check"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/probe/posture"
)

// Record is one probe the exporter ran, as the debug page lists it.
type Record struct {
	// ID numbers the probes since start; /probes/ID shows this one.
	ID      int
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
func (r *Record) Success() bool {
	if r.Check != nil {
		return r.Check.Status != check.Fail
	}
	return r.Report.Status != probe.StatusFail
}

// View renders what the exporter serves (package report implements it).
type View interface {
	// Metrics are the metric families of one probe.
	Metrics(rec *Record) prometheus.Gatherer
	// Report writes the human report of one probe with its transcripts (redacted), then its metrics.
	Report(w io.Writer, rec *Record) error
	// Index writes the HTML page listing recent probes, newest first.
	Index(w io.Writer, recent []*Record, modules []string) error
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
	// History is how many recent probes the debug page keeps.
	History int
	View    View
	// Policy is the connection policy of every probe (netpolicy): nil refuses every internal address;
	// --allow-private ranges are passed in one made with netpolicy.New. Serve adds the listener to it.
	Policy *netpolicy.Policy
}

// Exporter serves /probe, /metrics, / and /probes/ID.
type Exporter struct {
	cfg     Config
	probers map[string]*probe.Prober
	limit   *limiter
	mux     *http.ServeMux

	own       *prometheus.Registry
	probes    *prometheus.CounterVec
	refused   *prometheus.CounterVec
	shared    prometheus.Counter
	durations *prometheus.HistogramVec

	mu     sync.Mutex
	nextID int
	recent []*Record // a ring of cfg.History, oldest overwritten
	pos    int
}

// Refusal reasons, the values of mailcheck_exporter_refused_total{reason}.
const (
	RefusedCredentials = "credentials"
	RefusedBadQuery    = "bad_query"
	RefusedModule      = "unknown_module"
	RefusedNotAllowed  = "not_allowed"
	RefusedBusy        = "busy"
)

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
	if cfg.History < 0 {
		cfg.History = 0
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
	e := &Exporter{cfg: cfg, probers: map[string]*probe.Prober{}, limit: newLimiter(cfg.Concurrency, cfg.TargetInterval)}
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
	e.mux.HandleFunc("GET /probes/{id}", e.serveRecord)
	e.mux.HandleFunc("GET /{$}", e.serveIndex)
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

// ServeHTTP makes the Exporter an http.Handler.
func (e *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.mux.ServeHTTP(w, r) }

func (e *Exporter) refuse(w http.ResponseWriter, reason string, code int, msg string) {
	e.refused.WithLabelValues(reason).Inc()
	http.Error(w, msg, code)
}

func (e *Exporter) serveProbe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := CheckQuery(q); err != nil {
		reason := RefusedBadQuery
		if strings.Contains(err.Error(), CredentialHint) {
			reason = RefusedCredentials
		}
		e.refuse(w, reason, http.StatusBadRequest, err.Error())
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
	deadline, err := Deadline(r, m, e.cfg.TimeoutOffset)
	if err != nil {
		e.refuse(w, RefusedBadQuery, http.StatusBadRequest, err.Error())
		return
	}
	req.ApplySTARTTLS(probe.STARTTLSPolicy(m.STARTTLS))
	ctx, cancel := context.WithTimeout(r.Context(), deadline)
	defer cancel()
	key := name + "\x00" + req.Target
	rec, shared, err := e.limit.do(ctx, key, func() *Record { return e.run(m, req, deadline) })
	if err != nil {
		e.refuse(w, RefusedBusy, http.StatusServiceUnavailable,
			fmt.Sprintf("no probe slot became free within %s: %d probes are running (--concurrency)", deadline, e.cfg.Concurrency))
		return
	}
	if shared {
		e.shared.Inc()
		w.Header().Set("X-Mailcheck-Shared-Probe", strconv.Itoa(rec.ID))
	}
	if q.Get("debug") == "true" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_ = e.cfg.View.Report(w, rec)
		return
	}
	promhttp.HandlerFor(e.cfg.View.Metrics(rec), promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// run probes once, detached from the request that started it (others may be waiting for it), within its
// own deadline.
func (e *Exporter) run(m Module, req probe.Request, deadline time.Duration) *Record {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	rec := &Record{Module: m.Name, Target: req.Target, Started: time.Now(), Deadline: deadline}
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

func (e *Exporter) remember(rec *Record) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nextID++
	rec.ID = e.nextID
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
	out := append([]*Record(nil), e.recent...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out
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
	id, err := strconv.Atoi(r.PathValue("id"))
	if err == nil {
		for _, rec := range e.Recent() {
			if rec.ID == id {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.Header().Set("X-Content-Type-Options", "nosniff")
				_ = e.cfg.View.Report(w, rec)
				return
			}
		}
	}
	http.Error(w, "no such probe among the recent ones (the debug page keeps --history probes)", http.StatusNotFound)
}

// Serve answers HTTP on ln until ctx ends, then shuts down, giving running probes the longest module
// max_time to finish.
func (e *Exporter) Serve(ctx context.Context, ln net.Listener) error {
	e.cfg.Policy.DenySelf(ln.Addr()) // a target pointing back here must not make the exporter probe itself
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    16 << 10,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	var longest time.Duration
	for _, m := range e.cfg.Modules {
		longest = max(longest, m.MaxTime.Duration)
	}
	sctx, cancel := context.WithTimeout(context.Background(), longest)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
