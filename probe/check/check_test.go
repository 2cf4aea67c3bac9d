package check

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

// These tests feed Evaluate hand-made probe results: no network, only the rules.

func problem(code string) probe.Problem {
	e, _ := catalog.Lookup(code)
	return probe.Problem{Code: code, Severity: e.Severity, Summary: "summary of " + code, Explanation: e.Explanation, Fix: e.Fix}
}

var imapsEP = probe.Endpoint{Protocol: probe.IMAP, Host: "mail.example.com", Port: 993, Security: probe.TLS}

// healthy is what the probe returns for a working IMAPS endpoint with a certificate valid for days.
func healthy(addr string, days int) probe.Result {
	return probe.Result{
		Endpoint: imapsEP, Address: addr, Source: probe.SourceExplicit, Status: probe.StatusOK,
		Greeting: "* OK ready",
		TLS: &probe.TLSInfo{Version: "TLS 1.3", Verified: true, Chain: []probe.Certificate{{
			NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), DaysLeft: days,
		}}},
		Capabilities:   probe.Capabilities{AfterTLS: []string{"IMAP4rev1", "AUTH=PLAIN"}},
		AuthMechanisms: []string{"PLAIN"},
		Auth:           &probe.AuthResult{Tested: true, OK: true, Mechanism: "PLAIN", User: "ci@example.com"},
		Timings:        probe.Timings{ConnectMS: 1, TLSMS: 2, GreetingMS: 1, AuthMS: 3, TotalMS: 7},
		Problems:       []probe.Problem{},
	}
}

func fullTarget() Target {
	return Target{Name: "IMAP", Endpoint: imapsEP, Expect: Present, CertMinDays: 21, CertWarnDays: 30,
		PlaintextLogin: PlaintextRefused, AuthMechanisms: []string{"PLAIN"}, Login: true, User: "ci@example.com"}
}

func checkNames(tr TargetResult) []string {
	var names []string
	for _, c := range tr.Checks {
		names = append(names, c.Check)
	}
	return names
}

func TestChecksComeInAFixedOrder(t *testing.T) {
	tr := Evaluate(fullTarget(), []probe.Result{healthy("192.0.2.1", 45)})
	want := []string{CheckReachable, CheckTLS, CheckCertDays, CheckPlaintextLogin, CheckAuthMechanisms, CheckLogin}
	if got := checkNames(tr); !reflect.DeepEqual(got, want) {
		t.Errorf("checks %v, want %v", got, want)
	}
	if tr.Status != Pass {
		t.Errorf("status %s: %+v", tr.Status, tr.Checks)
	}
	if tr.CertDaysLeft == nil || *tr.CertDaysLeft != 45 || tr.TimeMS != 7 {
		t.Errorf("cert days %v, time %v", tr.CertDaysLeft, tr.TimeMS)
	}
	again := Evaluate(fullTarget(), []probe.Result{healthy("192.0.2.1", 45)})
	if !reflect.DeepEqual(tr, again) {
		t.Errorf("Evaluate is not deterministic")
	}
	// Only what is asked is checked: a bare target has reachable and tls.
	tr = Evaluate(Target{Endpoint: imapsEP}, []probe.Result{healthy("192.0.2.1", 45)})
	if got := checkNames(tr); !reflect.DeepEqual(got, []string{CheckReachable, CheckTLS}) {
		t.Errorf("bare target: checks %v", got)
	}
	if tr.Name != "imaps://mail.example.com:993" || tr.Expect != Present {
		t.Errorf("defaults: name %q expect %q", tr.Name, tr.Expect)
	}
	// An endpoint probed without TLS has no tls check.
	plain := Target{Endpoint: probe.Endpoint{Protocol: probe.IMAP, Host: "mail.example.com", Port: 143, Security: probe.Plain}}
	res := healthy("192.0.2.1", 45)
	res.Endpoint, res.TLS = plain.Endpoint, nil
	if got := checkNames(Evaluate(plain, []probe.Result{res})); !reflect.DeepEqual(got, []string{CheckReachable}) {
		t.Errorf("plain target: checks %v", got)
	}
}

func TestCertDaysThresholds(t *testing.T) {
	cases := []struct {
		days, min, warn int
		want            Status
	}{
		{45, 21, 30, Pass},
		{30, 21, 30, Pass}, // "at least 30 days": 30 is enough
		{29, 21, 30, Warn},
		{21, 21, 30, Warn},
		{20, 21, 30, Fail},
		{0, 21, 30, Fail},
		{-3, 21, 0, Fail},
		{10, 0, 14, Warn},
		{10, 7, 0, Pass},
	}
	for _, c := range cases {
		tg := Target{Endpoint: imapsEP, CertMinDays: c.min, CertWarnDays: c.warn}
		r := findCheck(Evaluate(tg, []probe.Result{healthy("192.0.2.1", c.days)}), CheckCertDays)
		if r == nil || r.Status != c.want {
			t.Errorf("%d days, min %d, warn %d: %+v, want %s", c.days, c.min, c.warn, r, c.want)
			continue
		}
		if c.want != Pass && (r.Problem == nil || r.Problem.Explanation == "") {
			t.Errorf("%d days: no catalogue explanation: %+v", c.days, r)
		}
	}
}

func TestEarlierFailureBlocksLaterChecks(t *testing.T) {
	res := probe.Result{Endpoint: imapsEP, Address: "192.0.2.1", Status: probe.StatusFail, Problems: []probe.Problem{problem(catalog.ConnectRefused)}}
	tr := Evaluate(fullTarget(), []probe.Result{res})
	if tr.Status != Fail {
		t.Fatalf("status %s", tr.Status)
	}
	for _, c := range tr.Checks {
		if c.Status != Fail || c.Problem == nil || c.Problem.Code != catalog.ConnectRefused {
			t.Errorf("%s: %+v, want a failure explained by connect_refused", c.Check, c)
		}
		if c.Check != CheckReachable && !strings.Contains(c.Found, "not verified: Connection refused") {
			t.Errorf("%s: found %q", c.Check, c.Found)
		}
	}
	// A certificate failure blocks cert_days only when no certificate arrived.
	res = healthy("192.0.2.1", 45)
	res.Problems = []probe.Problem{problem(catalog.CertHostMismatch)}
	res.Auth = &probe.AuthResult{Problem: &probe.Problem{Code: catalog.AuthNotAttempted, Summary: "not sent"}}
	tr = Evaluate(fullTarget(), []probe.Result{res})
	for name, want := range map[string]Status{CheckReachable: Pass, CheckTLS: Fail, CheckCertDays: Pass, CheckLogin: Fail} {
		if c := findCheck(tr, name); c == nil || c.Status != want {
			t.Errorf("certificate for another name: %s = %+v, want %s", name, c, want)
		}
	}
}

// A login connection that fails (here: times out) fails the login check, not reachable.
func TestLoginConnectionFailureIsTheLogins(t *testing.T) {
	res := healthy("192.0.2.1", 45)
	pr := problem(catalog.ResponseTimeout)
	res.Auth = &probe.AuthResult{Tested: true, Mechanism: "PLAIN", User: "ci@example.com", Problem: &pr}
	res.Problems = append(res.Problems, pr)
	tr := Evaluate(fullTarget(), []probe.Result{res})
	if r := findCheck(tr, CheckReachable); r.Status != Pass {
		t.Errorf("reachable: %+v", r)
	}
	if r := findCheck(tr, CheckLogin); r.Status != Fail || r.Problem == nil || r.Problem.Code != catalog.ResponseTimeout {
		t.Errorf("login: %+v", r)
	}
}

func TestAddressesAreMerged(t *testing.T) {
	a, b := healthy("192.0.2.1", 45), healthy("2001:db8::1", 45)
	tr := Evaluate(fullTarget(), []probe.Result{a, b})
	if r := findCheck(tr, CheckReachable); r.Status != Pass || r.Found != "it answers at 192.0.2.1, 2001:db8::1" {
		t.Errorf("two working addresses: %+v", r)
	}
	if r := findCheck(tr, CheckLogin); r.Found != "accepted (PLAIN)" {
		t.Errorf("a shared finding is given once: %q", r.Found)
	}
	// One address fails the login: the check fails and names it.
	b.Auth = &probe.AuthResult{Tested: true, User: "ci@example.com", Problem: &probe.Problem{Code: catalog.AuthFailed, Summary: "refused"}}
	tr = Evaluate(fullTarget(), []probe.Result{a, b})
	if r := findCheck(tr, CheckLogin); r.Status != Fail || !strings.HasPrefix(r.Found, "at 2001:db8::1: ") {
		t.Errorf("login failing on one address: %+v", r)
	}
	// The probe's verdict on an IPv6 address that fails where IPv4 works: reachable warns, the rest
	// is judged on the working address.
	v6 := probe.Result{Endpoint: imapsEP, Address: "2001:db8::1", Status: probe.StatusWarn, Problems: []probe.Problem{problem(catalog.IPv6Unreachable)}}
	tr = Evaluate(fullTarget(), []probe.Result{a, v6})
	if tr.Status != Warn {
		t.Errorf("status %s, want warn: %+v", tr.Status, tr.Checks)
	}
	if r := findCheck(tr, CheckReachable); r.Status != Warn || !strings.HasPrefix(r.Found, "at 2001:db8::1: IPv6 fails where IPv4 works") {
		t.Errorf("reachable: %+v", r)
	}
}

func TestNoResultFails(t *testing.T) {
	tr := Evaluate(fullTarget(), nil)
	if tr.Status != Fail || len(tr.Checks) != 1 || tr.Checks[0].Check != CheckReachable {
		t.Errorf("%+v", tr)
	}
}

func TestAbsent(t *testing.T) {
	tg := Target{Endpoint: probe.Endpoint{Protocol: probe.POP3, Host: "mail.example.com", Port: 110, Security: probe.STARTTLS}, Expect: Absent}
	cases := []struct {
		res  probe.Result
		want Status
	}{
		{probe.Result{Address: "192.0.2.1", Problems: []probe.Problem{problem(catalog.ConnectRefused)}}, Pass},
		{probe.Result{Address: "192.0.2.1", Problems: []probe.Problem{problem(catalog.ConnectTimeout)}}, Pass},
		{probe.Result{Address: "192.0.2.1", Problems: []probe.Problem{problem(catalog.NetworkUnreachable)}}, Pass},
		{probe.Result{Address: "192.0.2.1", Greeting: "-ERR no service", Problems: []probe.Problem{problem(catalog.GreetingRejected)}}, Pass},
		{probe.Result{Address: "192.0.2.1", Greeting: "+OK ready", Problems: []probe.Problem{}}, Fail},
		{probe.Result{Address: "192.0.2.1", Problems: []probe.Problem{problem(catalog.TLSHandshake)}}, Fail},
		{probe.Result{Problems: []probe.Problem{problem(catalog.DNSServerFailure)}}, Fail},
	}
	for _, c := range cases {
		tr := Evaluate(tg, []probe.Result{c.res})
		if len(tr.Checks) != 1 || tr.Checks[0].Check != CheckAbsent || tr.Status != c.want {
			t.Errorf("%+v: %+v, want %s", c.res.Problems, tr.Checks, c.want)
		}
	}
}

// Every DNS failure means the absence cannot be told, dns_unreachable included: it was missing from the
// check's hand-kept list of DNS codes and read "something accepts connections" (issue 22).
func TestAbsentEveryDNSFailureCannotTell(t *testing.T) {
	tg := Target{Endpoint: probe.Endpoint{Protocol: probe.POP3, Host: "mail.example.com", Port: 110, Security: probe.STARTTLS}, Expect: Absent}
	for _, p := range catalog.Problems() {
		if p.Area != catalog.AreaDNS {
			continue
		}
		tr := Evaluate(tg, []probe.Result{{Problems: []probe.Problem{problem(p.Code)}}})
		if tr.Status != Fail || len(tr.Checks) != 1 || !strings.HasPrefix(tr.Checks[0].Found, "cannot tell: ") {
			t.Errorf("%s: %+v", p.Code, tr.Checks)
		}
	}
}

func TestSummarize(t *testing.T) {
	ok := Evaluate(fullTarget(), []probe.Result{healthy("192.0.2.1", 45)})
	warn := Evaluate(fullTarget(), []probe.Result{healthy("192.0.2.1", 25)})
	run := Summarize([]TargetResult{ok, warn}, 1500*time.Millisecond)
	if run.Status != Warn || run.Counts != (Counts{Pass: 11, Warn: 1}) || run.DurationMS != 1500 || run.SchemaVersion != SchemaVersion {
		t.Errorf("%+v", run)
	}
	if run := Summarize(nil, 0); run.Status != Pass || run.Targets == nil {
		t.Errorf("empty run: %+v", run)
	}
}

// A domain line of a bulk list (AnySettings): a setting without an expected URL passes when discovery
// recommends one and fails when it recommends none; an expected URL must still match.
func TestEvaluateDomainAnySettings(t *testing.T) {
	tg, err := Spec{Domain: "example.com", AnySettings: true}.Target(Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	in := &probe.Setting{Protocol: probe.IMAP, Server: "mail.example.com", Port: 993, Security: probe.TLS, Source: "srv"}
	rep := &probe.Report{Settings: probe.Settings{Incoming: in}}
	tr := EvaluateDomain(tg, rep)
	if tr.Status != Fail || len(tr.Checks) != 2 || tr.Checks[0].Status != Pass || tr.Checks[1].Status != Fail ||
		tr.Checks[1].Message != "expected a working outgoing setting; found no outgoing setting" {
		t.Errorf("incoming only: %+v", tr)
	}
	rep.Settings.Outgoing = &probe.Setting{Protocol: probe.SMTP, Server: "mail.example.com", Port: 465, Security: probe.TLS}
	if tr := EvaluateDomain(tg, rep); tr.Status != Pass {
		t.Errorf("both settings: %+v", tr)
	}
	tg, err = Spec{Domain: "example.com", Incoming: "imaps://imap.example.com", AnySettings: true}.Target(Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	if tr := EvaluateDomain(tg, rep); tr.Status != Fail || tr.Checks[0].Status != Fail || tr.Checks[1].Status != Pass {
		t.Errorf("expected incoming URL differs: %+v", tr)
	}
	if _, err := (Spec{Domain: "example.com"}).Target(Defaults{}); err == nil {
		t.Error("a config domain target without incoming and outgoing was accepted")
	}
}
