package report

import (
	"math"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/check"
	"github.com/mailcheck/mailcheck/probe/exporter"
)

// The metric families of one probe, as `mailcheck exporter` answers /probe. Names are an API (README
// "Metrics"): the probe_* ones mean what blackbox_exporter's families of the same name mean, so dashboards
// and alerts written for it keep working; the mailcheck_* ones are per endpoint.
const (
	MetricProbeSuccess        = "probe_success"
	MetricProbeDuration       = "probe_duration_seconds"
	MetricEarliestCertExpiry  = "probe_ssl_earliest_cert_expiry"
	MetricEndpoints           = "mailcheck_endpoints"
	MetricEndpointUp          = "mailcheck_endpoint_up"
	MetricEndpointStepSeconds = "mailcheck_endpoint_step_seconds"
	MetricLoginSuccess        = "mailcheck_login_success"
	MetricTLSVersionInfo      = "mailcheck_tls_version_info"
	MetricCertNotAfter        = "mailcheck_cert_not_after_seconds"
	MetricProblem             = "mailcheck_problem"
	MetricCheckSuccess        = "mailcheck_check_success"
)

// MaxEndpointSeries bounds the endpoints one probe exports series for, so that a domain with hundreds of
// MX hosts cannot blow up Prometheus' cardinality; mailcheck_endpoints still counts them all. Endpoints
// come in the report's order (protocol, host, port, security, IPv4 first).
const MaxEndpointSeries = 64

// Steps of mailcheck_endpoint_step_seconds, in the order a connection goes through them. A step that did
// not run has no series.
const (
	StepConnect      = "connect"
	StepTLS          = "tls"
	StepGreeting     = "greeting"
	StepCapabilities = "capabilities"
	StepLogin        = "login"
)

var endpointLabels = []string{"protocol", "host", "port", "security", "address"}

// ProbeMetrics returns a registry holding the metric families of one probe report. Gather it with
// promhttp.HandlerFor, or compare it in tests with testutil.GatherAndCompare.
func ProbeMetrics(rep *probe.Report) *prometheus.Registry { return probeMetrics(rep, nil) }

// CheckedProbeMetrics are ProbeMetrics of a probe whose expectations were judged: mailcheck_check_success
// per check, and probe_success is the verdict (a refused port passes expect = "absent").
func CheckedProbeMetrics(rep *probe.Report, tr *check.TargetResult) *prometheus.Registry {
	return probeMetrics(rep, tr)
}

func probeMetrics(rep *probe.Report, tr *check.TargetResult) *prometheus.Registry {
	reg := prometheus.NewPedanticRegistry()
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		reg.MustRegister(g)
		return g
	}
	vec := func(name, help string, labels ...string) *prometheus.GaugeVec {
		v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		reg.MustRegister(v)
		return v
	}
	success := gauge(MetricProbeSuccess, "Whether the probe succeeded: 1 when mailcheck found working settings (a domain) or every endpoint works (an endpoint URL), warnings allowed; with a module's expectations, when none fails.")
	duration := gauge(MetricProbeDuration, "How long the probe took, in seconds.")
	endpoints := gauge(MetricEndpoints, "How many endpoints (host, port, security, address) the probe tried; series are exported for the first 64.")
	up := vec(MetricEndpointUp, "Whether the endpoint works (1) or fails (0); warnings count as working.", endpointLabels...)
	steps := vec(MetricEndpointStepSeconds, "Time each step of the endpoint's conversation took, in seconds.", append(endpointLabels, "step")...)
	login := vec(MetricLoginSuccess, "Whether the module's test login was accepted (1) or refused (0); only for endpoints where a login was tested.", endpointLabels...)
	tlsInfo := vec(MetricTLSVersionInfo, "The TLS version the endpoint negotiated, as a label; the value is always 1.", append(endpointLabels, "version")...)
	notAfter := vec(MetricCertNotAfter, "When the endpoint's certificate (the leaf) expires, as a Unix time in seconds.", endpointLabels...)
	problems := vec(MetricProblem, "Findings by stable problem code (README 'Problem codes'): how many the probe reported for this host and port. Host and port are empty for findings about the domain.", "code", "severity", "host", "port")

	if tr != nil {
		checks := vec(MetricCheckSuccess, "Whether each of the module's expectations holds (1: pass or warn, 0: fail), by check name as mailcheck check names them.", "check")
		for _, c := range tr.Checks {
			v := 0.0
			if c.Status != check.Fail {
				v = 1
			}
			checks.WithLabelValues(c.Check).Set(v)
		}
	}
	if exporter.Success(rep, tr) {
		success.Set(1)
	}
	duration.Set(rep.DurationMS / 1000)
	endpoints.Set(float64(len(rep.Endpoints)))

	earliest := math.Inf(1)
	for i, e := range rep.Endpoints {
		if i < MaxEndpointSeries {
			exportEndpoint(e, up, steps, login, tlsInfo, notAfter)
		}
		if e.TLS != nil {
			for _, c := range e.TLS.Chain {
				earliest = math.Min(earliest, float64(c.NotAfter.Unix()))
			}
		}
		for _, pr := range e.Problems {
			problems.WithLabelValues(pr.Code, string(pr.Severity), e.Host, strconv.Itoa(e.Port)).Inc()
		}
		if e.Auth != nil && e.Auth.Problem != nil && !hasCode(e.Problems, e.Auth.Problem.Code) && e.Auth.SameAs == "" {
			pr := e.Auth.Problem
			problems.WithLabelValues(pr.Code, string(pr.Severity), e.Host, strconv.Itoa(e.Port)).Inc()
		}
	}
	for _, pr := range rep.Problems {
		problems.WithLabelValues(pr.Code, string(pr.Severity), "", "").Inc()
	}
	if !math.IsInf(earliest, 1) {
		g := gauge(MetricEarliestCertExpiry, "The earliest expiry of any certificate any endpoint sent, as a Unix time in seconds.")
		g.Set(earliest)
	}
	return reg
}

func exportEndpoint(e probe.Result, up, steps, login, tlsInfo, notAfter *prometheus.GaugeVec) {
	labels := []string{string(e.Protocol), e.Host, strconv.Itoa(e.Port), string(e.Security), e.Address}
	with := func(extra ...string) []string { return append(append([]string(nil), labels...), extra...) }
	if e.Status == probe.StatusFail {
		up.WithLabelValues(labels...).Set(0)
	} else {
		up.WithLabelValues(labels...).Set(1)
	}
	t := e.Timings
	for _, s := range []struct {
		step string
		ms   float64
	}{{StepConnect, t.ConnectMS}, {StepTLS, t.TLSMS}, {StepGreeting, t.GreetingMS}, {StepCapabilities, t.CapabilitiesMS}, {StepLogin, t.AuthMS}} {
		if s.ms > 0 {
			steps.WithLabelValues(with(s.step)...).Set(s.ms / 1000)
		}
	}
	if e.Auth != nil && e.Auth.Tested {
		v := 0.0
		if e.Auth.OK {
			v = 1
		}
		login.WithLabelValues(labels...).Set(v)
	}
	if e.TLS != nil && e.TLS.Version != "" {
		tlsInfo.WithLabelValues(with(e.TLS.Version)...).Set(1)
	}
	if e.TLS != nil && len(e.TLS.Chain) > 0 {
		notAfter.WithLabelValues(labels...).Set(float64(e.TLS.Chain[0].NotAfter.Unix()))
	}
}

func hasCode(probs []probe.Problem, code string) bool {
	for _, pr := range probs {
		if pr.Code == code {
			return true
		}
	}
	return false
}
