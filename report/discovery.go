package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mailcheck/mailcheck/probe"
)

// writeSources renders the discovery sources beside the DNS answers: each answer that listed servers
// with what it listed, each answer that was there but unusable (malformed, oversized, a cross-domain
// redirect) with why, and the places that had nothing folded into one line (each on its own with -v).
func writeSources(b *strings.Builder, rep *probe.Report, pal palette, verbose bool) {
	empty := map[string]int{}
	for _, l := range rep.Discovery {
		label := l.Source
		if l.Forgeable {
			label += " (forgeable)"
		}
		where := l.URL
		if l.Method == "POST" {
			where = "POST " + where
		}
		switch {
		case l.Found():
			fprintf(b, "  %-40s %s\n", label, where)
			var names []string
			for _, s := range l.Servers {
				n := s.URL()
				if s.Username != "" {
					n += " (user " + s.Username + ")"
				}
				names = append(names, n)
			}
			fprintf(b, "  %-40s %s\n", "", "lists "+strings.Join(names, " "))
			for _, r := range l.Redirects {
				fprintf(b, "  %-40s %s\n", "", pal.dim("via "+r))
			}
			if l.CrossDomain != "" {
				fprintf(b, "  %-40s %s\n", "", pal.warn("redirected into another domain: "+l.CrossDomain))
			}
		case verbose || l.HTTPStatus == 200 || l.CrossDomain != "":
			fprintf(b, "  %-40s %s\n", label, pal.dim(where+": "+l.Error))
		default:
			empty[l.Source]++
		}
	}
	if len(empty) > 0 {
		var names []string
		for src, n := range empty {
			if n > 1 {
				src = fmt.Sprintf("%s ×%d", src, n)
			}
			names = append(names, src)
		}
		sort.Strings(names)
		fprintf(b, "  %-40s %s\n", "nothing published at", pal.dim(strings.Join(names, ", ")+" (-v lists them)"))
	}
}
