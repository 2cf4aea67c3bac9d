package report

import (
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/internal/textwrap"
	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

// TestTextFitsTheTerminal: with a width the human report wraps at word boundaries, continuation lines
// indented; without one (a pipe) lines stay whole.
func TestTextFitsTheTerminal(t *testing.T) {
	rep := &probe.Report{Target: "alice@sandbox.test", Domain: "sandbox.test", Status: probe.StatusFail,
		Problems: []probe.Problem{{Code: catalog.CertExpired, Severity: catalog.Fail,
			Summary:     "the certificate for smtp.sandbox.test expired on 2026-12-07 (1 day ago), so alice@sandbox.test cannot send",
			Explanation: strings.Repeat("The server's certificate has expired, so clients refuse the connection. ", 3),
			Fix:         "Check the device's date and time first; otherwise the server operator must renew the certificate."}}}
	var wide, narrow strings.Builder
	if err := Text(&wide, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Text(&narrow, rep, TextOptions{Width: 60}); err != nil {
		t.Fatal(err)
	}
	long := false
	for _, l := range strings.Split(wide.String(), "\n") {
		long = long || textwrap.Width(l) > 60
	}
	if !long {
		t.Fatal("the unwrapped report has no line over 60 columns: the test proves nothing")
	}
	for _, l := range strings.Split(narrow.String(), "\n") {
		if textwrap.Width(l) > 60 {
			t.Errorf("line of %d columns: %q", textwrap.Width(l), l)
		}
	}
	if strings.Join(strings.Fields(wide.String()), " ") != strings.Join(strings.Fields(narrow.String()), " ") {
		t.Errorf("wrapping changed the words:\n%s\n---\n%s", wide.String(), narrow.String())
	}
	if !strings.Contains(narrow.String(), "alice@sandbox.test") {
		t.Errorf("an address was split:\n%s", narrow.String())
	}
}
