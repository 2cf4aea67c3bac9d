package probe

import (
	"sort"

	"github.com/mailcheck/mailcheck/probe/discover"
)

// Sources of an endpoint; their ranks, trust and wording are rows of discover.Sources.
const (
	SourceExplicit   = discover.Explicit
	SourceAutoconfig = discover.Autoconfig
	SourceSRV        = discover.SRV
	SourceGuess      = discover.Guess
	// SourceCertName is the name on the certificate of an endpoint that presented one for another host
	// (shared hosting: mail.customer.example answers with server123.host.example's certificate). It is
	// probed with the same protocol and port and offered when it works, labelled as such.
	SourceCertName = discover.CertName
	SourceMX       = discover.MX
)

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
	if discover.Rank(o.source) != discover.Rank(p.source) {
		return discover.Rank(o.source) < discover.Rank(p.source)
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
