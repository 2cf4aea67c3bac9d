package explain

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/url"
	"sort"
	"strings"
)

// Source is a labelled paste with where it came from, for the grouped cross-validation.
type Source struct {
	Labelled
	// Source is the row's source (a URL, or a project and file).
	Source string
}

// SourceGroup is the fold key of a source: the repository (owner/name) of a GitHub address, the host of
// any other address, the whole text otherwise. Pastes from one program's tracker or one site land in
// one fold, so no source is in both the training and the test half.
func SourceGroup(source string) string {
	u, err := url.Parse(strings.TrimSpace(source))
	if err != nil || u.Host == "" {
		return source
	}
	host := strings.TrimPrefix(strings.ToLower(u.Host), "www.")
	if host == "github.com" {
		parts := strings.SplitN(strings.Trim(u.Path, "/"), "/", 3)
		if len(parts) >= 2 {
			return host + "/" + strings.ToLower(parts[0]+"/"+parts[1])
		}
	}
	return host
}

// CVResult is the outcome of a grouped cross-validation of the word model.
type CVResult struct {
	Rows, Groups, Folds int
	// Right counts rows whose top guess was right, whatever its probability.
	Right int
	// Proposed and ProposedRight count guesses at or above the threshold, and the right ones among them.
	Proposed, ProposedRight int
	// Points are every held-out row's probability and whether the guess was right, for calibration.
	Points []CVPoint
}

// CVPoint is one held-out guess.
type CVPoint struct {
	Probability float64
	Right       bool
}

// CrossValidate trains on all groups but one fold's and tests on that fold, for every fold.
func CrossValidate(rows []Source, folds int, threshold float64) CVResult {
	res := CVResult{Rows: len(rows), Folds: folds}
	groups := map[string]bool{}
	foldOf := func(s Source) int {
		h := fnv.New32a()
		h.Write([]byte(SourceGroup(s.Source)))
		return int(h.Sum32() % uint32(folds))
	}
	for _, r := range rows {
		groups[SourceGroup(r.Source)] = true
	}
	res.Groups = len(groups)
	for k := 0; k < folds; k++ {
		var train []Labelled
		var test []Source
		for _, r := range rows {
			if foldOf(r) == k {
				test = append(test, r)
			} else {
				train = append(train, r.Labelled)
			}
		}
		if len(test) == 0 || len(train) == 0 {
			continue
		}
		m := Train(train, threshold)
		for _, r := range test {
			g, _ := m.Guess(r.Text)
			right := g.Problem == r.Problem
			if right {
				res.Right++
			}
			res.Points = append(res.Points, CVPoint{g.Probability, right})
			if g.Problem != "" && g.Probability >= threshold {
				res.Proposed++
				if right {
					res.ProposedRight++
				}
			}
		}
	}
	return res
}

// Calibrate picks the lowest threshold at which the held-out guesses above it are right at least
// precision of the time (over at least minProposed guesses); 1 when none reaches it.
func Calibrate(points []CVPoint, precision float64, minProposed int) float64 {
	sorted := append([]CVPoint(nil), points...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Probability > sorted[j].Probability })
	best, right := 1.0, 0
	for i, p := range sorted {
		if p.Right {
			right++
		}
		n := i + 1
		if n >= minProposed && float64(right)/float64(n) >= precision && (i+1 == len(sorted) || sorted[i+1].Probability < p.Probability) {
			best = p.Probability
		}
	}
	return best
}

// CorpusRows reads the labelled rows of testdata/explain/cases.json: every row with a problem.
func CorpusRows(data []byte) ([]Source, error) {
	var cases []struct {
		Input   string  `json:"input"`
		Problem *string `json:"problem"`
		Source  string  `json:"source"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		return nil, err
	}
	var rows []Source
	for _, c := range cases {
		if c.Problem == nil || *c.Problem == "" {
			continue
		}
		rows = append(rows, Source{Labelled: Labelled{Text: normalise(c.Input), Problem: *c.Problem}, Source: c.Source})
	}
	return rows, nil
}

// Report prints the cross-validation figures.
func (r CVResult) Report(threshold float64) string {
	pct := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return 100 * float64(a) / float64(b)
	}
	return fmt.Sprintf("grouped %d-fold cross-validation, %d rows in %d source groups (no group in both halves)\n"+
		"top guess right: %d/%d (%.0f%%)\n"+
		"threshold %.3f: proposed %d/%d (%.0f%% coverage), right %d/%d (%.0f%% precision)\n",
		r.Folds, r.Rows, r.Groups, r.Right, r.Rows, pct(r.Right, r.Rows),
		threshold, r.Proposed, r.Rows, pct(r.Proposed, r.Rows), r.ProposedRight, r.Proposed, pct(r.ProposedRight, r.Proposed))
}
