package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/sandbox"
)

// oneBox is the typical hosting setup: the domain, mail., imap., pop., smtp. and the MX all on one machine.
func oneBox() sandbox.World {
	const ip = "127.0.0.110"
	w := sandbox.World{
		Domain: "o.test",
		Records: []string{
			"o.test." + ttl + "MX 10 mx.o.test.",
			"o.test." + ttl + "A " + ip,
		},
		Users: map[string]string{"alice@o.test": alicePW},
	}
	for _, n := range []string{"mail", "imap", "pop", "smtp", "mx"} {
		w.Records = append(w.Records, n+".o.test."+ttl+"A "+ip)
	}
	for _, s := range []struct {
		port  int
		proto sandbox.Proto
		mode  sandbox.Mode
	}{
		{993, sandbox.ProtoIMAP, sandbox.ModeTLS}, {143, sandbox.ProtoIMAP, sandbox.ModeSTARTTLS},
		{995, sandbox.ProtoPOP3, sandbox.ModeTLS}, {110, sandbox.ProtoPOP3, sandbox.ModeSTARTTLS},
		{465, sandbox.ProtoSMTP, sandbox.ModeTLS}, {587, sandbox.ProtoSMTP, sandbox.ModeSTARTTLS},
	} {
		w.Services = append(w.Services, sandbox.Service{IP: ip, Port: s.port, Proto: s.proto, Mode: s.mode, CertHost: "o.test,*.o.test"})
	}
	return w
}

func TestWrongPasswordOneFailedLoginPerServer(t *testing.T) {
	sb, p := world(t, oneBox(), &Credentials{User: "alice@o.test", Password: wrongPW})
	rep := p.Run(context.Background(), Request{Target: "alice@o.test", Domain: "o.test", Address: "alice@o.test"})
	for _, proto := range []sandbox.Proto{sandbox.ProtoIMAP, sandbox.ProtoPOP3, sandbox.ProtoSMTP} {
		if n := sb.FailedLogins(proto); n != 1 {
			t.Errorf("%s: the server saw %d failed logins, want 1", proto, n)
		}
	}
	tested := map[Protocol]*Result{}
	for i, e := range rep.Endpoints {
		if e.Auth != nil && e.Auth.Tested {
			if tested[e.Protocol] != nil {
				t.Errorf("%s: a second login test on one server (first %s)", e.Endpoint, tested[e.Protocol].Endpoint)
			}
			tested[e.Protocol] = &rep.Endpoints[i]
		}
	}
	for _, e := range rep.Endpoints {
		if e.Auth == nil || e.Auth.Tested {
			continue
		}
		// Every other endpoint of the server points at the one test and carries its verdict.
		if e.Auth.SameAs == "" || e.Auth.Problem == nil || e.Auth.Problem.Code != catalog.AuthFailed {
			t.Errorf("%s: auth %+v, want same_as the tested endpoint with auth_failed", e.Endpoint, e.Auth)
		}
	}
	if m := tested[IMAP]; m == nil || len(m.Auth.SharedBy) < 5 {
		t.Errorf("the IMAP test does not list the names sharing the server: %+v", m)
	}
	if rep.Status != StatusFail || rep.Settings.Incoming == nil || rep.Settings.Incoming.LoginProblem != catalog.AuthFailed {
		t.Errorf("status %s, incoming %+v: want fail with login_problem auth_failed", rep.Status, rep.Settings.Incoming)
	}
}

func TestRightPasswordOneLoginPerServer(t *testing.T) {
	_, p := world(t, oneBox(), &Credentials{User: "alice@o.test", Password: alicePW})
	rep := p.Run(context.Background(), Request{Target: "alice@o.test", Domain: "o.test", Address: "alice@o.test"})
	if rep.Status == StatusFail {
		t.Fatalf("status fail: %+v", rep.Problems)
	}
	for _, s := range []*Setting{rep.Settings.Incoming, rep.Settings.Outgoing} {
		if s == nil || !s.LoginVerified || s.Source != SourceGuess {
			t.Errorf("setting %+v, want a guessed name with a verified login", s)
		}
	}
	if in := rep.Settings.Incoming; in == nil || in.Server != "imap.o.test" || in.Port != 993 {
		t.Errorf("incoming %+v, want imap.o.test:993", in)
	}
	if out := rep.Settings.Outgoing; out == nil || out.Server != "smtp.o.test" || out.Port != 465 {
		t.Errorf("outgoing %+v, want smtp.o.test:465 (not mx.o.test)", out)
	}
}

// TestIMAPAnswersThatDoNotJudgeThePassword: a server error or a BAD is no verdict on the credentials, so it
// is neither called a wrong password nor copied to the server's other endpoints, and the login is not
// repeated there.
func TestIMAPAnswersThatDoNotJudgeThePassword(t *testing.T) {
	for _, tc := range []struct {
		answer string
		code   string
	}{
		{"BAD Unknown command", catalog.ProtocolError},
		{"NO [SERVERBUG] Internal error occurred", catalog.AuthTemporary},
		{"NO [LIMIT] Too many sessions", catalog.AuthTemporary},
		{"NO [UNAVAILABLE] Backend down", catalog.AuthTemporary},
		{"NO [CANNOT] Not possible", catalog.ProtocolError},
		{"NO [AUTHENTICATIONFAILED] Authentication failed.", catalog.AuthFailed},
		{"NO Login failed", catalog.AuthFailed},
	} {
		t.Run(tc.answer, func(t *testing.T) {
			var logins atomic.Int32
			addr, pool := scriptedIMAPS(t, func(tag string) string {
				logins.Add(1)
				return tag + " " + tc.answer
			})
			p := NewProber(Config{Dialer: fixedDialer{addr}, RootCAs: pool, Timeout: answeringBudget,
				Credentials: &Credentials{User: "alice@example.test", Password: wrongPW}})
			// Two ports of one server (one address): one login attempt at most.
			eps := []Endpoint{{Protocol: IMAP, Host: "mail.example.test", Port: 993, Security: TLS}, {Protocol: IMAP, Host: "mail.example.test", Port: 1993, Security: TLS}}
			r := &run{p: p, ctx: context.Background(), req: Request{Endpoints: eps}, results: map[Endpoint][]Result{}, origins: map[Endpoint]origins{}}
			for i, ep := range eps {
				r.results[ep] = []Result{p.probeConnection(r.ctx, ep, "127.0.0.1", SourceExplicit)}
				r.origins[ep] = origins{{source: SourceExplicit, order: [2]int{i}}}
			}
			r.logins()
			rep := &Report{}
			for _, ep := range eps {
				rep.Endpoints = append(rep.Endpoints, r.results[ep]...)
			}
			if n := logins.Load(); n != 1 {
				t.Errorf("%d login attempts on one server, want 1", n)
			}
			var tested, other *Result
			for i := range rep.Endpoints {
				if a := rep.Endpoints[i].Auth; a != nil && a.Tested {
					tested = &rep.Endpoints[i]
				} else {
					other = &rep.Endpoints[i]
				}
			}
			if tested == nil || other == nil {
				t.Fatalf("want one tested endpoint and one not: %+v", rep.Endpoints)
			}
			if tested.Auth.Problem == nil || tested.Auth.Problem.Code != tc.code {
				t.Errorf("%q classified as %+v, want %s", tc.answer, tested.Auth.Problem, tc.code)
			}
			verdict := tc.code == catalog.AuthFailed
			switch {
			case verdict && (other.Auth == nil || other.Auth.SameAs == "" || other.Auth.Problem.Code != catalog.AuthFailed):
				t.Errorf("a wrong password is not shared with the server's other port: %+v", other.Auth)
			case !verdict && (other.Auth == nil || other.Auth.SameAs != "" || other.Auth.Problem == nil || other.Auth.Problem.Code != catalog.AuthNotAttempted):
				t.Errorf("an answer that does not judge the password was shared or retried: %+v", other.Auth)
			}
		})
	}
}

// scriptedIMAPS is an IMAP server on implicit TLS for mail.example.test that answers AUTHENTICATE with
// auth(tag), or never when auth returns "".
func scriptedIMAPS(t *testing.T, auth func(tag string) string) (string, *x509.CertPool) {
	t.Helper()
	cert, pool := testCert(t, "mail.example.test", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	addr := scripted(t, func(c net.Conn, _ *bufio.Reader) error {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		r := bufio.NewReader(tc)
		if _, err := tc.Write([]byte("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\n")); err != nil {
			return err
		}
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return nil
			}
			f := strings.Fields(line)
			if len(f) < 2 {
				return nil
			}
			tag, cmd := f[0], strings.ToUpper(f[1])
			reply := tag + " OK done\r\n"
			switch cmd {
			case "CAPABILITY":
				reply = "* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\n" + reply
			case "AUTHENTICATE":
				answer := auth(tag)
				if answer == "" {
					_, _ = r.ReadString('\n') // until the client gives up
					return nil
				}
				reply = answer + "\r\n"
			case "LOGOUT":
				_, _ = tc.Write([]byte("* BYE\r\n" + reply))
				return nil
			}
			if _, err := tc.Write([]byte(reply)); err != nil {
				return err
			}
		}
	})
	return addr, pool
}

// TestLoginCutByTheDeadline: a login that --max-time cuts short is time_limit, not a refusal of the password.
// The run's limit "arrives" when the server has the AUTHENTICATE command, never on a clock a busy machine
// could outrun before the login even started.
func TestLoginCutByTheDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, pool := scriptedIMAPS(t, func(string) string { cancel(); return "" })
	p := NewProber(Config{Dialer: fixedDialer{addr}, RootCAs: pool, Timeout: time.Minute,
		Credentials: &Credentials{User: "alice@example.test", Password: alicePW}})
	res := p.ProbeEndpoint(ctx, Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 993, Security: TLS}, "127.0.0.1", SourceExplicit)
	if a := res.Auth; a == nil || a.Tested || a.OK || a.Problem == nil || a.Problem.Code != catalog.TimeLimit {
		t.Errorf("auth %+v, want not tested: time_limit", res.Auth)
	}
	if hasProblem(res, catalog.AuthFailed) {
		t.Error("a login the deadline cut short is reported as a wrong password")
	}
}

// TestDualStackIsOneServer: a name with an IPv4 and an IPv6 address is one machine: a wrong password
// costs one failed login per protocol there, not one per address family.
func TestDualStackIsOneServer(t *testing.T) {
	const v4, v6 = "127.0.0.150", "2001:db8::150"
	w := sandbox.World{
		Domain:  "d6.test",
		Records: []string{"mail.d6.test." + ttl + "A " + v4, "mail.d6.test." + ttl + "AAAA " + v6},
		Users:   map[string]string{"alice@d6.test": alicePW},
	}
	for _, ip := range []string{v4, v6} {
		w.Services = append(w.Services,
			sandbox.Service{IP: ip, Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			sandbox.Service{IP: ip, Port: 465, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeTLS})
	}
	sb, p := world(t, w, &Credentials{User: "alice@d6.test", Password: wrongPW})
	rep := p.Run(context.Background(), Request{Target: "alice@d6.test", Domain: "d6.test", Address: "alice@d6.test"})
	for _, proto := range []sandbox.Proto{sandbox.ProtoIMAP, sandbox.ProtoSMTP} {
		if n := sb.FailedLogins(proto); n != 1 {
			t.Errorf("%s: %d failed logins on one dual-stack server, want 1", proto, n)
		}
	}
	for _, e := range rep.Endpoints {
		if e.Port != 993 && e.Port != 465 {
			continue // not served: refused
		}
		if e.Auth == nil || e.Auth.Problem == nil || e.Auth.Problem.Code != catalog.AuthFailed {
			t.Errorf("%s at %s: auth %+v, want auth_failed (tested or same_as)", e.Endpoint, e.Address, e.Auth)
		}
	}
}

func TestMachines(t *testing.T) {
	var m machines
	m.of("mail.d.test", "192.0.2.1")
	m.of("mail.d.test", "2001:db8::1")
	m.of("imap.d.test", "192.0.2.1")
	m.of("other.test", "192.0.2.9")
	a, b, c := m.find("a:192.0.2.1"), m.find("a:2001:db8::1"), m.find("h:imap.d.test")
	if a != b || b != c {
		t.Errorf("one machine has several names: %q %q %q", a, b, c)
	}
	if m.find("a:192.0.2.9") == a {
		t.Error("an unrelated address joined the machine")
	}
}
