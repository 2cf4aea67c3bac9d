// Command explainmodel trains explain's word model (probe/explain/guess.go) from the labelled corpus
// testdata/explain/cases.json and writes it as JSON; `go generate ./probe/explain/` runs it. The
// threshold is calibrated by a grouped cross-validation (folds by source), which it also prints:
//
//	go run ./tools/explainmodel -cv
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/mailcheck/mailcheck/probe/explain"
)

// Precision the guesses above the threshold must reach in the cross-validation, and the folds.
const (
	targetPrecision = 0.7
	folds           = 5
)

func main() {
	cases := flag.String("cases", "../../testdata/explain/cases.json", "the labelled corpus")
	out := flag.String("o", "", "write the model here (default: only print the cross-validation)")
	cv := flag.Bool("cv", false, "print the grouped cross-validation")
	flag.Parse()
	if err := run(*cases, *out, *cv || *out == ""); err != nil {
		fmt.Fprintln(os.Stderr, "explainmodel:", err)
		os.Exit(1)
	}
}

func run(cases, out string, printCV bool) error {
	data, err := os.ReadFile(cases)
	if err != nil {
		return err
	}
	rows, err := explain.CorpusRows(data)
	if err != nil {
		return err
	}
	res := explain.CrossValidate(rows, folds, 1)
	threshold := explain.Calibrate(res.Points, targetPrecision, 20)
	if printCV {
		res = explain.CrossValidate(rows, folds, threshold)
		fmt.Print(res.Report(threshold))
	}
	if out == "" {
		return nil
	}
	var labelled []explain.Labelled
	for _, r := range rows {
		labelled = append(labelled, r.Labelled)
	}
	b, err := json.Marshal(explain.Train(labelled, threshold))
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}
