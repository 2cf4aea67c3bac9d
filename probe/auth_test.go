package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/session"
)

const (
	alice    = "alice@a.test"
	alicePW  = `pa55 "w0rd"\ with spaces`
	wrongPW  = "not-the-password-9371"
	aliceIP  = "127.0.0.70"
	plainIP  = "127.0.0.71"
	strictIP = "127.0.0.72"
)

func authWorld() sandbox.World {
	return sandbox.World{
		Domain: "a.test",
		Records: []string{
			"mail.a.test." + ttl + "A " + aliceIP,
			"plain.a.test." + ttl + "A " + plainIP,
			"strict.a.test." + ttl + "A " + strictIP,
		},
		Services: []sandbox.Service{
			{IP: aliceIP, Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: aliceIP, Port: 143, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeSTARTTLS},
			{IP: aliceIP, Port: 995, Proto: sandbox.ProtoPOP3, Mode: sandbox.ModeTLS},
			{IP: aliceIP, Port: 110, Proto: sandbox.ProtoPOP3, Mode: sandbox.ModeSTARTTLS},
			{IP: aliceIP, Port: 465, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeTLS},
			{IP: aliceIP, Port: 587, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS},
			{IP: plainIP, Port: 143, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModePlain, PlaintextAuth: true},
			{IP: strictIP, Port: 143, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModePlain},
		},
		Users: map[string]string{alice: alicePW},
	}
}

var secureEndpoints = []Endpoint{
	{Protocol: IMAP, Host: "mail.a.test", Port: 993, Security: TLS}, {Protocol: IMAP, Host: "mail.a.test", Port: 143, Security: STARTTLS},
	{Protocol: POP3, Host: "mail.a.test", Port: 995, Security: TLS}, {Protocol: POP3, Host: "mail.a.test", Port: 110, Security: STARTTLS},
	{Protocol: SMTP, Host: "mail.a.test", Port: 465, Security: TLS}, {Protocol: SMTP, Host: "mail.a.test", Port: 587, Security: STARTTLS},
}

// deadlineAfterProbes dials through the sandbox, except that its dial to hold hangs like a dropped SYN
// until the other probes are over (probes EndpointDone events on done, which the test's Progress feeds:
// a probe that kept its connection for the login is over too), and then ends the run (end) as
// --max-time would: the moment between the probes and the logins, reached by a signal, not a clock.
type deadlineAfterProbes struct {
	Dialer
	hold   string
	probes int
	end    context.CancelFunc
	done   chan struct{}
}

func (d *deadlineAfterProbes) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if addr != d.hold {
		return d.Dialer.DialContext(ctx, network, addr)
	}
	for i := 0; i < d.probes; i++ {
		select {
		case <-d.done:
		case <-ctx.Done():
			return blockingDialer{}.DialContext(ctx, network, addr)
		}
	}
	d.end()
	return blockingDialer{}.DialContext(ctx, network, addr)
}

func TestLoginRightPassword(t *testing.T) {
	_, p := world(t, authWorld(), &Credentials{User: alice, Password: alicePW})
	rep := p.Run(context.Background(), Request{Endpoints: secureEndpoints})
	tested := map[Protocol]int{}
	for _, e := range rep.Endpoints {
		if e.Auth == nil || !(e.Auth.Tested || e.Auth.SameAs != "") || !e.Auth.OK {
			t.Errorf("%s: auth %+v, problems %v\n%s", e.Endpoint, e.Auth, problemCodes(e), strings.Join(e.Transcript, "\n"))
		}
		if e.Auth != nil && e.Auth.Tested {
			tested[e.Protocol]++
			if e.Protocol == SMTP {
				// RFC 5321 section 4.1.3: an address literal is in brackets, on the login connection too.
				if all := strings.Join(e.Transcript, "\n"); strings.Contains(all, "C: EHLO 127.") || !strings.Contains(all, "C: EHLO [127.0.0.1]") {
					t.Errorf("%s: an EHLO without the address literal's brackets:\n%s", e.Endpoint, all)
				}
			}
		}
	}
	// One server (one address) per protocol: one login each, the other port points at it.
	for _, proto := range []Protocol{IMAP, POP3, SMTP} {
		if tested[proto] != 1 {
			t.Errorf("%s: %d logins tested on one server, want 1", proto, tested[proto])
		}
	}
	if rep.Settings.Incoming == nil || !rep.Settings.Incoming.LoginVerified || rep.Settings.Outgoing == nil || !rep.Settings.Outgoing.LoginVerified {
		t.Errorf("settings not marked as verified: %+v %+v", rep.Settings.Incoming, rep.Settings.Outgoing)
	}
	assertNoSecret(t, rep, alicePW)
}

// TestLoginsOnTheProbesConnections: the logins run on the connections the probes kept (one per address
// and protocol, the one that ranks first: SSL/TLS), so a run with a password dials no more than one
// without, and the login is in the tested endpoint's transcript after its probe.
func TestLoginsOnTheProbesConnections(t *testing.T) {
	sb, p := world(t, authWorld(), &Credentials{User: alice, Password: alicePW})
	cd := newCountingDialer(sb)
	p.cfg.Dialer, p.cfg.Transcript = cd, true
	rep := p.Run(context.Background(), Request{Endpoints: secureEndpoints})
	for _, ep := range secureEndpoints {
		if n := cd.dials[net.JoinHostPort(aliceIP, strconv.Itoa(ep.Port))]; n != 1 {
			t.Errorf("%s: %d connections, want 1 (the probe's, which the login reuses)", ep, n)
		}
	}
	tested := 0
	for _, e := range rep.Endpoints {
		if e.Auth == nil || !e.Auth.OK {
			t.Errorf("%s: auth %+v", e.Endpoint, e.Auth)
			continue
		}
		if !e.Auth.Tested {
			continue
		}
		tested++
		if e.Security != TLS {
			t.Errorf("%s carries the login, want the SSL/TLS port", e.Endpoint)
		}
		if !slices.ContainsFunc(e.Transcript, func(l string) bool { return strings.Contains(l, "login test on this connection") }) {
			t.Errorf("%s: the login is not on the probe's connection:\n%s", e.Endpoint, strings.Join(e.Transcript, "\n"))
		}
	}
	if tested != 3 {
		t.Errorf("%d logins tested, want one per protocol", tested)
	}
	assertNoSecret(t, rep, alicePW)
}

func TestLoginWrongPassword(t *testing.T) {
	sb, p := world(t, authWorld(), &Credentials{User: alice, Password: wrongPW})
	rep := p.Run(context.Background(), Request{Endpoints: secureEndpoints})
	// Six endpoints on one server: one failed login per protocol, not one per port (fail2ban counts them).
	for _, proto := range []sandbox.Proto{sandbox.ProtoIMAP, sandbox.ProtoPOP3, sandbox.ProtoSMTP} {
		if n := sb.FailedLogins(proto); n != 1 {
			t.Errorf("%s: the server saw %d failed logins, want 1", proto, n)
		}
	}
	for _, e := range rep.Endpoints {
		if e.Auth == nil || !(e.Auth.Tested || e.Auth.SameAs != "") || e.Auth.OK || e.Auth.Problem == nil || e.Auth.Problem.Code != catalog.AuthFailed {
			t.Errorf("%s: auth %+v\n%s", e.Endpoint, e.Auth, strings.Join(e.Transcript, "\n"))
			continue
		}
		if e.Auth.SameAs != "" {
			continue
		}
		if !hasProblem(e, catalog.AuthFailed) || e.Status != StatusFail {
			t.Errorf("%s: wrong password not among the endpoint's problems: %v", e.Endpoint, problemCodes(e))
		}
		if !strings.Contains(e.Auth.Problem.Summary, alice) {
			t.Errorf("%s: summary does not name the user: %s", e.Endpoint, e.Auth.Problem.Summary)
		}
	}
	assertNoSecret(t, rep, wrongPW)
	// The server settings are right; only the password is wrong. The settings say so, and the run fails.
	for _, st := range []*Setting{rep.Settings.Incoming, rep.Settings.Outgoing} {
		if st == nil || st.LoginVerified || st.LoginProblem != catalog.AuthFailed {
			t.Errorf("setting %+v, want one with login_problem auth_failed", st)
		}
	}
	if rep.Status != StatusFail {
		t.Errorf("status %s with a rejected password, want fail", rep.Status)
	}
}

func TestPlaintextLogin(t *testing.T) {
	eps := []Endpoint{{Protocol: IMAP, Host: "plain.a.test", Port: 143, Security: Plain}, {Protocol: IMAP, Host: "strict.a.test", Port: 143, Security: Plain}}

	_, p := world(t, authWorld(), &Credentials{User: alice, Password: alicePW})
	rep := p.Run(context.Background(), Request{Endpoints: eps})
	byHost := map[string]Result{}
	for _, e := range rep.Endpoints {
		byHost[e.Host] = e
	}
	if a := byHost["plain.a.test"].Auth; a == nil || a.Tested || a.Problem == nil || a.Problem.Code != catalog.AuthNotAttempted {
		t.Errorf("plaintext login without --allow-plaintext-auth: %+v", a)
	}
	if a := byHost["strict.a.test"].Auth; a == nil || a.Tested || a.Problem == nil || a.Problem.Code != catalog.AuthPlaintextRefused {
		t.Errorf("LOGINDISABLED server: %+v", a)
	}
	if byHost["strict.a.test"].PlaintextLogin != "refused" || byHost["plain.a.test"].PlaintextLogin != "offered" {
		t.Errorf("plaintext_login: strict %q plain %q", byHost["strict.a.test"].PlaintextLogin, byHost["plain.a.test"].PlaintextLogin)
	}

	_, p = world(t, authWorld(), &Credentials{User: alice, Password: alicePW, AllowPlaintext: true})
	rep = p.Run(context.Background(), Request{Endpoints: eps[:1]})
	if a := rep.Endpoints[0].Auth; a == nil || !a.Tested || !a.OK {
		t.Errorf("--allow-plaintext-auth: %+v", a)
	}
	assertNoSecret(t, rep, alicePW)
}

func TestSMTPAuthClassification(t *testing.T) {
	cases := []struct {
		code      int
		enh       [3]int
		msg       string
		encrypted bool
		want      string
	}{
		{535, [3]int{5, 7, 8}, "Username and Password not accepted", true, catalog.AuthFailed},
		{534, [3]int{5, 7, 9}, "Application-specific password required", true, catalog.AuthAppPassword},
		{534, [3]int{5, 7, 14}, "Please log in via your web browser", true, catalog.AuthAppPassword},
		{530, [3]int{5, 7, 0}, "Must issue a STARTTLS command first", false, catalog.AuthPlaintextRefused},
		{538, [3]int{5, 7, 11}, "Encryption required", false, catalog.AuthPlaintextRefused},
		{454, [3]int{4, 7, 0}, "Temporary authentication failure", true, catalog.AuthTemporary},
		{504, [3]int{5, 5, 4}, "Unrecognized authentication type", true, catalog.AuthMechanism},
		{535, [3]int{5, 7, 13}, "User account disabled", true, catalog.AuthAccountDisabled},
	}
	for _, c := range cases {
		e := smtpErrorFor(c.code, c.enh, c.msg)
		if got := classifySMTPAuth(e, c.encrypted); got != c.want {
			t.Errorf("%d %v %s: %s, want %s", c.code, c.enh, c.msg, got, c.want)
		}
	}
}

// assertNoSecret fails when the password, or a base64 form of it, appears anywhere in the JSON report,
// transcripts included.
func assertNoSecret(t *testing.T, rep *Report, password string) {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	forms := []string{password, base64.StdEncoding.EncodeToString([]byte(password)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + alice + "\x00" + password))}
	mustNot, _ := json.Marshal(password)
	forms = append(forms, strings.Trim(string(mustNot), `"`))
	for _, f := range forms {
		if strings.Contains(js, f) {
			t.Errorf("report contains the password in the form %q", f)
		}
	}
	if !strings.Contains(js, "[redacted]") && hasTranscriptAuth(rep) {
		t.Errorf("the transcript shows a login but nothing was redacted")
	}
}

func hasTranscriptAuth(rep *Report) bool {
	for _, e := range rep.Endpoints {
		if e.Auth != nil && e.Auth.Tested {
			return true
		}
	}
	return false
}

// TestServerEchoIsRedacted: a server that repeats the client's AUTH line in its refusal must not carry
// the password into the report.
func TestServerEchoIsRedacted(t *testing.T) {
	cert, roots := testCert(t, "mail.example.test", time.Now().Add(-time.Hour), time.Now().Add(time.Hour*24*90))
	addr := scripted(t, func(c net.Conn, _ *bufio.Reader) error {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		r := bufio.NewReader(tc)
		tc.Write([]byte("220 echo ESMTP\r\n"))
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return nil
			}
			switch {
			case strings.HasPrefix(line, "EHLO"):
				tc.Write([]byte("250-echo\r\n250 AUTH PLAIN\r\n"))
			case strings.HasPrefix(line, "AUTH"):
				tc.Write([]byte("535 5.7.8 you said: " + strings.TrimSpace(line) + "\r\n"))
			default:
				tc.Write([]byte("221 bye\r\n"))
				return nil
			}
		}
	})
	p := newTestProber(fixedDialer{addr}, roots)
	p.cfg.Credentials = &Credentials{User: alice, Password: alicePW}
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 465, Security: TLS}, "127.0.0.1", SourceExplicit)
	if res.Auth == nil || res.Auth.Problem == nil || res.Auth.Problem.Code != catalog.AuthFailed {
		t.Fatalf("auth %+v\n%s", res.Auth, strings.Join(res.Transcript, "\n"))
	}
	rep := &Report{Endpoints: []Result{res}}
	assertNoSecret(t, rep, alicePW)
	if !strings.Contains(res.Auth.Problem.Summary, "[redacted]") {
		t.Errorf("the echoed secret was not visibly redacted: %s", res.Auth.Problem.Summary)
	}
}

// TestDiscoveryLoginScope: in discovery the password goes once to each server and protocol of the user's
// own domain, and never to a host outside it that only DNS named.
func TestDiscoveryLoginScope(t *testing.T) {
	_, p := world(t, sandbox.World{
		Domain: "test",
		Records: []string{
			"_imaps._tcp.a.test." + ttl + "SRV 0 1 993 imap.provider.test.",
			"imap.provider.test." + ttl + "A 127.0.0.101",
			"mail.a.test." + ttl + "A 127.0.0.102",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.101", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "127.0.0.102", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "127.0.0.102", Port: 143, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeSTARTTLS},
			{IP: "127.0.0.102", Port: 465, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeTLS},
		},
		Users: map[string]string{alice: alicePW},
	}, &Credentials{User: alice, Password: wrongPW})
	rep := p.Run(context.Background(), Request{Target: alice, Domain: "a.test", Address: alice})
	tested := 0
	for _, e := range rep.Endpoints {
		switch {
		case e.Host == "imap.provider.test":
			if e.Auth == nil || e.Auth.Tested || e.Auth.Problem == nil || e.Auth.Problem.Code != catalog.AuthNotAttempted ||
				!strings.Contains(e.Auth.Problem.Summary, "outside a.test") {
				t.Errorf("%s (outside the domain, found by SRV): auth %+v, want not attempted", e.Endpoint, e.Auth)
			}
		case e.Auth != nil && e.Auth.Tested:
			tested++
		case e.Host == "mail.a.test" && e.Protocol == IMAP && e.Port == 143:
			if e.Auth == nil || e.Auth.SameAs == "" || e.Auth.OK || e.Auth.Problem == nil || e.Auth.Problem.Code != catalog.AuthFailed {
				t.Errorf("%s: auth %+v, want the result of the 993 test (same_as)", e.Endpoint, e.Auth)
			}
		}
	}
	if tested != 2 {
		t.Errorf("%d logins sent with a wrong password, want 2 (one per server and protocol: IMAP and SMTP on mail.a.test)", tested)
	}
	if rep.Status != StatusFail {
		t.Errorf("status %s with a wrong password, want fail", rep.Status)
	}
}

// TestWrongPasswordFailsEvenWhenSettingsPointElsewhere: the settings may point at a provider outside the
// domain (no login sent there), but the domain's own server refused the password: the run fails.
func TestWrongPasswordFailsEvenWhenSettingsPointElsewhere(t *testing.T) {
	_, p := world(t, sandbox.World{
		Domain: "test",
		Records: []string{
			"_imaps._tcp.a.test." + ttl + "SRV 0 1 993 mx.provider.test.",
			"_submissions._tcp.a.test." + ttl + "SRV 0 1 465 mx.provider.test.",
			"mx.provider.test." + ttl + "A 127.0.0.111",
			"mail.a.test." + ttl + "A 127.0.0.112",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.111", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "127.0.0.111", Port: 465, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeTLS},
			{IP: "127.0.0.112", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
		},
		Users: map[string]string{alice: alicePW},
	}, &Credentials{User: alice, Password: wrongPW})
	rep := p.Run(context.Background(), Request{Target: alice, Domain: "a.test", Address: alice})
	if rep.Status != StatusFail {
		t.Errorf("status %s: a password refused by mail.a.test must fail the run", rep.Status)
	}
	if in := rep.Settings.Incoming; in == nil || in.Server != "mx.provider.test" || in.LoginVerified {
		t.Errorf("incoming %+v: want the provider, not login-verified", in)
	}
}

// TestLoginsAfterTheDeadline: the probes succeed, then a black-holed port holds the run until --max-time;
// the logins, which run after the probes, are left no time and say time_limit, not a refusal of the
// password. The time limit "arrives" when the other probes are done (deadlineAfterProbes: a signal, not a
// clock a busy machine could outrun).
func TestLoginsAfterTheDeadline(t *testing.T) {
	w := authWorld()
	w.Records = append(w.Records, "slow.a.test."+ttl+"A 127.0.0.79")
	sb, p := world(t, w, &Credentials{User: alice, Password: alicePW})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := &deadlineAfterProbes{Dialer: sb, hold: "127.0.0.79:25", probes: len(secureEndpoints), end: cancel, done: make(chan struct{}, 64)}
	p.cfg.Dialer = d
	p.cfg.Progress = func(e Event) {
		if e.Kind == EndpointDone && e.Endpoint.Host != "slow.a.test" {
			d.done <- struct{}{}
		}
	}
	rep := p.Run(ctx, Request{Endpoints: append([]Endpoint{{Protocol: SMTP, Host: "slow.a.test", Port: 25, Security: STARTTLS}}, secureEndpoints...)})
	limited := 0
	for _, e := range rep.Endpoints {
		if e.Host == "slow.a.test" {
			continue
		}
		if e.Auth == nil || e.Auth.Tested || e.Auth.OK || e.Auth.Problem == nil || e.Auth.Problem.Code != catalog.TimeLimit {
			t.Errorf("%s: auth %+v, want not tested: time_limit", e.Endpoint, e.Auth)
		} else {
			limited++
		}
		if hasProblem(e, catalog.AuthFailed) {
			t.Errorf("%s: a login the deadline prevented is reported as a wrong password", e.Endpoint)
		}
	}
	if limited != len(secureEndpoints) {
		t.Errorf("%d of %d endpoints report the time limit", limited, len(secureEndpoints))
	}
}

// TestLoginOnANewConnection: ProbeEndpoint (check, and logins after the probes) tests the login on a
// connection of its own, which for SMTP starts with EHLO again, also after STARTTLS (RFC 3207 4.2).
func TestLoginOnANewConnection(t *testing.T) {
	_, p := world(t, authWorld(), &Credentials{User: alice, Password: alicePW})
	for _, ep := range secureEndpoints {
		res := p.ProbeEndpoint(context.Background(), ep, aliceIP, SourceExplicit)
		if res.Auth == nil || !res.Auth.Tested || !res.Auth.OK {
			t.Errorf("%s: auth %+v\n%s", ep, res.Auth, strings.Join(res.Transcript, "\n"))
		}
	}
}

func TestSMTPReplyError(t *testing.T) {
	for _, tc := range []struct {
		code  int
		lines []string
		ec    smtp.EnhancedCode
		msg   string
	}{
		{535, []string{"5.7.8 Error: authentication failed: UGFzc3dvcmQ6"}, smtp.EnhancedCode{5, 7, 8}, "Error: authentication failed: UGFzc3dvcmQ6"},
		{454, []string{"4.7.0 Temporary authentication failure"}, smtp.EnhancedCode{4, 7, 0}, "Temporary authentication failure"},
		{535, []string{"Authentication credentials invalid"}, smtp.NoEnhancedCode, "Authentication credentials invalid"},
		{534, []string{"5.7.9 Please log in with your web browser", "and then try again"}, smtp.EnhancedCode{5, 7, 9}, "Please log in with your web browser and then try again"},
		{535, nil, smtp.NoEnhancedCode, ""},
	} {
		e := session.SMTPReplyError(tc.code, tc.lines)
		if e.Code != tc.code || e.EnhancedCode != tc.ec || e.Message != tc.msg {
			t.Errorf("%d %q: got %d %v %q, want %v %q", tc.code, tc.lines, e.Code, e.EnhancedCode, e.Message, tc.ec, tc.msg)
		}
	}
}

// TestSMTPAuthLogin: the LOGIN mechanism's two challenges (RFC 4954 with draft-murchison-sasl-login).
func TestSMTPAuthLogin(t *testing.T) {
	for _, pw := range []string{alicePW, wrongPW} {
		_, p := world(t, authWorld(), &Credentials{User: alice, Password: pw})
		red := session.NewRedactor(pw)
		tr := session.NewTranscript(nil)
		c := p.conversation(context.Background(), Endpoint{Protocol: SMTP, Host: "mail.a.test", Port: 465, Security: TLS}, aliceIP, tr)
		c.Strict, c.Redactor = true, red
		if err := c.WalkTo(session.PhaseReady); err != nil { // EHLO included
			t.Fatal(err)
		}
		err := c.Conn.Login(SMTP, session.Login{User: alice, Password: pw, Mechanism: "LOGIN", Limit: answeringBudget}, tr, red)
		c.Close()
		var se *smtp.SMTPError
		switch {
		case pw == alicePW && err != nil:
			t.Errorf("right password: %v\n%s", err, strings.Join(tr.Snapshot(), "\n"))
		case pw == wrongPW && (!errors.As(err, &se) || se.Code != 535):
			t.Errorf("wrong password: %v, want a 535 refusal", err)
		}
		if all := strings.Join(tr.Snapshot(), "\n"); strings.Contains(all, base64.StdEncoding.EncodeToString([]byte(pw))) {
			t.Errorf("the password reached the transcript:\n%s", all)
		}
	}
}
