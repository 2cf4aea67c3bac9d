package probe

import (
	"context"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/discover"
	"github.com/mailcheck/mailcheck/probe/sandbox"
)

// TestEverySourceHasATrustRow: every source that can name an endpoint says whether it vouches for hosts
// outside the domain, and those that do not say in words how they could be forged; each has its wording.
func TestEverySourceHasATrustRow(t *testing.T) {
	for _, row := range discover.Sources {
		s := row.Name
		if !vouchesOutside(s) && row.ForgedBy == "" {
			t.Errorf("source %q vouches for nothing outside the domain but its row does not say why", s)
		}
		if sourceLabel(s) == s {
			t.Errorf("source %q has no wording in sourceLabel", s)
		}
	}
	if vouchesOutside("no-such-source") {
		t.Error("a source without a row vouches for hosts outside the domain")
	}
	if discover.Forgeable(discover.ProviderAutoconfig) == false || vouchesOutside(discover.ProviderAutoconfig) {
		t.Error("the provider's own file, reached through the MX answer, must be forgeable and vouch for nothing")
	}
	if !vouchesOutside(discover.Provider) {
		t.Error("the provider's ISPDB entry (curated, fixed host) must stay trusted")
	}
}

// An endpoint named only by a source without a registry row is outranked by every known source: it is
// never ranked like one the user typed (it used to rank 0, the most trusted, as a missing map key).
func TestUnknownSourceRanksLast(t *testing.T) {
	unknown := origin{source: "no-such-source"}
	for _, row := range discover.Sources {
		if !(origin{source: row.Name}).better(unknown) || unknown.better(origin{source: row.Name}) {
			t.Errorf("%s does not outrank an unknown source", row.Name)
		}
	}
}

// forgedMXProber probes the forged-MX world with the victim's password or token.
func forgedMXProber(t *testing.T, creds *Credentials) (*sandbox.Sandbox, *Prober) {
	t.Helper()
	return world(t, sandbox.ForgedMXWorld(), creds)
}

// TestForgedMXGetsNoSecret is issue 20's scenario: victim.test MX mx.evil.test, and
// https://autoconfig.evil.test (a valid certificate) lists imap.evil.test and smtp.evil.test. Neither is
// sent the password or the token; the settings carry the warning, and send finds no server to log in to.
func TestForgedMXGetsNoSecret(t *testing.T) {
	t.Parallel()
	for _, kind := range []struct {
		name   string
		creds  *Credentials
		secret string
	}{
		{"password", &Credentials{User: sandbox.ForgedMXUser, Password: sandbox.ForgedMXPassword}, sandbox.ForgedMXPassword},
		{"token", &Credentials{User: sandbox.ForgedMXUser, Token: sandbox.ForgedMXToken}, sandbox.ForgedMXToken},
	} {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			sb, p := forgedMXProber(t, kind.creds)
			rep := p.Run(context.Background(), Request{Target: sandbox.ForgedMXUser, Domain: "victim.test", Address: sandbox.ForgedMXUser})
			for _, proto := range []sandbox.Proto{sandbox.ProtoIMAP, sandbox.ProtoSMTP, sandbox.ProtoPOP3} {
				if n := sb.Heard(proto, kind.secret); n != 0 {
					t.Errorf("the %s reached the attacker's %s server %d time(s)", kind.name, proto, n)
				}
			}
			for _, want := range []struct {
				proto Protocol
				host  string
				port  int
			}{{IMAP, "imap.evil.test", 993}, {SMTP, "smtp.evil.test", 465}} {
				res := find(rep, want.proto, want.host, want.port)
				if len(res) == 0 {
					t.Fatalf("%s was not probed: %+v", want.host, rep.Endpoints)
				}
				if res[0].Source != discover.ProviderAutoconfig {
					t.Errorf("%s source %q, want %s", want.host, res[0].Source, discover.ProviderAutoconfig)
				}
				if a := res[0].Auth; a == nil || a.Tested || a.Problem == nil || a.Problem.Code != catalog.AuthNotAttempted ||
					!strings.Contains(a.Problem.Summary, "MX record") {
					t.Errorf("%s login %+v, want auth_not_attempted naming the MX record", want.host, a)
				}
			}
			for _, s := range []*Setting{rep.Settings.Incoming, rep.Settings.Outgoing} {
				if s == nil || !strings.Contains(s.Warning, "reached through the domain's MX record, which can be forged: confirm these are your provider's servers before typing your password") {
					t.Errorf("setting %+v lacks the warning", s)
				}
			}
			if topProblem(rep, catalog.SettingsUnconfirmed) == nil || rep.Status != StatusWarn {
				t.Errorf("status %s problems %v, want warn with settings_unconfirmed", rep.Status, problemSummaries(rep))
			}
			// send --dry-run chooses its server with TrustedOutgoing: none may receive the secret.
			if o, err := TrustedOutgoing(rep, sandbox.ForgedMXUser); o != nil || err == nil || !strings.Contains(err.Error(), "--server submissions://smtp.evil.test:465") {
				t.Errorf("send would log in to %+v (%v)", o, err)
			}
		})
	}
}

// TestBoundCredentials: an exporter module's credentials go only inside the account's domain, also for
// endpoint URLs, which there are the scraper's choice, not the owner's.
func TestBoundCredentials(t *testing.T) {
	b := &Binding{Domain: "example.test", Hosts: []string{"192.0.2.7", "imap.partner.test"}}
	imaps := func(host string) Endpoint { return Endpoint{Protocol: IMAP, Host: host, Port: 993, Security: TLS} }
	for _, c := range []struct {
		domain string
		ep     Endpoint
		want   bool
	}{
		{"", imaps("imap.example.test"), true},
		{"", imaps("EXAMPLE.TEST."), true},
		{"", imaps("imap.evil.test"), false},
		{"", imaps("example.test.evil.test"), false},
		{"", imaps("192.0.2.7"), true},
		{"", imaps("imap.partner.test"), true},
		{"example.test", imaps("imap.example.test"), true},
		{"sub.example.test", imaps("imap.sub.example.test"), true},
		{"evil.test", imaps("imap.evil.test"), false},
		{"evil.test", imaps("imap.example.test"), false}, // the target itself is outside the account
	} {
		sources := []string{SourceExplicit}
		if c.domain != "" {
			sources = []string{SourceAutoconfig}
		}
		if got := MayReceiveSecrets(c.domain, c.ep, sources, b); got != c.want {
			t.Errorf("domain %q endpoint %s: %v, want %v", c.domain, c.ep, got, c.want)
		}
	}
}
