package cmd

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDemoPostureText(t *testing.T) {
	code, out, errOut := run(t, nil, append([]string{"demo", "--posture", "--sending-ip", "127.0.0.6"}, answeringBudgets...)...)
	if code != ExitOK {
		t.Fatalf("exit = %d, stderr %s", code, errOut)
	}
	_, section, ok := strings.Cut(out, "Mail posture of sandbox.test")
	if !ok {
		t.Fatalf("no posture section:\n%s", out)
	}
	for _, want := range []string{
		"OK      SPF          127.0.0.6 passes SPF for sandbox.test by mx",
		"WARN    DMARC        DMARC policy none",
		"OK      MTA-STS      policy enforce",
		`→ publish _smtp._tls.sandbox.test. TXT "v=TLSRPTv1; rua=mailto:tls-reports@sandbox.test"`,
		"OK      Reverse DNS  127.0.0.6 is mx.sandbox.test",
		// The sandbox's resolver answers REFUSED for the public lists: could not check, never listed.
		"UNKNOWN Blocklists", "this is not a listing",
	} {
		if !strings.Contains(section, want) {
			t.Errorf("posture section lacks %q:\n%s", want, section)
		}
	}
}

func TestDemoPostureJSON(t *testing.T) {
	code, out, errOut := run(t, nil, append([]string{"demo", "--posture", "--json"}, answeringBudgets...)...)
	if code != ExitOK {
		t.Fatalf("exit = %d, stderr %s", code, errOut)
	}
	var rep struct {
		Status  string `json:"status"`
		Posture struct {
			Domain string `json:"domain"`
			Checks []struct {
				Check, Verdict, Value, Meaning string
				Instructions                   []string
			} `json:"checks"`
		} `json:"posture"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, c := range rep.Posture.Checks {
		got[c.Check] = c.Verdict + " " + c.Value
	}
	want := map[string]string{"spf": "ok valid", "dmarc": "warn none", "mta_sts": "ok enforce", "tls_rpt": "absent ", "dane": "absent "}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if rep.Status == "" || rep.Posture.Domain != "sandbox.test" {
		t.Errorf("the probe report and the posture section are not both there: %s", out)
	}
}

func TestPostureUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"probe", "--sending-ip", "192.0.2.1", "example.com"}, "go with --posture"},
		{[]string{"probe", "--posture", "--sending-ip", "not-an-ip", "example.com"}, "not an IP address"},
		{[]string{"probe", "--posture", "--dkim-selector", "a b", "example.com"}, "not a DKIM selector"},
		{[]string{"probe", "--posture", "--format", "markdown", "example.com"}, "--format markdown does not apply"},
		{[]string{"probe", "--posture", "imaps://mail.example.com"}, "give an address or a domain"},
		{[]string{"check", "--dmarc-policy", "reject", "imaps://mail.example.com"}, "apply only to the domain lines of --from-file"},
		{[]string{"check", "--from-file", "/dev/null", "--dmarc-policy", "strict"}, `--dmarc-policy: must be "none", "quarantine" or "reject"`},
		{[]string{"check", "--from-file", "/dev/null", "--spf", "pass"}, `--spf: "pass" needs sending_ip`},
	} {
		code, out, errOut := run(t, nil, tc.args...)
		if code != ExitUsage || !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q (stdout %q), want exit %d and one line with %q", tc.args, code, errOut, out, ExitUsage, tc.want)
		}
	}
}
