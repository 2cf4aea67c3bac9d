package report

import (
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/discover"
	"github.com/mailcheck/mailcheck/probe/endpoint"
)

func TestWriteSources(t *testing.T) {
	rep := &probe.Report{Discovery: []discover.Lookup{
		{Source: discover.Autoconfig, URL: "https://autoconfig.x.test/mail/config-v1.1.xml", HTTPStatus: 200,
			Servers: []discover.Server{{Endpoint: endpoint.Endpoint{Protocol: endpoint.IMAP, Host: "imap.x.test", Port: 993, Security: endpoint.TLS}, Username: "bob\x1b[2J"}}},
		{Source: discover.ISPDB, URL: "https://ispdb.test/v1.1/x.test", HTTPStatus: 200, Error: "not a mail client configuration file: \x1b]0;owned\x07"},
		{Source: discover.AutoconfigHTTP, URL: "http://autoconfig.x.test/", Forgeable: true, Error: "connection refused"},
		{Source: discover.AutoconfigHTTP, URL: "http://x.test/", Forgeable: true, Error: "connection refused"},
	}}
	var b strings.Builder
	writeSources(&b, rep, newPalette(false), false)
	out := b.String()
	for _, want := range []string{
		"imaps://imap.x.test:993 (user bob\\x1b[2J)", // a server's user name, escape neutralised
		"https://ispdb.test/v1.1/x.test: not a mail", // an answer that came but was unusable is shown
		"nothing published at",                       // the rest folded
		"autoconfig-http ×2 (-v lists them)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("control characters reach the terminal: %q", out)
	}
	b.Reset()
	writeSources(&b, rep, newPalette(false), true)
	if !strings.Contains(b.String(), "autoconfig-http (forgeable)") || strings.Contains(b.String(), "nothing published at") {
		t.Errorf("verbose lists every source:\n%s", b.String())
	}
}
