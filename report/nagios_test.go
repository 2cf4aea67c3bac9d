package report

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/check"
)

func intp(n int) *int { return &n }

func checkProblem(code string) *probe.Problem {
	e, _ := catalog.Lookup(code)
	return &probe.Problem{Code: code, Severity: e.Severity, Summary: "summary of " + code, Explanation: e.Explanation, Fix: e.Fix}
}

func result(name string, st check.Status, found string, p *probe.Problem) check.Result {
	return check.Result{Check: name, Status: st, Expected: "x", Found: found, Message: "expected x; found " + found, Problem: p, TimeMS: 1.5}
}

// sampleRun has a passing, a warning and a failing target, two on one endpoint.
func sampleRun() *check.Run {
	targets := []check.TargetResult{
		{Index: 0, Name: "IMAP", Endpoint: "imaps://mail.example.com:993", Expect: check.Present, Status: check.Pass, TimeMS: 123.4,
			CertDaysLeft: intp(45), CertWarnDays: 30, CertMinDays: 21, Checks: []check.Result{
				result(check.CheckReachable, check.Pass, "it answers at 192.0.2.1", nil),
				result(check.CheckCertDays, check.Pass, "45 days left", nil),
			}},
		{Index: 1, Name: "IMAP | second user", Endpoint: "imaps://mail.example.com:993", Expect: check.Present, Status: check.Warn, TimeMS: 2000,
			CertDaysLeft: intp(10), CertWarnDays: 30, Checks: []check.Result{
				result(check.CheckCertDays, check.Warn, "10 days left", checkProblem(catalog.CertExpiringSoon)),
			}},
		{Index: 2, Name: "no POP3", Endpoint: "pop3://mail.example.com:110", Expect: check.Absent, Status: check.Fail, TimeMS: 0.5, Checks: []check.Result{
			result(check.CheckAbsent, check.Fail, "a POP3 server answers at 192.0.2.1\nwith a second line", nil),
		}},
	}
	return check.Summarize(targets, 0)
}

// Performance data as the Monitoring Plugins Development Guidelines define it:
// 'label'=value[UOM];[warn];[crit];[min];[max], trailing empty fields dropped.
var rePerf = regexp.MustCompile(`^'[^'=]+'=-?[0-9.]+(s|%|B|KB|MB|TB|c)?(;[0-9:~@.]*){0,4}$`)

func TestNagiosOutput(t *testing.T) {
	var b strings.Builder
	if err := Nagios(&b, sampleRun()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	status, perf, ok := strings.Cut(lines[0], "|")
	if !ok || strings.Count(lines[0], "|") != 1 {
		t.Fatalf("line one needs exactly one |: %q", lines[0])
	}
	if !strings.HasPrefix(status, "MAILCHECK CRITICAL - 1 of 4 checks failed: no POP3 absent: a POP3 server answers at 192.0.2.1 with a second line; 1 warn") {
		t.Errorf("status %q", status)
	}
	want := []string{
		"'imaps_mail.example.com_993_time'=0.123s;;;0",
		"'imaps_mail.example.com_993_cert_days'=45;30:;21:",
		"'imaps_mail.example.com_993_2_time'=2.000s;;;0",
		"'imaps_mail.example.com_993_2_cert_days'=10;30:",
		"'pop3_mail.example.com_110_time'=0.001s;;;0",
	}
	got := strings.Fields(perf)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("perfdata\n%v\nwant\n%v", got, want)
	}
	for _, p := range got {
		if !rePerf.MatchString(p) {
			t.Errorf("%q is not Guidelines performance data", p)
		}
	}
	if len(lines) != 1+4 {
		t.Fatalf("want one long-output line per check:\n%s", b.String())
	}
	for i, prefix := range []string{"[OK] IMAP reachable: ", "[OK] IMAP cert_days: ", "[WARNING] IMAP / second user cert_days: ", "[CRITICAL] no POP3 absent: "} {
		if !strings.HasPrefix(lines[i+1], prefix) {
			t.Errorf("line %d %q, want prefix %q", i+2, lines[i+1], prefix)
		}
	}
	if strings.Contains(strings.Join(lines[1:], "\n"), "|") {
		t.Errorf("a | in the long output would be read as performance data")
	}
}

func TestNagiosStates(t *testing.T) {
	for st, want := range map[check.Status]int{check.Pass: NagiosOK, check.Warn: NagiosWarning, check.Fail: NagiosCritical} {
		if got := NagiosState(st); got != want {
			t.Errorf("%s: %d, want %d", st, got, want)
		}
	}
	run := sampleRun()
	run.Targets = run.Targets[:2]
	run = check.Summarize(run.Targets, 0)
	var b strings.Builder
	_ = Nagios(&b, run)
	if !strings.HasPrefix(b.String(), "MAILCHECK WARNING - 1 of 3 checks warn: IMAP / second user cert_days: 10 days left|") {
		t.Errorf("warning: %q", b.String())
	}
	run = check.Summarize(run.Targets[:1], 0)
	b.Reset()
	_ = Nagios(&b, run)
	if !strings.HasPrefix(b.String(), "MAILCHECK OK - 2 checks passed on 1 target|") {
		t.Errorf("ok: %q", b.String())
	}
	b.Reset()
	_ = NagiosUnknownLine(&b, "config.toml:3: target #1: unknown key \"x\" | y\nz")
	if b.String() != "MAILCHECK UNKNOWN - config.toml:3: target #1: unknown key \"x\" / y z\n" {
		t.Errorf("unknown: %q", b.String())
	}
}
