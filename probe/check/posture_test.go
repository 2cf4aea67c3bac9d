package check

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

// The demo domain publishes SPF "mx -all", DMARC p=none, MTA-STS enforce and no TLS-RPT record.
func TestPostureAssertions(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	p := probe.NewProber(probe.Config{Resolver: &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: time.Minute},
		Dialer: sb, RootCAs: sb.RootCAs, Timeout: time.Minute})
	tgt, err := Spec{Domain: "sandbox.test", SPF: "pass", SendingIP: "127.0.0.6", DMARCPolicy: "quarantine",
		MTASTS: "enforce", TLSRPT: true, ReverseDNS: true, Blocklists: true, DANE: true}.Target(Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := Probe(context.Background(), p, tgt)
	want := map[string]Status{CheckSPF: Pass, CheckDMARCPolicy: Fail, CheckMTASTS: Pass, CheckTLSRPT: Fail,
		CheckReverseDNS: Pass, CheckBlocklists: Warn, CheckDANE: Fail} // the demo's MX has no TLSA record
	got := map[string]Status{}
	for _, r := range tr.Checks {
		got[r.Check] = r.Status
		if r.Check == CheckDMARCPolicy && !strings.Contains(r.Message, "found warn none") {
			t.Errorf("dmarc_policy message %q does not say what is published", r.Message)
		}
		if r.Check == CheckTLSRPT && !strings.Contains(r.Message, `_smtp._tls.sandbox.test. TXT "v=TLSRPTv1`) {
			t.Errorf("tls_rpt message %q does not give the record to publish", r.Message)
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s (%+v)", k, got[k], v, tr.Checks)
		}
	}
	if tr.Status != Fail {
		t.Errorf("target status %s, want fail", tr.Status)
	}
}

func TestPostureKeysValidate(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		key  string
	}{
		{Spec{Domain: "example.com", SPF: "pass"}, "spf"},
		{Spec{Domain: "example.com", SPF: "ok"}, "spf"},
		{Spec{Domain: "example.com", DMARCPolicy: "strict"}, "dmarc_policy"},
		{Spec{Domain: "example.com", MTASTS: "none"}, "mta_sts"},
		{Spec{Domain: "example.com", SendingIP: "mail.example.com"}, "sending_ip"},
		{Spec{Domain: "example.com", DKIMSelector: "a b"}, "dkim_selector"},
		{Spec{Domain: "example.com", Blocklists: true}, "blocklists"},
		{Spec{DMARCPolicy: "reject"}, "domain"},
		{Spec{Endpoint: "imaps://mail.example.com", DMARCPolicy: "reject"}, "domain"},
	} {
		_, err := tc.spec.Target(Defaults{})
		fe, ok := err.(*FieldError)
		if !ok || fe.Key != tc.key {
			t.Errorf("%+v: %v, want an error about %s", tc.spec, err, tc.key)
		}
	}
	if _, err := (Spec{Domain: "example.com", DMARCPolicy: "reject"}).Target(Defaults{}); err != nil {
		t.Errorf("a domain target with only a posture assertion: %v", err)
	}
}
