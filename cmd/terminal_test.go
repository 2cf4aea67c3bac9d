package cmd

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errOut := run(t, nil, args...)
		if code != ExitOK || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
		if !strings.HasPrefix(out, "mailcheck ") || !strings.Contains(out, runtime.Version()) {
			t.Errorf("%v printed %q, want the module version and %s", args, out, runtime.Version())
		}
	}
	if code, _, _ := run(t, nil, "version", "extra"); code != ExitUsage {
		t.Errorf("version with an argument: exit %d, want 2", code)
	}
}

func TestColorModes(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		tty  bool
		want bool
	}{
		{[]string{"--color=always"}, map[string]string{"NO_COLOR": "1"}, false, true},
		{[]string{"--color=auto"}, nil, true, true},
		{[]string{"--color=auto"}, nil, false, false},
		{[]string{"--color=auto"}, map[string]string{"TERM": "dumb"}, true, false},
		{[]string{"--color=auto"}, map[string]string{"NO_COLOR": "1"}, true, false},
		{[]string{"--color=never"}, nil, true, false},
		{[]string{"--no-color"}, nil, true, false},
		{[]string{"--no-color", "--color=never"}, nil, true, false},
	}
	for _, tc := range cases {
		f := &probeFlags{}
		c := NewCmdProbe(&IOStreams{}, func(o *ProbeOptions) error { f = &o.probeFlags; return nil })
		c.SetArgs(append(tc.args, "example.com"))
		if err := c.Execute(); err != nil {
			t.Fatal(err)
		}
		if err := f.validate(); err != nil {
			t.Errorf("%v: %v", tc.args, err)
		}
		ios := &IOStreams{IsTTY: tc.tty, Getenv: func(k string) string { return tc.env[k] }}
		if got := f.color(ios); got != tc.want {
			t.Errorf("%v env %v tty %v: colour %v, want %v", tc.args, tc.env, tc.tty, got, tc.want)
		}
	}
}

func TestSplitAddressesNeverDropsOne(t *testing.T) {
	got, err := splitAddresses(`b@example.org, "c,d"@example.org ,e@example.org`)
	want := []string{"b@example.org", `"c,d"@example.org`, "e@example.org"}
	if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	var to []string
	c := NewCmdSend(&IOStreams{}, func(o *SendOptions) error { to = o.To; return nil })
	c.SetArgs([]string{"--from", "a@example.com", "--to", "b@example.org", "--to", `"x,y"@example.org,c@example.org`})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if len(to) != 2 || to[1] != `"x,y"@example.org,c@example.org` {
		t.Errorf("--to values = %q: repeated flags must reach send whole, to be split by address", to)
	}
}

// send --json prints the send schema also when discovery finds no outgoing server.
func TestSendJSONWithoutAServer(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.World{Domain: "empty.test"})
	code, out, errOut := run(t, nil, "send", "--json", "--resolver", sb.DNSAddr, "--from", "a@empty.test", "--to", "b@example.org")
	if code != ExitProblems {
		t.Errorf("exit = %d, want 1 (stderr %q)", code, errOut)
	}
	var res struct {
		SchemaVersion int      `json:"schema_version"`
		From          string   `json:"from"`
		To            []string `json:"to"`
		Steps         []any    `json:"steps"`
		Accepted      *bool    `json:"accepted"`
		Problem       *struct{ Code string }
		Endpoints     any `json:"endpoints"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if res.SchemaVersion != 1 || res.From != "a@empty.test" || len(res.To) != 1 || res.Accepted == nil || *res.Accepted ||
		res.Problem == nil || res.Problem.Code != "no_mail_servers" || res.Endpoints != nil || res.Steps == nil {
		t.Errorf("not the send schema with no_mail_servers: %s", out)
	}
}
