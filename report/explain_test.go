package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/explain"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// explainGolden are pastes whose rendering is pinned: one per kind of outcome.
var explainGolden = []struct{ name, input string }{
	{"oe_dns", "The host 'pop3' could not be found. Please verify that you have entered the server name correctly. Account: 'pop3', Server: 'pop3', Protocol: POP3, Port: 110, Secure(SSL): No, Socket Error: 11001, Error Number: 0x800CCC0D"},
	{"oe_port25", "The connection to the server has failed. Account: 'home', Server: 'smtp.example.net', Protocol: SMTP, Port: 25, Secure(SSL): No, Socket Error: 10060, Error Number: 0x800CCC0E"},
	{"outlook_starttls", "Task 'me@example.com - Sending' reported error (0x800CCC78) : 'Cannot send the message. Verify the e-mail address in your account properties. The server responded: 530 5.7.0 Must issue a STARTTLS command first.'"},
	{"gmail_app_password", "534-5.7.9 Application-specific password required. Learn more at\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor d2sm1234567wrb.12 - gsmtp"},
	{"microsoft_139", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information."},
	{"go_hostname", "tls: failed to verify certificate: x509: certificate is valid for server123.hosting.example, not mail.customer.example"},
	{"apple_identity", "Cannot Verify Server Identity. The identity of \"mail.example.com\" cannot be verified by Mail."},
	{"success", "250 2.0.0 Ok: queued as 4F2A81C0A3"},
	{"unknown", "Outlook error 0x800CCC81"},
}

func goldenPath(name string) string {
	return filepath.Join("..", "testdata", "explain", "golden", name)
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := goldenPath(name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./report -update` to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run `go test ./report -update` after a deliberate change)\n--- got:\n%s\n--- want:\n%s", name, got, want)
	}
}

func TestExplainTextGolden(t *testing.T) {
	for _, g := range explainGolden {
		t.Run(g.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := ExplainText(&buf, explain.Explain(g.input), false); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(buf.String(), "\x1b[") {
				t.Error("colour codes with colour off")
			}
			checkGolden(t, g.name+".txt", buf.Bytes())
		})
	}
}

func TestExplainTextColor(t *testing.T) {
	var buf bytes.Buffer
	if err := ExplainText(&buf, explain.Explain(explainGolden[0].input), true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\x1b[") {
		t.Error("no colour codes with colour on")
	}
	checkGolden(t, explainGolden[0].name+".color.txt", buf.Bytes())
}

func TestExplainJSONGolden(t *testing.T) {
	for _, g := range explainGolden {
		t.Run(g.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := ExplainJSON(&buf, explain.Explain(g.input)); err != nil {
				t.Fatal(err)
			}
			var v map[string]any
			if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			for _, k := range []string{"input", "recognised", "fields"} {
				if _, ok := v[k]; !ok {
					t.Errorf("JSON lacks %q", k)
				}
			}
			checkGolden(t, g.name+".json", buf.Bytes())
		})
	}
}

func TestWrap(t *testing.T) {
	got := wrap("Run `mailcheck probe you@example.com` to test the servers of the domain directly", 30)
	want := []string{"Run", "`mailcheck probe you@example.com`", "to test the servers of the", "domain directly"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	if got := wrap("", 10); len(got) != 1 || got[0] != "" {
		t.Errorf("wrap(\"\") = %q", got)
	}
}

// Every real-world case renders in both formats, with and without colour.
func TestExplainRendersAllCases(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "explain", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name  string `json:"name"`
		Input string `json:"input"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		e := explain.Explain(c.Input)
		for _, color := range []bool{false, true} {
			var buf bytes.Buffer
			if err := ExplainText(&buf, e, color); err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			if !strings.HasPrefix(buf.String(), "mailcheck explain:") && !color {
				t.Errorf("%s: no headline", c.Name)
			}
			for _, line := range strings.Split(buf.String(), "\n") {
				if !color && len([]rune(line)) > wrapWidth && !strings.Contains(line, "://") && !strings.HasPrefix(line, "mailcheck explain:") {
					t.Errorf("%s: line longer than %d: %q", c.Name, wrapWidth, line)
				}
			}
		}
		var buf bytes.Buffer
		if err := ExplainJSON(&buf, e); err != nil || !json.Valid(buf.Bytes()) {
			t.Errorf("%s: JSON %v", c.Name, err)
		}
	}
}
