package probe

import (
	"context"
	"testing"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/sandbox"
)

// strippedWorld is a man in the middle's view of a STARTTLS server: IMAP 143 and submission 587 list a
// password login (AUTH) but no STARTTLS.
func strippedWorld() sandbox.World {
	const ip = "127.0.0.70"
	return sandbox.World{
		Domain:  "stripped.test",
		Records: []string{"mail.stripped.test." + ttl + "A " + ip},
		Services: []sandbox.Service{
			{IP: ip, Port: 143, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModePlain, PlaintextAuth: true},
			{IP: ip, Port: 587, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModePlain, PlaintextAuth: true},
		},
		Users: map[string]string{"alice@stripped.test": "stripped secret"},
	}
}

// TestStrippedSTARTTLSNeverGetsThePassword (issue 20, finding 6): --allow-plaintext-auth applies only to
// endpoints probed in clear on purpose. A STARTTLS endpoint whose server does not offer STARTTLS (what a
// man in the middle produces) never gets the password, under --starttls require or try; under
// --starttls no, or with a plain URL, the flag sends it as asked.
func TestStrippedSTARTTLSNeverGetsThePassword(t *testing.T) {
	t.Parallel()
	const pw = "stripped secret"
	creds := &Credentials{User: "alice@stripped.test", Password: pw, AllowPlaintext: true}
	starttls := []Endpoint{
		{Protocol: IMAP, Host: "mail.stripped.test", Port: 143, Security: STARTTLS},
		{Protocol: SMTP, Host: "mail.stripped.test", Port: 587, Security: STARTTLS},
	}
	for _, policy := range []STARTTLSPolicy{STARTTLSRequire, STARTTLSTry} {
		t.Run(string(policy), func(t *testing.T) {
			t.Parallel()
			sb, p := world(t, strippedWorld(), creds)
			p.cfg.STARTTLS = policy
			rep := p.Run(context.Background(), Request{Endpoints: append([]Endpoint(nil), starttls...)})
			for _, proto := range []sandbox.Proto{sandbox.ProtoIMAP, sandbox.ProtoSMTP} {
				if n := sb.Heard(proto, pw); n != 0 {
					t.Errorf("--starttls %s: the %s server got the password in clear text %d time(s)", policy, proto, n)
				}
			}
			for _, e := range rep.Endpoints {
				if !hasProblem(e, catalog.STARTTLSNotOffered) {
					t.Errorf("%s: problems %v, want starttls_not_offered", e.Endpoint, problemCodes(e))
				}
				if a := e.Auth; a == nil || a.Tested || a.Problem == nil || a.Problem.Code != catalog.AuthNotAttempted {
					t.Errorf("%s: login %+v, want auth_not_attempted", e.Endpoint, a)
				}
			}
		})
	}
	t.Run("send", func(t *testing.T) {
		t.Parallel()
		sb, p := world(t, strippedWorld(), creds)
		res := p.Send(context.Background(), SendRequest{Server: starttls[1], From: "alice@stripped.test", To: []string{"alice@stripped.test"}, DryRun: true})
		if n := sb.Heard(sandbox.ProtoSMTP, pw); n != 0 || res.Accepted {
			t.Errorf("send --dry-run through a stripped STARTTLS: the password reached the server %d time(s), accepted %v", n, res.Accepted)
		}
	})
	t.Run("no", func(t *testing.T) {
		t.Parallel()
		sb, p := world(t, strippedWorld(), creds)
		p.cfg.STARTTLS = STARTTLSNo
		req := Request{Endpoints: append([]Endpoint(nil), starttls...)}
		req.ApplySTARTTLS(STARTTLSNo)
		p.Run(context.Background(), req)
		if sb.Heard(sandbox.ProtoIMAP, pw) != 1 || sb.Heard(sandbox.ProtoSMTP, pw) != 1 {
			t.Errorf("--starttls no --allow-plaintext-auth: IMAP heard %d, SMTP %d, want 1 each (in clear on purpose)",
				sb.Heard(sandbox.ProtoIMAP, pw), sb.Heard(sandbox.ProtoSMTP, pw))
		}
	})
}
