package cmd

import (
	"runtime"
	"strings"
	"testing"
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

// Each bad input of issue 14 exits 2 with one line, before any connection (no server exists for them).
func TestStrictInput(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"probe", "--color=rainbow", "example.com"}, "--color must be auto, always or never"},
		{[]string{"probe", "--no-color", "--color=always", "example.com"}, "contradict"},
		{[]string{"explain", "--color=sometimes", "535"}, "--color must be"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := run(t, nil, tc.args...)
			if code != ExitUsage {
				t.Errorf("exit = %d, want 2 (stdout %q, stderr %q)", code, out, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr = %q, want it to mention %q", errOut, tc.want)
			}
			if n := strings.Count(strings.TrimSpace(errOut), "\n"); n > 0 {
				t.Errorf("stderr has %d lines, want one: %q", n+1, errOut)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}
