package exporter_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/exporter"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
	"github.com/mailcheck/mailcheck/report"
)

const victimModule = `
[module.login]
login = true
user = "alice@victim.test"
password_env = "VICTIM_PW"
`

// TestLoginModuleScope (issue 20, finding 2): an exporter whose --allow-target lets a scraper point a
// login module outside its account does not start.
func TestLoginModuleScope(t *testing.T) {
	mods, err := exporter.ParseModules("m.toml", []byte(victimModule+"\n[module.default]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		patterns []string
		wide     string // "" when the exporter may start
	}{
		{[]string{"*"}, `"*"`},
		{[]string{"victim.test", "*"}, `"*"`},
		{[]string{"*.test"}, `"*.test"`},
		{[]string{"victim.test", "*.victim.test"}, ""},
		{[]string{"victim.test", "*.victim.test", "*.example.org", "192.0.2.0/24"}, ""}, // disjoint: Binds refuses those targets
	} {
		allow, err := exporter.ParseAllowList(c.patterns)
		if err != nil {
			t.Fatal(err)
		}
		err = exporter.CheckLoginScope(mods, allow)
		switch {
		case c.wide == "" && err != nil:
			t.Errorf("%v: refused: %v", c.patterns, err)
		case c.wide != "" && (err == nil || !strings.Contains(err.Error(), c.wide) || !strings.Contains(err.Error(), "module login") || strings.Contains(err.Error(), "\n")):
			t.Errorf("%v: %v, want a one-line refusal naming module login and %s", c.patterns, err, c.wide)
		}
	}
	noDomain := `
[module.x]
login = true
user = "monitoring"
password_env = "P"
`
	if _, err := exporter.ParseModules("m.toml", []byte(noDomain)); err == nil || !strings.Contains(err.Error(), "login_hosts") {
		t.Errorf("a login whose user is no address and names no login_hosts: %v", err)
	}
	if _, err := exporter.ParseModules("m.toml", []byte(noDomain+`login_hosts = ["imap.example.net", "192.0.2.7"]`+"\n")); err != nil {
		t.Errorf("login_hosts: %v", err)
	}
	if _, err := exporter.ParseModules("m.toml", []byte(noDomain+`login_hosts = ["imap example"]`+"\n")); err == nil {
		t.Error("a login_hosts entry that is no host was accepted")
	}
}

// TestLoginModuleIsBoundToItsAccount: with the forged-MX world, a scrape that points the login module at
// the attacker's server, or at the attacker's domain, is refused (403) and nothing reaches the server; a
// target of the account's own domain is probed and its forged discovery gets no password either.
func TestLoginModuleIsBoundToItsAccount(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.ForgedMXWorld())
	mods, err := exporter.ParseModules("m.toml", []byte(victimModule))
	if err != nil {
		t.Fatal(err)
	}
	def, _ := exporter.LoadModules("")
	mods[exporter.DefaultModule] = def[exporter.DefaultModule]
	// evil.test is allowed for the default module: a pattern disjoint from the account's domain.
	allow, err := exporter.ParseAllowList([]string{"victim.test", "*.victim.test", "evil.test", "*.evil.test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := exporter.CheckLoginScope(mods, allow); err != nil {
		t.Fatal(err)
	}
	exp, err := exporter.New(exporter.Config{
		Modules: mods,
		Base: probe.Config{Resolver: &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 30 * time.Second},
			Dialer: sb, RootCAs: sb.RootCAs},
		Getenv:      func(k string) string { return map[string]string{"VICTIM_PW": sandbox.ForgedMXPassword}[k] },
		Allow:       allow,
		Concurrency: 4, TimeoutOffset: 500 * time.Millisecond, History: 10,
		View: report.ExporterView{},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(exp)
	t.Cleanup(srv.Close)

	for _, target := range []string{"imaps://imap.evil.test:993", "submissions://smtp.evil.test:465", "evil.test", "bob@evil.test"} {
		code, body := get(t, srv, probePath(target, "login"))
		if code != http.StatusForbidden || !strings.Contains(body, "alice@victim.test") {
			t.Errorf("module login, target %s: HTTP %d %q, want 403 naming the account", target, code, body)
		}
	}
	if code, _ := get(t, srv, probePath("imaps://imap.evil.test:993", "")); code != http.StatusOK {
		t.Errorf("the default module (no login) on an allowed target: HTTP %d", code)
	}
	if code, _ := get(t, srv, probePath("alice@victim.test", "login")); code != http.StatusOK {
		t.Errorf("module login on its own account: HTTP %d", code)
	}
	for _, proto := range []sandbox.Proto{sandbox.ProtoIMAP, sandbox.ProtoSMTP, sandbox.ProtoPOP3} {
		if n := sb.Heard(proto, sandbox.ForgedMXPassword); n != 0 {
			t.Errorf("the module's password reached the attacker's %s server %d time(s)", proto, n)
		}
	}
}
