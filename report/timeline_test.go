package report

import (
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe"
)

// TestTimelineCriticalPath: the path runs back from the last login through the slowest probe, its host's
// address lookup and the SRV answer that named the host; a fast probe beside it is not on it.
func TestTimelineCriticalPath(t *testing.T) {
	imap := probe.Result{Endpoint: probe.Endpoint{Protocol: probe.IMAP, Host: "imap.x.test", Port: 993, Security: probe.TLS},
		Address: "192.0.2.1", StartedMS: 12, Timings: probe.Timings{TotalMS: 498, AuthMS: 10},
		Auth: &probe.AuthResult{Tested: true, OK: true, StartedMS: 500}}
	smtp := probe.Result{Endpoint: probe.Endpoint{Protocol: probe.SMTP, Host: "smtp.x.test", Port: 587, Security: probe.STARTTLS},
		Address: "192.0.2.2", StartedMS: 12, Timings: probe.Timings{TotalMS: 8}}
	rep := &probe.Report{DurationMS: 510,
		DNS: []probe.DNSQuery{
			{Name: "_imaps._tcp.x.test.", Type: "SRV", StartedMS: 0, TimeMS: 10, Answers: []string{"SRV 0 1 993 imap.x.test."}},
			{Name: "imap.x.test.", Type: "A", StartedMS: 10, TimeMS: 2},
			{Name: "smtp.x.test.", Type: "A", StartedMS: 1, TimeMS: 2},
		},
		Endpoints: []probe.Result{imap, smtp},
	}
	critical := map[string]bool{}
	for _, r := range timelineRows(rep) {
		critical[r.label] = r.critical
	}
	for label, want := range map[string]bool{
		"login IMAP imap.x.test:993 192.0.2.1":    true,
		"IMAP imap.x.test:993 SSL/TLS 192.0.2.1":  true,
		"DNS A imap.x.test":                       true,
		"DNS SRV _imaps._tcp.x.test":              true,
		"SMTP smtp.x.test:587 STARTTLS 192.0.2.2": false,
		"DNS A smtp.x.test":                       false,
	} {
		if got, ok := critical[label]; !ok || got != want {
			t.Errorf("%s: critical %v (present %v), want %v", label, got, ok, want)
		}
	}
	var b strings.Builder
	if err := Text(&b, rep, TextOptions{Timeline: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Timeline") || strings.Count(b.String(), "◆") != 5 { // 4 rows and the legend
		t.Errorf("timeline:\n%s", b.String())
	}
}
