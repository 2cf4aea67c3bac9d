package explain

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestGuessCrossValidation reports the word model's grouped cross-validation (folds by source: no program's
// tracker or site is in both halves) and keeps the guesses it would propose right most of the time
// (go test -run TestGuessCrossValidation -v ./probe/explain/).
func TestGuessCrossValidation(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "explain", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := CorpusRows(data)
	if err != nil {
		t.Fatal(err)
	}
	m := loadModel()
	if m == nil {
		t.Fatal("no word model embedded: run go generate ./probe/explain/")
	}
	res := CrossValidate(rows, 5, m.Threshold)
	t.Log("\n" + res.Report(m.Threshold))
	if res.Groups < 100 {
		t.Errorf("only %d source groups", res.Groups)
	}
	if res.Proposed == 0 || float64(res.ProposedRight)/float64(res.Proposed) < 0.6 {
		t.Errorf("guesses above the threshold are right %d/%d times; want at least 60%%", res.ProposedRight, res.Proposed)
	}
}

// TestGuessModelUpToDate fails when the corpus changed and the embedded model was not regenerated.
func TestGuessModelUpToDate(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "explain", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := CorpusRows(data)
	if err != nil {
		t.Fatal(err)
	}
	var labelled []Labelled
	for _, r := range rows {
		labelled = append(labelled, r.Labelled)
	}
	want, _ := json.Marshal(Train(labelled, loadModel().Threshold))
	if !bytes.Equal(bytes.TrimSpace(modelJSON), want) {
		t.Error("guess_model.json is stale: run go generate ./probe/explain/")
	}
}

// A guess reads as a guess: possible, with its words, only when nothing is recognised, and not for a
// dialog that carries no error at all.
func TestGuessOnlyWhenNothingIsRecognised(t *testing.T) {
	e := Explain("mail rejected: sender domain has no SPF record published")
	if e.Guess == nil || e.Confidence != Possible || e.Problem != "sender_authentication_failed" || len(e.Guess.Words) == 0 {
		t.Errorf("guess %+v, confidence %q, problem %q", e.Guess, e.Confidence, e.Problem)
	}
	if e := Explain("535 5.7.8 Authentication credentials invalid"); e.Guess != nil {
		t.Errorf("a recognised reply got a guess: %+v", e.Guess)
	}
	if e := Explain("Account: 'Office', Server: 'mail.example.com', Protocol: IMAP, Port: 993, Secure(SSL): Yes"); e.Guess != nil {
		t.Errorf("a dialog without an error got a guess: %+v", e.Guess)
	}
}
