package probe

import (
	"sort"

	"github.com/mailcheck/mailcheck/probe/discover"
)

// Sources of an endpoint. A mail client trusts them in this order (Thunderbird: a configuration the
// domain publishes wins outright over anything guessed): what the user typed, the domain's own autoconfig
// file, its RFC 6186/8314 SRV records, the names clients guess, and last the MX hosts, which are inbound
// relays that often also answer on the client ports.
const (
	SourceExplicit   = "explicit"
	SourceAutoconfig = "autoconfig"
	SourceSRV        = "srv"
	SourceGuess      = "guess"
	// SourceCertName is the name on the certificate of an endpoint that presented one for another host
	// (shared hosting: mail.customer.example answers with server123.host.example's certificate). It is
	// probed with the same protocol and port and offered when it works, labelled as such.
	SourceCertName = "cert_name"
	SourceMX       = "mx"
)

// sourceRank orders the sources, most authoritative first. The sources of probe/discover come after what
// the domain publishes itself in DNS, in Thunderbird's order (Autodiscover, then Mozilla's ISPDB and the
// MX provider's ISPDB entry, which speak for a provider, not for the domain). The provider's own file
// comes after the names inside the domain: the MX answer that leads to it can be forged, so it must
// never outrank a server of the domain itself. The forgeable ones (plain http, an unauthenticated
// redirect) rank last, so an endpoint they name keeps the source of any other that names it too.
var sourceRank = map[string]int{
	SourceExplicit: 0, SourceAutoconfig: 1, SourceSRV: 2, discover.Autodiscover: 3, discover.ISPDB: 4,
	discover.Provider: 5, SourceGuess: 6, SourceCertName: 7, discover.ProviderAutoconfig: 8, SourceMX: 9,
	discover.AutoconfigHTTP: 10, discover.AutodiscoverRedirected: 11,
}

// origin is one way an endpoint was found: the source, and the endpoint's place among that source's own
// endpoints (lower first).
type origin struct {
	source string
	// order is the source's own preference: the argument's position (explicit), the position in the
	// autoconfig file, the SRV priority and inverted weight (RFC 2782), the MX preference (RFC 5321
	// section 5.1). Guessed names have none: their order is Thunderbird's guess order (nameRank).
	order [2]int
}

// better says whether o outranks p: a better source, or the same source with a lower order.
func (o origin) better(p origin) bool {
	if sourceRank[o.source] != sourceRank[p.source] {
		return sourceRank[o.source] < sourceRank[p.source]
	}
	return o.order[0] < p.order[0] || o.order[0] == p.order[0] && o.order[1] < p.order[1]
}

// origins are every source that named one endpoint, best first.
type origins []origin

// add merges o in: each source keeps its best order.
func (os origins) add(o origin) origins {
	for i, p := range os {
		if p.source == o.source {
			if o.better(p) {
				os[i] = o
			}
			return os.sorted()
		}
	}
	return append(os, o).sorted()
}

func (os origins) sorted() origins {
	sort.SliceStable(os, func(i, j int) bool { return os[i].better(os[j]) })
	return os
}

// best is the origin that ranks the endpoint.
func (os origins) best() origin {
	if len(os) == 0 {
		return origin{}
	}
	return os[0]
}

// names are the sources, best first, as the report lists them.
func (os origins) names() []string {
	var out []string
	for _, o := range os {
		out = append(out, o.source)
	}
	return out
}
