package check

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

const (
	ttl    = " 300 IN "
	ciUser = "ci@k.test"
	ciPW   = "ci password 42"
)

// checkWorld is a mail domain with a good host and one host per way an expectation can fail.
func checkWorld() sandbox.World {
	return sandbox.World{
		Domain: "k.test",
		Records: []string{
			"good.k.test." + ttl + "A 127.0.1.10",
			"expired.k.test." + ttl + "A 127.0.1.11",
			"plain.k.test." + ttl + "A 127.0.1.12",
			"open.k.test." + ttl + "A 127.0.1.13",
			"dual.k.test." + ttl + "A 127.0.1.14",
			"dual.k.test." + ttl + "AAAA 2001:db8::14",
			"old.k.test." + ttl + "A 127.0.1.15",
			"black.k.test." + ttl + "A 127.0.1.16",
			"mx.k.test." + ttl + "A 127.0.1.17",
			"nostls.k.test." + ttl + "A 127.0.1.18",
		},
		Services: []sandbox.Service{
			{IP: "127.0.1.10", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "127.0.1.10", Port: 143, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeSTARTTLS},
			{IP: "127.0.1.10", Port: 587, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS},
			{IP: "127.0.1.10", Port: 995, Proto: sandbox.ProtoPOP3, Mode: sandbox.ModeTLS},
			{IP: "127.0.1.10", Port: 110, Behavior: sandbox.BehaveRefuse},
			{IP: "127.0.1.11", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS, Cert: sandbox.CertExpired},
			{IP: "127.0.1.12", Port: 143, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeSTARTTLS, PlaintextAuth: true},
			{IP: "127.0.1.12", Port: 587, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS, PlaintextAuth: true},
			{IP: "127.0.1.13", Port: 110, Proto: sandbox.ProtoPOP3, Mode: sandbox.ModeSTARTTLS},
			{IP: "127.0.1.14", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "2001:db8::14", Behavior: sandbox.BehaveUnreachable},
			{IP: "127.0.1.15", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS, TLSMaxVersion: tls.VersionTLS11},
			// Gives up on its own clock, so the budget for the servers that answer stays generous.
			{IP: "127.0.1.16", Port: 110, Behavior: sandbox.BehaveBlackhole, GiveUpAfter: 300 * time.Millisecond},
			{IP: "127.0.1.17", Port: 25, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS},
			{IP: "127.0.1.18", Port: 143, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModePlain},
		},
		Users: map[string]string{ciUser: ciPW},
	}
}

func startWorld(t *testing.T) *sandbox.Sandbox { return sandboxtest.Start(t, checkWorld()) }

// probeTarget probes a target's endpoint in the sandbox, as `mailcheck check` does, and evaluates it.
func probeTarget(t *testing.T, sb *sandbox.Sandbox, tg Target, password string) TargetResult {
	t.Helper()
	cfg := probe.Config{
		// Budgets no busy machine exhausts: only the black hole, on its own clock, is meant to time out.
		Resolver: &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 30 * time.Second},
		Dialer:   sb,
		RootCAs:  sb.RootCAs,
		Timeout:  30 * time.Second,
	}
	if tg.Login {
		cfg.Credentials = &probe.Credentials{User: tg.User, Password: password}
	}
	rep := probe.NewProber(cfg).Run(context.Background(), probe.Request{Target: tg.Name, Endpoints: []probe.Endpoint{tg.Endpoint}})
	return Evaluate(tg, rep.Endpoints)
}

func mustTarget(t *testing.T, s Spec, d Defaults) Target {
	t.Helper()
	tg, err := s.Target(d)
	if err != nil {
		t.Fatalf("%+v: %v", s, err)
	}
	return tg
}

func findCheck(tr TargetResult, name string) *Result {
	for i := range tr.Checks {
		if tr.Checks[i].Check == name {
			return &tr.Checks[i]
		}
	}
	return nil
}

func intp(n int) *int { return &n }

// TestExpectationsInTheSandbox runs every expectation type against a server that meets it and one that
// does not, and checks the verdict, the catalogue problem attached to a failure, and the message.
func TestExpectationsInTheSandbox(t *testing.T) {
	sb := startWorld(t)
	cases := []struct {
		name     string
		spec     Spec
		defaults Defaults
		password string
		check    string
		want     Status
		code     string // problem code expected on a warning or failure ("" for none)
		found    string // part of the finding
	}{
		{"reachable pass", Spec{Endpoint: "imaps://good.k.test"}, Defaults{}, "", CheckReachable, Pass, "", "it answers at 127.0.1.10"},
		{"reachable fail: refused", Spec{Endpoint: "pop3://good.k.test"}, Defaults{}, "", CheckReachable, Fail, catalog.ConnectRefused, "Connection refused"},
		{"reachable fail: no such host", Spec{Endpoint: "imaps://nope.k.test"}, Defaults{}, "", CheckReachable, Fail, catalog.DNSNotFound, "Server name not found"},
		{"reachable warn: IPv6 broken", Spec{Endpoint: "imaps://dual.k.test"}, Defaults{}, "", CheckReachable, Warn, catalog.IPv6Unreachable, "at 2001:db8::14: "},
		{"tls pass: implicit", Spec{Endpoint: "imaps://good.k.test"}, Defaults{}, "", CheckTLS, Pass, "", "certificate trusted and valid for good.k.test"},
		{"tls pass: STARTTLS", Spec{Endpoint: "submission://good.k.test"}, Defaults{}, "", CheckTLS, Pass, "", "STARTTLS to TLS 1.3"},
		{"tls fail: expired", Spec{Endpoint: "imaps://expired.k.test"}, Defaults{}, "", CheckTLS, Fail, catalog.CertExpired, "Certificate expired"},
		{"tls fail: old version", Spec{Endpoint: "imaps://old.k.test"}, Defaults{}, "", CheckTLS, Fail, catalog.TLSVersionOld, "TLS 1.1"},
		{"tls fail: no STARTTLS", Spec{Endpoint: "imap://nostls.k.test"}, Defaults{}, "", CheckTLS, Fail, catalog.STARTTLSNotOffered, "does not offer STARTTLS"},
		{"cert_days pass", Spec{Endpoint: "imaps://good.k.test", CertMinDays: intp(21)}, Defaults{}, "", CheckCertDays, Pass, "", "89 days left"},
		{"cert_days warn", Spec{Endpoint: "imaps://good.k.test"}, Defaults{CertMinDays: 21, CertWarnDays: 100}, "", CheckCertDays, Warn, catalog.CertExpiringSoon, "89 days left"},
		{"cert_days fail", Spec{Endpoint: "imaps://good.k.test", CertMinDays: intp(95)}, Defaults{}, "", CheckCertDays, Fail, catalog.CertExpiringSoon, "89 days left"},
		{"cert_days fail: expired", Spec{Endpoint: "imaps://expired.k.test", CertMinDays: intp(7)}, Defaults{}, "", CheckCertDays, Fail, catalog.CertExpired, "expired 1 day ago"},
		{"plaintext_login refused pass", Spec{Endpoint: "imap://good.k.test", PlaintextLogin: "refused"}, Defaults{}, "", CheckPlaintextLogin, Pass, "", "refused (capabilities before TLS:"},
		{"plaintext_login refused pass: implicit TLS", Spec{Endpoint: "imaps://good.k.test", PlaintextLogin: "refused"}, Defaults{}, "", CheckPlaintextLogin, Pass, "", "no unencrypted phase: SSL/TLS from the first byte"},
		{"plaintext_login refused fail", Spec{Endpoint: "imap://plain.k.test", PlaintextLogin: "refused"}, Defaults{}, "", CheckPlaintextLogin, Fail, catalog.PlaintextAuth, "offered"},
		{"plaintext_login refused fail: SMTP", Spec{Endpoint: "submission://plain.k.test", PlaintextLogin: "refused"}, Defaults{}, "", CheckPlaintextLogin, Fail, catalog.PlaintextAuth, "AUTH PLAIN LOGIN"},
		{"plaintext_login offered fail", Spec{Endpoint: "submission://good.k.test", PlaintextLogin: "offered"}, Defaults{}, "", CheckPlaintextLogin, Fail, catalog.AuthPlaintextRefused, "refused"},
		{"auth_mechanisms pass", Spec{Endpoint: "submission://good.k.test", AuthMechanisms: []string{"plain"}}, Defaults{}, "", CheckAuthMechanisms, Pass, "", "offered: PLAIN LOGIN"},
		{"auth_mechanisms fail", Spec{Endpoint: "submission://good.k.test", AuthMechanisms: []string{"PLAIN", "CRAM-MD5"}}, Defaults{}, "", CheckAuthMechanisms, Fail, catalog.AuthMechanism, "missing CRAM-MD5"},
		{"auth_mechanisms fail: MX", Spec{Endpoint: "smtp://mx.k.test", AuthMechanisms: []string{"PLAIN"}}, Defaults{}, "", CheckAuthMechanisms, Fail, catalog.NoAuthMechanism, "no login method offered"},
		{"login pass: IMAP", Spec{Endpoint: "imaps://good.k.test", Login: true, User: ciUser}, Defaults{}, ciPW, CheckLogin, Pass, "", "accepted (PLAIN)"},
		{"login pass: SMTP", Spec{Endpoint: "submission://good.k.test", Login: true, User: ciUser}, Defaults{}, ciPW, CheckLogin, Pass, "", "accepted"},
		{"login pass: POP3", Spec{Endpoint: "pop3s://good.k.test", Login: true, User: ciUser}, Defaults{}, ciPW, CheckLogin, Pass, "", "accepted"},
		{"login fail: wrong password", Spec{Endpoint: "imaps://good.k.test", Login: true, User: ciUser}, Defaults{}, "wrong", CheckLogin, Fail, catalog.AuthFailed, "User name or password rejected"},
		{"login fail: bad certificate", Spec{Endpoint: "imaps://expired.k.test", Login: true, User: ciUser}, Defaults{}, ciPW, CheckLogin, Fail, catalog.AuthNotAttempted, "Login not tested: the password was not sent"},
		{"login fail: unreachable", Spec{Endpoint: "pop3://good.k.test", Login: true, User: ciUser}, Defaults{}, ciPW, CheckLogin, Fail, catalog.ConnectRefused, "not verified: Connection refused"},
		{"absent pass: refused", Spec{Endpoint: "pop3://good.k.test", Expect: Absent}, Defaults{}, "", CheckAbsent, Pass, "", "connection refused at 127.0.1.10"},
		{"absent pass: filtered", Spec{Endpoint: "pop3://black.k.test", Expect: Absent}, Defaults{}, "", CheckAbsent, Pass, "", "no answer (filtered)"},
		{"absent fail: a server answers", Spec{Endpoint: "pop3://open.k.test", Expect: Absent}, Defaults{}, "", CheckAbsent, Fail, "", "a POP3 server answers at 127.0.1.13"},
		{"absent fail: no such host", Spec{Endpoint: "pop3://nope.k.test", Expect: Absent}, Defaults{}, "", CheckAbsent, Fail, catalog.DNSNotFound, "cannot tell"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tg := mustTarget(t, c.spec, c.defaults)
			tr := probeTarget(t, sb, tg, c.password)
			r := findCheck(tr, c.check)
			if r == nil {
				t.Fatalf("no %s check among %+v", c.check, tr.Checks)
			}
			if r.Status != c.want {
				t.Errorf("status %s, want %s: %s", r.Status, c.want, r.Message)
			}
			gotCode := ""
			if r.Problem != nil {
				gotCode = r.Problem.Code
				if r.Problem.Explanation == "" || r.Problem.Fix == "" {
					t.Errorf("problem %s without the catalogue's explanation and fix", gotCode)
				}
			}
			if c.want != Pass && gotCode != c.code {
				t.Errorf("problem %q, want %q: %s", gotCode, c.code, r.Message)
			}
			if !strings.Contains(r.Found, c.found) {
				t.Errorf("found %q, want it to contain %q", r.Found, c.found)
			}
			if !strings.HasPrefix(r.Message, "expected "+r.Expected+"; found ") {
				t.Errorf("message %q does not say what was expected and what was found", r.Message)
			}
			if tr.Status != worstOf(tr.Checks) {
				t.Errorf("target status %s is not the worst of its checks", tr.Status)
			}
		})
	}
}

func worstOf(rs []Result) Status {
	st := Pass
	for _, r := range rs {
		st = Worse(st, r.Status)
	}
	return st
}

// The password must never reach a target that does not ask for a login, nor any result.
func TestPasswordOnlyWhereAsked(t *testing.T) {
	sb := startWorld(t)
	tg := mustTarget(t, Spec{Endpoint: "imaps://good.k.test"}, Defaults{})
	tr := probeTarget(t, sb, tg, ciPW)
	if findCheck(tr, CheckLogin) != nil {
		t.Errorf("a login check without login = true: %+v", tr.Checks)
	}
	tg = mustTarget(t, Spec{Endpoint: "imaps://good.k.test", Login: true, User: ciUser}, Defaults{})
	tr = probeTarget(t, sb, tg, "wrong-"+ciPW)
	for _, c := range tr.Checks {
		if strings.Contains(c.Message, ciPW) || (c.Problem != nil && strings.Contains(c.Problem.Summary+c.Problem.Detail, ciPW)) {
			t.Errorf("the password appears in %s: %+v", c.Check, c)
		}
	}
}
