package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

func TestProbeFromFile(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	in := "# customers\nsandbox.test\npop3s://pop3.sandbox.test\n\nnot a target\nsubmissions://smtp.sandbox.test\n"
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(in), Out: &out, ErrOut: &errOut, Getenv: func(string) string { return "" }}
	var opts *ProbeOptions
	c := NewCmdProbe(ios, func(o *ProbeOptions) error { opts = o; return nil })
	c.SetArgs([]string{"--from-file", "-", "--timeout", "60s", "--max-time", "10m", "--concurrency", "2"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	opts.dialer, opts.rootCAs = sb, sb.RootCAs
	opts.resolver = &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: time.Minute}
	err := runProbe(context.Background(), opts)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != ExitProblems {
		t.Errorf("exit %v, want 1 (a target failed)", err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 4 results and a summary:\n%s", len(lines), out.String())
	}
	var got []string
	for _, l := range lines[:4] {
		var v struct {
			Kind   string `json:"kind"`
			Line   int    `json:"line"`
			Input  string `json:"input"`
			Status string `json:"status"`
			Error  string `json:"error"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		got = append(got, strings.Join([]string{v.Kind, string(rune('0' + v.Line)), v.Input, v.Status}, " "))
		if v.Kind == "error" && !strings.Contains(v.Error, "not a target") && v.Error == "" {
			t.Errorf("error line without a reason: %s", l)
		}
	}
	sort.Strings(got) // completion order is not fixed
	want := []string{"error 5 not a target ", "target 2 sandbox.test warn", "target 3 pop3s://pop3.sandbox.test ok", "target 6 submissions://smtp.sandbox.test fail"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("results\n%v\nwant\n%v", got, want)
	}
	var sum struct {
		Kind   string         `json:"kind"`
		Status string         `json:"status"`
		Lines  int            `json:"lines"`
		Counts map[string]int `json:"counts"`
	}
	if err := json.Unmarshal([]byte(lines[4]), &sum); err != nil || sum.Kind != "summary" || sum.Status != "fail" || sum.Lines != 6 ||
		sum.Counts["ok"] != 1 || sum.Counts["warn"] != 1 || sum.Counts["fail"] != 1 || sum.Counts["error"] != 1 {
		t.Errorf("summary %s: %+v %v", lines[4], sum, err)
	}
}

func TestProbeFromFileUsage(t *testing.T) {
	for args, want := range map[string]string{
		"probe --from-file - example.com":                 "not both",
		"probe --from-file - --shard 0/4":                 "--shard",
		"probe --from-file /nonexistent/list":             "--from-file",
		"probe --from-file - --concurrency 0":             "--concurrency",
		"probe --from-file - --user alice@example.com":    "no logins",
		"check --from-file - --json":                      "do not apply",
		"check --from-file - imaps://mail.example.com":    "not both",
		"check --from-file - --shard 3/2":                 "--shard",
		"check --from-file - --login":                     "needs a user",
		"check --from-file - --incoming smtps://x.test":   "--incoming",
		"check --from-file - --outgoing imaps://x.test":   "--outgoing",
		"check --from-file - --incoming nowhere":          "--incoming",
		"check imaps://x.test --incoming imaps://x.test":  "--from-file",
		"check --config x.toml --outgoing smtps://x.test": "--from-file",
	} {
		code, _, errOut := run(t, nil, strings.Fields(args)...)
		if code != ExitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 mentioning %q", args, code, errOut, want)
		}
	}
}

func TestCheckFromFile(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	in := "imaps://imap.sandbox.test\nsubmissions://smtp.sandbox.test\nnot a target\n"
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(in), Out: &out, ErrOut: &errOut, Getenv: func(string) string { return "" }}
	var opts *CheckOptions
	c := NewCmdCheck(ios, func(o *CheckOptions) error { opts = o; return nil })
	c.SetArgs([]string{"--from-file", "-", "--timeout", "60s", "--max-time", "10m", "--cert-crit", "7", "--shard", "1/1"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	opts.dialer, opts.rootCAs = sb, sb.RootCAs
	opts.resolver = &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: time.Minute}
	err := runCheck(context.Background(), opts)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != ExitProblems {
		t.Errorf("exit %v, want 1 (the expired certificate fails)", err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 3 and a summary:\n%s", len(lines), out.String())
	}
	got := map[int]string{}
	for _, l := range lines[:3] {
		var v struct {
			Kind, Status, Error string
			Line                int
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		got[v.Line] = v.Kind + " " + v.Status
		if v.Kind == "error" && !strings.Contains(v.Error, "not a target") {
			t.Errorf("error line: %s", l)
		}
	}
	if got[1] != "target pass" && got[1] != "target warn" || got[2] != "target fail" || got[3] != "error " {
		t.Errorf("lines by number: %v\n%s", got, out.String())
	}
	if !strings.Contains(lines[3], `"kind":"summary"`) || !strings.Contains(lines[3], `"target_counts":{"pass":0,"warn":1,"fail":1,"error":1}`) {
		t.Errorf("summary: %s", lines[3])
	}
}

// bulkLine is one line of a check --from-file run.
type bulkLine struct {
	Kind, Status, Error, Input string
	Line                       int
	Checks                     []struct{ Check, Status, Message string }
	Probe                      []struct {
		Host string
		Auth *struct{ Tested bool }
	}
}

// checkFromFileIn runs `check --from-file -` over in against the sandbox and returns the result lines by
// input line number and the summary line.
func checkFromFileIn(t *testing.T, sb *sandbox.Sandbox, env map[string]string, in string, args ...string) (error, map[int]bulkLine, map[string]any) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(in), Out: &out, ErrOut: &errOut, Getenv: func(k string) string { return env[k] }}
	var opts *CheckOptions
	c := NewCmdCheck(ios, func(o *CheckOptions) error { opts = o; return nil })
	c.SetArgs(append([]string{"--from-file", "-", "--timeout", "60s", "--max-time", "10m", "--ispdb", sandbox.DemoISPDB}, args...))
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	opts.dialer, opts.rootCAs = sb, sb.RootCAs
	opts.resolver = &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: time.Minute}
	err := runCheck(context.Background(), opts)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	byLine := map[int]bulkLine{}
	for _, l := range lines[:len(lines)-1] {
		var v bulkLine
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if _, dup := byLine[v.Line]; dup {
			t.Errorf("line %d twice:\n%s", v.Line, out.String())
		}
		byLine[v.Line] = v
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum["kind"] != "summary" {
		t.Fatalf("last line is no summary (%v):\n%s", err, out.String())
	}
	return err, byLine, sum
}

// verdicts are the lines' "kind status" by line number, with each check's verdict.
func verdicts(lines map[int]bulkLine) map[int]string {
	v := map[int]string{}
	for n, l := range lines {
		s := l.Kind + " " + l.Status
		for _, c := range l.Checks {
			s += " " + c.Check + "=" + c.Status
		}
		v[n] = s
	}
	return v
}

// TestCheckFromFileDomains: domain and address lines are domain targets. Without --incoming/--outgoing
// they pass when discovery recommends working settings; with them, the recommendation must match. A
// domain with no servers fails, a bad line is an error line, and the shards split the list.
func TestCheckFromFileDomains(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	in := "# customers\nsandbox.test\nbob@customer.test\nnothing.sandbox.test\nnot a target\npop3s://pop3.sandbox.test\n"

	err, lines, sum := checkFromFileIn(t, sb, nil, in)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != ExitProblems {
		t.Errorf("exit %v, want 1 (the domain without servers fails)", err)
	}
	want := map[int]string{
		2: "target pass incoming=pass outgoing=pass",
		3: "target pass incoming=pass outgoing=pass",
		4: "target fail incoming=fail outgoing=fail",
		5: "error ",
		6: "target pass reachable=pass tls=pass cert_days=pass",
	}
	if got := verdicts(lines); !reflect.DeepEqual(got, want) {
		t.Errorf("verdicts\n%v\nwant\n%v", got, want)
	}
	if m := lines[4].Checks; len(m) == 2 && m[0].Message != "expected a working incoming setting; found no incoming setting" {
		t.Errorf("no-servers message %q", m[0].Message)
	}
	if lines[5].Error == "" || lines[3].Input != "bob@customer.test" {
		t.Errorf("lines %+v %+v", lines[5], lines[3])
	}
	if sum["status"] != "fail" || sum["lines"] != 6.0 || sum["targets"] != 5.0 {
		t.Errorf("summary %v", sum)
	}

	// With --incoming, the two shards together judge every line once.
	want = map[int]string{
		2: "target pass incoming=pass outgoing=pass",
		3: "target fail incoming=fail outgoing=pass",
		4: "target fail incoming=fail outgoing=fail",
		5: "error ",
		6: "target pass reachable=pass tls=pass cert_days=pass",
	}
	got := map[int]string{}
	for _, shard := range []string{"1/2", "2/2"} {
		_, lines, sum := checkFromFileIn(t, sb, nil, in, "--incoming", "imaps://imap.sandbox.test", "--shard", shard)
		for n, v := range verdicts(lines) {
			if _, dup := got[n]; dup {
				t.Errorf("line %d in both shards", n)
			}
			got[n] = v
		}
		if sum["shard"] != shard || sum["targets"].(float64)+sum["other_shards"].(float64) != 5 {
			t.Errorf("shard %s summary %v", shard, sum)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("verdicts with --incoming\n%v\nwant\n%v", got, want)
	}
}

// TestCheckFromFileDomainLinesTestNoLogin: with --login, the password goes to the endpoint lines only,
// never to the servers discovery finds for a domain line.
func TestCheckFromFileDomainLinesTestNoLogin(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	env := map[string]string{PasswordEnv: sandbox.DemoWorld().Users["alice@sandbox.test"]}
	_, lines, _ := checkFromFileIn(t, sb, env, "sandbox.test\npop3s://pop3.sandbox.test\n", "--login", "--user", "alice@sandbox.test", "-v")
	if got := verdicts(lines)[2]; got != "target pass reachable=pass tls=pass cert_days=pass login=pass" {
		t.Errorf("endpoint line %s", got)
	}
	if len(lines[1].Probe) == 0 {
		t.Fatalf("domain line without probe results: %+v", lines[1])
	}
	for _, r := range lines[1].Probe {
		if r.Auth != nil && r.Auth.Tested {
			t.Errorf("the domain line sent the password to %s", r.Host)
		}
	}
}
