package probe_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/check"
	"github.com/mailcheck/mailcheck/probe/discover"
	"github.com/mailcheck/mailcheck/probe/exporter"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

// everySource is every discovery source that can name an endpoint: the rows of source.go's rank table,
// which TestEverySourceHasATrustRow holds to the trust table.
var everySource = []string{
	probe.SourceExplicit, probe.SourceAutoconfig, discover.AutoconfigHTTP, probe.SourceSRV, probe.SourceGuess,
	probe.SourceCertName, probe.SourceMX, discover.ISPDB, discover.Provider, discover.ProviderAutoconfig,
	discover.Autodiscover, discover.AutodiscoverRedirected,
}

// vouching are the sources whose hosts may receive a secret outside the domain (README "Who receives
// your password or token"): the whole chain is verified and chosen by the user.
var vouching = map[string]bool{
	probe.SourceExplicit: true, probe.SourceAutoconfig: true, discover.ISPDB: true, discover.Provider: true,
	discover.Autodiscover: true,
}

// The commands that hold a secret, each asked through its own decision path.
const (
	cmdProbe    = "probe"
	cmdSend     = "send"
	cmdCheck    = "check"
	cmdExporter = "exporter"
)

// secretKinds are the secrets a command may hold. The exporter's modules hold only a password (a module
// key naming a token is refused: TestTrustTable checks it).
var secretKinds = map[string][]string{
	cmdProbe: {"password", "token"}, cmdSend: {"password", "token"}, cmdCheck: {"password", "token"},
	cmdExporter: {"password"},
}

// credentialsOf is what each command builds from the user's secret: the exporter's module binds it to its
// account (alice@victim.test), the others hold it as given.
func credentialsOf(t *testing.T, command, kind string) *probe.Credentials {
	t.Helper()
	if command == cmdExporter {
		mods, err := exporter.ParseModules("m.toml", []byte("[module.login]\nlogin = true\nuser = \"alice@victim.test\"\npassword_env = \"PW\"\n"))
		if err != nil {
			t.Fatal(err)
		}
		c, err := mods["login"].Credentials(func(string) string { return "pw" })
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if kind == "token" {
		return &probe.Credentials{User: "alice@victim.test", Token: "tok"}
	}
	return &probe.Credentials{User: "alice@victim.test", Password: "pw"}
}

// mayReceive asks the command's own decision path whether its secret may go to ep, named by source, in a
// run for domain (explicit endpoints: a run without a domain, as their URLs make one).
func mayReceive(t *testing.T, command, kind, domain string, ep probe.Endpoint, source string) bool {
	t.Helper()
	creds := credentialsOf(t, command, kind)
	if source == probe.SourceExplicit {
		domain = ""
	}
	req := probe.Request{Domain: domain, Target: domain}
	if domain == "" {
		req = probe.Request{Endpoints: []probe.Endpoint{ep}, Target: ep.URL()}
	}
	switch command {
	case cmdProbe:
		return probe.MayReceiveSecrets(domain, ep, []string{source}, creds.Bound)
	case cmdSend:
		// send logs in through the endpoint TrustedOutgoing picks from the discovery (or --server).
		res := probe.Result{Endpoint: ep, Address: "192.0.2.1", Status: probe.StatusOK, Source: source, Sources: []string{source},
			TLS: &probe.TLSInfo{Verified: true}, AuthMechanisms: []string{"PLAIN", "XOAUTH2"}}
		s, err := probe.TrustedOutgoing(&probe.Report{Domain: domain, Endpoints: []probe.Result{res}}, creds.User)
		if (s == nil) == (err == nil) {
			t.Fatalf("TrustedOutgoing: setting %+v and error %v", s, err)
		}
		return s != nil
	case cmdCheck:
		target := check.Target{Domain: domain}
		if domain == "" {
			target = check.Target{Endpoint: ep}
		}
		return check.CarriesSecrets(target) && probe.MayReceiveSecrets(domain, ep, []string{source}, creds.Bound)
	case cmdExporter:
		mods, _ := exporter.ParseModules("m.toml", []byte("[module.login]\nlogin = true\nuser = \"alice@victim.test\"\npassword_env = \"PW\"\n"))
		return mods["login"].Binds(req) == nil && probe.MayReceiveSecrets(domain, ep, []string{source}, creds.Bound)
	}
	t.Fatalf("unknown command %s", command)
	return false
}

// TestTrustTable enumerates every source × secret kind × command and asserts who may receive the secret,
// for a host inside the probed domain and one outside it (the victim.test and evil.test), and for
// a target outside the exporter module's account.
func TestTrustTable(t *testing.T) {
	const domain = "victim.test"
	hosts := map[string]string{"inside": "smtp.victim.test", "outside": "smtp.evil.test"}
	for _, source := range everySource {
		for _, where := range []string{"inside", "outside"} {
			ep := probe.Endpoint{Protocol: probe.SMTP, Host: hosts[where], Port: 465, Security: probe.TLS}
			for _, command := range []string{cmdProbe, cmdSend, cmdCheck, cmdExporter} {
				var want bool
				switch {
				case command == cmdCheck && source != probe.SourceExplicit:
					want = false // a domain target carries no secret at all
				case command == cmdExporter && source == probe.SourceExplicit:
					want = where == "inside" // the scraper chose the URL: only the account's domain
				default:
					want = vouching[source] || where == "inside"
				}
				for _, kind := range secretKinds[command] {
					name := fmt.Sprintf("%s/%s/%s/%s", source, where, command, kind)
					if got := mayReceive(t, command, kind, domain, ep, source); got != want {
						t.Errorf("%s: may receive %v, want %v", name, got, want)
					}
				}
			}
		}
	}
	// The exporter's module never serves a target outside its account, whatever names the servers: the
	// domain evil.test, whose own https autoconfig file names its own servers, would pass for probe.
	ep := probe.Endpoint{Protocol: probe.IMAP, Host: "imap.evil.test", Port: 993, Security: probe.TLS}
	for _, source := range everySource {
		if source == probe.SourceExplicit {
			continue
		}
		if mayReceive(t, cmdExporter, "password", "evil.test", ep, source) {
			t.Errorf("%s: the exporter's login module would log in to imap.evil.test for the target evil.test", source)
		}
		if !mayReceive(t, cmdProbe, "password", "evil.test", ep, source) {
			t.Errorf("%s: probe alice@evil.test would not log in to imap.evil.test, inside its own domain", source)
		}
	}
	// A module key that names a token is refused: an exporter module holds no OAuth2 token.
	if _, err := exporter.ParseModules("m.toml", []byte("[module.x]\nlogin = true\nuser = \"a@b.test\"\ntoken_env = \"T\"\n")); err == nil || !strings.Contains(err.Error(), "never goes in this file") {
		t.Errorf("a token key in a module: %v", err)
	}
}

// TestCheckForgedMX: check's domain target runs discovery without the secret, so the forged MX's servers
// get nothing; an endpoint target the user names by URL is the user's choice and gets the login.
func TestCheckForgedMX(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.ForgedMXWorld())
	for _, kind := range []struct {
		name, secret string
		creds        *probe.Credentials
	}{
		{"password", sandbox.ForgedMXPassword, &probe.Credentials{User: sandbox.ForgedMXUser, Password: sandbox.ForgedMXPassword}},
		{"token", sandbox.ForgedMXToken, &probe.Credentials{User: sandbox.ForgedMXUser, Token: sandbox.ForgedMXToken}},
	} {
		p := probe.NewProber(probe.Config{Resolver: &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 30 * time.Second},
			Dialer: sb, RootCAs: sb.RootCAs, Timeout: 30 * time.Second, Credentials: kind.creds})
		domainTarget, err := check.Spec{Domain: sandbox.ForgedMXUser, AnySettings: true}.Target(check.Defaults{})
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := check.Probe(context.Background(), p, domainTarget)
		if n := sb.Heard(sandbox.ProtoIMAP, kind.secret) + sb.Heard(sandbox.ProtoSMTP, kind.secret); n != 0 {
			t.Errorf("check %s with a %s: the forged MX's servers got it %d time(s)", sandbox.ForgedMXUser, kind.name, n)
		}
		for _, c := range tr.Checks {
			if !strings.Contains(c.Found, "unconfirmed: named only by a file reached through the domain's MX record") {
				t.Errorf("check %s: found %q, want it marked unconfirmed", c.Check, c.Found)
			}
		}
		endpointTarget, err := check.Spec{Endpoint: "imaps://imap.evil.test:993", Login: true}.Target(check.Defaults{})
		if err != nil {
			t.Fatal(err)
		}
		check.Probe(context.Background(), p, endpointTarget)
		if n := sb.Heard(sandbox.ProtoIMAP, kind.secret); n != 1 {
			t.Errorf("check imaps://imap.evil.test:993 (named by the user) with a %s: it arrived %d time(s), want 1", kind.name, n)
		}
	}
}
