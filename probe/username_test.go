package probe

import (
	"context"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/sandbox"
)

// TestAutoconfigUsernameWithLineBreakNeverSent: an autoconfig file (over verified HTTPS, so trusted with
// the password) gives a <username> with CR LF, which in POP3's "USER alice\r\nSTAT" would inject a
// command. The name is dropped with its reason recorded; the login uses the address and no transcript
// line carries the injected command.
func TestAutoconfigUsernameWithLineBreakNeverSent(t *testing.T) {
	const cfg = `<clientConfig version="1.1"><emailProvider id="ac.test">
	  <incomingServer type="pop3"><hostname>pop.ac.test</hostname><port>995</port><socketType>SSL</socketType><username>alice&#13;&#10;STAT</username></incomingServer>
	</emailProvider></clientConfig>`
	const addr, pw = "alice@ac.test", "pw-correct-horse"
	_, p := world(t, sandbox.World{
		Domain: "ac.test",
		Users:  map[string]string{addr: pw},
		Records: []string{
			"autoconfig.ac.test." + ttl + "A 127.0.0.90",
			"pop.ac.test." + ttl + "A 127.0.0.91",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.90", Port: 443, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModeTLS, Files: map[string]string{"/mail/config-v1.1.xml": cfg}},
			{IP: "127.0.0.91", Port: 995, Proto: sandbox.ProtoPOP3, Mode: sandbox.ModeTLS},
		},
	}, &Credentials{User: addr, Password: pw})
	rep := p.Run(context.Background(), Request{Target: addr, Domain: "ac.test", Address: addr})
	refused := false
	for _, a := range rep.Autoconfig {
		for _, s := range a.Servers {
			if s.Host == "pop.ac.test" {
				refused = s.Username == "" && strings.Contains(s.UsernameRefused, "line break")
			}
		}
	}
	if !refused {
		t.Errorf("the autoconfig lookup does not record the refused user name: %+v", rep.Autoconfig)
	}
	tested := false
	for _, e := range rep.Endpoints {
		if e.Host != "pop.ac.test" {
			continue
		}
		if e.Auth != nil && e.Auth.Tested {
			tested = true
			if e.Auth.User != addr || !e.Auth.OK {
				t.Errorf("%s: login %+v, want %s accepted", e.Endpoint, e.Auth, addr)
			}
		}
		if strings.ContainsAny(e.Username, "\r\n") {
			t.Errorf("%s: username %q", e.Endpoint, e.Username)
		}
		for _, l := range e.Transcript {
			if strings.Contains(l, "STAT") {
				t.Errorf("%s: the injected command reached the server: %q", e.Endpoint, l)
			}
		}
	}
	if !tested {
		t.Errorf("the login was not tested on pop.ac.test: %+v", rep.Endpoints)
	}
}
