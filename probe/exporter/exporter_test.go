package exporter_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/exporter"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
	"github.com/mailcheck/mailcheck/report"
)

func startExporter(t *testing.T) *httptest.Server {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	mods, err := exporter.ParseModules("test.toml", []byte(`
[module.login]
login = true
user = "alice@sandbox.test"
password_env = "SANDBOX_PW"

[module.pop3_off]
expect = "absent"

[module.certs]
cert_min_days = 30
plaintext_login = "refused"

[module.posture]
posture = true
`))
	if err != nil {
		t.Fatal(err)
	}
	def, _ := exporter.LoadModules("")
	mods[exporter.DefaultModule] = def[exporter.DefaultModule]
	allow, err := exporter.ParseAllowList([]string{"sandbox.test", "*.sandbox.test"})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := exporter.New(exporter.Config{
		Modules: mods,
		Base: probe.Config{Resolver: &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 30 * time.Second}, // answers always come: a starved machine must not time them out
			Dialer: sb, RootCAs: sb.RootCAs},
		Getenv:      func(k string) string { return map[string]string{"SANDBOX_PW": sb.World.Users["alice@sandbox.test"]}[k] },
		Allow:       allow,
		Concurrency: 4, TargetInterval: time.Minute, TimeoutOffset: 500 * time.Millisecond, History: 10,
		DebugPages: true, View: report.ExporterView{}, Policy: sandboxPolicy(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(exp)
	t.Cleanup(srv.Close)
	return srv
}

// sandboxPolicy allows the sandbox's addresses (loopback and the IPv6 documentation prefix), which the
// exporter's default policy refuses.
func sandboxPolicy(t *testing.T) *netpolicy.Policy {
	t.Helper()
	allow, err := netpolicy.ParseAllow([]string{"127.0.0.0/8", "2001:db8::/32", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"})
	if err != nil {
		t.Fatal(err)
	}
	return netpolicy.New(allow)
}

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	req.Header.Set(exporter.ScrapeTimeoutHeader, "10")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func probePath(target, module string) string {
	q := url.Values{"target": {target}}
	if module != "" {
		q.Set("module", module)
	}
	return "/probe?" + q.Encode()
}

// probeLink is a link to a probe's report on the index page; the ID is 128 random bits in hex.
var probeLink = regexp.MustCompile(`href="/probes/([0-9a-f]{32})"`)

func TestExporterProbe(t *testing.T) {
	srv := startExporter(t)

	code, body := get(t, srv, probePath("imaps://imap.sandbox.test:993", "login"))
	for _, want := range []string{
		"\nprobe_success 1\n",
		`mailcheck_endpoint_up{address="127.0.0.2",host="imap.sandbox.test",port="993",protocol="imap",security="tls"} 1`,
		`mailcheck_login_success{address="127.0.0.2",host="imap.sandbox.test",port="993",protocol="imap",security="tls"} 1`,
		`mailcheck_tls_version_info{address="127.0.0.2",host="imap.sandbox.test",port="993",protocol="imap",security="tls",version="TLS 1.3"} 1`,
		`step="login"`,
		"probe_ssl_earliest_cert_expiry ",
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("good endpoint: HTTP %d, body lacks %q:\n%s", code, want, body)
		}
	}
	if strings.Contains(body, sandbox.DemoWorld().Users["alice@sandbox.test"]) {
		t.Error("the metrics contain the password")
	}

	code, body = get(t, srv, probePath("submissions://smtp.sandbox.test:465", ""))
	for _, want := range []string{"\nprobe_success 0\n", `mailcheck_problem{code="cert_expired",host="smtp.sandbox.test",port="465",severity="fail"} 1`} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("expired endpoint: HTTP %d, body lacks %q:\n%s", code, want, body)
		}
	}

	// The index lists both, newest first, with links to the reports under random IDs.
	code, body = get(t, srv, "/")
	i, j := strings.Index(body, "submissions://smtp.sandbox.test:465"), strings.Index(body, "imaps://imap.sandbox.test:993")
	ids := probeLink.FindAllStringSubmatch(body, -1)
	if code != 200 || i < 0 || j < 0 || i > j || len(ids) != 2 {
		t.Fatalf("index page: HTTP %d\n%s", code, body)
	}
	newest, oldest := ids[0][1], ids[1][1]
	code, body = get(t, srv, "/probes/"+oldest)
	for _, want := range []string{"module login", "login OK", "[redacted]", "Metrics returned to Prometheus", "probe_success 1"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("report page: HTTP %d, lacks %q:\n%s", code, want, body)
		}
	}
	if strings.Contains(body, sandbox.DemoWorld().Users["alice@sandbox.test"]) {
		t.Error("the report page contains the password")
	}

	// Within --target-interval the same target gets the same probe.
	req, _ := http.NewRequest("GET", srv.URL+probePath("submissions://smtp.sandbox.test:465", ""), nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get(exporter.SharedProbeHeader) != newest {
		t.Errorf("a repeated scrape within the interval got header %q, want the shared probe %s", resp.Header.Get(exporter.SharedProbeHeader), newest)
	}
}

func TestExporterRefusals(t *testing.T) {
	srv := startExporter(t)
	for path, want := range map[string]int{
		"/probe?target=sandbox.test&password=hunter2":           400,
		"/probe?target=imaps://alice:hunter2@imap.sandbox.test": 400,
		"/probe?target=imaps://imap.example.org":                403,
		"/probe?target=example.org":                             403,
		"/probe?target=sandbox.test&module=nope":                400,
		"/probe?target=imaps://":                                400,
		"/probe":                                                400,
		"/probes/999":                                           404,
	} {
		code, body := get(t, srv, path)
		if code != want {
			t.Errorf("%s: HTTP %d, want %d: %s", path, code, want, body)
		}
		if strings.Contains(body, "hunter2") {
			t.Errorf("%s: the answer repeats the secret: %s", path, body)
		}
		if want == 400 && strings.Contains(path, "hunter2") && !strings.Contains(body, "password_env or password_file") {
			t.Errorf("%s: the refusal must say where credentials go: %s", path, body)
		}
	}
	_, body := get(t, srv, "/metrics")
	for _, want := range []string{
		`mailcheck_exporter_refused_total{reason="credentials"} 2`,
		`mailcheck_exporter_refused_total{reason="not_allowed"} 2`,
		`mailcheck_exporter_refused_total{reason="unknown_module"} 1`,
		"mailcheck_exporter_probes_in_flight 0",
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestExporterNeedsAllowList(t *testing.T) {
	mods, _ := exporter.LoadModules("")
	empty, _ := exporter.ParseAllowList(nil)
	if _, err := exporter.New(exporter.Config{Modules: mods, Allow: empty, Concurrency: 1, View: report.ExporterView{}}); err == nil || !strings.Contains(err.Error(), "--allow-target") {
		t.Errorf("an exporter without --allow-target started: %v", err)
	}
}

// TestExporterExpectations: a module with expectations judges an endpoint as mailcheck check does, and
// probe_success is the verdict.
func TestExporterExpectations(t *testing.T) {
	srv := startExporter(t)
	for _, tc := range []struct {
		target, module string
		want           []string
	}{
		{"pop3://pop3.sandbox.test", "pop3_off", []string{"\nprobe_success 1\n", `mailcheck_check_success{check="absent"} 1`}},
		{"pop3s://pop3.sandbox.test", "pop3_off", []string{"\nprobe_success 0\n", `mailcheck_check_success{check="absent"} 0`}},
		{"imap://imap.sandbox.test", "certs", []string{"\nprobe_success 1\n", `mailcheck_check_success{check="cert_days"} 1`, `mailcheck_check_success{check="plaintext_login"} 1`}},
		{"imap://mail.sandbox.test", "certs", []string{"\nprobe_success 0\n", `mailcheck_check_success{check="reachable"} 1`}},
	} {
		code, body := get(t, srv, probePath(tc.target, tc.module))
		for _, want := range tc.want {
			if code != 200 || !strings.Contains(body, want) {
				t.Errorf("%s with %s: HTTP %d, lacks %q:\n%s", tc.target, tc.module, code, want, body)
			}
		}
	}
	if code, body := get(t, srv, probePath("sandbox.test", "certs")); code != 400 || !strings.Contains(body, "endpoint URL") {
		t.Errorf("a domain with a module that judges one endpoint: HTTP %d %s", code, body)
	}
}
