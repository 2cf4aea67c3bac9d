package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

// writeCompact is the default report after the settings: what a helpdesk reads in five seconds.
//
//   - "Needs action": the problems that concern the settings above — findings about the domain, problems
//     of the recommended endpoints, and, for a direction without a working setting, every problem of that
//     direction (they are why there is none) — each with where it was seen and what to do.
//   - "Other servers": the problems of servers the settings do not use, one line per server and protocol
//     with its ports, for whoever runs them.
//   - one line saying what -v adds.
//
// Notes (info) are left to -v. The selection reads the report's fields only.
func writeCompact(b *strings.Builder, rep *probe.Report, pal palette) {
	var needs []*problemGroup
	index := map[string]*problemGroup{}
	addNeed := func(p probe.Problem) {
		if p.Severity == catalog.Info {
			return
		}
		g, ok := index[p.Code]
		if !ok {
			g = &problemGroup{first: p}
			index[p.Code] = g
			needs = append(needs, g)
		}
		for _, pl := range g.places {
			if pl == p.Summary {
				return
			}
		}
		g.places = append(g.places, p.Summary)
	}
	type serverKey struct {
		host  string
		proto probe.Protocol
	}
	others := map[serverKey]map[int][]string{}
	worst := map[serverKey]catalog.Severity{}
	var otherOrder []serverKey
	for _, p := range rep.Problems {
		addNeed(p)
	}
	notes := 0
	quiet := map[string][]int{}
	for _, e := range rep.Endpoints {
		if e.Unoffered {
			quiet[e.Host] = append(quiet[e.Host], e.Port)
			continue
		}
		for _, p := range e.Problems {
			switch {
			case p.Severity == catalog.Info:
				notes++
			case concernsSettings(rep, e):
				addNeed(p)
			default:
				k := serverKey{e.Host, e.Protocol}
				if others[k] == nil {
					others[k] = map[int][]string{}
					otherOrder = append(otherOrder, k)
				}
				if !slices.Contains(others[k][e.Port], p.Title()) {
					others[k][e.Port] = append(others[k][e.Port], p.Title())
				}
				if worst[k] != catalog.Fail {
					worst[k] = p.Severity
				}
			}
		}
	}
	for _, p := range rep.Problems {
		if p.Severity == catalog.Info {
			notes++
		}
	}
	sort.SliceStable(needs, func(i, j int) bool {
		return needs[i].first.Severity == catalog.Fail && needs[j].first.Severity != catalog.Fail
	})
	if len(needs) > 0 {
		fprintln(b, pal.head("Needs action"))
		for _, g := range needs {
			places := g.places
			if len(places) > 3 {
				places = append(places[:3:3], fmt.Sprintf("and %d more (-v lists them)", len(g.places)-3))
			}
			fprintf(b, "  %s %s %s\n", severityMark(pal, g.first.Severity), pal.head(g.first.Title()), pal.dim("["+g.first.Code+"]"))
			for _, pl := range places {
				fprintf(b, "      • %s\n", pl)
			}
			fprintf(b, "    What to do: %s\n", g.first.Fix)
		}
		fprintln(b)
	}
	if len(otherOrder) > 0 {
		fprintln(b, pal.head("Other servers of the domain")+pal.dim(" (not in the settings above; for whoever runs them)"))
		sort.SliceStable(otherOrder, func(i, j int) bool {
			if otherOrder[i].host != otherOrder[j].host {
				return otherOrder[i].host < otherOrder[j].host
			}
			return otherOrder[i].proto < otherOrder[j].proto
		})
		for _, k := range otherOrder {
			var ports []int
			for port := range others[k] {
				ports = append(ports, port)
			}
			sort.Ints(ports)
			var parts []string
			for _, port := range ports {
				parts = append(parts, fmt.Sprintf("%d: %s", port, strings.Join(others[k][port], ", ")))
			}
			fprintf(b, "  %s %s %s — %s\n", severityMark(pal, worst[k]), k.host, strings.ToUpper(string(k.proto)), strings.Join(parts, "; "))
		}
		fprintln(b)
	}
	if len(quiet) > 0 {
		var hosts []string
		for h, ports := range quiet {
			sort.Ints(ports)
			hosts = append(hosts, h+" "+strings.Trim(fmt.Sprint(ports), "[]"))
		}
		sort.Strings(hosts)
		fprintln(b, pal.dim("Not offered (connection refused) on guessed names: "+strings.Join(hosts, "; ")))
	}
	more := fmt.Sprintf("-v adds the discovery, all %d endpoints, what each problem means and the protocol transcripts", len(rep.Endpoints))
	if notes > 0 {
		more += fmt.Sprintf(" (and %d note%s)", notes, plural(notes))
	}
	fprintln(b, pal.dim(more+"."))
}

// concernsSettings says whether an endpoint's problems concern the settings a user types: it is one of
// the recommended endpoints, or its direction has no working setting (so its problems say why), or the
// probe was of endpoint URLs (every one was asked for).
func concernsSettings(rep *probe.Report, e probe.Result) bool {
	in, out := rep.Settings.Incoming, rep.Settings.Outgoing
	if rep.Domain == "" || (in == nil && out == nil) {
		return true
	}
	s := in
	if e.Protocol == probe.SMTP {
		s = out
	}
	if s == nil {
		return true
	}
	return s.Protocol == e.Protocol && s.Server == e.Host && s.Port == e.Port && s.Security == e.Security
}

func severityMark(pal palette, sev catalog.Severity) styled {
	switch sev {
	case catalog.Fail:
		return pal.fail("✗")
	case catalog.Warn:
		return pal.warn("⚠")
	}
	return pal.info("ℹ")
}
