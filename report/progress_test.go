package report

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/internal/ptytest"
	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

// terminal is a pseudo-terminal: Progress draws on tty, the test reads what a terminal would show from
// the other side.
type terminal struct {
	tty    *os.File
	chunks chan []byte
	seen   bytes.Buffer
}

func newTerminal(t *testing.T) *terminal {
	t.Helper()
	ptmx, tty := ptytest.Open(t)
	term := &terminal{tty: tty, chunks: make(chan []byte)}
	go func() {
		defer close(term.chunks)
		for {
			b := make([]byte, 4096)
			n, err := ptmx.Read(b)
			if n > 0 {
				term.chunks <- b[:n]
			}
			if err != nil {
				return // EIO once the tty side is closed
			}
		}
	}()
	return term
}

// waitFor reads until the terminal has shown s (the signal, not a sleep) and returns everything so far.
func (term *terminal) waitFor(t *testing.T, s string) string {
	t.Helper()
	guard := time.NewTimer(time.Minute) // fails a broken test instead of hanging it; never paces one
	defer guard.Stop()
	for !strings.Contains(term.seen.String(), s) {
		select {
		case b, ok := <-term.chunks:
			if !ok {
				t.Fatalf("the terminal closed before showing %q; it showed %q", s, term.seen.String())
			}
			term.seen.Write(b)
		case <-guard.C:
			t.Fatalf("the terminal did not show %q in a minute; it showed %q", s, term.seen.String())
		}
	}
	return term.seen.String()
}

// rest closes the terminal and returns all it showed.
func (term *terminal) rest() string {
	term.tty.Close()
	for b := range term.chunks {
		term.seen.Write(b)
	}
	return term.seen.String()
}

func TestProgressOnATerminal(t *testing.T) {
	term := newTerminal(t)
	p := NewProgress(term.tty, "alice@example.com", false)
	if p == nil {
		t.Fatal("NewProgress on a terminal returned nil")
	}
	defer p.Stop()
	term.waitFor(t, "probing alice@example.com")

	silent := probe.Endpoint{Protocol: probe.SMTP, Host: "smtp.example.com", Port: 25, Security: probe.STARTTLS}
	p.Event(probe.Event{Kind: probe.StepStarted, Endpoint: silent, Address: "192.0.2.25", Step: probe.StepGreeting, Limit: 5 * time.Second})
	term.waitFor(t, "waiting for smtp.example.com:25 (STARTTLS): greeting … ")
	term.waitFor(t, " of 5 s")

	good := probe.Result{Endpoint: probe.Endpoint{Protocol: probe.IMAP, Host: "imap.example.com", Port: 993, Security: probe.TLS},
		Address: "192.0.2.10", Status: probe.StatusOK, AuthMechanisms: []string{"PLAIN", "X\x1b[2J"}, Problems: []probe.Problem{}}
	p.Event(probe.Event{Kind: probe.EndpointDone, Endpoint: good.Endpoint, Address: good.Address, Result: &good})
	shown := term.waitFor(t, "✓ IMAP  imap.example.com:993")
	if strings.Contains(shown, "\x1b[2J") || !strings.Contains(shown, "login: PLAIN X?[2J") {
		t.Errorf("a server's string reached the terminal unsanitised: %q", shown)
	}

	good.Auth = &probe.AuthResult{User: "alice@example.com", Tested: true, OK: true}
	p.Event(probe.Event{Kind: probe.StepStarted, Endpoint: good.Endpoint, Address: good.Address, Step: probe.StepLogin, Limit: 15 * time.Second})
	term.waitFor(t, "waiting for smtp.example.com:25 (STARTTLS): greeting … ") // still the longest wait
	term.waitFor(t, " (and 1 more)")
	p.Event(probe.Event{Kind: probe.LoginDone, Endpoint: good.Endpoint, Address: good.Address, Result: &good})
	term.waitFor(t, "✓ login alice@example.com on IMAP imap.example.com:993 (SSL/TLS): accepted")

	bad := probe.Result{Endpoint: silent, Address: "192.0.2.25", Status: probe.StatusFail,
		Problems: []probe.Problem{probe.NewProblem(catalog.ResponseTimeout, "no greeting", "")}}
	p.Event(probe.Event{Kind: probe.EndpointDone, Endpoint: silent, Address: bad.Address, Result: &bad})
	term.waitFor(t, "✗ SMTP  smtp.example.com:25")
	term.waitFor(t, "probing alice@example.com: 2 endpoints done")

	p.Stop()
	p.Stop()
	p.Event(probe.Event{Kind: probe.EndpointDone, Endpoint: good.Endpoint, Address: good.Address, Result: &good})
	all := term.rest()
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
