package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

// explain --probe on a Gmail 5.7.26 bounce checks the sending domain's records it reads from the paste:
// still wrong (the sending IP is not in SPF) with the record that fixes it, or fine now.
func TestExplainProbePosture(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.World{Domain: "bounce.test", Records: []string{
		`bad.bounce.test. 300 IN TXT "v=spf1 ip4:192.0.2.1 -all"`,
		`_dmarc.bad.bounce.test. 300 IN TXT "v=DMARC1; p=reject"`,
		`good.bounce.test. 300 IN TXT "v=spf1 ip4:192.0.2.7 -all"`,
		`_dmarc.good.bounce.test. 300 IN TXT "v=DMARC1; p=reject"`,
	}})
	bounce := func(domain string) string {
		b, err := os.ReadFile("../testdata/explain/gmail-5.7.26.txt")
		if err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(string(b), "DOMAIN", domain)
	}
	for _, c := range []struct {
		domain, want string
		code         int
		works        bool
	}{
		{"bad.bounce.test", "add ip4:192.0.2.7", ExitProblems, false},
		{"good.bounce.test", "the records are fine now", ExitOK, true},
	} {
		var out, errOut bytes.Buffer
		ios := &IOStreams{In: strings.NewReader(bounce(c.domain)), Out: &out, ErrOut: &errOut, Getenv: func(string) string { return "" }}
		cmd := NewCmdExplain(ios, func(o *ExplainOptions) error {
			o.resolver = &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: o.Timeout}
			o.dialer = sb
			o.rootCAs = sb.RootCAs
			return runExplain(context.Background(), o)
		})
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		cmd.SetArgs([]string{"--probe", "--json", "-"})
		err := cmd.Execute()
		code := ExitOK
		if ee, ok := err.(*ExitError); ok {
			code = ee.Code
		} else if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Verdict struct {
				StillThere bool `json:"still_there"`
				Works      bool
				Summary    string
			}
			ReadFrom []string                           `json:"read_from"`
			Posture  struct{ Domain, SendingIP string } `json:"posture"`
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v\n%s", c.domain, err, out.String())
		}
		if code != c.code || got.Verdict.Works != c.works || !strings.Contains(got.Verdict.Summary, c.want) {
			t.Errorf("%s: exit %d, verdict %+v; want exit %d, works %v, summary with %q", c.domain, code, got.Verdict, c.code, c.works, c.want)
		}
		if got.Posture.Domain != c.domain || len(got.ReadFrom) == 0 {
			t.Errorf("%s: posture of %q, read from %q", c.domain, got.Posture.Domain, got.ReadFrom)
		}
	}
}
