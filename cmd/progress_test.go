package cmd

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

// On a terminal stderr the demo shows each verdict as it comes, then erases the live line; stdout is the
// report, byte for byte what it is without a terminal.
func TestProgressOnATerminalStderr(t *testing.T) {
	ptmx, tty := ptytest.Open(t)
	// 2s per step: the golden report must come out whole on a busy machine (the black-holed port waits it out).
	code, out, shown := runWithStderr(t, nil, ptmx, tty, "demo", "--timeout", "2s")
	if code != ExitOK {
		t.Fatalf("exit = %d, terminal showed %q", code, shown)
	}
	plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(shown, "")
	for _, want := range []string{
		"✓ IMAP  imap.sandbox.test:993", "✗ SMTP  smtp.sandbox.test:25", "Connection timed out",
		"login alice@sandbox.test on IMAP imap.sandbox.test:993 (SSL/TLS): accepted",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("the terminal did not show %q; it showed %q", want, shown)
		}
	}
	if !strings.HasSuffix(shown, "\r\x1b[K") {
		t.Errorf("the live line was not erased at the end: %q", shown[max(0, len(shown)-200):])
	}
	if strings.ContainsAny(out, "\r\x1b") || strings.Contains(out, "waiting for") {
		t.Errorf("progress reached stdout: %q", out)
	}
	assertGolden(t, filepath.Join("..", "testdata", "golden", "demo.txt"), normalize(out))
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
			args := append([]string{"demo", "--timeout", "500ms"}, tc.args...)
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
