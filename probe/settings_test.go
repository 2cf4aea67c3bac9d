package probe

import (
	"context"
	"testing"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/sandbox"
)

// candidate is a working endpoint with a verified certificate, as chooseSettings sees it after a run.
func candidate(proto Protocol, host string, port int, sec Security, source string, order ...int) Result {
	r := Result{Endpoint: Endpoint{Protocol: proto, Host: host, Port: port, Security: sec}, Address: "192.0.2.1",
		Source: source, Sources: []string{source}, Status: StatusOK, TLS: &TLSInfo{Verified: true}, Problems: []Problem{}}
	if proto == SMTP {
		r.AuthMechanisms = []string{"PLAIN"}
	}
	copy(r.order[:], order)
	return r
}

func withWarning(r Result) Result {
	r.Problems = append(r.Problems, newProblem(catalog.CertExpiringSoon, "the certificate expires soon", ""))
	r.Status = StatusWarn
	return r
}

func withAuth(r Result, a AuthResult) Result {
	r.Auth = &a
	if a.Problem != nil && a.Tested {
		r.Problems = append(r.Problems, *a.Problem)
		r.Status = statusOf(r.Problems)
	}
	return r
}

// TestSettingsRanking has one case per rule of chooseSettings; each lists the candidates in an order
// where the wrong rule would pick another one.
func TestSettingsRanking(t *testing.T) {
	refused := newProblem(catalog.AuthFailed, "refused", "")
	cases := []struct {
		name       string
		candidates []Result
		want       string // host:port of the chosen setting
		source     string
	}{
		{"SRV 587 beats an MX answering on 465", []Result{
			candidate(SMTP, "mx.d.test", 465, TLS, SourceMX, 10),
			candidate(SMTP, "smtp.d.test", 587, STARTTLS, SourceSRV),
		}, "smtp.d.test:587", SourceSRV},
		{"a guessed name beats the MX on the same port", []Result{
			candidate(IMAP, "mx.d.test", 993, TLS, SourceMX, 10),
			candidate(IMAP, "imap.d.test", 993, TLS, SourceGuess),
		}, "imap.d.test:993", SourceGuess},
		{"a guessed STARTTLS port beats the MX's SSL/TLS port", []Result{
			candidate(SMTP, "mx.d.test", 465, TLS, SourceMX, 10),
			candidate(SMTP, "smtp.d.test", 587, STARTTLS, SourceGuess),
		}, "smtp.d.test:587", SourceGuess},
		{"SRV beats a guess", []Result{
			candidate(IMAP, "imap.d.test", 993, TLS, SourceGuess),
			candidate(IMAP, "mbox.provider.test", 143, STARTTLS, SourceSRV),
		}, "mbox.provider.test:143", SourceSRV},
		{"autoconfig beats SRV", []Result{
			candidate(IMAP, "srv.provider.test", 993, TLS, SourceSRV),
			candidate(IMAP, "ac.provider.test", 143, STARTTLS, SourceAutoconfig, 3),
		}, "ac.provider.test:143", SourceAutoconfig},
		{"explicit beats autoconfig", []Result{
			candidate(IMAP, "ac.provider.test", 993, TLS, SourceAutoconfig, 0),
			candidate(IMAP, "typed.test", 143, STARTTLS, SourceExplicit, 1),
		}, "typed.test:143", SourceExplicit},
		{"the autoconfig file's order", []Result{
			candidate(SMTP, "second.provider.test", 465, TLS, SourceAutoconfig, 2),
			candidate(SMTP, "first.provider.test", 587, STARTTLS, SourceAutoconfig, 1),
		}, "first.provider.test:587", SourceAutoconfig},
		{"SRV priority", []Result{
			candidate(IMAP, "backup.provider.test", 993, TLS, SourceSRV, 20, 65535-1),
			candidate(IMAP, "main.provider.test", 993, TLS, SourceSRV, 10, 65535-1),
		}, "main.provider.test:993", SourceSRV},
		{"SRV weight within one priority", []Result{
			candidate(IMAP, "light.provider.test", 993, TLS, SourceSRV, 10, 65535-10),
			candidate(IMAP, "heavy.provider.test", 993, TLS, SourceSRV, 10, 65535-60),
		}, "heavy.provider.test:993", SourceSRV},
		{"SRV: _submissions when both are published (RFC 8314), whatever the priorities", []Result{
			candidate(SMTP, "smtp.provider.test", 587, STARTTLS, SourceSRV, 0, 65535),
			candidate(SMTP, "smtp.provider.test", 465, TLS, SourceSRV, 10, 65535),
		}, "smtp.provider.test:465", SourceSRV},
		{"a published endpoint with a warning beats a guess without one", []Result{
			candidate(SMTP, "smtp.d.test", 465, TLS, SourceGuess),
			withWarning(candidate(SMTP, "out.provider.test", 587, STARTTLS, SourceSRV)),
		}, "out.provider.test:587", SourceSRV},
		{"inside a source, no warning beats a warning", []Result{
			withWarning(candidate(IMAP, "a.provider.test", 993, TLS, SourceSRV, 10, 65535)),
			candidate(IMAP, "b.provider.test", 993, TLS, SourceSRV, 10, 65535),
		}, "b.provider.test:993", SourceSRV},
		{"inside a source, security before warnings", []Result{
			candidate(IMAP, "imap.d.test", 143, STARTTLS, SourceGuess),
			withWarning(candidate(IMAP, "imap.d.test", 993, TLS, SourceGuess)),
		}, "imap.d.test:993", SourceGuess},
		{"inside a source, SSL/TLS beats STARTTLS", []Result{
			candidate(IMAP, "imap.d.test", 143, STARTTLS, SourceGuess),
			candidate(IMAP, "imap.d.test", 993, TLS, SourceGuess),
		}, "imap.d.test:993", SourceGuess},
		{"IMAP before POP3, even untested against a verified POP3 login", []Result{
			withAuth(candidate(POP3, "pop.d.test", 995, TLS, SourceGuess), AuthResult{Tested: true, OK: true}),
			withAuth(candidate(IMAP, "imap.d.test", 993, TLS, SourceGuess), AuthResult{Problem: &Problem{Code: catalog.AuthNotAttempted}}),
		}, "imap.d.test:993", SourceGuess},
		{"a refused login ranks below one not refused", []Result{
			withAuth(candidate(IMAP, "imap.d.test", 993, TLS, SourceGuess), AuthResult{Tested: true, Problem: &refused}),
			candidate(POP3, "pop.d.test", 995, TLS, SourceGuess),
		}, "pop.d.test:995", SourceGuess},
		{"a refused login still beats a worse source", []Result{
			candidate(IMAP, "mx.d.test", 993, TLS, SourceMX),
			withAuth(candidate(IMAP, "imap.d.test", 993, TLS, SourceGuess), AuthResult{Tested: true, Problem: &refused}),
		}, "imap.d.test:993", SourceGuess},
		{"Thunderbird's guess order: imap. before mail. before the domain", []Result{
			candidate(IMAP, "d.test", 993, TLS, SourceGuess),
			candidate(IMAP, "mail.d.test", 993, TLS, SourceGuess),
			candidate(IMAP, "imap.d.test", 993, TLS, SourceGuess),
		}, "imap.d.test:993", SourceGuess},
		{"MX preference", []Result{
			candidate(SMTP, "mx2.d.test", 465, TLS, SourceMX, 20),
			candidate(SMTP, "mx1.d.test", 465, TLS, SourceMX, 10),
		}, "mx1.d.test:465", SourceMX},
		{"the MX when nothing else works", []Result{
			candidate(SMTP, "mx.d.test", 465, TLS, SourceMX, 10),
		}, "mx.d.test:465", SourceMX},
		{"port 25 last inside a source", []Result{
			candidate(SMTP, "mail.d.test", 25, STARTTLS, SourceGuess),
			candidate(SMTP, "mail.d.test", 587, STARTTLS, SourceGuess),
		}, "mail.d.test:587", SourceGuess},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := chooseSettings(tc.candidates, "")
			got := s.Incoming
			if tc.candidates[0].Protocol == SMTP {
				got = s.Outgoing
			}
			if got == nil {
				t.Fatalf("no setting chosen, want %s", tc.want)
			}
			if hp := got.Server + ":" + itoa(got.Port); hp != tc.want || got.Source != tc.source {
				t.Errorf("chose %s (source %s), want %s (source %s)", hp, got.Source, tc.want, tc.source)
			}
		})
	}
}

// TestDiscoveryPrefersPublishedOverMX is the common layout where the MX machine also answers on the client
// ports: what SRV publishes (and what a client guesses) wins over the inbound relay.
func TestDiscoveryPrefersPublishedOverMX(t *testing.T) {
	_, p := world(t, sandbox.World{
		Domain: "s.test",
		Records: []string{
			"s.test." + ttl + "MX 10 mx.s.test.",
			"_submission._tcp.s.test." + ttl + "SRV 0 1 587 smtp.s.test.",
			"smtp.s.test." + ttl + "A 127.0.0.120",
			"mx.s.test." + ttl + "A 127.0.0.121",
			"imap.s.test." + ttl + "A 127.0.0.122",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.120", Port: 587, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS},
			{IP: "127.0.0.121", Port: 25, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS},
			{IP: "127.0.0.121", Port: 465, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeTLS},
			{IP: "127.0.0.121", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "127.0.0.122", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
		},
	}, nil)
	rep := p.Run(context.Background(), Request{Target: "s.test", Domain: "s.test"})
	if out := rep.Settings.Outgoing; out == nil || out.Server != "smtp.s.test" || out.Port != 587 || out.Source != SourceSRV {
		t.Errorf("outgoing %+v, want smtp.s.test:587 published in SRV", out)
	}
	if in := rep.Settings.Incoming; in == nil || in.Server != "imap.s.test" || in.Port != 993 || in.Source != SourceGuess {
		t.Errorf("incoming %+v, want the guessed imap.s.test:993, not the MX", in)
	}
}

// TestEverySourceKept: an endpoint two sources name keeps both; trust takes any trusted one, the rank the
// most authoritative.
func TestEverySourceKept(t *testing.T) {
	var os origins
	os = os.add(origin{source: SourceSRV, order: [2]int{10, 65535}})
	os = os.add(origin{source: SourceAutoconfig, order: [2]int{2}})
	os = os.add(origin{source: SourceSRV, order: [2]int{0, 65535}})
	os = os.add(origin{source: SourceAutoconfig, order: [2]int{5}})
	if got := os.names(); len(got) != 2 || got[0] != SourceAutoconfig || got[1] != SourceSRV {
		t.Errorf("sources %v, want [autoconfig srv]", got)
	}
	if b := os.best(); b.source != SourceAutoconfig || b.order[0] != 2 {
		t.Errorf("best origin %+v, want autoconfig at position 2", b)
	}
	ep := Endpoint{Protocol: IMAP, Host: "imap.provider.test", Port: 993, Security: TLS}
	if !MayReceiveSecrets("d.test", ep, os.names(), nil) {
		t.Error("a provider host listed by the HTTPS autoconfig file is not trusted because SRV also names it")
	}
	if MayReceiveSecrets("d.test", ep, []string{SourceSRV}, nil) {
		t.Error("a provider host found only through SRV is trusted with the password")
	}
}

// TestIPv6FailureAfterConnect: only a failed connect falls back to IPv4 (RFC 8305). A certificate error on
// the IPv6 address is what a device on IPv6 sees, so it stays a certificate error and fails the endpoint;
// an IPv6 address that cannot be connected to is the warning ipv6_unreachable.
func TestIPv6FailureAfterConnect(t *testing.T) {
	_, p := world(t, sandbox.World{
		Domain: "six.test",
		Records: []string{
			"imap.six.test." + ttl + "A 127.0.0.130", "imap.six.test." + ttl + "AAAA 2001:db8::130",
			"smtp.six.test." + ttl + "A 127.0.0.131", "smtp.six.test." + ttl + "AAAA 2001:db8::131",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.130", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "2001:db8::130", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS, Cert: sandbox.CertExpired},
			{IP: "127.0.0.131", Port: 465, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeTLS},
			{IP: "2001:db8::131", Port: 0, Behavior: sandbox.BehaveUnreachable},
		},
	}, nil)
	rep := p.Run(context.Background(), Request{Target: "six.test", Domain: "six.test"})
	for _, e := range find(rep, IMAP, "imap.six.test", 993) {
		if isIPv4(e.Address) {
			continue
		}
		if e.Status != StatusFail || !hasProblem(e, catalog.CertExpired) || hasProblem(e, catalog.IPv6Unreachable) {
			t.Errorf("IPv6 %s: status %s, problems %v; want fail with cert_expired", e.Address, e.Status, problemCodes(e))
		}
	}
	if in := rep.Settings.Incoming; in != nil {
		t.Errorf("incoming %+v: an endpoint whose IPv6 certificate has expired is recommended", in)
	}
	for _, e := range find(rep, SMTP, "smtp.six.test", 465) {
		if !isIPv4(e.Address) && (e.Status != StatusWarn || !hasProblem(e, catalog.IPv6Unreachable)) {
			t.Errorf("IPv6 %s: status %s, problems %v; want the warning ipv6_unreachable", e.Address, e.Status, problemCodes(e))
		}
	}
	if out := rep.Settings.Outgoing; out == nil || out.Server != "smtp.six.test" {
		t.Errorf("outgoing %+v, want smtp.six.test (IPv6 unreachable, IPv4 works)", out)
	}
}

// TestCertificateNameOffered: shared hosting, where mail.h.test answers with the certificate of the
// hosting server's own name. That name is probed too and offered, labelled as the certificate's name.
func TestCertificateNameOffered(t *testing.T) {
	_, p := world(t, sandbox.World{
		Domain: "h.test",
		Records: []string{
			"mail.h.test." + ttl + "A 127.0.0.140",
			"server1.h.test." + ttl + "A 127.0.0.141",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.140", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS, Cert: sandbox.CertWrongHost, CertHost: "server1.h.test"},
			{IP: "127.0.0.141", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
		},
	}, nil)
	rep := p.Run(context.Background(), Request{Target: "h.test", Domain: "h.test"})
	for _, e := range find(rep, IMAP, "mail.h.test", 993) {
		if !hasProblem(e, catalog.CertHostMismatch) {
			t.Errorf("mail.h.test: problems %v, want cert_hostname_mismatch", problemCodes(e))
		}
	}
	if rs := find(rep, IMAP, "server1.h.test", 993); len(rs) != 1 || rs[0].Source != SourceCertName || rs[0].Status != StatusOK {
		t.Errorf("the certificate's name was not probed: %+v", rs)
	}
	if in := rep.Settings.Incoming; in == nil || in.Server != "server1.h.test" || in.Source != SourceCertName {
		t.Errorf("incoming %+v, want server1.h.test, the name on the certificate", in)
	}
}

// TestUnoffered: probe decides which endpoints a reader need not see (Result.Unoffered); report/ only reads
// the flag. A refused port is a finding when the user or an SRV record named it.
func TestUnoffered(t *testing.T) {
	refused := newProblem(catalog.ConnectRefused, "refused", "")
	ep := Endpoint{Protocol: POP3, Host: "pop.example.com", Port: 110, Security: STARTTLS}
	for _, tc := range []struct {
		name     string
		source   string
		problems []Problem
		want     bool
	}{
		{"guessed, refused", SourceGuess, []Problem{refused}, true},
		{"autoconfig, refused", SourceAutoconfig, []Problem{refused}, true},
		{"typed, refused", SourceExplicit, []Problem{refused}, false},
		{"srv, refused", SourceSRV, []Problem{refused}, false},
		{"guessed, refused and timed out", SourceGuess, []Problem{refused, newProblem(catalog.ConnectTimeout, "t", "")}, false},
		{"guessed, working", SourceGuess, []Problem{}, false},
	} {
		if got := unoffered(Result{Endpoint: ep, Source: tc.source, Problems: tc.problems}); got != tc.want {
			t.Errorf("%s: unoffered = %v, want %v", tc.name, got, tc.want)
		}
	}
}
