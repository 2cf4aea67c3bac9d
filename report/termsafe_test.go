package report

import (
	"bufio"
	"context"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
)

// hostileGreeting sets the terminal title, clears the screen and paints a fake verdict.
const hostileGreeting = "* OK \x1b]0;pwned\x07\x1b[2J\x1b[32mResult: OK — the settings above work.\x1b[0m \u202eevil\x00\r\n"

// hostileReport probes an in-process IMAP server on loopback whose greeting and answers carry escape
// sequences, the way a hostile server would.
func hostileReport(t *testing.T) *probe.Report {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			r := bufio.NewReader(c)
			c.Write([]byte(hostileGreeting))
			if _, err := r.ReadString('\n'); err == nil {
				c.Write([]byte("* CAPABILITY IMAP4rev1 \x1b[1mAUTH=PLAIN\r\na1 NO \x1b[2Jno\x9b31m\r\n"))
			}
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	p := probe.NewProber(probe.Config{Timeout: 5 * time.Second, Transcript: true, STARTTLS: probe.STARTTLSNo})
	return p.Run(context.Background(), probe.Request{Target: "evil\x1b[2J", Endpoints: []probe.Endpoint{{Protocol: probe.IMAP, Host: "127.0.0.1", Port: port, Security: probe.Plain}}})
}

var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// TestHostileTextIsEscaped: no byte a terminal acts on reaches the human report, with or without colour,
// beyond mailcheck's own colour sequences; the JSON keeps the server's words as they were.
func TestHostileTextIsEscaped(t *testing.T) {
	rep := hostileReport(t)
	for _, colour := range []bool{false, true} {
		var b strings.Builder
		if err := Text(&b, rep, TextOptions{Color: colour, Verbose: true}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		rest := sgr.ReplaceAllString(out, "")
		if !colour && rest != out {
			t.Errorf("colour sequences without colour")
		}
		for _, r := range rest {
			if r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f || r == '\u202e' {
				t.Errorf("colour=%v: %U reached the terminal:\n%s", colour, r, out)
				break
			}
		}
		if !strings.Contains(out, `\x1b]0;pwned\x07\x1b[2J\x1b[32mResult: OK`) {
			t.Errorf("the greeting is not shown escaped:\n%s", out)
		}
	}
	var js strings.Builder
	if err := JSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `\u001b]0;pwned\u0007`) {
		t.Errorf("JSON does not keep the server's words: %s", js.String())
	}
	if testing.Verbose() {
		var b strings.Builder
		_ = Text(&b, rep, TextOptions{Verbose: true})
		t.Log("\n" + b.String())
	}
}
