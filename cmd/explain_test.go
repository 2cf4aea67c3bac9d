package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

func TestExplainExitCodes(t *testing.T) {
	cases := []struct {
		args     []string
		stdin    string
		wantCode int
		want     string
	}{
		{[]string{"explain", "0x800CCC0D"}, "", ExitOK, "dns_not_found"},
		{[]string{"explain", "800ccc0e"}, "", ExitOK, "connect_refused"},
		{[]string{"explain", "-ERR", "[IN-USE]", "Unable", "to", "lock", "maildrop"}, "", ExitOK, "mailbox_in_use"},
		{[]string{"explain", "-"}, "Server Response: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.'", ExitOK, "auth_basic_disabled"},
		{[]string{"explain", "the printer is on fire"}, "", ExitProblems, "not recognised"},
		{[]string{"explain"}, "", ExitUsage, "needs an error code"},
		{[]string{"explain", "-"}, "   ", ExitUsage, "needs an error code"},
		{[]string{"explain", "--bogus", "535"}, "", ExitUsage, "unknown flag --bogus"},
		{[]string{"explain", "--probe", "535"}, "", ExitUsage, "names no server"},
		{[]string{"explain", "--timeout", "2s", "--json", "535"}, "", ExitOK, `"problem": "auth_failed"`},
		{[]string{"explain", "--timeout"}, "", ExitUsage, "needs a value"},
		{[]string{"explain", "--timeout", "soon", "535"}, "", ExitUsage, "invalid value"},
		{[]string{"explain", "../testdata/explain/dsn/postfix_mailbox_full.eml"}, "", ExitOK, "mailbox_full"},
		{[]string{"explain", "missing-bounce.eml"}, "", ExitUsage, "reading missing-bounce.eml"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			ios := &IOStreams{In: strings.NewReader(c.stdin), Out: &out, ErrOut: &errOut, Getenv: func(string) string { return "" }}
			if code := Run(c.args, ios); code != c.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", code, c.wantCode, errOut.String())
			}
			if !strings.Contains(out.String()+errOut.String(), c.want) {
				t.Errorf("output does not mention %q:\n%s%s", c.want, out.String(), errOut.String())
			}
		})
	}
}

// TestExplainProbe re-tests a pasted Outlook Express dialog against the sandbox: the name in the
// dialog does not resolve, and the re-test says the cause is still there.
func TestExplainProbe(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	paste := func(server string, port int, ssl string) string {
		return "Account: 'alice', Server: '" + server + "', Protocol: IMAP, Port: " + itoa(port) + ", Secure(SSL): " + ssl +
			", Socket Error: 11001, Error Number: 0x800CCC0D"
	}
	cases := []struct {
		text       string
		wantCode   int
		stillThere bool
		works      bool
	}{
		{paste("imap2.sandbox.test", 993, "Yes"), ExitProblems, true, false},
		{paste("imap.sandbox.test", 993, "Yes"), ExitOK, false, true},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, Getenv: func(string) string { return "" }}
		cmd := NewCmdExplain(ios, func(o *ExplainOptions) error {
			o.dialer = sb
			o.resolver = &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: o.Timeout}
			o.rootCAs = sb.RootCAs
			return runExplain(context.Background(), o)
		})
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		cmd.SetArgs([]string{"--probe", "--json", c.text})
		cmd.SetOut(&out)
		err := cmd.Execute()
		code := ExitOK
		if ee, ok := err.(*ExitError); ok {
			code = ee.Code
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.wantCode {
			t.Errorf("%s: exit %d, want %d (%v)", c.text, code, c.wantCode, err)
		}
		var got struct {
			Verdict struct {
				StillThere bool `json:"still_there"`
				Works      bool
				Summary    string
			}
			Probe struct{ Endpoints []struct{ Host string } }
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		if got.Verdict.StillThere != c.stillThere || got.Verdict.Works != c.works || got.Verdict.Summary == "" {
			t.Errorf("%s: verdict %+v", c.text, got.Verdict)
		}
		if len(got.Probe.Endpoints) == 0 {
			t.Errorf("%s: probe %+v", c.text, got.Probe)
		}
	}
}
