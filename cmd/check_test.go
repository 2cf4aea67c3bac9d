package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/check"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

const (
	checkUser  = "ci@k.test"
	checkPW    = "s3cret check password"
	checkWrong = "not-the-password-5521"
)

var (
	checkMixed = filepath.Join("..", "testdata", "check", "sandbox-mixed.toml")
	checkPass  = filepath.Join("..", "testdata", "check", "sandbox-pass.toml")
	checkEnv   = map[string]string{PasswordEnv: checkPW, "CI_WRONG_PASSWORD": checkWrong}
)

// checkWorld is the domain k.test: mail.k.test works (and refuses POP3), the other hosts fail one way each.
func checkWorld() sandbox.World {
	const ttl = " 300 IN "
	return sandbox.World{
		Domain: "k.test",
		Records: []string{
			"mail.k.test." + ttl + "A 127.0.2.10",
			"old.k.test." + ttl + "A 127.0.2.11",
			"open.k.test." + ttl + "A 127.0.2.12",
			"black.k.test." + ttl + "A 127.0.2.13",
			"plain.k.test." + ttl + "A 127.0.2.14",
		},
		Services: []sandbox.Service{
			{IP: "127.0.2.10", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "127.0.2.10", Port: 587, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS},
			{IP: "127.0.2.10", Port: 110, Behavior: sandbox.BehaveRefuse},
			{IP: "127.0.2.11", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS, Cert: sandbox.CertExpired},
			{IP: "127.0.2.12", Port: 110, Proto: sandbox.ProtoPOP3, Mode: sandbox.ModeSTARTTLS},
			// Gives up on its own clock, so no test shortens --timeout for the servers that answer.
			{IP: "127.0.2.13", Port: 110, Behavior: sandbox.BehaveBlackhole, GiveUpAfter: 300 * time.Millisecond},
			{IP: "127.0.2.14", Port: 143, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeSTARTTLS, PlaintextAuth: true},
		},
		Users: map[string]string{checkUser: checkPW},
	}
}

func startCheckWorld(t *testing.T) *sandbox.Sandbox { return sandboxtest.Start(t, checkWorld()) }

// checkIO are the streams of one test run.
type checkIO struct {
	env map[string]string
	tty bool
}

// runCheckIn runs `mailcheck <args>` with the check command's network replaced by the sandbox, and maps
// its error to an exit code as Run does.
func runCheckIn(t *testing.T, sb *sandbox.Sandbox, cio checkIO, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, IsTTY: cio.tty,
		Getenv: func(k string) string { return cio.env[k] }}
	root := NewRootCmd(ios)
	for _, c := range root.Commands() {
		if c.Name() == "check" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(NewCmdCheck(ios, func(o *CheckOptions) error {
		o.dialer = sb
		o.resolver = &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 5 * time.Second} // generous: a loaded CI machine must not turn a slow answer into a failure
		o.rootCAs = sb.RootCAs
		return runCheck(context.Background(), o)
	}))
	root.SetArgs(args)
	err := root.Execute()
	var ee *ExitError
	switch {
	case err == nil:
		code = ExitOK
	case errors.As(err, &ee):
		if ee.Err != nil {
			fmt.Fprintf(ios.ErrOut, "mailcheck: %v\n", ee.Err)
		}
		code = ee.Code
	default:
		fmt.Fprintf(ios.ErrOut, "mailcheck: %v\n", err)
		code = ExitUsage
	}
	return code, out.String(), errOut.String()
}

var (
	reCheckMS      = regexp.MustCompile(`("(?:time_ms|duration_ms)":\s?)[0-9.]+`)
	reCheckTook    = regexp.MustCompile(`\((?:[0-9]+ ms|[0-9.]+ s)\)`)
	reNagiosTime   = regexp.MustCompile(`_time'=[0-9.]+s`)
	reJUnitSeconds = regexp.MustCompile(`time="[0-9.]+"`)
)

// normalizeCheck removes what changes from run to run: durations and calendar dates.
func normalizeCheck(s string) string {
	s = reCheckMS.ReplaceAllString(s, "${1}0")
	s = reCheckTook.ReplaceAllString(s, "(N ms)")
	s = reNagiosTime.ReplaceAllString(s, "_time'=0.000s")
	s = reJUnitSeconds.ReplaceAllString(s, `time="0.000"`)
	return reDate.ReplaceAllString(s, "YYYY-MM-DD")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	assertGolden(t, filepath.Join("..", "testdata", "check", "golden", name), got)
}

// TestCheckGolden pins every output format for a run with passes, a warning and failures, and for a
// passing run. Run `go test ./cmd -update` after a deliberate change.
func TestCheckGolden(t *testing.T) {
	sb := startCheckWorld(t)
	cases := []struct {
		golden string
		config string
		flags  []string
		code   int
	}{
		{"mixed.txt", checkMixed, nil, ExitProblems},
		{"mixed.json", checkMixed, []string{"--json"}, ExitProblems},
		{"mixed.jsonl", checkMixed, []string{"--jsonl"}, ExitProblems},
		{"mixed.nagios", checkMixed, []string{"--nagios"}, 2},
		{"pass.txt", checkPass, nil, ExitOK},
		{"pass.jsonl", checkPass, []string{"--jsonl"}, ExitOK},
		{"pass.nagios", checkPass, []string{"--nagios", "--cert-warn", "30", "--cert-crit", "14"}, 0},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			args := append(append([]string{"check", "--config", c.config}, c.flags...), answeringBudgets...)
			code, out, errOut := runCheckIn(t, sb, checkIO{env: checkEnv}, args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, errOut)
			}
			if errOut != "" {
				t.Errorf("stderr %q", errOut)
			}
			if strings.Contains(out, "\x1b[") {
				t.Errorf("colour codes without a terminal")
			}
			golden(t, c.golden, normalizeCheck(out))
		})
	}
}

// JUnit XML, mirrored from the schema CI systems read, to parse the output back.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string `xml:"name,attr"`
	Tests      int    `xml:"tests,attr"`
	Failures   int    `xml:"failures,attr"`
	Errors     int    `xml:"errors,attr"`
	Skipped    int    `xml:"skipped,attr"`
	Time       string `xml:"time,attr"`
	Properties []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	Time      string `xml:"time,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	} `xml:"failure"`
	SystemOut string `xml:"system-out"`
}

var reSeconds = regexp.MustCompile(`^[0-9]+\.[0-9]{3}$`)

func TestCheckJUnit(t *testing.T) {
	sb := startCheckWorld(t)
	path := filepath.Join(t.TempDir(), "mailcheck-junit.xml")
	code, out, errOut := runCheckIn(t, sb, checkIO{env: checkEnv}, "check", "--config", checkMixed, "--jsonl", "--junit", path)
	if code != ExitProblems {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte(xml.Header)) {
		t.Errorf("no XML declaration: %.60s", raw)
	}
	var doc junitSuites
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("not JUnit XML: %v\n%s", err, raw)
	}
	// The same run's JSON Lines, to compare counts against.
	var targets []check.TargetResult
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var line struct {
			Kind string `json:"kind"`
			check.TargetResult
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if line.Kind == "target" {
			targets = append(targets, line.TargetResult)
		}
	}
	if doc.Name != "mailcheck check" || len(doc.Suites) != 7 || len(targets) != 7 {
		t.Fatalf("testsuites %q with %d suites (%d targets)", doc.Name, len(doc.Suites), len(targets))
	}
	tests, failures := 0, 0
	for i, s := range doc.Suites {
		tg := targets[i]
		if s.Name != tg.Name || s.Tests != len(s.Cases) || s.Tests != len(tg.Checks) || s.Errors != 0 || s.Skipped != 0 || !reSeconds.MatchString(s.Time) {
			t.Errorf("suite %d: %+v, target %s with %d checks", i, s, tg.Name, len(tg.Checks))
		}
		if len(s.Properties) != 2 || s.Properties[0].Value != tg.Endpoint || s.Properties[1].Value != tg.Expect {
			t.Errorf("suite %s: properties %+v", s.Name, s.Properties)
		}
		fails := 0
		for j, tc := range s.Cases {
			ck := tg.Checks[j]
			if tc.Name != ck.Check || tc.Classname != tg.Name || !reSeconds.MatchString(tc.Time) {
				t.Errorf("%s case %d: %+v, want name %s classname %s", s.Name, j, tc, ck.Check, tg.Name)
			}
			switch ck.Status {
			case check.Fail:
				fails++
				f := tc.Failure
				if f == nil {
					t.Errorf("%s %s: failed check without <failure>", s.Name, tc.Name)
					continue
				}
				if f.Message != ck.Message || !strings.HasPrefix(f.Message, "expected ") || !strings.Contains(f.Message, "; found ") {
					t.Errorf("%s %s: failure message %q", s.Name, tc.Name, f.Message)
				}
				if ck.Problem != nil && (f.Type != ck.Problem.Code || !strings.Contains(f.Text, "What it means: "+ck.Problem.Explanation) || !strings.Contains(f.Text, "What to do: "+ck.Problem.Fix)) {
					t.Errorf("%s %s: failure type %q text %q lacks the catalogue's explanation", s.Name, tc.Name, f.Type, f.Text)
				}
			case check.Warn:
				if tc.Failure != nil || !strings.HasPrefix(tc.SystemOut, "WARNING: expected ") {
					t.Errorf("%s %s: a warning is a passing case with system-out: %+v", s.Name, tc.Name, tc)
				}
			default:
				if tc.Failure != nil || tc.SystemOut != "" {
					t.Errorf("%s %s: passing case with %+v", s.Name, tc.Name, tc)
				}
			}
		}
		if s.Failures != fails {
			t.Errorf("suite %s: failures=%d, counted %d", s.Name, s.Failures, fails)
		}
		tests += s.Tests
		failures += s.Failures
	}
	if doc.Tests != tests || doc.Failures != failures || doc.Errors != 0 || doc.Skipped != 0 || failures == 0 {
		t.Errorf("testsuites tests=%d failures=%d, suites add up to %d and %d", doc.Tests, doc.Failures, tests, failures)
	}
	if strings.Contains(string(raw), checkPW) || strings.Contains(string(raw), checkWrong) {
		t.Errorf("the JUnit file contains a password")
	}
	golden(t, "mixed.junit.xml", normalizeCheck(string(raw)))
}

func TestCheckExitCodes(t *testing.T) {
	sb := startCheckWorld(t)
	cases := []struct {
		name string
		args []string
		env  map[string]string
		code int
		out  string // part of stdout
	}{
		{"pass", []string{"imaps://mail.k.test", "--cert-min-days", "21"}, nil, ExitOK, "Result: PASSED"},
		{"warnings pass", []string{"imaps://mail.k.test", "--cert-warn", "100"}, nil, ExitOK, "PASSED WITH WARNINGS"},
		{"failure", []string{"imaps://old.k.test"}, nil, ExitProblems, "Result: FAILED"},
		{"absent passes", []string{"--expect", "absent", "pop3://mail.k.test"}, nil, ExitOK, "connection refused at 127.0.2.10"},
		{"filtered counts as absent", []string{"--expect", "absent", "pop3://black.k.test"}, nil, ExitOK, "no answer (filtered)"},
		{"absent fails", []string{"--expect", "absent", "pop3://open.k.test"}, nil, ExitProblems, "a POP3 server answers"},
		{"flag-only login", []string{"imaps://mail.k.test:993", "submission://mail.k.test", "--cert-min-days", "21", "--login", "--user", checkUser,
			"--plaintext-login", "refused", "--auth-mechanisms", "PLAIN"}, map[string]string{PasswordEnv: checkPW}, ExitOK, "accepted (PLAIN)"},
		{"flag-only wrong password", []string{"imaps://mail.k.test", "--login", "--user", checkUser}, map[string]string{PasswordEnv: checkWrong}, ExitProblems, "User name or password rejected"},
		{"nagios OK", []string{"--nagios", "imaps://mail.k.test", "--cert-warn", "30", "--cert-crit", "14"}, nil, 0, "MAILCHECK OK - 3 checks passed on 1 target|'imaps_mail.k.test_993_time'="},
		{"nagios WARNING", []string{"--nagios", "imaps://mail.k.test", "--cert-warn", "100", "--cert-crit", "14"}, nil, 1, "MAILCHECK WARNING - 1 of 3 checks warn: imaps://mail.k.test:993 cert_days: 89 days left"},
		{"nagios CRITICAL", []string{"--nagios", "imaps://mail.k.test", "--cert-crit", "95"}, nil, 2, "MAILCHECK CRITICAL - 1 of 3 checks failed"},
		{"nagios CRITICAL when down", []string{"--nagios", "imaps://nope.k.test"}, nil, 2, "Server name not found"},
		{"nagios UNKNOWN", []string{"--nagios", "--config", "/nonexistent/mailcheck.toml"}, nil, 3, "MAILCHECK UNKNOWN - --config /nonexistent/mailcheck.toml: no such file or directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCheckIn(t, sb, checkIO{env: c.env}, append([]string{"check"}, c.args...)...)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", code, c.code, out, errOut)
			}
			if !strings.Contains(out, c.out) {
				t.Errorf("stdout does not contain %q:\n%s", c.out, out)
			}
			if strings.Contains(out+errOut, checkPW) || strings.Contains(out+errOut, checkWrong) {
				t.Errorf("a password appears in the output")
			}
		})
	}
}

// Usage errors exit 2 with one line on stderr (3 and an UNKNOWN line on stdout with --nagios), before
// anything is probed: these run the real command, whose network is never reached.
func TestCheckUsageErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unknownKey := write("unknown.toml", "[[target]]\nendpoint = \"imaps://mail.example.com\"\ncert_min_dayz = 21\n")
	badURL := write("badurl.toml", "[[target]]\nname = \"x\"\nendpoint = \"imaps//mail.example.com\"\n")
	syntax := write("syntax.toml", "[[target]\nendpoint = \"imaps://mail.example.com\"\n")
	needsPW := write("pw.toml", "[[target]]\nendpoint = \"imaps://mail.example.com\"\nlogin = true\nuser = \"ci\"\npassword_env = \"CI_IMAP_PW\"\n")
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"check"}, nil, "check needs endpoint URLs or --config FILE"},
		{[]string{"check", "--config", filepath.Join(dir, "missing.toml")}, nil, "--config " + filepath.Join(dir, "missing.toml") + ": no such file or directory"},
		{[]string{"check", "--config", unknownKey}, nil, unknownKey + `:3: target #1: unknown key "cert_min_dayz"`},
		{[]string{"check", "--config", badURL}, nil, badURL + `:3: target #1 ("x"): endpoint: "imaps//mail.example.com" is not an endpoint URL`},
		{[]string{"check", "--config", syntax}, nil, syntax + ":2: expected end of table array name delimiter"},
		{[]string{"check", "--config", needsPW}, nil, needsPW + ":1: the environment variable password_env names is not set or empty"},
		{[]string{"check", "ftp://mail.example.com"}, nil, `unknown scheme "ftp"`},
		{[]string{"check", "mail.example.com"}, nil, "is not an endpoint URL"},
		{[]string{"check", "imaps://mail.example.com", "--cert-warn", "soon"}, nil, `invalid argument "soon" for "--cert-warn"`},
		{[]string{"check", "imaps://mail.example.com", "--bogus"}, nil, "unknown flag: --bogus"},
		{[]string{"check", "imaps://mail.example.com", "--starttls", "no"}, nil, "unknown flag: --starttls"},
		{[]string{"check", "imaps://mail.example.com", "--cert-warn", "7", "--cert-crit", "21"}, nil, "--cert-warn (7) must be at least --cert-crit (21)"},
		{[]string{"check", "imaps://mail.example.com", "--cert-crit", "-1"}, nil, "must be 0 or more"},
		{[]string{"check", "imaps://mail.example.com", "--json", "--jsonl"}, nil, "give one of --json, --jsonl and --nagios"},
		{[]string{"check", "imaps://mail.example.com", "--expect", "maybe"}, nil, `--expect: must be "present" or "absent"`},
		{[]string{"check", "pop3://mail.example.com", "--expect", "absent", "--login"}, nil, "--login: cannot be combined"},
		{[]string{"check", "imap://mail.example.com", "--plaintext-login", "never"}, nil, "--plaintext-login: must be"},
		{[]string{"check", "--config", unknownKey, "--login"}, nil, "expectation flags (--login) apply only to endpoint URL arguments"},
		{[]string{"check", "imaps://mail.example.com", "--login"}, nil, "login needs a user"},
		{[]string{"check", "imaps://mail.example.com", "--login", "--user", "ci"}, nil, "login needs a password: set MAILCHECK_PASSWORD"},
		{[]string{"check", "imaps://mail.example.com", "--login", "--user", "ci", "--password-file", "/nonexistent"}, nil, "--password-file"},
		{[]string{"check", "imaps://mail.example.com", "--resolver", "dns.example"}, nil, "as an IP address"},
		{[]string{"check", "imaps://mail.example.com", "--timeout", "0s"}, nil, "--timeout must be positive"},
		{[]string{"check", "imaps://mail.example.com", "--junit", filepath.Join(dir, "no", "such", "dir", "junit.xml")}, nil, "--junit: open "},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[1:], " "), func(t *testing.T) {
			code, out, errOut := run(t, c.env, c.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, ExitUsage, errOut)
			}
			if !strings.Contains(errOut, c.want) {
				t.Errorf("stderr %q, want it to contain %q", errOut, c.want)
			}
			if n := strings.Count(strings.TrimSpace(errOut), "\n"); n > 0 || out != "" {
				t.Errorf("want one line on stderr and nothing on stdout; stderr %q stdout %q", errOut, out)
			}

			// The same mistake in a monitoring command definition: UNKNOWN, on stdout.
			nargs := append([]string{"check", "--nagios"}, c.args[1:]...)
			code, out, errOut = run(t, c.env, nargs...)
			if code != 3 || !strings.HasPrefix(out, "MAILCHECK UNKNOWN - ") || strings.Count(out, "\n") != 1 || errOut != "" {
				t.Errorf("--nagios: exit %d stdout %q stderr %q, want 3 and one UNKNOWN line", code, out, errOut)
			}
		})
	}
	// A bad flag before --nagios is still reported the plugin's way.
	code, out, _ := run(t, nil, "check", "--cert-warn", "soon", "--nagios", "imaps://mail.example.com")
	if code != 3 || !strings.HasPrefix(out, "MAILCHECK UNKNOWN - invalid argument") {
		t.Errorf("bad flag before --nagios: exit %d stdout %q", code, out)
	}
}

func TestCheckColourOnlyOnATerminal(t *testing.T) {
	sb := startCheckWorld(t)
	args := []string{"check", "imaps://mail.k.test"}
	cases := []struct {
		cio   checkIO
		extra []string
		color bool
	}{
		{checkIO{tty: true}, nil, true},
		{checkIO{tty: false}, nil, false},
		{checkIO{tty: true, env: map[string]string{"NO_COLOR": "1"}}, nil, false},
		{checkIO{tty: true}, []string{"--no-color"}, false},
		{checkIO{tty: true}, []string{"--jsonl"}, false},
	}
	for _, c := range cases {
		_, out, _ := runCheckIn(t, sb, c.cio, append(args, c.extra...)...)
		if got := strings.Contains(out, "\x1b["); got != c.color {
			t.Errorf("tty %v env %v flags %v: colour %v, want %v", c.cio.tty, c.cio.env, c.extra, got, c.color)
		}
	}
}

// JSON Lines come in target order whatever finishes first: here the first target is the slowest (its port
// drops packets until the dial gives up), and two runs give the same lines.
func TestCheckJSONLOrder(t *testing.T) {
	sb := startCheckWorld(t)
	args := []string{"check", "--jsonl", "--expect", "absent",
		"pop3://black.k.test", "pop3://mail.k.test", "pop3://open.k.test"}
	_, first, _ := runCheckIn(t, sb, checkIO{}, args...)
	_, second, _ := runCheckIn(t, sb, checkIO{}, args...)
	if normalizeCheck(first) != normalizeCheck(second) {
		t.Errorf("two runs differ:\n%s\n%s", first, second)
	}
	targets := args[len(args)-3:]
	lines := strings.Split(strings.TrimSpace(first), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 3 targets and a summary:\n%s", len(lines), first)
	}
	for i, l := range lines {
		var v struct {
			Kind     string `json:"kind"`
			Index    int    `json:"index"`
			Endpoint string `json:"endpoint"`
			Status   string `json:"status"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d is not JSON: %v", i+1, err)
		}
		if i < 3 && (v.Kind != "target" || v.Index != i || v.Endpoint != targets[i]+":110") {
			t.Errorf("line %d: %+v, want target %d (%s)", i+1, v, i, targets[i])
		}
		if i == 3 && (v.Kind != "summary" || v.Status != "fail") {
			t.Errorf("last line: %+v, want the summary", v)
		}
	}
}

func TestCheckVerboseJSONHasTheProbe(t *testing.T) {
	sb := startCheckWorld(t)
	_, out, _ := runCheckIn(t, sb, checkIO{env: checkEnv}, "check", "--json", "-v", "imaps://mail.k.test", "--login", "--user", checkUser)
	var run struct {
		Targets []struct {
			Probe []struct {
				Address    string   `json:"address"`
				Transcript []string `json:"transcript"`
			} `json:"probe"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &run); err != nil {
		t.Fatal(err)
	}
	if len(run.Targets) != 1 || len(run.Targets[0].Probe) != 1 || len(run.Targets[0].Probe[0].Transcript) == 0 {
		t.Errorf("-v --json: %s", out)
	}
	if strings.Contains(out, checkPW) {
		t.Errorf("the transcript contains the password")
	}
}

// The README's check section documents every flag, config key and output format.
func TestCheckREADMESection(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	c := NewCmdCheck(&IOStreams{Getenv: func(string) string { return "" }}, nil)
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(doc, "`--"+f.Name) {
			t.Errorf("README section does not document --%s", f.Name)
		}
	})
	for _, k := range check.Keys {
		if !strings.Contains(doc, "| `"+k+"` |") {
			t.Errorf("README section has no row for the key %s", k)
		}
	}
	for _, want := range []string{"`mailcheck check", "MAILCHECK OK", "MAILCHECK CRITICAL", "<testsuites", "--jsonl", "GitHub Actions", "GitLab", "define command", "object CheckCommand"} {
		if !strings.Contains(doc, want) {
			t.Errorf("README section lacks %q", want)
		}
	}
}

// TestCheckDomainTargets: a domain target passes while discovery recommends the expected settings and
// fails, naming what it found, when the recommendation differs.
func TestCheckDomainTargets(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	cfg := filepath.Join(t.TempDir(), "domains.toml")
	const toml = `
[[target]]
name = "customer"
domain = "bob@customer.test"
incoming = "imaps://imap.mailhost.test"
outgoing = "submission://smtp.mailhost.test:587"

[[target]]
domain = "sandbox.test"
outgoing = "submissions://smtp.sandbox.test"
`
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCheckIn(t, sb, checkIO{}, append([]string{"check", "--config", cfg, "--ispdb", sandbox.DemoISPDB, "--json"}, answeringBudgets...)...)
	if code != ExitProblems {
		t.Fatalf("exit %d, want %d; stderr %s", code, ExitProblems, errOut)
	}
	var run check.Run
	if err := json.Unmarshal([]byte(out), &run); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(run.Targets) != 2 {
		t.Fatalf("targets %+v", run.Targets)
	}
	c := run.Targets[0]
	if c.Status != check.Pass || c.Domain != "customer.test" || len(c.Checks) != 2 || !strings.Contains(c.Checks[0].Found, "the provider's") {
		t.Errorf("customer target %+v", c)
	}
	s := run.Targets[1]
	if s.Status != check.Fail || len(s.Checks) != 1 || s.Checks[0].Check != check.CheckOutgoing || !strings.Contains(s.Checks[0].Found, "submission://smtp.sandbox.test:587") {
		t.Errorf("sandbox target %+v", s)
	}

	_, text, _ := runCheckIn(t, sb, checkIO{}, "check", "--timeout", "60s", "--config", cfg, "--ispdb", sandbox.DemoISPDB)
	if !strings.Contains(text, "expected outgoing setting submissions://smtp.sandbox.test:465; found submission://smtp.sandbox.test:587") {
		t.Errorf("text output:\n%s", text)
	}

	bad := filepath.Join(t.TempDir(), "bad.toml")
	for _, body := range []string{
		"[[target]]\ndomain = \"sandbox.test\"\n",
		"[[target]]\ndomain = \"sandbox.test\"\nincoming = \"submission://smtp.sandbox.test\"\n",
		"[[target]]\ndomain = \"sandbox.test\"\nincoming = \"imaps://imap.sandbox.test\"\nlogin = true\n",
		"[[target]]\nincoming = \"imaps://imap.sandbox.test\"\n",
	} {
		if err := os.WriteFile(bad, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := runCheckIn(t, sb, checkIO{}, "check", "--config", bad); code != ExitUsage || !strings.Contains(errOut, "bad.toml:") {
			t.Errorf("%q: exit %d, stderr %q; want a usage error naming the file", body, code, errOut)
		}
	}
}
