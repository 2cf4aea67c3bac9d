package catalog

import "strings"

// MatchServerText recognises a provider's own refusal in a server reply ("Application-specific password
// required", "SmtpClientAuthentication is disabled") by the catalogue's provider phrases, and returns the
// problem code it means, or "" when the words are not a known provider message. The probe uses it after
// classifying a reply by its codes, because providers reuse generic codes (535, 534) for specific causes.
func MatchServerText(text string) string {
	lower := strings.ToLower(text)
	for _, c := range codes {
		if c.Kind != KindProvider || c.Problem == "" {
			continue
		}
		for _, m := range c.Match {
			if strings.Contains(lower, strings.ToLower(m)) {
				return c.Problem
			}
		}
	}
	return ""
}
