package probe

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/discover"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

const demoPassword = "correct horse battery staple"

// demoProber probes the demo world with its ISPDB mirror, as `mailcheck demo` does.
func demoProber(t *testing.T, creds *Credentials) *Prober {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	return NewProber(Config{
		// Every demo server answers (its one black hole gives up on its own clock), so the budgets are
		// the answering ones: a starved machine must not turn a slow handshake into "did not answer".
		Resolver:    &Resolver{Servers: []string{sb.DNSAddr}, Timeout: answeringBudget},
		Dialer:      sb,
		RootCAs:     sb.RootCAs,
		Timeout:     answeringBudget,
		Credentials: creds,
		ISPDB:       sandbox.DemoISPDB,
	})
}

func lookupsOf(rep *Report, source string) []discover.Lookup {
	var out []discover.Lookup
	for _, l := range rep.Discovery {
		if l.Source == source {
			out = append(out, l)
		}
	}
	return out
}

func TestCustomerDomainGetsProviderSettings(t *testing.T) {
	const bob = "bob@customer.test"
	p := demoProber(t, &Credentials{User: bob, Password: demoPassword})
	rep := p.Run(context.Background(), Request{Target: bob, Domain: "customer.test", Address: bob})
	in, out := rep.Settings.Incoming, rep.Settings.Outgoing
	if in == nil || in.Server != "imap.mailhost.test" || in.Port != 993 || in.Provider != "mailhost.test" || in.Source != discover.Provider || !in.LoginVerified || in.Username != bob {
		t.Errorf("incoming %+v, want the provider's IMAP server, labelled, login verified", in)
	}
	if out == nil || out.Server != "smtp.mailhost.test" || out.Port != 587 || out.Provider != "mailhost.test" || !out.LoginVerified {
		t.Errorf("outgoing %+v, want the provider's submission server", out)
	}
	if rep.Status != StatusOK {
		t.Errorf("status %s, problems %+v", rep.Status, rep.Problems)
	}
	mxp := lookupsOf(rep, discover.Provider)
	found := false
	for _, l := range mxp {
		if l.Domain != "mailhost.test" {
			t.Errorf("mx-provider lookup for %s, want mailhost.test", l.Domain)
		}
		if l.URL == sandbox.DemoISPDB+"mailhost.test" && l.Found() {
			found = true
		}
	}
	if !found {
		t.Errorf("no mx-provider ISPDB answer: %+v", mxp)
	}
	ad := lookupsOf(rep, discover.AutodiscoverRedirected)
	srvFound := false
	for _, l := range ad {
		if strings.HasPrefix(l.URL, "https://autodiscover.mailhost.test/") && l.Found() && l.Forgeable && l.CrossDomain == "" {
			srvFound = true
		}
	}
	if !srvFound {
		t.Errorf("Autodiscover through the SRV record not recorded: %+v", ad)
	}
	if len(lookupsOf(rep, discover.ISPDB)) != 1 || len(lookupsOf(rep, discover.AutoconfigHTTP)) != 2 {
		t.Errorf("the domain's own sources: %+v", rep.Discovery)
	}
}

func TestSourcesDisagreeInDemo(t *testing.T) {
	const alice = "alice@sandbox.test"
	p := demoProber(t, nil)
	rep := p.Run(context.Background(), Request{Target: alice, Domain: "sandbox.test", Address: alice})
	pr := topProblem(rep, catalog.SourcesDisagree)
	if pr == nil {
		t.Fatalf("no sources_disagree: %+v", rep.Problems)
	}
	for _, want := range []string{"for IMAP", "Mozilla's ISPDB says mail.sandbox.test:143 STARTTLS",
		"imap.sandbox.test:993 SSL/TLS works: Mozilla's ISPDB is out of date", "the domain's SRV records"} {
		if !strings.Contains(pr.Summary, want) {
			t.Errorf("summary %q lacks %q", pr.Summary, want)
		}
	}
	if !strings.Contains(pr.Detail, "https://ispdb.sandbox.test/v1.1/sandbox.test") || !strings.Contains(pr.Detail, "fails: STARTTLS not offered") {
		t.Errorf("detail %q should list each source, where it was read and what the probe found", pr.Detail)
	}
	if n := strings.Count(strings.Join(problemSummaries(rep), "\n"), "for SMTP"); n != 0 {
		t.Errorf("SMTP sources agree, yet: %v", problemSummaries(rep))
	}
}

func problemSummaries(rep *Report) []string {
	var out []string
	for _, p := range rep.Problems {
		out = append(out, p.Summary)
	}
	return out
}

const forgedConfig = `<clientConfig version="1.1"><emailProvider id="f.test">
  <incomingServer type="imap"><hostname>imap.elsewhere.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
</emailProvider></clientConfig>`

const loginNameAutodiscover = `<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
<Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account>
<Action>settings</Action>
<Protocol><Type>IMAP</Type><Server>imap.f.test</Server><Port>993</Port><SSL>on</SSL><LoginName>bob.login</LoginName></Protocol>
</Account></Response></Autodiscover>`

// TestForgeableAndMalformedSources: what only a plain-http autoconfig file names is probed but never sent
// the password; a malformed file is a recorded failure; a silent server costs one timeout; the login
// name Autodiscover gives is the one the login test uses.
func TestForgeableAndMalformedSources(t *testing.T) {
	t.Parallel()
	creds := &Credentials{User: "bob@f.test", Password: "pw"}
	_, p := world(t, sandbox.World{
		Domain:     "f.test",
		OtherZones: []string{"elsewhere.test"},
		Records: []string{
			"autoconfig.f.test." + ttl + "A 127.0.0.30",
			"f.test." + ttl + "A 127.0.0.31",
			"autodiscover.f.test." + ttl + "A 127.0.0.32",
			"imap.f.test." + ttl + "A 127.0.0.33",
			"imap.elsewhere.test." + ttl + "A 127.0.0.34",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.30", Port: 80, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModePlain, Files: map[string]string{"/mail/config-v1.1.xml": forgedConfig}},
			{IP: "127.0.0.30", Port: 443, Proto: sandbox.ProtoHTTPS, Behavior: sandbox.BehaveSilent},
			{IP: "127.0.0.31", Port: 443, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModeTLS, Files: map[string]string{
				"/.well-known/autoconfig/mail/config-v1.1.xml": "<clientConfig><emailProvider><incomingServer>"}},
			{IP: "127.0.0.32", Port: 443, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModeTLS, Files: map[string]string{"/autodiscover/autodiscover.xml": loginNameAutodiscover}},
			{IP: "127.0.0.33", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "127.0.0.34", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
		},
		Users: map[string]string{"bob.login": "pw", "bob@f.test": "pw"},
	}, creds)
	// The silent autoconfig server is waited for (three steps, the fetch limit), the rest answers: the
	// step is a few seconds so that the answering servers and fetches are never cut short on a busy
	// machine, and the test runs beside the others while it waits.
	p.cfg.Timeout = 5 * time.Second
	rep := p.Run(context.Background(), Request{Target: "bob@f.test", Domain: "f.test", Address: "bob@f.test"})

	evil := find(rep, IMAP, "imap.elsewhere.test", 993)
	if len(evil) == 0 || evil[0].Source != discover.AutoconfigHTTP {
		t.Fatalf("the server the http file names was not probed: %+v", evil)
	}
	if a := evil[0].Auth; a == nil || a.Tested || a.Problem == nil || a.Problem.Code != catalog.AuthNotAttempted {
		t.Errorf("the password went to a server only a forgeable source names: %+v", a)
	}
	own := find(rep, IMAP, "imap.f.test", 993)
	if len(own) == 0 || own[0].Auth == nil || !own[0].Auth.OK || own[0].Auth.User != "bob.login" || own[0].Username != "bob.login" {
		t.Fatalf("the LoginName of Autodiscover was not used: %+v", own)
	}
	if in := rep.Settings.Incoming; in == nil || in.Username != "bob.login" || !in.LoginVerified {
		t.Errorf("setting %+v, want user bob.login, verified", in)
	}
	for _, l := range rep.Discovery {
		switch l.URL {
		case "https://f.test/.well-known/autoconfig/mail/config-v1.1.xml":
			if l.HTTPStatus != 200 || !strings.Contains(l.Error, "not a mail client configuration file") {
				t.Errorf("malformed file: %+v", l)
			}
		case "https://autoconfig.f.test/mail/config-v1.1.xml?emailaddress=bob%40f.test":
			if l.Error == "" || l.HTTPStatus != 0 {
				t.Errorf("silent server: %+v", l)
			}
		case "http://autoconfig.f.test/mail/config-v1.1.xml?emailaddress=bob%40f.test":
			if !l.Forgeable || !l.Found() {
				t.Errorf("http file: %+v", l)
			}
		}
	}
}
