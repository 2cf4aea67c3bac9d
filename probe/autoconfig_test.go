package probe

import (
	"context"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/sandbox"
)

func TestParseAutoconfig(t *testing.T) {
	body := `<clientConfig version="1.1"><emailProvider id="x">
	  <incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
	  <incomingServer type="pop3"><hostname>pop.example.com</hostname><port>110</port><socketType>STARTTLS</socketType></incomingServer>
	  <incomingServer type="exchange"><hostname>ews.example.com</hostname><port>443</port><socketType>SSL</socketType></incomingServer>
	  <incomingServer type="imap"><hostname>bad host</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
	  <incomingServer type="imap"><hostname>imap.example.com</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>
	  <outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>25</port><socketType>plain</socketType></outgoingServer>
	  <outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>25</port><socketType>plain</socketType></outgoingServer>
	</emailProvider></clientConfig>`
	got, err := parseAutoconfig([]byte(body), "example.com", "a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	want := []Endpoint{{Protocol: IMAP, Host: "imap.example.com", Port: 993, Security: TLS}, {Protocol: POP3, Host: "pop.example.com", Port: 110, Security: STARTTLS}, {Protocol: SMTP, Host: "smtp.example.com", Port: 25, Security: Plain}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("server %d: %v, want %v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"<html>not found</html>", "{json}", `<clientConfig><emailProvider></emailProvider></clientConfig>`} {
		if _, err := parseAutoconfig([]byte(bad), "example.com", ""); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestDiscoveryByAutoconfig(t *testing.T) {
	const cfg = `<clientConfig version="1.1"><emailProvider id="ac.test">
	  <incomingServer type="imap"><hostname>in.ac.test</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
	  <outgoingServer type="smtp"><hostname>out.ac.test</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
	  <outgoingServer type="smtp"><hostname>gone.ac.test</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
	</emailProvider></clientConfig>`
	_, p := world(t, sandbox.World{
		Domain: "ac.test",
		Records: []string{
			"autoconfig.ac.test." + ttl + "A 127.0.0.90",
			"ac.test." + ttl + "A 127.0.0.93",
			"in.ac.test." + ttl + "A 127.0.0.91",
			"out.ac.test." + ttl + "A 127.0.0.92",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.90", Port: 443, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModeTLS, Files: map[string]string{"/mail/config-v1.1.xml": cfg}},
			{IP: "127.0.0.93", Port: 443, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModeTLS, Files: map[string]string{}},
			{IP: "127.0.0.91", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "127.0.0.92", Port: 465, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeTLS},
		},
	}, nil)
	rep := p.Run(context.Background(), Request{Target: "bob@ac.test", Domain: "ac.test", Address: "bob@ac.test"})
	if in := rep.Settings.Incoming; in == nil || in.Server != "in.ac.test" {
		t.Errorf("incoming %+v, want in.ac.test from autoconfig", in)
	}
	if out := rep.Settings.Outgoing; out == nil || out.Server != "out.ac.test" {
		t.Errorf("outgoing %+v, want out.ac.test from autoconfig", out)
	}
	for _, e := range rep.Endpoints {
		if e.Host == "in.ac.test" && e.Source != SourceAutoconfig {
			t.Errorf("%s: source %s, want autoconfig", e.Endpoint, e.Source)
		}
	}
	if len(rep.Autoconfig) != 2 {
		t.Fatalf("autoconfig lookups %+v, want 2", rep.Autoconfig)
	}
	for _, a := range rep.Autoconfig {
		switch {
		case strings.Contains(a.URL, "autoconfig.ac.test"):
			if a.HTTPStatus != 200 || len(a.Servers) != 3 || !strings.Contains(a.URL, "emailaddress=bob%40ac.test") || a.TimeMS <= 0 {
				t.Errorf("autoconfig.ac.test: %+v", a)
			}
		case strings.Contains(a.URL, "/.well-known/"):
			if a.HTTPStatus != 404 || a.Error == "" {
				t.Errorf(".well-known: %+v, want a 404", a)
			}
		}
	}
	if pr := topProblem(rep, "dns_not_found"); pr == nil || !strings.Contains(pr.Summary, "gone.ac.test") {
		t.Errorf("a server in the autoconfig file that does not resolve is not reported: %+v", rep.Problems)
	}
}
