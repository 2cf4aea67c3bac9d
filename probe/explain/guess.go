package explain

import (
	_ "embed"
	"encoding/json"
	"math"
	"sort"
	"strings"
	"sync"
)

//go:generate go run ../../tools/explainmodel -cases ../../testdata/explain/cases.json -o guess_model.json

// The word model is the fallback for text no rule recognises (issue 21): a multinomial naive Bayes
// classifier over the words, word pairs and character 4-grams of the labelled corpus
// (testdata/explain/cases.json), trained at `go generate` time into guess_model.json. It proposes a cause
// only when its posterior reaches the threshold calibrated by the grouped cross-validation
// (TestGuessCrossValidation), says "possible", and shows the words that decided it.

//go:embed guess_model.json
var modelJSON []byte

// Model is a trained naive Bayes word model.
type Model struct {
	// Classes are the problem codes, each with its number of training rows.
	Classes []ModelClass `json:"classes"`
	// Threshold is the posterior a guess must reach.
	Threshold float64 `json:"threshold"`
	// Alpha is the additive smoothing of the feature counts.
	Alpha float64 `json:"alpha"`
	// Vocabulary is the number of distinct features kept.
	Vocabulary int `json:"vocabulary"`
}

// ModelClass is one problem code's feature counts.
type ModelClass struct {
	Problem string         `json:"problem"`
	Rows    int            `json:"rows"`
	Total   int            `json:"total"`
	Counts  map[string]int `json:"counts"`
}

// Guess is the word model's proposal.
type Guess struct {
	Problem string `json:"problem"`
	// Probability is the model's posterior for Problem, between 0 and 1.
	Probability float64 `json:"probability"`
	// Words are the words of the text that weighed most for Problem against the runner-up.
	Words []string `json:"words"`
	// Rows is how many labelled pastes the model learnt from.
	Rows int `json:"rows"`
}

var (
	modelOnce sync.Once
	model     *Model
)

func loadModel() *Model {
	modelOnce.Do(func() {
		var m Model
		if json.Unmarshal(modelJSON, &m) == nil && len(m.Classes) > 0 {
			model = &m
		}
	})
	return model
}

// Labelled is one training example.
type Labelled struct {
	Text, Problem string
}

// Train builds a model from labelled texts. Features seen in fewer than two texts are dropped: they name a
// host or an ID of one paste and teach nothing about the next.
func Train(rows []Labelled, threshold float64) *Model {
	docFreq := map[string]int{}
	feats := make([][]string, len(rows))
	for i, r := range rows {
		feats[i] = features(r.Text)
		seen := map[string]bool{}
		for _, f := range feats[i] {
			if !seen[f] {
				seen[f] = true
				docFreq[f]++
			}
		}
	}
	byProblem := map[string]*ModelClass{}
	for i, r := range rows {
		c := byProblem[r.Problem]
		if c == nil {
			c = &ModelClass{Problem: r.Problem, Counts: map[string]int{}}
			byProblem[r.Problem] = c
		}
		c.Rows++
		for _, f := range feats[i] {
			if docFreq[f] >= 2 {
				c.Counts[f]++
				c.Total++
			}
		}
	}
	m := &Model{Threshold: threshold, Alpha: 0.3}
	for _, n := range docFreq {
		if n >= 2 {
			m.Vocabulary++
		}
	}
	for _, c := range byProblem {
		m.Classes = append(m.Classes, *c)
	}
	sort.Slice(m.Classes, func(i, j int) bool { return m.Classes[i].Problem < m.Classes[j].Problem })
	return m
}

// Guess scores the text; ok is false when the model knows none of its features or the posterior stays
// below the threshold. The guess is returned either way, for calibration.
func (m *Model) Guess(text string) (g Guess, ok bool) {
	fs := features(text)
	known := 0
	for _, f := range fs {
		if strings.HasPrefix(f, "#") || strings.Contains(f, "_") {
			continue
		}
		for _, c := range m.Classes {
			if c.Counts[f] > 0 {
				known++
				break
			}
		}
	}
	if known < minKnownWords {
		return Guess{}, false
	}
	rows := 0
	for _, c := range m.Classes {
		rows += c.Rows
	}
	scores := make([]float64, len(m.Classes))
	for i, c := range m.Classes {
		// A flat prior: the corpus's class sizes reflect what was collected, not what users paste.
		s := 0.0
		for _, f := range fs {
			s += m.logP(c, f)
		}
		// Scaled by the text's length so that long traces do not make the posterior overconfident.
		scores[i] = s / math.Sqrt(float64(len(fs)))
	}
	best, second := argmax2(scores)
	g = Guess{Problem: m.Classes[best].Problem, Probability: softmaxAt(scores, best), Rows: rows}
	if second >= 0 {
		g.Words = decidingWords(m, fs, m.Classes[best], m.Classes[second])
	}
	return g, g.Probability >= m.Threshold
}

func (m *Model) logP(c ModelClass, f string) float64 {
	return math.Log((float64(c.Counts[f]) + m.Alpha) / (float64(c.Total) + m.Alpha*float64(m.Vocabulary+1)))
}

func argmax2(s []float64) (best, second int) {
	best, second = -1, -1
	for i := range s {
		switch {
		case best < 0 || s[i] > s[best]:
			best, second = i, best
		case second < 0 || s[i] > s[second]:
			second = i
		}
	}
	return best, second
}

func softmaxAt(s []float64, k int) float64 {
	max := s[0]
	for _, v := range s {
		max = math.Max(max, v)
	}
	sum := 0.0
	for _, v := range s {
		sum += math.Exp(v - max)
	}
	return math.Exp(s[k]-max) / sum
}

// decidingWords are the word features (not character n-grams) that weigh most for best over second.
func decidingWords(m *Model, fs []string, best, second ModelClass) []string {
	weight := map[string]float64{}
	for _, f := range fs {
		if strings.HasPrefix(f, "#") || best.Counts[f] == 0 {
			continue
		}
		weight[f] += m.logP(best, f) - m.logP(second, f)
	}
	var words []string
	for f, w := range weight {
		if w > 0 {
			words = append(words, f)
		}
	}
	// A word already inside a chosen pair adds nothing.
	inPair := map[string]bool{}
	for _, f := range words {
		if a, b, ok := strings.Cut(f, "_"); ok {
			inPair[a], inPair[b] = true, true
		}
	}
	kept := words[:0]
	for _, f := range words {
		if strings.Contains(f, "_") || !inPair[f] {
			kept = append(kept, f)
		}
	}
	words = kept
	sort.Slice(words, func(i, j int) bool {
		if weight[words[i]] != weight[words[j]] {
			return weight[words[i]] > weight[words[j]]
		}
		return words[i] < words[j]
	})
	if len(words) > 5 {
		words = words[:5]
	}
	for i, w := range words {
		words[i] = strings.ReplaceAll(w, "_", " ")
	}
	return words
}

// maxFeatureText bounds the text the model reads: the first 8 KiB carry the error in every corpus row.
const maxFeatureText = 8 << 10

// dialogLabels are the field labels of mail-client dialogs ("Account:", "Server:", "Secure(SSL): Yes"):
// they stand around every Outlook error whatever its cause, so they are no evidence for one.
var dialogLabels = map[string]bool{
	"account": true, "server": true, "protocol": true, "port": true, "secure": true, "ssl": true, "yes": true,
	"no": true, "socket": true, "error": true, "number": true, "sim": true, "nao": true, "ja": true, "nein": true,
	// and the commonest English words, which every cause shares.
	"the": true, "an": true, "is": true, "are": true, "was": true, "to": true, "of": true, "and": true, "or": true,
	"in": true, "on": true, "at": true, "for": true, "that": true, "this": true, "it": true, "be": true, "by": true,
	"with": true, "from": true, "as": true, "you": true, "your": true, "we": true, "please": true,
	// and the apology every program and server prints, whatever went wrong ("Something went wrong. Please
	// try again later."): it names no cause.
	"something": true, "went": true, "wrong": true, "try": true, "again": true, "later": true,
}

// minKnownWords is how many of the text's words the model must know before it guesses.
const minKnownWords = 3

// features are the text's lowercase words (letters only, two or more), its word pairs ("too_big") and the
// character 4-grams of its words ("#ssl_"), so that a new inflection or compound still shares features
// with the corpus.
func features(text string) []string {
	if len(text) > maxFeatureText {
		text = text[:maxFeatureText]
	}
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return r < 'a' || r > 'z' }) {
		if len(w) >= 2 && len(w) <= 30 && !dialogLabels[w] {
			words = append(words, w)
		}
	}
	var out []string
	for i, w := range words {
		out = append(out, w)
		if i > 0 {
			out = append(out, words[i-1]+"_"+w)
		}
		padded := "_" + w + "_"
		for j := 0; j+4 <= len(padded); j++ {
			out = append(out, "#"+padded[j:j+4])
		}
	}
	return out
}
