package report

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/ptytest"
	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

func TestProgressOnATerminal(t *testing.T) {
	term := ptytest.NewTerminal(t)
	p := NewProgress(term.TTY, "alice@example.com", false)
	if p == nil {
		t.Fatal("NewProgress on a terminal returned nil")
	}
	defer p.Stop()
	term.WaitFor(t, "probing alice@example.com")

	silent := probe.Endpoint{Protocol: probe.SMTP, Host: "smtp.example.com", Port: 25, Security: probe.STARTTLS}
	p.Event(probe.Event{Kind: probe.StepStarted, Endpoint: silent, Address: "192.0.2.25", Step: probe.StepGreeting, Limit: 5 * time.Second})
	term.WaitFor(t, "waiting for smtp.example.com:25 (STARTTLS): greeting … ")
	term.WaitFor(t, " of 5 s")

	good := probe.Result{Endpoint: probe.Endpoint{Protocol: probe.IMAP, Host: "imap.example.com", Port: 993, Security: probe.TLS},
		Address: "192.0.2.10", Status: probe.StatusOK, AuthMechanisms: []string{"PLAIN", "X\x1b[2J"}, Problems: []probe.Problem{}}
	p.Event(probe.Event{Kind: probe.EndpointDone, Endpoint: good.Endpoint, Address: good.Address, Result: &good})
	shown := term.WaitFor(t, "✓ IMAP  imap.example.com:993")
	if strings.Contains(shown, "\x1b[2J") || !strings.Contains(shown, `login: PLAIN X\x1b[2J`) {
		t.Errorf("a server's string reached the terminal unsanitised: %q", shown)
	}

	good.Auth = &probe.AuthResult{User: "alice@example.com", Tested: true, OK: true}
	p.Event(probe.Event{Kind: probe.StepStarted, Endpoint: good.Endpoint, Address: good.Address, Step: probe.StepLogin, Limit: 15 * time.Second})
	term.WaitFor(t, "waiting for smtp.example.com:25 (STARTTLS): greeting … ") // still the longest wait
	term.WaitFor(t, " (and 1 more)")
	p.Event(probe.Event{Kind: probe.LoginDone, Endpoint: good.Endpoint, Address: good.Address, Result: &good})
	term.WaitFor(t, "✓ login alice@example.com on IMAP imap.example.com:993 (SSL/TLS): accepted")

	bad := probe.Result{Endpoint: silent, Address: "192.0.2.25", Status: probe.StatusFail,
		Problems: []probe.Problem{probe.NewProblem(catalog.ResponseTimeout, "no greeting", "")}}
	p.Event(probe.Event{Kind: probe.EndpointDone, Endpoint: silent, Address: bad.Address, Result: &bad})
	term.WaitFor(t, "✗ SMTP  smtp.example.com:25")
	term.WaitFor(t, "probing alice@example.com: 2 endpoints done")

	p.Stop()
	p.Stop()
	p.Event(probe.Event{Kind: probe.EndpointDone, Endpoint: good.Endpoint, Address: good.Address, Result: &good})
	all := term.Rest()
	last := strings.LastIndex(all, "✗ SMTP  smtp.example.com:25")
	if i := strings.LastIndex(all, "\r\x1b[K"); i < last {
		t.Errorf("Stop did not erase the live line after the last verdict: %q", all[last:])
	}
	if strings.Count(all, "✓ IMAP  imap.example.com:993") != 1 {
		t.Errorf("an event after Stop was printed: %q", all)
	}
	if strings.Contains(all, "\x1b[?25l") {
		t.Errorf("the cursor was hidden: an interrupted run would leave it so")
	}
}

func TestProgressAbsentOnAPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := NewProgress(w, "alice@example.com", true)
	if p != nil {
		t.Error("NewProgress on a pipe returned a live region")
	}
	res := probe.Result{Status: probe.StatusOK}
	p.Event(probe.Event{Kind: probe.EndpointDone, Result: &res}) // a nil Progress does nothing
	p.Stop()
	w.Close()
	if b, _ := io.ReadAll(r); len(b) > 0 {
		t.Errorf("the pipe got %q", b)
	}
}
