package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	c.SetArgs([]string{"--from-file", "-", "--timeout", "1s", "--concurrency", "2"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	opts.dialer, opts.rootCAs = sb, sb.RootCAs
	opts.resolver = &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: time.Second}
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
		"probe --from-file - example.com":              "not both",
		"probe --from-file - --shard 0/4":              "--shard",
		"probe --from-file /nonexistent/list":          "--from-file",
		"probe --from-file - --concurrency 0":          "--concurrency",
		"probe --from-file - --user alice@example.com": "no logins",
		"check --from-file - --json":                   "do not apply",
		"check --from-file - imaps://mail.example.com": "not both",
		"check --from-file - --shard 3/2":              "--shard",
		"check --from-file - --login":                  "needs a user",
	} {
		code, _, errOut := run(t, nil, strings.Fields(args)...)
		if code != ExitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 mentioning %q", args, code, errOut, want)
		}
	}
}

func TestCheckFromFile(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	in := "imaps://imap.sandbox.test\nsubmissions://smtp.sandbox.test\nexample.com\n"
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(in), Out: &out, ErrOut: &errOut, Getenv: func(string) string { return "" }}
	var opts *CheckOptions
	c := NewCmdCheck(ios, func(o *CheckOptions) error { opts = o; return nil })
	c.SetArgs([]string{"--from-file", "-", "--timeout", "1s", "--cert-crit", "7", "--shard", "1/1"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	opts.dialer, opts.rootCAs = sb, sb.RootCAs
	opts.resolver = &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: time.Second}
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
		if v.Kind == "error" && !strings.Contains(v.Error, "not an endpoint URL") {
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
