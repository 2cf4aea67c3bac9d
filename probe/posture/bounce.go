package posture

import (
	"net/netip"
	"regexp"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// FromBounce reads, from a pasted bounce or header, the sending domain and address whose posture can
// confirm a sender-authentication or reputation refusal: Gmail's "SPF [domain] with ip: [IP]", Microsoft's
// "sending domain [domain]", an Authentication-Results or Received-SPF header (smtp.mailfrom=,
// header.from=, client-ip=, "does not designate IP"), the openspf "Why?" URL, and the returned message's
// From header. ok is false when no domain is named. Evidence quotes what was read.
func FromBounce(text string) (t Target, evidence []string, ok bool) {
	if len(text) > maxBounce {
		text = text[:maxBounce]
	}
	for _, p := range bouncePatterns {
		m := p.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		used := false
		if t.Domain == "" && p.domain > 0 {
			if d := cleanDomain(m[p.domain]); d != "" {
				t.Domain, used = d, true
			}
		}
		if !t.SendingIP.IsValid() && p.ip > 0 {
			if a, err := netip.ParseAddr(m[p.ip]); err == nil && a.Zone() == "" {
				t.SendingIP, used = a.Unmap(), true
			}
		}
		if used {
			evidence = append(evidence, strings.TrimSpace(m[0]))
		}
	}
	if m := dkimSelector.FindStringSubmatch(text); m != nil && t.Domain != "" {
		t.DKIMSelector = strings.ToLower(m[1])
		evidence = append(evidence, "DKIM-Signature s="+m[1])
	}
	return t, evidence, t.Domain != ""
}

// dkimSelector is the s= tag of a DKIM-Signature header in the paste (RFC 6376 section 3.5).
var dkimSelector = regexp.MustCompile(`(?is)DKIM-Signature:.{0,1000}?[;\s]s=([a-z0-9][a-z0-9._-]{0,62})\s*;`)

// maxBounce bounds what is searched (the paste is already capped by explain).
const maxBounce = 64 << 10

type bouncePattern struct {
	re         *regexp.Regexp
	domain, ip int // submatch indexes, 0 for none
}

// bouncePatterns, most specific first. RE2: linear in the input.
var bouncePatterns = []bouncePattern{
	{regexp.MustCompile(`(?i)SPF \[([a-z0-9.-]+)\] with ip: \[([0-9a-f:.]+)\]`), 1, 2},
	{regexp.MustCompile(`(?i)s=mfrom;\s*id=[^;@\s]*@([a-z0-9.-]+);\s*ip=([0-9a-f:.]+)`), 1, 2},
	{regexp.MustCompile(`(?i)sending domain \[?([a-z0-9.-]+\.[a-z]{2,})\]?`), 1, 0},
	{regexp.MustCompile(`(?i)smtp\.mailfrom=(?:[^@\s;]*@)?([a-z0-9.-]+\.[a-z]{2,})`), 1, 0},
	{regexp.MustCompile(`(?i)header\.from=([a-z0-9.-]+\.[a-z]{2,})`), 1, 0},
	{regexp.MustCompile(`(?i)domain of (?:[^@\s]*@)?([a-z0-9.-]+\.[a-z]{2,}) does not designate ([0-9a-f:.]+)`), 1, 2},
	{regexp.MustCompile(`(?i)client-ip=([0-9a-f:.]+)`), 0, 1},
	{regexp.MustCompile(`(?im)^From:[^\n]*?@([a-z0-9.-]+\.[a-z]{2,})>?\s*$`), 1, 0},
}

// cleanDomain lower-cases a domain read from a paste and keeps it only when it is under a public suffix.
func cleanDomain(d string) string {
	d = strings.Trim(strings.ToLower(d), ".-")
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") {
		return ""
	}
	if _, err := publicsuffix.EffectiveTLDPlusOne(d); err != nil {
		return ""
	}
	return d
}
