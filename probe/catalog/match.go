package catalog

import "strings"

// MatchServerText recognises a provider's own refusal in a server reply ("Application-specific password
// required", "SmtpClientAuthentication is disabled") by the catalogue's provider phrases, and returns the
// problem code it means, or "" when the words are not a known provider message. The probe uses it after
// classifying a reply by its codes, because providers reuse generic codes (535, 534) for specific causes.
// The longest phrase found decides, as in explain; catch-all phrases only when nothing else is found.
func MatchServerText(text string) string {
	lower := LowerASCII(text)
	best, bestLen, bestGeneric := "", 0, true
	for _, c := range codes {
		if c.Kind != KindProvider || c.Problem == "" {
			continue
		}
		for _, m := range c.Match {
			start, end, ok := CompilePhrase(m).Find(lower)
			if !ok {
				continue
			}
			n := end - start
			better := n > bestLen
			if bestGeneric != c.Generic {
				better = !c.Generic
			}
			if best == "" || better {
				best, bestLen, bestGeneric = c.Problem, n, c.Generic
			}
		}
	}
	return best
}

// ServerRefusal is a refusal the probe received, with where it came from.
type ServerRefusal struct {
	// Problem is what the reply's codes and words mean in general.
	Problem string
	// Host is the server's name as configured; Protocol is "imap", "pop3" or "smtp".
	Host, Protocol string
	// Greeting is the server's greeting: Exchange Online names itself there even behind a custom host name.
	Greeting string
}

// ProviderMeaning returns what the refusal means from the provider that runs Host, and the cause to name
// first, when a provider rule applies (Exchange Online's "LOGIN failed" is a switched-off password login);
// otherwise the refusal's own problem and "".
func ProviderMeaning(r ServerRefusal) (problem, cause string) {
	provider := ProviderOf(r.Host)
	if provider == "" {
		provider = ProviderOfGreeting(r.Greeting)
	}
	rule, ok := ApplyProviderRule(provider, r.Protocol, r.Problem)
	if !ok {
		return r.Problem, ""
	}
	return rule.Problem, rule.Causes[0]
}

// Phrase is a Match text compiled for searching: lowercased and split at its "*" wildcards.
type Phrase struct {
	parts []string
	// wordStart requires a word boundary before the text, so that "timed out" does not match inside
	// another word.
	wordStart bool
}

// maxGap is how far apart the parts of a wildcard phrase may be, on one line.
const maxGap = 200

// CompilePhrase prepares a Match text for Find.
func CompilePhrase(m string) Phrase {
	var parts []string
	for _, p := range strings.Split(m, "*") {
		parts = append(parts, LowerASCII(strings.TrimSpace(p)))
	}
	return Phrase{parts: parts, wordStart: m != "" && isWordByte(m[0])}
}

// Find locates the phrase in text lowercased by LowerASCII: the first occurrence of the first part, each
// further part after it on the same line within maxGap bytes.
func (p Phrase) Find(lower string) (start, end int, ok bool) {
	from := 0
	for from < len(lower) {
		i := strings.Index(lower[from:], p.parts[0])
		if i < 0 {
			return 0, 0, false
		}
		start = from + i
		from = start + 1
		if p.wordStart && start > 0 && isWordByte(lower[start-1]) {
			continue
		}
		end = start + len(p.parts[0])
		matched := true
		for _, part := range p.parts[1:] {
			window := lower[end:]
			if len(window) > maxGap+len(part) {
				window = window[:maxGap+len(part)]
			}
			if nl := strings.IndexByte(window, '\n'); nl >= 0 {
				window = window[:nl]
			}
			j := strings.Index(window, part)
			if j < 0 {
				matched = false
				break
			}
			end += j + len(part)
		}
		if matched {
			return start, end, true
		}
	}
	return 0, 0, false
}

// LowerASCII lowercases A-Z only, so that byte offsets into the lowercased text are offsets into the text.
func LowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}
