package cmd

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

// run executes mailcheck in-process with fake streams.
// answeringBudgets are the step and run limits of tests against the sandbox, whose servers all answer and
// whose black holes give up on their own clock: a ceiling no busy machine reaches (on one CPU shared with
// busy loops at nice 19, twenty concurrent TLS handshakes took over 5 s), so that no working server is
// ever cut short. The demo's own defaults (5 s, 30 s) are for a machine ten times slower than an idle one.
var answeringBudgets = []string{"--timeout", "60s", "--max-time", "10m"}

func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, Getenv: func(k string) string { return env[k] }}
	code = Run(args, ios)
	return code, out.String(), errOut.String()
}

func TestUsageErrorsExitTwoWithOneLine(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"probe"}, nil, "needs an e-mail address"},
		{[]string{"probe", "alice@"}, nil, "no domain after the @"},
		{[]string{"probe", "al ice@example.com"}, nil, "not a valid e-mail address"},
		{[]string{"probe", "ftp://mail.example.com"}, nil, "unknown scheme"},
		{[]string{"probe", "imaps://mail.example.com:70000"}, nil, "out of range"},
		{[]string{"probe", "imaps://alice:hunter2@mail.example.com"}, nil, "user name or password"},
		{[]string{"probe", "a.example.com", "b.example.com"}, nil, "one address or domain"},
		{[]string{"probe", "--starttls=maybe", "example.com"}, nil, "--starttls must be"},
		{[]string{"probe", "--timeout=-1s", "example.com"}, nil, "--timeout must be positive"},
		{[]string{"probe", "--timeout=soon", "example.com"}, nil, "invalid argument"},
		{[]string{"probe", "--resolver=dns.example", "example.com"}, nil, "as an IP address"},
		{[]string{"probe", "--resolver=", "example.com"}, nil, "--resolver is empty"},
		{[]string{"send", "--from", "a@example.com", "--to", "b@example.org,,c@example.org"}, nil, "empty address"},
		{[]string{"probe", "--password=hunter2", "example.com"}, nil, "unknown flag: --password"},
		{[]string{"probe", "--user=alice@example.com", "example.com"}, nil, "needs a password"},
		{[]string{"probe", "--password-file=/nonexistent", "example.com"}, nil, "--password-file"},
		{[]string{"probe", "--password-file=/dev/zero", "example.com"}, nil, "--password-file: it is a device, not a regular file"},
		{[]string{"probe", "--ca-file=/dev/zero", "example.com"}, nil, "--ca-file: it is a device, not a regular file"},
		{[]string{"check", "--config=/dev/zero"}, nil, "--config /dev/zero: it is a device, not a regular file"},
		{[]string{"probe", "--ca-file=/nonexistent", "example.com"}, nil, "--ca-file"},
		{[]string{"send", "--to", "bob@example.org"}, nil, "needs --from and --to"},
		{[]string{"send", "--from", "a@example.com", "--to", "b@example.org", "--server", "imaps://x.example.com"}, nil, "not an SMTP endpoint"},
		{[]string{"probe", "--ispdb=ftp://ispdb.example", "example.com"}, nil, "neither an https:// URL nor a directory"},
		{[]string{"probe", "--ispdb=/nonexistent/ispdb", "example.com"}, nil, "neither an https:// URL nor a directory"},
		{[]string{"probe", "--ispdb=https://ispdb.example/", "--no-ispdb", "example.com"}, nil, "contradict"},
		{[]string{"bogus"}, nil, "unknown command"},
		// issue 14: strict input
		{[]string{"probe", "--color=rainbow", "example.com"}, nil, "--color must be auto, always or never"},
		{[]string{"probe", "--no-color", "--color=always", "example.com"}, nil, "contradict"},
		{[]string{"explain", "--color=sometimes", "535"}, nil, "--color must be"},
		{[]string{"send", "--from", "@", "--to", "b@example.org"}, nil, "--from: \"@\" is not a valid address"},
		{[]string{"send", "--from", "a@example.com", "--to", "b@@x"}, nil, "--to: \"b@@x\" is not a valid address"},
		{[]string{"send", "--from", "a@example.com", "--to", "b@example.org\nc@example.org"}, nil, "line break"},
		{[]string{"send", "--from", "a@example.com", "--to", `"b@example.org`}, nil, "double quote is not closed"},
		{[]string{"send", "--from", "a@example.com", "--to", "b@example.org, ,c@example.org"}, nil, "empty address"},
		{[]string{"send", "--from", strings.Repeat("a", 65) + "@example.com", "--to", "b@example.org"}, nil, "65 octets long"},
		{[]string{"send", "--from", "a\x01b@example.com", "--to", "b@example.org"}, nil, "control character U+0001"},
		{[]string{"send", "--from", "a@example.com", "--to", "b\x1b[2J@example.org"}, nil, "control character U+001B"},
		{[]string{"probe", "--resolver", "[::1", "example.com"}, nil, "as an IP address"},
		{[]string{"probe", "--resolver", "::1]:53", "example.com"}, nil, "--resolver"},
		{[]string{"check", "--cert-crit", "5", "--cert-min-days", "6", "imaps://mail.example.com"}, nil, "same setting"},
		// issue 23: edges
		{[]string{"--json", "probe", "example.com"}, nil, "--json goes after the command: mailcheck probe --json example.com"},
		{[]string{"--bogus"}, nil, "unknown flag --bogus"},
		{[]string{"prob", "example.com"}, nil, `unknown command "prob" for "mailcheck" — did you mean probe?`},
		{[]string{"completion", "tcsh"}, nil, `no completion for the shell "tcsh"`},
		{[]string{"probe", "--from-file", ".", "--no-ispdb"}, nil, "is a directory"},
		{[]string{"probe", "--shard", "1/2", "example.com"}, nil, "--shard works only with --from-file"},
		{[]string{"check", "--per-server", "2", "imaps://mail.example.com"}, nil, "--per-server works only with --from-file"},
		{[]string{"probe", "--user", "", "example.com"}, nil, "--user is empty"},
		{[]string{"probe", "--user", " ", "example.com"}, nil, "--user is empty"},
		{[]string{"probe", "--format", "yaml", "example.com"}, nil, `--format "yaml" is not a format`},
		{[]string{"probe", "--timeline", "--json", "example.com"}, nil, "--timeline draws on the text report"},
		{[]string{"probe", "--json", "--format", "markdown", "example.com"}, nil, "--json and --format markdown contradict"},
		{[]string{"demo", "--send", "--format", "settings"}, nil, "--format settings does not apply"},
		{[]string{"send", "--starttls", "no", "--from", "a@example.com", "--to", "b@example.org"}, nil, "send has no --starttls"},
		{[]string{"check", "--cert-warn", "5", "--cert-crit", "6", "imaps://mail.example.com"}, nil, "must be at least --cert-crit"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := run(t, tc.env, tc.args...)
			if code != ExitUsage {
				t.Errorf("exit = %d, want %d (stderr %q)", code, ExitUsage, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr = %q, want it to mention %q", errOut, tc.want)
			}
			if n := strings.Count(strings.TrimSpace(errOut), "\n"); n > 0 {
				t.Errorf("stderr has %d lines, want one: %q", n+1, errOut)
			}
			if strings.Contains(errOut+out, "hunter2") {
				t.Errorf("the password appears in the output: %q", errOut)
			}
			if strings.Contains(errOut, "\x1b") {
				t.Errorf("a control character reached the terminal: %q", errOut)
			}
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
				t.Errorf("stack trace: %s", errOut)
			}
		})
	}
}

func TestDemoJSON(t *testing.T) {
	code, out, errOut := run(t, nil, append([]string{"demo", "--json"}, answeringBudgets...)...)
	if code != ExitOK {
		t.Fatalf("exit = %d, stderr %s", code, errOut)
	}
	var rep struct {
		SchemaVersion int    `json:"schema_version"`
		Status        string `json:"status"`
		Settings      struct {
			Incoming *struct {
				Protocol, Server, Security string
				Port                       int
				LoginVerified              bool `json:"login_verified"`
			}
			Outgoing *struct {
				Protocol, Server, Security string
				Port                       int
				RequiresAuth               bool `json:"requires_auth"`
			}
		}
		Endpoints []struct {
			Protocol, Host, Security, Status string
			Port                             int
			Problems                         []struct{ Code string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if rep.SchemaVersion != 1 || rep.Status != "warn" {
		t.Errorf("schema_version %d status %q, want 1 warn", rep.SchemaVersion, rep.Status)
	}
	in, o := rep.Settings.Incoming, rep.Settings.Outgoing
	if in == nil || in.Server != "imap.sandbox.test" || in.Port != 993 || in.Security != "tls" || !in.LoginVerified {
		t.Errorf("incoming = %+v, want imap.sandbox.test 993 tls, login verified", in)
	}
	if o == nil || o.Server != "smtp.sandbox.test" || o.Port != 587 || o.Security != "starttls" || !o.RequiresAuth {
		t.Errorf("outgoing = %+v, want smtp.sandbox.test 587 starttls with auth", o)
	}
	want := map[string]string{
		"smtp smtp.sandbox.test 465": "cert_expired",
		"smtp smtp.sandbox.test 25":  "connect_timeout",
		"imap mail.sandbox.test 993": "cert_hostname_mismatch",
		"imap mail.sandbox.test 143": "starttls_not_offered",
	}
	for _, e := range rep.Endpoints {
		key := e.Protocol + " " + e.Host + " " + itoa(e.Port)
		if code, ok := want[key]; ok {
			found := false
			for _, p := range e.Problems {
				found = found || p.Code == code
			}
			if !found {
				t.Errorf("%s: problems %+v, want %s", key, e.Problems, code)
			}
			delete(want, key)
		}
	}
	if len(want) > 0 {
		t.Errorf("endpoints missing from the report: %v", want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestDemoGolden pins the human report. Run `go test ./cmd -update` after a deliberate change.
func TestDemoGolden(t *testing.T) {
	code, out, errOut := run(t, nil, append([]string{"demo"}, answeringBudgets...)...)
	if code != ExitOK {
		t.Fatalf("exit = %d, stderr %s", code, errOut)
	}
	assertGolden(t, filepath.Join("..", "testdata", "golden", "demo.txt"), normalize(out))
}

// assertGolden compares output with a golden file; `go test ./cmd -update` rewrites it.
func assertGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd -update to accept):\n%s", path, got)
	}
}

var (
	reDuration = regexp.MustCompile(`probed in [0-9.]+ m?s`)
	reDate     = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
)

// normalize removes what changes from run to run: durations and calendar dates.
func normalize(s string) string {
	s = reDuration.ReplaceAllString(s, "probed in N ms")
	return reDate.ReplaceAllString(s, "YYYY-MM-DD")
}

// TestEmptyListsCheckNothing: an empty --from-file list or a closed stdin is no pass (issue 23).
func TestEmptyListsCheckNothing(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.txt")
	if err := os.WriteFile(empty, []byte("# nothing yet\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"probe", "--from-file", empty, "--no-ispdb"},
		{"check", "--from-file", empty, "--no-ispdb"},
		{"check", "--from-file", "-", "--no-ispdb"}, // stdin is empty in run
	} {
		code, out, errOut := run(t, nil, args...)
		if code != ExitUsage || !strings.Contains(errOut, "lists no targets") {
			t.Errorf("%v: exit %d, stderr %q; want %d and 'lists no targets'", args, code, errOut, ExitUsage)
		}
		if !strings.Contains(out, `"kind":"summary"`) {
			t.Errorf("%v: no summary line in %q", args, out)
		}
	}
}

// TestHelpToAFullDisk: help that cannot be written is no success (issue 23: --help >/dev/full exited 0).
func TestHelpToAFullDisk(t *testing.T) {
	var errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: failingWriter{}, ErrOut: &errOut, Getenv: func(string) string { return "" }}
	if code := Run([]string{"--help"}, ios); code != ExitUsage {
		t.Errorf("exit %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(errOut.String(), "writing to standard output: no space left on device") {
		t.Errorf("stderr %q", errOut.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestPasswordWithNUL: a NUL in the password would end it early inside SASL PLAIN; it is refused.
func TestPasswordWithNUL(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("hun\x00ter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, nil, "probe", "--user", "alice@example.com", "--password-file", file, "example.com")
	if code != ExitUsage || !strings.Contains(errOut, "NUL byte") || strings.Contains(out+errOut, "ter2") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestCheckAcceptsQuiet: -q is accepted by check as by probe (issue 23).
func TestCheckAcceptsQuiet(t *testing.T) {
	var got *CheckOptions
	c := NewCmdCheck(&IOStreams{Out: io.Discard, ErrOut: io.Discard, Getenv: func(string) string { return "" }}, func(o *CheckOptions) error { got = o; return nil })
	c.SetArgs([]string{"-q", "imaps://mail.example.com"})
	if err := c.Execute(); err != nil || got == nil {
		t.Fatalf("check -q: %v", err)
	}
}

// TestDemoFormats: the ticket block and the settings lines of the demo (issue 23 item 5).
func TestDemoFormats(t *testing.T) {
	code, out, errOut := run(t, nil, append([]string{"demo", "--format", "settings"}, answeringBudgets...)...)
	if code != ExitOK || out != "incoming imap imap.sandbox.test 993 tls\noutgoing smtp smtp.sandbox.test 587 starttls\n" {
		t.Errorf("settings: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = run(t, nil, append([]string{"demo", "--format", "markdown"}, answeringBudgets...)...)
	if code != ExitOK || !strings.HasPrefix(out, "**mailcheck alice@sandbox.test: works, with warnings**") ||
		!strings.Contains(out, "| Incoming | IMAP imap.sandbox.test | 993 | SSL/TLS | user alice@sandbox.test, login verified |") {
		t.Errorf("markdown: exit %d, stdout %s, stderr %q", code, out, errOut)
	}
}
