package discover

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// ProviderDomains are the domains a mail provider is known by, derived from the domain's most preferred
// MX host as Thunderbird does: the MX host's parent domain (its "next subdomain": the host without its
// first label), which tells providers apart that share a registrable domain (an MX
// customer-com.mail.protection.outlook.com gives mail.protection.outlook.com, Microsoft 365's ISPDB name,
// where Outlook.com's MX gives outlook.com), then the host's registrable domain (eTLD+1, by the Public
// Suffix List). When the registrable domain is the user's domain, there is no provider to ask.
func ProviderDomains(mxHost, domain string) []string {
	host := strings.ToLower(strings.TrimSuffix(mxHost, "."))
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	base, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil || base == domain {
		return nil // an MX inside the domain names no other provider
	}
	var out []string
	if _, parent, ok := strings.Cut(host, "."); ok && parent != base && strings.HasSuffix(parent, "."+base) {
		out = append(out, parent)
	}
	out = append(out, base)
	if out[0] == domain {
		out = out[1:]
	}
	return out
}

// RegistrableDomain is the eTLD+1 of a host, or the host itself when it has none.
func RegistrableDomain(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if base, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return base
	}
	return host
}

// ProviderAttempts are the places asked about one provider domain: its ISPDB entry (source Provider) and
// its own HTTPS autoconfig file (source ProviderAutoconfig, forgeable: the MX answer chose the host).
// Thunderbird desktop asks the ISPDB, Thunderbird for Android the provider's file.
func ProviderAttempts(provider, ispdbBase string) []Attempt {
	var out []Attempt
	if ispdbBase != "" {
		out = append(out, ISPDBAttempt(Provider, ispdbBase, provider))
	}
	out = append(out, Attempt{ProviderAutoconfig, provider, "https://autoconfig." + provider + "/mail/config-v1.1.xml"})
	return out
}

// ProviderGuesses are the names a provider's file most often lists, worth resolving while it is fetched.
func ProviderGuesses(provider string) []string {
	return []string{"imap." + provider, "smtp." + provider}
}
