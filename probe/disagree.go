package probe

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/discover"
)

// judgeSources labels settings that come from a mail provider and compares what the discovery sources
// said with each other and with what the probes found (one sources_disagree problem per protocol):
// sources that name disjoint servers, ports or security modes for the same service, or a source whose
// servers all fail while another server of the service works.
func (r *run) judgeSources() {
	rep := r.report
	labelProvider(rep.Settings.Incoming, r.req.Domain)
	labelProvider(rep.Settings.Outgoing, r.req.Domain)

	// found is the best connection outcome of each endpoint over its addresses, and the problem title
	// of a failure.
	type outcome struct {
		works bool
		why   string
	}
	found := map[Endpoint]*outcome{}
	for _, e := range rep.Endpoints {
		o := found[e.Endpoint]
		if o == nil {
			o = &outcome{}
			found[e.Endpoint] = o
		}
		if connectionStatus(e) != StatusFail {
			o.works = true
		} else if o.why == "" && len(e.Problems) > 0 {
			o.why = e.Problems[0].Title()
		}
	}
	for _, proto := range []Protocol{IMAP, POP3, SMTP} {
		var list []*said
		bySource := map[string]*said{}
		for _, c := range r.claims {
			if c.ep.Protocol != proto || (proto == SMTP && c.ep.Port == 25) {
				continue // port 25 is server-to-server mail, not a client setting
			}
			s := bySource[c.source]
			if s == nil {
				s = &said{source: c.source}
				bySource[c.source] = s
				list = append(list, s)
			}
			if !slices.Contains(s.where, c.where) {
				s.where = append(s.where, c.where)
			}
			if !slices.Contains(s.eps, c.ep) {
				s.eps = append(s.eps, c.ep)
			}
		}
		if len(list) == 0 {
			continue
		}
		sort.SliceStable(list, func(i, j int) bool { return discover.Rank(list[i].source) < discover.Rank(list[j].source) })
		works := func(s *said) (Endpoint, bool) {
			for _, ep := range s.eps {
				if o := found[ep]; o != nil && o.works {
					return ep, true
				}
			}
			return Endpoint{}, false
		}
		probed := func(s *said) bool {
			for _, ep := range s.eps {
				if found[ep] != nil {
					return true
				}
			}
			return false
		}
		conflict := false
		for i := range list {
			for j := i + 1; j < len(list); j++ {
				if disjoint(list[i].eps, list[j].eps) {
					conflict = true
				}
			}
		}
		var good, broken []*said
		var goodEp Endpoint
		for _, s := range list {
			if ep, ok := works(s); ok {
				if len(good) == 0 {
					goodEp = ep
				}
				good = append(good, s)
			} else if probed(s) {
				broken = append(broken, s)
			}
		}
		// Another working server of the protocol (a guessed name, say) shows a broken source up too.
		var other *Result
		for i, e := range rep.Endpoints {
			if e.Protocol == proto && connectionStatus(e) != StatusFail && !(proto == SMTP && e.Port == 25) {
				other = &rep.Endpoints[i]
				break
			}
		}
		if !conflict && (len(broken) == 0 || (len(good) == 0 && other == nil)) {
			continue
		}
		var detail []string
		var groups []string
		labels := map[string][]string{} // what was said -> who said it, in rank order
		for _, s := range list {
			var eps, outcomes []string
			for _, ep := range s.eps {
				eps = append(eps, sayEndpoint(ep))
				switch o := found[ep]; {
				case o == nil:
					outcomes = append(outcomes, "not probed")
				case o.works:
					outcomes = append(outcomes, "works")
				default:
					outcomes = append(outcomes, "fails: "+o.why)
				}
			}
			var said []string // each endpoint with what the probe found there
			for i := range eps {
				said = append(said, eps[i]+" ("+outcomes[i]+")")
			}
			what := strings.Join(said, " or ")
			if labels[what] == nil {
				groups = append(groups, what)
			}
			labels[what] = append(labels[what], sourceLabel(s.source))
			detail = append(detail, fmt.Sprintf("%s (%s): %s; the probe found: %s", sourceLabel(s.source),
				strings.Join(s.where, ", "), strings.Join(eps, ", "), strings.Join(outcomes, ", ")))
		}
		var verdict string
		switch {
		case len(good) > 0 && len(broken) > 0:
			verdict = fmt.Sprintf("%s works: %s %s out of date", sayEndpoint(goodEp), joinLabels(broken), isAre(len(broken)))
		case len(good) == 0 && other != nil:
			verdict = fmt.Sprintf("none of that works, but %s does (found through %s): %s %s out of date",
				sayEndpoint(other.Endpoint), sourceLabel(other.Source), joinLabels(broken), isAre(len(broken)))
		case len(good) > 0:
			verdict = "each works, but mail clients that follow different sources get different settings: make the sources name the same server"
		default:
			verdict = "none of it works"
		}
		var claims []string
		for _, what := range groups {
			who := labels[what]
			verb := "says"
			if len(who) > 1 || strings.HasSuffix(who[0], "records") {
				verb = "say"
			}
			claims = append(claims, joinAnd(who)+" "+verb+" "+what)
		}
		summary := fmt.Sprintf("for %s, %s; %s", proto.Name(), strings.Join(claims, "; "), verdict)
		pr := newProblem(catalog.SourcesDisagree, summary, strings.Join(detail, "; "))
		rep.Problems = append(rep.Problems, pr)
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Summary < rep.Problems[j].Summary })
}

// sayEndpoint writes an endpoint as a setting reads: host:port and the security label.
func sayEndpoint(ep Endpoint) string {
	return fmt.Sprintf("%s:%d %s", ep.Host, ep.Port, ep.Security.Label())
}

// said is what one source named for one protocol, and where it was read.
type said struct {
	source string
	where  []string
	eps    []Endpoint
}

func joinLabels(list []*said) string {
	var names []string
	for _, s := range list {
		names = append(names, sourceLabel(s.source))
	}
	return joinAnd(names)
}

// joinAnd writes a list as prose: "a", "a and b", "a, b and c".
func joinAnd(list []string) string {
	if len(list) <= 1 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func disjoint(a, b []Endpoint) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return false
		}
	}
	return true
}
