package probe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailcheck/mailcheck/probe/discover"
	"github.com/mailcheck/mailcheck/probe/sandbox"
)

// imapConfig is a config-v1.1.xml (autoconfig, ISPDB, a provider's file) listing one IMAPS server.
func imapConfig(host string) string {
	return fmt.Sprintf(`<clientConfig version="1.1"><emailProvider id="x"><incomingServer type="imap"><hostname>%s</hostname><port>993</port><socketType>SSL</socketType><username>%%EMAILADDRESS%%</username></incomingServer></emailProvider></clientConfig>`, host)
}

// imapAutodiscover is an Autodiscover answer listing one IMAPS server.
func imapAutodiscover(host string) string {
	return fmt.Sprintf(`<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>settings</Action><Protocol><Type>IMAP</Type><Server>%s</Server><Port>993</Port><SSL>on</SSL></Protocol></Account></Response></Autodiscover>`, host)
}

// sourceServers are the IMAPS servers of the every-source world: each is named by one source only, all
// but imap.home.test outside the probed domain home.test, and whether it may receive a secret.
var sourceServers = []struct {
	host, ip, source string
	trusted          bool
}{
	{"imap.home.test", "127.0.0.85", SourceGuess, true},
	{"imap-ac.out.test", "127.0.0.91", discover.Autoconfig, true},
	{"imap-ad.out.test", "127.0.0.93", discover.Autodiscover, true},
	{"imap-ispdb.out.test", "127.0.0.89", discover.ISPDB, true},
	{"imap-pispdb.out.test", "127.0.0.88", discover.Provider, true},
	{"imap-pfile.out.test", "127.0.0.90", discover.ProviderAutoconfig, false},
	{"imap-http.out.test", "127.0.0.92", discover.AutoconfigHTTP, false},
	{"imap-adr.out.test", "127.0.0.94", discover.AutodiscoverRedirected, false},
	{"imap-srv.out.test", "127.0.0.95", SourceSRV, false},
	{"certname.out.test", "127.0.0.87", SourceCertName, false},
}

// everySourceWorld has home.test name one IMAPS server through each discovery source (sourceServers),
// and its MX point at the provider out.test, whose ISPDB entry and own autoconfig file name more.
func everySourceWorld(t *testing.T) (sandbox.World, string) {
	ispdb := t.TempDir()
	for name, body := range map[string]string{"home.test.xml": imapConfig("imap-ispdb.out.test"), "out.test.xml": imapConfig("imap-pispdb.out.test")} {
		if err := os.WriteFile(filepath.Join(ispdb, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w := sandbox.World{
		Domain:     "home.test",
		OtherZones: []string{"out.test"},
		Records: []string{
			"home.test." + ttl + "MX 10 mx.out.test.",
			"_imaps._tcp.home.test." + ttl + "SRV 0 1 993 imap-srv.out.test.",
			"_autodiscover._tcp.home.test." + ttl + "SRV 0 0 443 autodiscover.out.test.",
			"mx.out.test." + ttl + "A 127.0.0.80",
			"autoconfig.out.test." + ttl + "A 127.0.0.81",
			"autoconfig.home.test." + ttl + "A 127.0.0.82",
			"autodiscover.home.test." + ttl + "A 127.0.0.83",
			"autodiscover.out.test." + ttl + "A 127.0.0.84",
			"mail.home.test." + ttl + "A 127.0.0.86",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.80", Port: 25, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS},
			{IP: "127.0.0.81", Port: 443, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModeTLS, Files: map[string]string{"/mail/config-v1.1.xml": imapConfig("imap-pfile.out.test")}},
			{IP: "127.0.0.82", Port: 443, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModeTLS, Files: map[string]string{"/mail/config-v1.1.xml": imapConfig("imap-ac.out.test")}},
			{IP: "127.0.0.82", Port: 80, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModePlain, Files: map[string]string{"/mail/config-v1.1.xml": imapConfig("imap-http.out.test")}},
			{IP: "127.0.0.83", Port: 443, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModeTLS, Files: map[string]string{"/autodiscover/autodiscover.xml": imapAutodiscover("imap-ad.out.test")}},
			{IP: "127.0.0.84", Port: 443, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModeTLS, Files: map[string]string{"/autodiscover/autodiscover.xml": imapAutodiscover("imap-adr.out.test")}},
			// mail.home.test presents certname.out.test's certificate: that name is probed as cert_name.
			{IP: "127.0.0.86", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS, Cert: sandbox.CertWrongHost, CertHost: "certname.out.test"},
		},
		Users:  map[string]string{"alice@home.test": "home password"},
		Tokens: map[string]sandbox.Token{"home-token": {User: "alice@home.test", Scopes: []string{"IMAP.AccessAsUser.All"}}},
	}
	for _, s := range sourceServers {
		w.Records = append(w.Records, s.host+"."+ttl+"A "+s.ip)
		w.Services = append(w.Services, sandbox.Service{IP: s.ip, Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS})
	}
	return w, ispdb
}

// TestEverySourceEndToEnd drives the trust table through a real run: each source names one server, and
// the servers count what logins send them. Only the servers of sources that vouch for hosts outside the
// domain (and the one inside it) receive the password or the token.
func TestEverySourceEndToEnd(t *testing.T) {
	t.Parallel()
	for _, kind := range []struct {
		name, secret string
		creds        *Credentials
	}{
		{"password", "home password", &Credentials{User: "alice@home.test", Password: "home password"}},
		{"token", "home-token", &Credentials{User: "alice@home.test", Token: "home-token"}},
	} {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			w, ispdb := everySourceWorld(t)
			sb, p := world(t, w, kind.creds)
			p.cfg.ISPDB = ispdb
			rep := p.Run(context.Background(), Request{Target: "alice@home.test", Domain: "home.test", Address: "alice@home.test"})
			for _, s := range sourceServers {
				res := find(rep, IMAP, s.host, 993)
				if len(res) == 0 || res[0].Source != s.source {
					t.Errorf("%s: not probed as %s: %+v", s.host, s.source, res)
					continue
				}
				want := 0
				if s.trusted {
					want = 1
				}
				if got := sb.HeardAt(s.ip, kind.secret); got != want {
					t.Errorf("%s (%s): the %s arrived %d time(s), want %d", s.host, s.source, kind.name, got, want)
				}
			}
		})
	}
}
