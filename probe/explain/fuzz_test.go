package explain

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzExplain feeds arbitrary text to Explain: it must never panic, and its result must keep the invariants
// checked for the real-world cases. Seeds are the cases of testdata/explain/cases.json and the regression
// inputs in testdata/explain/fuzz_regressions.json.
func FuzzExplain(f *testing.F) {
	for _, tc := range loadCases(f) {
		f.Add(tc.Input)
	}
	for _, in := range loadRegressions(f) {
		f.Add(in)
	}
	if dsn, err := os.ReadFile(filepath.Join("..", "..", "testdata", "explain", "dsn", "postfix_mailbox_full.eml")); err == nil {
		f.Add(string(dsn))
	}
	f.Fuzz(func(t *testing.T, in string) {
		e := Explain(in)
		checkInvariants(t, e)
		if len(e.Input) > maxInput+2*utf8.UTFMax {
			t.Errorf("input not capped: %d bytes", len(e.Input))
		}
		if !utf8.ValidString(e.Input) || !utf8.ValidString(e.Fields.ServerResponse) {
			t.Error("invalid UTF-8 in the explanation")
		}
		if strings.ContainsRune(e.Fields.ServerResponse, '\n') {
			t.Error("server response spans lines")
		}
	})
}

// loadRegressions reads inputs that once broke Explain (found by fuzzing); they stay as seeds and as a test.
func loadRegressions(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "explain", "fuzz_regressions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	if err := json.Unmarshal(data, &inputs); err != nil {
		t.Fatal(err)
	}
	return inputs
}

func TestFuzzRegressions(t *testing.T) {
	for _, in := range loadRegressions(t) {
		checkInvariants(t, Explain(in))
	}
}
