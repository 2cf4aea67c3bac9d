package explain

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
)

// base64Word is a run of base64 long enough to hold an OAuth2 error challenge ({"status":"401"} is 16
// bytes, 24 characters encoded).
var base64Word = regexp.MustCompile(`[A-Za-z0-9+/]{20,}={0,2}`)

// maxChallenges bounds how many base64 words are decoded in one paste.
const maxChallenges = 8

// decodedChallenges returns the OAuth2 error challenges hidden in base64 in the text ("334 eyJzdGF0…",
// "+ eyJzdGF0…"), decoded, one per line, so that their status is recognised like a plain-text one.
func decodedChallenges(text string) string {
	var out strings.Builder
	for _, w := range base64Word.FindAllString(text, maxChallenges) {
		b, err := base64.StdEncoding.DecodeString(w)
		if err != nil {
			continue
		}
		var obj map[string]any
		if json.Unmarshal(b, &obj) != nil {
			continue
		}
		if _, ok := obj["status"].(string); !ok {
			continue
		}
		compact, err := json.Marshal(obj)
		if err != nil {
			continue
		}
		out.WriteString("\n")
		out.Write(compact)
	}
	return out.String()
}
