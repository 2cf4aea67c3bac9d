package discover

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// ProviderDomains are the domains a mail provider is known by, derived from the domain's most preferred
// MX host as Thunderbird does: the host's registrable domain (eTLD+1, by the Public Suffix List) and the
// one subdomain below it, which tells providers apart that share a registrable domain
// (mx.eu.example.net gives eu.example.net, then example.net). Names equal to the user's domain are left
// out: the domain's own sources already cover them.
func ProviderDomains(mxHost, domain string) []string {
	host := strings.ToLower(strings.TrimSuffix(mxHost, "."))
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	base, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return nil
	}
	var out []string
	if host != base {
		rest := strings.TrimSuffix(host, "."+base)
		if i := strings.LastIndexByte(rest, '.'); i >= 0 {
			rest = rest[i+1:]
		}
		if sub := rest + "." + base; sub != host {
			out = append(out, sub)
		}
	}
	out = append(out, base)
	kept := out[:0]
	for _, d := range out {
		if d != domain && !strings.HasSuffix(domain, "."+d) {
			kept = append(kept, d)
		}
	}
	return kept
}

// RegistrableDomain is the eTLD+1 of a host, or the host itself when it has none.
func RegistrableDomain(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if base, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return base
	}
	return host
}

// ProviderAttempts are the places asked about one provider domain: its ISPDB entry and its own HTTPS
// autoconfig file (Thunderbird desktop asks the ISPDB, Thunderbird for Android the provider's file).
func ProviderAttempts(provider, ispdbBase string) []Attempt {
	var out []Attempt
	if ispdbBase != "" {
		out = append(out, ISPDBAttempt(Provider, ispdbBase, provider))
	}
	out = append(out, Attempt{Provider, provider, "https://autoconfig." + provider + "/mail/config-v1.1.xml"})
	return out
}

// ProviderGuesses are the names a provider's file most often lists, worth resolving while it is fetched.
func ProviderGuesses(provider string) []string {
	return []string{"imap." + provider, "smtp." + provider}
}
