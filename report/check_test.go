package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/check"
)

func stream(t *testing.T, s CheckStream, run *check.Run) {
	t.Helper()
	if err := s.Begin(len(run.Targets)); err != nil {
		t.Fatal(err)
	}
	for _, tr := range run.Targets {
		if err := s.Target(tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.End(run); err != nil {
		t.Fatal(err)
	}
}

func TestCheckJSONL(t *testing.T) {
	run := sampleRun()
	var b strings.Builder
	stream(t, NewCheckJSONL(&b), run)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != len(run.Targets)+1 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	for i, l := range lines[:len(run.Targets)] {
		var v struct {
			Kind string `json:"kind"`
			check.TargetResult
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if v.Kind != "target" || v.Index != i || v.Name != run.Targets[i].Name || len(v.Checks) != len(run.Targets[i].Checks) {
			t.Errorf("line %d: %+v", i+1, v)
		}
	}
	var sum struct {
		Kind   string       `json:"kind"`
		Status string       `json:"status"`
		Counts check.Counts `json:"counts"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum.Kind != "summary" || sum.Status != "fail" || sum.Counts != run.Counts {
		t.Errorf("summary line %q: %+v %v", lines[len(lines)-1], sum, err)
	}
}

func TestCheckText(t *testing.T) {
	run := sampleRun()
	// Two checks failing for one reason: the explanation is given once.
	p := checkProblem(catalog.ConnectRefused)
	run.Targets[0].Status = check.Fail
	run.Targets[0].Checks = []check.Result{
		result(check.CheckReachable, check.Fail, "Connection refused: cannot connect", p),
		result(check.CheckLogin, check.Fail, "not verified: Connection refused", p),
	}
	run = check.Summarize(run.Targets, 1500e6)
	var b strings.Builder
	stream(t, NewCheckText(&b, TextOptions{}), run)
	out := b.String()
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour without Color")
	}
	if n := strings.Count(out, "What it means: "+p.Explanation); n != 1 {
		t.Errorf("explanation printed %d times:\n%s", n, out)
	}
	for _, want := range []string{
		"mailcheck check — 3 targets\n",
		"✗ IMAP  imaps://mail.example.com:993\n",
		"    ✗ reachable        expected x; found Connection refused: cannot connect [connect_refused]\n",
		"⚠ IMAP | second user  imaps://mail.example.com:993\n",
		"✗ no POP3  pop3://mail.example.com:110  (expected absent)\n",
		"found a POP3 server answers at 192.0.2.1 with a second line\n",
		"Result: FAILED — 3 of 4 checks failed, 1 warn (1.5 s)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	stream(t, NewCheckText(&b, TextOptions{Color: true}), run)
	if !strings.Contains(b.String(), "\x1b[") {
		t.Errorf("no colour with Color")
	}
}

func TestCheckJSONDocument(t *testing.T) {
	run := sampleRun()
	var b strings.Builder
	stream(t, NewCheckJSON(&b), run)
	var back check.Run
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil {
		t.Fatal(err)
	}
	if back.SchemaVersion != check.SchemaVersion || back.Status != check.Fail || len(back.Targets) != 3 || back.Counts != run.Counts {
		t.Errorf("%+v", back)
	}
}
