package catalog

import "strings"

// MatchServerText recognises a provider's own refusal in a server reply ("Application-specific password
// required", "SmtpClientAuthentication is disabled") by the catalogue's provider phrases, and returns the
// problem code it means, or "" when the words are not a known provider message. The probe uses it after
// classifying a reply by its codes, because providers reuse generic codes (535, 534) for specific causes.
// The longest phrase found decides, as in explain; catch-all phrases only when nothing else is found.
func MatchServerText(text string) string {
	lower := strings.ToLower(text)
	best, bestLen, bestGeneric := "", 0, true
	for _, c := range codes {
		if c.Kind != KindProvider || c.Problem == "" {
			continue
		}
		for _, m := range c.Match {
			n, ok := findPhrase(lower, strings.ToLower(m))
			if !ok {
				continue
			}
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

// findPhrase finds a Match phrase in lowercased text and returns the length of the text it spans; a "*"
// in the phrase stands for up to 200 characters on the same line.
func findPhrase(lower, phrase string) (int, bool) {
	parts := strings.Split(phrase, "*")
	for from := 0; ; {
		i := strings.Index(lower[from:], strings.TrimSpace(parts[0]))
		if i < 0 {
			return 0, false
		}
		start := from + i
		end, ok := start+len(strings.TrimSpace(parts[0])), true
		for _, part := range parts[1:] {
			part = strings.TrimSpace(part)
			window := lower[end:]
			if len(window) > 200+len(part) {
				window = window[:200+len(part)]
			}
			if nl := strings.IndexByte(window, '\n'); nl >= 0 {
				window = window[:nl]
			}
			j := strings.Index(window, part)
			if j < 0 {
				ok = false
				break
			}
			end += j + len(part)
		}
		if ok {
			return end - start, true
		}
		from = start + 1
	}
}
