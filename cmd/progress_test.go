package cmd

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/mattn/go-isatty"

	"github.com/mailcheck/mailcheck/internal/ptytest"
)

// runWithStderr runs mailcheck with stderr on f (a pty or a pipe, told apart as SystemIO does) and
// returns stdout and what the other end of f received.
func runWithStderr(t *testing.T, env map[string]string, reader, f *os.File, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	got := make(chan string)
	go func() {
		var b bytes.Buffer
		_, _ = io.Copy(&b, reader) // ends with EOF (pipe) or EIO (pty) once f is closed
		got <- b.String()
	}()
	var out bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: f, ErrTTY: isatty.IsTerminal(f.Fd()),
		Getenv: func(k string) string { return env[k] }}
	code = Run(args, ios)
	f.Close()
	return code, out.String(), <-got
}

// On a terminal stderr the demo shows each verdict as it comes, then erases the live line; stdout has the
// report and nothing of the progress. (That the live line shows a pending wait is
// TestProgressShowsAPendingWait's: the demo's waits are too short to catch on a starved machine.)
func TestProgressOnATerminalStderr(t *testing.T) {
	ptmx, tty := ptytest.Open(t)
	code, out, shown := runWithStderr(t, nil, ptmx, tty, "demo")
	if code != ExitOK && code != ExitProblems {
		t.Fatalf("exit = %d, terminal showed %q", code, shown)
	}
	plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(shown, "")
	for _, want := range []string{
		// Each verdict line is printed when its event comes, whatever the machine's speed.
		"✗ SMTP  smtp.sandbox.test:25         STARTTLS 127.0.0.4       Connection timed out",
		" IMAP  imap.sandbox.test:993        SSL/TLS  127.0.0.2 ", " SMTP  smtp.sandbox.test:587        STARTTLS 127.0.0.4 ",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("the terminal did not show %q; it showed %q", want, shown)
		}
	}
	// At the end the live line is erased, then every verdict line above it (the report lists them again):
	// the cursor goes up as many rows as verdicts were printed, and the screen is cleared from there.
	if want := fmt.Sprintf("\r\x1b[K\r\x1b[%dA\x1b[J", strings.Count(shown, "\r\n")); !strings.HasSuffix(shown, want) {
		t.Errorf("the progress was not erased at the end (want %q): %q", want, shown[max(0, len(shown)-200):])
	}
	if strings.ContainsAny(out, "\r\x1b") || strings.Contains(out, "waiting for") {
		t.Errorf("progress reached stdout: %q", out)
	}
	// The report itself is TestDemoGolden's; here: it is all there, from its first line to its last.
	if !strings.HasPrefix(out, "mailcheck alice@sandbox.test — ") || !strings.Contains(out, "\nSettings to type into the mail client\n") ||
		!regexp.MustCompile("\nResult: [A-Z ]+ — [^\n]+\n$").MatchString(out) {
		t.Errorf("stdout is not the whole report:\n%s", out)
	}
}

// While a server keeps mailcheck waiting, the live line names it, its step and the step's limit. The
// server here greets (with a refusal) only once the terminal has shown that line: the signal, not a
// clock, so the test holds on a machine of any speed.
func TestProgressShowsAPendingWait(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	release := make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce) // a failed wait must not leave the probe waiting
	served := make(chan struct{})
	go func() {
		defer close(served)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				<-release
				_, _ = c.Write([]byte("554 5.3.2 no service here\r\n"))
			}()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	term := ptytest.NewTerminal(t)
	var out bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: term.TTY, ErrTTY: true, Getenv: func(string) string { return "" }}
	done := make(chan int)
	go func() {
		done <- Run([]string{"probe", "--timeout", "10m", "--max-time", "20m", fmt.Sprintf("smtp://127.0.0.1:%d", port)}, ios)
	}()
	term.WaitFor(t, fmt.Sprintf("waiting for 127.0.0.1:%d (STARTTLS): ", port), " of 600 s")
	releaseOnce()
	code := <-done
	shown := term.Rest()
	ln.Close()
	<-served
	if code != ExitProblems {
		t.Errorf("exit = %d, want 1 (a refused greeting)", code)
	}
	if plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(shown, ""); !strings.Contains(plain, fmt.Sprintf("✗ SMTP  127.0.0.1:%d", port)) {
		t.Errorf("no verdict line for the server; the terminal showed %q", plain)
	}
	if strings.Contains(out.String(), "waiting for") {
		t.Errorf("progress reached stdout: %q", out.String())
	}
}

// No progress on a pipe, with --json, --quiet, CI=true or TERM=dumb.
func TestProgressOnlyWhenSomeoneWatches(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		pipe bool
	}{
		{"pipe", nil, nil, true},
		{"json", nil, []string{"--json"}, false},
		{"quiet", nil, []string{"--quiet"}, false},
		{"q", nil, []string{"-q"}, false},
		{"CI", map[string]string{"CI": "true"}, nil, false},
		{"dumb terminal", map[string]string{"TERM": "dumb"}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r, w *os.File
			if tc.pipe {
				var err error
				if r, w, err = os.Pipe(); err != nil {
					t.Fatal(err)
				}
				defer r.Close()
			} else {
				r, w = ptytest.Open(t)
			}
			args := append([]string{"demo"}, tc.args...)
			code, out, shown := runWithStderr(t, tc.env, r, w, args...)
			if code != ExitOK && code != ExitProblems {
				t.Fatalf("exit = %d, stderr %q", code, shown)
			}
			if shown != "" {
				t.Errorf("stderr got %q, want nothing", shown)
			}
			if out == "" {
				t.Error("no report on stdout")
			}
		})
	}
}
