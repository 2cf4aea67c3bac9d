package explain

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

// testCase is one real-world paste from testdata/explain/cases.json with what mailcheck must make of it.
type testCase struct {
	Name       string `json:"name"`
	Input      string `json:"input"`
	Recognised bool   `json:"recognised"`
	// Problem is the expected problem code ("" for success codes).
	Problem *string `json:"problem"`
	// Confidence is the expected confidence of the headline ("" when nothing is recognised); every row
	// carries it (issue 21).
	Confidence *Confidence `json:"confidence"`
	// Code is the expected primary code, when the case pins it.
	Code string `json:"code"`
	// Fields are expected field values; fields not listed are not checked.
	Fields             map[string]any `json:"fields"`
	FirstCauseContains string         `json:"first_cause_contains"`
	StepsContain       string         `json:"steps_contain"`
	Unrecognised       []string       `json:"unrecognised"`
	// Retest is the expected re-test endpoint; absent means not checked.
	Retest *Retest `json:"retest"`
	// Source is where the paste comes from: a URL, or a project and file.
	Source string `json:"source"`
	// Class groups the cases for the accuracy report: client (a program's or library's message),
	// provider (a provider's reply or bounce), provider_login (a provider's policy decides a login
	// refusal), new_code (needs a problem code added by issue 12), earlier (the first corpus).
	Class string `json:"class"`
	// ClientName and Provider name the program and the mail provider of the paste, where known.
	ClientName string `json:"client_name"`
	Provider   string `json:"provider"`
}

func loadCases(t testing.TB) []testCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "explain", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []testCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestExplainCases(t *testing.T) {
	cases := loadCases(t)
	if len(cases) < 40 {
		t.Fatalf("only %d cases; the suite needs at least 40 real-world pastes", len(cases))
	}
	names := map[string]bool{}
	for _, tc := range cases {
		if names[tc.Name] {
			t.Fatalf("duplicate case name %q", tc.Name)
		}
		names[tc.Name] = true
		t.Run(tc.Name, func(t *testing.T) {
			e := Explain(tc.Input)
			if e.Recognised != tc.Recognised {
				t.Errorf("Recognised = %v, want %v (problem %q, matches %v)", e.Recognised, tc.Recognised, e.Problem, matchCodes(e))
			}
			if tc.Problem != nil && e.Problem != *tc.Problem {
				t.Errorf("Problem = %q, want %q (matches %v)", e.Problem, *tc.Problem, matchCodes(e))
			}
			if tc.Confidence == nil {
				t.Errorf("the row has no confidence; every row asserts the headline's confidence")
			} else if e.Confidence != *tc.Confidence {
				t.Errorf("Confidence = %q, want %q (headline %q)", e.Confidence, *tc.Confidence, e.Headline)
			}
			if tc.Code != "" && e.Code != tc.Code {
				t.Errorf("Code = %q, want %q", e.Code, tc.Code)
			}
			checkFields(t, e.Fields, tc.Fields)
			if tc.FirstCauseContains != "" && (len(e.Causes) == 0 || !strings.Contains(e.Causes[0], tc.FirstCauseContains)) {
				t.Errorf("first cause = %q, want it to mention %q", first(e.Causes), tc.FirstCauseContains)
			}
			if tc.StepsContain != "" && !strings.Contains(strings.Join(e.Steps, "\n"), tc.StepsContain) {
				t.Errorf("steps %q do not mention %q", e.Steps, tc.StepsContain)
			}
			if tc.Unrecognised != nil && !reflect.DeepEqual(e.Unrecognised, tc.Unrecognised) {
				t.Errorf("Unrecognised = %q, want %q", e.Unrecognised, tc.Unrecognised)
			}
			if tc.Retest != nil && (e.Retest == nil || *e.Retest != *tc.Retest) {
				t.Errorf("Retest = %+v, want %+v", e.Retest, *tc.Retest)
			}
			checkInvariants(t, e)
		})
	}
}

// TestCorpus keeps the corpus broad and sourced, and reports how often the headline problem is right per
// class (go test -run TestCorpus -v); TestExplainCases fails on each case that is wrong.
func TestCorpus(t *testing.T) {
	cases := loadCases(t)
	if len(cases) < 300 {
		t.Errorf("only %d cases; the corpus needs at least 300 real-world pastes", len(cases))
	}
	clients, providers := map[string]bool{}, map[string]bool{}
	type tally struct{ right, all int }
	perClass := map[string]*tally{}
	var classes []string
	for _, tc := range cases {
		if tc.Source == "" || tc.Class == "" {
			t.Errorf("case %s has no source or class", tc.Name)
		}
		if tc.ClientName != "" {
			clients[tc.ClientName] = true
		}
		if tc.Provider != "" {
			providers[tc.Provider] = true
		}
		if tc.Problem == nil {
			continue
		}
		if perClass[tc.Class] == nil {
			perClass[tc.Class] = &tally{}
			classes = append(classes, tc.Class)
		}
		perClass[tc.Class].all++
		if Explain(tc.Input).Problem == *tc.Problem {
			perClass[tc.Class].right++
		}
	}
	if len(clients) < 15 || len(providers) < 8 {
		t.Errorf("breadth: %d clients or libraries (want 15), %d providers (want 8)", len(clients), len(providers))
	}
	var right, all int
	for _, c := range classes {
		n := perClass[c]
		right, all = right+n.right, all+n.all
		t.Logf("%-15s %3d/%3d headline problem right (%.0f%%)", c, n.right, n.all, 100*float64(n.right)/float64(n.all))
	}
	t.Logf("%-15s %3d/%3d headline problem right (%.0f%%); %d cases, %d clients or libraries, %d providers",
		"all", right, all, 100*float64(right)/float64(all), len(cases), len(clients), len(providers))
}

func checkFields(t *testing.T, got Fields, want map[string]any) {
	t.Helper()
	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var have map[string]any
	if err := json.Unmarshal(data, &have); err != nil {
		t.Fatal(err)
	}
	for k, w := range want {
		if !reflect.DeepEqual(have[k], w) {
			t.Errorf("field %s = %v, want %v", k, have[k], w)
		}
	}
}

// checkInvariants hold for every explanation, whatever the input.
func checkInvariants(t *testing.T, e Explanation) {
	t.Helper()
	if e.Recognised != (len(e.Matches) > 0 || e.Guess != nil) {
		t.Errorf("Recognised = %v with %d matches and guess %v", e.Recognised, len(e.Matches), e.Guess)
	}
	if e.Guess != nil && (len(e.Matches) > 0 || e.Confidence != Possible || len(e.Guess.Words) == 0) {
		t.Errorf("a guess is made only when nothing was recognised, says possible and shows its words: %+v", e.Guess)
	}
	if e.Problem != "" {
		p, ok := catalog.Lookup(e.Problem)
		if !ok {
			t.Fatalf("problem %q is not in the catalogue", e.Problem)
		}
		if e.Explanation != p.Explanation || e.Title != p.Title {
			t.Errorf("explanation or title differ from the catalogue entry for %s", e.Problem)
		}
		if len(e.Steps) == 0 || e.Steps[len(e.Steps)-1] != p.Fix {
			t.Errorf("the last step must be the problem's shared fix; steps = %q", e.Steps)
		}
		if len(e.Causes) == 0 {
			t.Errorf("no causes for %s", e.Problem)
		}
	}
	switch {
	case e.Problem != "" && e.Confidence != Certain && e.Confidence != Likely && e.Confidence != Possible:
		t.Errorf("confidence %q is not certain, likely or possible", e.Confidence)
	case e.Problem != "" && !strings.HasPrefix(e.Headline, e.Title):
		t.Errorf("headline %q does not start with the title %q", e.Headline, e.Title)
	}
	for _, a := range e.Alternatives {
		if a.Problem == e.Problem || a.Confidence == Certain || len(a.Evidence) == 0 {
			t.Errorf("alternative %+v repeats the problem, is certain or has no evidence", a)
		}
	}
	if e.Recognised && e.Meaning == "" {
		t.Error("recognised without a meaning")
	}
	if e.Recognised && e.Problem == "" && e.Guess == nil && !e.Matches[0].Code.Info {
		t.Error("no problem for a failing code")
	}
	if r := e.Retest; r != nil {
		if r.Host == "" || r.Port <= 0 || r.Port > 65535 {
			t.Errorf("bad retest %+v", r)
		}
		switch r.Security {
		case "plain", "starttls", "tls":
		default:
			t.Errorf("retest security %q", r.Security)
		}
	}
	if _, err := json.Marshal(e); err != nil {
		t.Errorf("JSON: %v", err)
	}
}

func matchCodes(e Explanation) []string {
	var out []string
	for _, m := range e.Matches {
		out = append(out, string(m.Code.Kind)+":"+m.Seen)
	}
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func TestMultipleCodesAreAllListed(t *testing.T) {
	e := Explain("Account: 'x', Server: 'pop3', Protocol: POP3, Port: 110, Secure(SSL): No, Socket Error: 11001, Error Number: 0x800CCC0D")
	got := matchCodes(e)
	want := []string{"winsock:11001", "outlook:0x800CCC0D"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("matches = %v, want %v", got, want)
	}
	if e.Matches[0].Why != "Socket Error: 11001" || e.Matches[1].Why != "Error Number: 0x800CCC0D" {
		t.Errorf("why = %q, %q", e.Matches[0].Why, e.Matches[1].Why)
	}
}

func TestMostSpecificWins(t *testing.T) {
	e := Explain("Server Response: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant'")
	if e.Problem != catalog.AuthBasicDisabled {
		t.Fatalf("problem = %s, want %s; matches %v", e.Problem, catalog.AuthBasicDisabled, matchCodes(e))
	}
	var sawGeneric bool
	for _, m := range e.Matches {
		if m.Seen == "535" {
			sawGeneric = true
		}
	}
	if !sawGeneric {
		t.Errorf("the 535 reply should still be listed: %v", matchCodes(e))
	}
}

func TestEnhancedMeaningNamesTheClass(t *testing.T) {
	perm := Explain("5.2.2")
	temp := Explain("4.2.2")
	if !strings.Contains(perm.Meaning, "permanent") || !strings.Contains(temp.Meaning, "temporary") {
		t.Errorf("class not explained:\n%s\n%s", perm.Meaning, temp.Meaning)
	}
}

func TestPortIsNotAReplyCode(t *testing.T) {
	e := Explain("Could not connect: Port: 465, smtp.example.com:587 timed out")
	if e.Fields.ReplyCode != "" {
		t.Errorf("ReplyCode = %q from a port number", e.Fields.ReplyCode)
	}
	for _, m := range e.Matches {
		if m.Code.Kind == catalog.KindSMTP {
			t.Errorf("port read as SMTP reply: %v", matchCodes(e))
		}
	}
}

func TestEmptyInput(t *testing.T) {
	for _, in := range []string{"", "   \n\t "} {
		e := Explain(in)
		if e.Recognised || e.Problem != "" || e.Retest != nil {
			t.Errorf("Explain(%q) = %+v", in, e)
		}
	}
}

func TestRetestSecurity(t *testing.T) {
	tests := []struct {
		in   string
		want Retest
	}{
		// Outlook Express: SSL on SMTP 587 is STARTTLS on the same port.
		{"Server: 'smtp.example.com', Protocol: SMTP, Port: 587, Secure(SSL): Yes, Error Number: 0x800CCC0F", Retest{"smtp", "smtp.example.com", 587, "starttls"}},
		{"Server: 'smtp.example.com', Protocol: SMTP, Port: 465, Secure(SSL): Yes, Error Number: 0x800CCC0F", Retest{"smtp", "smtp.example.com", 465, "tls"}},
		{"Server: 'pop.example.com', Protocol: POP3, Port: 995, Secure(SSL): Yes, Error Number: 0x800CCC0F", Retest{"pop3", "pop.example.com", 995, "tls"}},
		// No SSL flag: the port decides; no port: the protocol's secure default.
		{"Outgoing server (SMTP) smtp.example.com timed out", Retest{"smtp", "smtp.example.com", 587, "starttls"}},
		{"imaps://mail.example.com refused", Retest{"imap", "mail.example.com", 993, "tls"}},
	}
	for _, tt := range tests {
		e := Explain(tt.in)
		if e.Retest == nil || *e.Retest != tt.want {
			t.Errorf("Explain(%q).Retest = %+v, want %+v", tt.in, e.Retest, tt.want)
		}
	}
	e := Explain("Server: 'smtp.example.com', Protocol: SMTP, Port: 465, Secure(SSL): Yes, Error Number: 0x800CCC0F")
	if e.ProbeCommand != "mailcheck probe submissions://smtp.example.com:465" {
		t.Errorf("ProbeCommand = %q", e.ProbeCommand)
	}
}

func TestMatchJSON(t *testing.T) {
	e := Explain("550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown")
	var enhanced Match
	for _, m := range e.Matches {
		if m.Code.Kind == catalog.KindEnhanced {
			enhanced = m
		}
	}
	data, err := json.Marshal(enhanced)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m["code"] != "5.1.1" || m["entry"] != "X.1.1" || m["kind"] != "enhanced" || m["problem"] != "recipient_rejected" {
		t.Errorf("match JSON = %s", data)
	}
}

func TestLongAndInvalidInput(t *testing.T) {
	// Invalid UTF-8 early on must not make the cap cut away the rest of the text.
	in := "\xff\xfe " + strings.Repeat("x", maxInput) + " 0x800CCC0D"
	e := Explain(in)
	if len(e.Input) < maxInput-10 {
		t.Errorf("input cut to %d bytes", len(e.Input))
	}
	// The cap falls inside a multi-byte character: the result stays valid UTF-8.
	e = Explain("535 " + strings.Repeat("é", maxInput))
	if !utf8.ValidString(e.Input) || e.Code != "535" {
		t.Errorf("code %q, valid %v", e.Code, utf8.ValidString(e.Input))
	}
}

// A re-test is proposed only for what the paste says the client connected to, with the security it
// states (issue 21): a bounce names the recipient's MX, never a server to re-test on an invented port,
// and a plain connection on 465 is probed plain, not with the STARTTLS its URL scheme would imply.
func TestRetestIsWhatThePasteSays(t *testing.T) {
	bounce := Explain("<bob@example.org>: host mx.example.org[192.0.2.7] said: 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown (in reply to RCPT TO command)")
	if bounce.Retest != nil || bounce.ProbeCommand != "" || !bounce.Fields.Bounce {
		t.Errorf("bounce: retest %+v, command %q, bounce %v", bounce.Retest, bounce.ProbeCommand, bounce.Fields.Bounce)
	}
	plain := Explain("The connection to the server has failed. Account: 'Work', Server: 'smtp.example.com', Protocol: SMTP, Port: 465, Secure(SSL): No, Socket Error: 10053, Error Number: 0x800CCC0F")
	if plain.Retest == nil || plain.Retest.Security != "plain" || !strings.HasSuffix(plain.ProbeCommand, "--starttls no") {
		t.Errorf("465 without SSL: retest %+v, command %q", plain.Retest, plain.ProbeCommand)
	}
	bare := Explain("0x800CCC0E")
	if !strings.Contains(bare.Headline, ", or ") || bare.Confidence != Possible {
		t.Errorf("a bare 0x800CCC0E is a failed connection of any kind: headline %q, confidence %q", bare.Headline, bare.Confidence)
	}
	timeout := Explain("The connection to the server has failed. Account: 'me', Server: 'smtp.example.com', Protocol: SMTP, Port: 587, Secure(SSL): Yes, Socket Error: 10060, Error Number: 0x800CCC0E")
	for _, c := range append(timeout.Causes, timeout.Steps...) {
		if strings.Contains(c, "25") {
			t.Errorf("587 with a timeout blames port 25: %q", c)
		}
	}
}
