package report

import (
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

// TestMarkdownEscapesServerText: a server's words cannot become a link, an image, HTML, a table cell or
// an escape sequence in the ticket.
func TestMarkdownEscapesServerText(t *testing.T) {
	hostile := "x](https://evil.example/)<img src=x onerror=alert(1)>| cell `code` *b* \x1b[2J\nnext"
	rep := &probe.Report{
		Target: "alice@example.com", Domain: "example.com", Status: probe.StatusFail,
		StartedAt: time.Date(2026, 12, 8, 9, 30, 0, 0, time.UTC), DurationMS: 1234,
		Settings: probe.Settings{Incoming: &probe.Setting{Protocol: probe.IMAP, Server: "imap.example.com", Port: 993,
			Security: "tls", SecurityLabel: "SSL/TLS", Username: hostile}},
		Problems: []probe.Problem{{Code: catalog.CertExpired, Severity: catalog.Fail, Summary: hostile, Fix: "renew it"},
			{Code: catalog.CertExpiringSoon, Severity: catalog.Info, Summary: "info only"}},
	}
	var b strings.Builder
	if err := Markdown(&b, rep, FormatOptions{Version: "v1.2.3"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"](https", "<img", "\x1b", "| cell", "`code`", "*b*"} {
		// Present only with a backslash before it, which Markdown shows as the character itself.
		if strings.Contains(strings.ReplaceAll(out, `\`+bad[:1], "ESCAPED"), bad) {
			t.Errorf("markdown contains %q unescaped:\n%s", bad, out)
		}
	}
	for _, want := range []string{
		"**mailcheck alice@example.com: FAILED**",
		"| Incoming | IMAP imap.example.com | 993 | SSL/TLS |",
		"| Outgoing | none found that works | | | |",
		"1. **Certificate expired** (`cert_expired`)",
		"Fix: renew it",
		"_Checked 2026-12-08 09:30 UTC from this machine's network by mailcheck v1.2.3, 0 endpoints in 1.2 s._",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "info only") {
		t.Errorf("an info finding is in the ticket block:\n%s", out)
	}
	if n := strings.Count(out, "\n| "); n != 4 {
		t.Errorf("%d table lines, want the header, its rule and two settings (a server string split a row?):\n%s", n, out)
	}
}

func TestSettingsFormat(t *testing.T) {
	rep := &probe.Report{Settings: probe.Settings{Outgoing: &probe.Setting{Protocol: probe.SMTP, Server: "smtp.example.com", Port: 587, Security: "starttls"}}}
	var b strings.Builder
	if err := Settings(&b, rep, FormatOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "incoming none\noutgoing smtp smtp.example.com 587 starttls\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestTextSaysTheLoginWasNotTested: without credentials the settings say so and tell how to test it
// (issue 23: "WORKS" hid the most common ticket, a wrong password).
func TestTextSaysTheLoginWasNotTested(t *testing.T) {
	in := &probe.Setting{Protocol: probe.IMAP, Server: "imap.example.com", Port: 993, Security: "tls", SecurityLabel: "SSL/TLS"}
	rep := &probe.Report{Target: "example.com", Domain: "example.com", Status: probe.StatusOK,
		Endpoints: []probe.Result{{Status: probe.StatusOK}}, Settings: probe.Settings{Incoming: in}}
	var b strings.Builder
	if err := Text(&b, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "login not tested") || !strings.Contains(b.String(), "add --user NAME to test it") {
		t.Errorf("no 'login not tested' hint:\n%s", b.String())
	}
	rep.Endpoints[0].Auth = &probe.AuthResult{Tested: true, OK: true}
	b.Reset()
	_ = Text(&b, rep, TextOptions{})
	if strings.Contains(b.String(), "login not tested") {
		t.Errorf("'login not tested' although a login ran:\n%s", b.String())
	}
}
