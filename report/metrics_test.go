package report

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

// metricsReport is a domain with a working IMAPS endpoint (login tested), a submissions endpoint whose
// certificate expired, and one domain-wide finding.
func metricsReport() *probe.Report {
	good := time.Unix(1900000000, 0)
	expired := time.Unix(1700000000, 0)
	return &probe.Report{
		Target: "example.com", Domain: "example.com", Status: probe.StatusWarn, DurationMS: 1234.5,
		Endpoints: []probe.Result{
			{
				Endpoint: probe.Endpoint{Protocol: probe.IMAP, Host: "imap.example.com", Port: 993, Security: probe.TLS},
				Address:  "192.0.2.10", Status: probe.StatusOK,
				TLS: &probe.TLSInfo{Version: "TLS 1.3", Verified: true, Chain: []probe.Certificate{
					{NotAfter: good}, {NotAfter: good.Add(time.Hour)}}},
				Auth:    &probe.AuthResult{Tested: true, OK: true, Mechanism: "PLAIN"},
				Timings: probe.Timings{ConnectMS: 10, TLSMS: 20, GreetingMS: 5, AuthMS: 30, TotalMS: 65},
			},
			{
				Endpoint: probe.Endpoint{Protocol: probe.SMTP, Host: "smtp.example.com", Port: 465, Security: probe.TLS},
				Address:  "192.0.2.11", Status: probe.StatusFail,
				TLS:      &probe.TLSInfo{Version: "TLS 1.2", Chain: []probe.Certificate{{NotAfter: expired}}},
				Timings:  probe.Timings{ConnectMS: 10, TLSMS: 15, TotalMS: 25},
				Problems: []probe.Problem{probe.NewProblem(catalog.CertExpired, "expired", "")},
			},
			{
				Endpoint: probe.Endpoint{Protocol: probe.SMTP, Host: "smtp.example.com", Port: 587, Security: probe.STARTTLS},
				Address:  "192.0.2.11", Status: probe.StatusFail,
				Timings:  probe.Timings{TotalMS: 1},
				Auth:     &probe.AuthResult{Tested: true, OK: false, Problem: ptr(probe.NewProblem(catalog.AuthFailed, "refused", ""))},
				Problems: []probe.Problem{probe.NewProblem(catalog.ConnectRefused, "refused", ""), probe.NewProblem(catalog.ConnectRefused, "again", "")},
			},
		},
		Problems: []probe.Problem{probe.NewProblem(catalog.ServiceNotOffered, "pop3 not offered", "")},
	}
}

func ptr[T any](v T) *T { return &v }

func TestProbeMetrics(t *testing.T) {
	const want = `
# HELP mailcheck_cert_not_after_seconds When the endpoint's certificate (the leaf) expires, as a Unix time in seconds.
# TYPE mailcheck_cert_not_after_seconds gauge
mailcheck_cert_not_after_seconds{address="192.0.2.10",host="imap.example.com",port="993",protocol="imap",security="tls"} 1.9e+09
mailcheck_cert_not_after_seconds{address="192.0.2.11",host="smtp.example.com",port="465",protocol="smtp",security="tls"} 1.7e+09
# HELP mailcheck_endpoint_step_seconds Time each step of the endpoint's conversation took, in seconds.
# TYPE mailcheck_endpoint_step_seconds gauge
mailcheck_endpoint_step_seconds{address="192.0.2.10",host="imap.example.com",port="993",protocol="imap",security="tls",step="connect"} 0.01
mailcheck_endpoint_step_seconds{address="192.0.2.10",host="imap.example.com",port="993",protocol="imap",security="tls",step="greeting"} 0.005
mailcheck_endpoint_step_seconds{address="192.0.2.10",host="imap.example.com",port="993",protocol="imap",security="tls",step="login"} 0.03
mailcheck_endpoint_step_seconds{address="192.0.2.10",host="imap.example.com",port="993",protocol="imap",security="tls",step="tls"} 0.02
mailcheck_endpoint_step_seconds{address="192.0.2.11",host="smtp.example.com",port="465",protocol="smtp",security="tls",step="connect"} 0.01
mailcheck_endpoint_step_seconds{address="192.0.2.11",host="smtp.example.com",port="465",protocol="smtp",security="tls",step="tls"} 0.015
# HELP mailcheck_endpoint_up Whether the endpoint works (1) or fails (0); warnings count as working.
# TYPE mailcheck_endpoint_up gauge
mailcheck_endpoint_up{address="192.0.2.10",host="imap.example.com",port="993",protocol="imap",security="tls"} 1
mailcheck_endpoint_up{address="192.0.2.11",host="smtp.example.com",port="465",protocol="smtp",security="tls"} 0
mailcheck_endpoint_up{address="192.0.2.11",host="smtp.example.com",port="587",protocol="smtp",security="starttls"} 0
# HELP mailcheck_endpoints How many endpoints (host, port, security, address) the probe tried; series are exported for the first 64.
# TYPE mailcheck_endpoints gauge
mailcheck_endpoints 3
# HELP mailcheck_login_success Whether the module's test login was accepted (1) or refused (0); only for endpoints where a login was tested.
# TYPE mailcheck_login_success gauge
mailcheck_login_success{address="192.0.2.10",host="imap.example.com",port="993",protocol="imap",security="tls"} 1
mailcheck_login_success{address="192.0.2.11",host="smtp.example.com",port="587",protocol="smtp",security="starttls"} 0
# HELP mailcheck_problem Findings by stable problem code (README 'Problem codes'): how many the probe reported for this host and port. Host and port are empty for findings about the domain.
# TYPE mailcheck_problem gauge
mailcheck_problem{code="auth_failed",host="smtp.example.com",port="587",severity="fail"} 1
mailcheck_problem{code="cert_expired",host="smtp.example.com",port="465",severity="fail"} 1
mailcheck_problem{code="connect_refused",host="smtp.example.com",port="587",severity="fail"} 2
mailcheck_problem{code="service_not_offered",host="",port="",severity="info"} 1
# HELP mailcheck_tls_version_info The TLS version the endpoint negotiated, as a label; the value is always 1.
# TYPE mailcheck_tls_version_info gauge
mailcheck_tls_version_info{address="192.0.2.10",host="imap.example.com",port="993",protocol="imap",security="tls",version="TLS 1.3"} 1
mailcheck_tls_version_info{address="192.0.2.11",host="smtp.example.com",port="465",protocol="smtp",security="tls",version="TLS 1.2"} 1
# HELP probe_duration_seconds How long the probe took, in seconds.
# TYPE probe_duration_seconds gauge
probe_duration_seconds 1.2345
# HELP probe_ssl_earliest_cert_expiry The earliest expiry of any certificate any endpoint sent, as a Unix time in seconds.
# TYPE probe_ssl_earliest_cert_expiry gauge
probe_ssl_earliest_cert_expiry 1.7e+09
# HELP probe_success Whether the probe succeeded: 1 when mailcheck found working settings (a domain) or every endpoint works (an endpoint URL), warnings allowed; with a module's expectations, when none fails.
# TYPE probe_success gauge
probe_success 1
`
	reg := ProbeMetrics(metricsReport())
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	if probs, err := testutil.GatherAndLint(reg); err != nil || len(probs) > 0 {
		t.Errorf("lint: %v %v", probs, err)
	}
}

func TestProbeMetricsFailure(t *testing.T) {
	rep := &probe.Report{Target: "nowhere.example", Domain: "nowhere.example", Status: probe.StatusFail,
		Problems: []probe.Problem{probe.NewProblem(catalog.NoMailServers, "none", "")}}
	reg := ProbeMetrics(rep)
	const want = `
# HELP probe_success Whether the probe succeeded: 1 when mailcheck found working settings (a domain) or every endpoint works (an endpoint URL), warnings allowed; with a module's expectations, when none fails.
# TYPE probe_success gauge
probe_success 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "probe_success"); err != nil {
		t.Error(err)
	}
	// No certificate was seen: no expiry series rather than a misleading 0 (1970).
	if n, err := testutil.GatherAndCount(reg, MetricEarliestCertExpiry, MetricEndpointUp); err != nil || n != 0 {
		t.Errorf("got %d series of certificate/endpoint families, err %v; want none", n, err)
	}
	if probs, err := testutil.GatherAndLint(reg); err != nil || len(probs) > 0 {
		t.Errorf("lint: %v %v", probs, err)
	}
}

func TestProbeMetricsCardinality(t *testing.T) {
	rep := &probe.Report{Status: probe.StatusFail}
	for i := 0; i < MaxEndpointSeries+50; i++ {
		rep.Endpoints = append(rep.Endpoints, probe.Result{
			Endpoint: probe.Endpoint{Protocol: probe.SMTP, Host: "mx" + strings.Repeat("x", i) + ".example.net", Port: 25, Security: probe.STARTTLS},
			Status:   probe.StatusFail,
		})
	}
	reg := ProbeMetrics(rep)
	if n := testutil.CollectAndCount(reg, MetricEndpointUp); n != MaxEndpointSeries {
		t.Errorf("%d %s series, want the cap %d", n, MetricEndpointUp, MaxEndpointSeries)
	}
	want := fmt.Sprintf("# HELP %s How many endpoints (host, port, security, address) the probe tried; series are exported for the first 64.\n# TYPE %[1]s gauge\n%[1]s %d\n", MetricEndpoints, MaxEndpointSeries+50)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), MetricEndpoints); err != nil {
		t.Errorf("every endpoint must be counted: %v", err)
	}
}
