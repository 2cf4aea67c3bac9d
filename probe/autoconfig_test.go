package probe

import (
	"context"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/sandbox"
)

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
