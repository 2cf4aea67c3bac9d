package report

import (
	"fmt"
	"github.com/mailcheck/mailcheck/internal/textwrap"
	"io"
	"sort"
	"strings"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/discover"
)

// TextOptions tune the human report.
type TextOptions struct {
	Color bool
	// Verbose adds the DNS answers and each endpoint's protocol transcript.
	Verbose bool
	// Timeline adds the run as a waterfall of its steps, the critical path marked (--timeline).
	Timeline bool
	// Width wraps lines wider than this many columns at word boundaries (the terminal's width); 0 does
	// not wrap (a pipe or a file).
	Width int
}

// Text writes the human report, the answer first: the settings to type, then what needs action with what
// to do, then the other servers' problems one line per server and protocol (writeCompact). -v (Verbose)
// writes everything instead: the discovery, a line per endpoint with its transcript, and every problem
// with what happened, what it means and what to do.
func Text(w io.Writer, rep *probe.Report, opt TextOptions) error {
	w = textwrap.NewWriter(w, opt.Width)
	pal := newPalette(opt.Color)
	b := &strings.Builder{}
	fprintf(b, "%s %s — %d endpoint%s probed in %s\n\n", pal.head("mailcheck"), rep.Target,
		len(rep.Endpoints), plural(len(rep.Endpoints)), fmtMS(rep.DurationMS))

	writeSettings(b, rep, pal)
	if opt.Verbose {
		writeDiscovery(b, rep, pal, true)
		writeEndpoints(b, rep, pal, true)
		writeProblems(b, rep, pal)
	} else {
		writeCompact(b, rep, pal)
	}
	if opt.Timeline {
		writeTimeline(b, rep, pal)
	}

	verdict := map[probe.Status]styled{
		probe.StatusOK:          pal.ok("Result: OK — the settings above work."),
		probe.StatusWarn:        pal.warn("Result: WORKS WITH WARNINGS — see the problems above."),
		probe.StatusFail:        pal.fail("Result: FAILED — see the problems above."),
		probe.StatusInterrupted: pal.warn("Result: INTERRUPTED — the report above is what was learned before the interruption; run again to finish."),
	}[rep.Status]
	if len(rep.Endpoints) > 0 && (rep.Status == probe.StatusOK || rep.Status == probe.StatusWarn) && rep.Settings.Incoming == nil && rep.Settings.Outgoing == nil {
		verdict = pal.ok("Result: OK — the endpoints work.")
	}
	fprintln(b, verdict)
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func fmtMS(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.1f s", v/1000)
	}
	return fmt.Sprintf("%.0f ms", v)
}

func writeSettings(b *strings.Builder, rep *probe.Report, pal palette) {
	in, out := rep.Settings.Incoming, rep.Settings.Outgoing
	if in == nil && out == nil && rep.Domain == "" {
		return // explicit endpoints: nothing was chosen
	}
	fprintln(b, pal.head("Settings to type into the mail client"))
	line := func(label string, s *probe.Setting, missing string) {
		if s == nil {
			fprintf(b, "  %-14s %s\n", label, pal.fail(missing))
			return
		}
		extra := styled("")
		if s.Username != "" {
			extra = "   user " + safe(s.Username)
		}
		if s.Protocol == probe.SMTP {
			if s.RequiresAuth {
				extra += "   requires authentication (" + safe(sameLogin(s)) + ")"
			} else {
				extra += "   no authentication offered"
			}
		}
		// The autoconfig file's login methods, unless it only names the normal password everyone expects.
		if len(s.Authentication) > 0 && !(len(s.Authentication) == 1 && s.Authentication[0] == "normal password") {
			extra += "   authentication: " + safe(strings.Join(s.Authentication, ", "))
		}
		switch {
		case s.LoginVerified && oauthMechanism(s.LoginMechanism):
			extra += "   " + pal.ok("login verified ("+s.LoginMechanism+")")
		case s.LoginVerified:
			extra += "   " + pal.ok("login verified")
		case s.LoginProblem != "":
			title := s.LoginProblem
			if e, ok := catalog.Lookup(s.LoginProblem); ok {
				title = e.Title
			}
			extra += "   " + pal.fail("login failed: "+title)
		case !loginTried(rep):
			extra += "   " + pal.dim("login not tested")
		}
		switch {
		case s.Provider != "" && s.Warning != "":
			extra += "   " + pal.warn("unconfirmed: claims to be the provider's settings ("+safe(s.Provider)+")")
		case s.Provider != "":
			extra += "   " + pal.dim("the provider's settings ("+s.Provider+")")
		}
		fprintf(b, "  %-14s %-5s %s   port %d   %s%s\n", label, strings.ToUpper(string(s.Protocol)), s.Server, s.Port, s.SecurityLabel, extra)
		if src, ok := discover.Source(s.Source); ok {
			from := src.PublishedIn
			var also []string
			for _, o := range s.Sources {
				if o != s.Source {
					named, _ := discover.Source(o)
					also = append(also, named.NamedBy)
				}
			}
			if len(also) > 0 {
				from += "; also named by " + strings.Join(also, ", ")
			}
			fprintf(b, "  %-14s %s\n", "", pal.dim(from))
		}
		if s.Warning != "" {
			fprintf(b, "  %-14s %s\n", "", pal.warn("⚠ "+safe(s.Warning)))
		}
	}
	line("Incoming mail", in, "none found that works with a valid certificate")
	line("Outgoing mail", out, "none found that works with a valid certificate")
	if (in != nil || out != nil) && !loginTried(rep) {
		fprintf(b, "  %-14s %s\n", "", pal.dim("No password was given, so the login was not tested (a wrong password is the most common fault):"))
		fprintf(b, "  %-14s %s\n", "", pal.dim("add --user NAME to test it; the password is asked for, or comes from $MAILCHECK_PASSWORD."))
	}
	fprintln(b)
}

// loginTried says whether the run was given credentials: every endpoint then carries a login result,
// tested or not (and why).
func loginTried(rep *probe.Report) bool {
	for _, e := range rep.Endpoints {
		if e.Auth != nil {
			return true
		}
	}
	return false
}

func writeDiscovery(b *strings.Builder, rep *probe.Report, pal palette, verbose bool) {
	if len(rep.DNS) == 0 && len(rep.Discovery) == 0 {
		return
	}
	var lines strings.Builder
	for _, q := range rep.DNS {
		switch {
		case len(q.Answers) > 0 && (verbose || q.Type == "MX" || q.Type == "SRV"):
			for _, a := range q.Answers {
				fprintf(&lines, "  %-40s %s\n", strings.TrimSuffix(q.Name, "."), a)
			}
		case q.Problem != nil && (verbose || q.Type == "A" || q.Type == "MX"):
			if q.Rcode == "NXDOMAIN" && q.Type != "A" {
				continue // one line per missing name is enough
			}
			fprintf(&lines, "  %-40s %s\n", strings.TrimSuffix(q.Name, "."), pal.dim(dnsOutcome(q)))
		case verbose && len(q.Answers) == 0:
			fprintf(&lines, "  %-40s %s\n", strings.TrimSuffix(q.Name, "."), pal.dim(q.Type+": no records ("+q.Rcode+")"))
		}
	}
	writeSources(&lines, rep, pal, verbose)
	if lines.Len() > 0 {
		fprintln(b, pal.head("Discovery"))
		b.WriteString(lines.String())
		fprintln(b)
	}
}

func dnsOutcome(q probe.DNSQuery) string {
	switch q.Rcode {
	case "NXDOMAIN":
		return "does not exist (NXDOMAIN)"
	case "NOERROR":
		return q.Type + ": no record"
	case "":
		return q.Type + ": " + q.Problem.Title()
	}
	return q.Type + ": " + q.Rcode
}

func mark(pal palette, st probe.Status) styled {
	switch st {
	case probe.StatusOK:
		return pal.ok("✓")
	case probe.StatusWarn:
		return pal.warn("⚠")
	}
	return pal.fail("✗")
}

// unoffered says whether the text report folds an endpoint into one line: probe flags it
// (Result.Unoffered), and -v shows every endpoint.
func unoffered(e probe.Result, verbose bool) bool {
	return !verbose && e.Unoffered
}

func writeEndpoints(b *strings.Builder, rep *probe.Report, pal palette, verbose bool) {
	if len(rep.Endpoints) == 0 {
		return
	}
	fprintln(b, pal.head("Endpoints"))
	quiet := map[string][]int{}
	for _, e := range rep.Endpoints {
		if unoffered(e, verbose) {
			quiet[e.Host] = append(quiet[e.Host], e.Port)
			continue
		}
		fprintf(b, "  %s\n", endpointLine(pal, e))
		if verbose {
			if len(e.Capabilities.BeforeTLS) > 0 {
				fprintf(b, "      %s %s\n", pal.dim("capabilities before TLS:"), strings.Join(e.Capabilities.BeforeTLS, " "))
			}
			if len(e.Capabilities.AfterTLS) > 0 {
				fprintf(b, "      %s %s\n", pal.dim("capabilities after TLS: "), strings.Join(e.Capabilities.AfterTLS, " "))
			}
			for _, l := range e.Transcript {
				fprintf(b, "      %s\n", pal.dim(l))
			}
		}
	}
	if len(quiet) > 0 {
		var hosts []string
		for h, ports := range quiet {
			sort.Ints(ports)
			hosts = append(hosts, h+" "+strings.Trim(fmt.Sprint(ports), "[]"))
		}
		sort.Strings(hosts)
		fprintf(b, "  %s\n", pal.dim("Not offered (connection refused) on guessed names: "+strings.Join(hosts, "; ")))
	}
	fprintln(b)
}

// endpointLine is an endpoint's one line: mark, protocol, host:port, security, address and summary.
func endpointLine(pal palette, e probe.Result) styled {
	return mark(pal, e.Status) + " " + safe(endpointFields(e))
}

// endpointFields is endpointLine without the mark.
func endpointFields(e probe.Result) string {
	addr := e.Address
	if addr == "" {
		addr = "-"
	}
	return fmt.Sprintf("%-5s %-28s %-8s %-15s %s", strings.ToUpper(string(e.Protocol)),
		fmt.Sprintf("%s:%d", e.Host, e.Port), e.Security.Label(), addr, endpointSummary(e))
}

// endpointSummary is the short story of one endpoint: its first failure, or what worked.
func endpointSummary(e probe.Result) string {
	for _, sev := range []catalog.Severity{catalog.Fail, catalog.Warn} {
		for _, p := range e.Problems {
			if p.Severity == sev {
				return p.Title()
			}
		}
	}
	var parts []string
	if e.TLS != nil {
		parts = append(parts, e.TLS.Version)
		if len(e.TLS.Chain) > 0 {
			parts = append(parts, fmt.Sprintf("certificate valid %d days", e.TLS.Chain[0].DaysLeft))
		}
	}
	if len(e.AuthMechanisms) > 0 {
		parts = append(parts, "login: "+strings.Join(e.AuthMechanisms, " "))
	}
	switch {
	case e.Auth == nil:
	case e.Auth.OK && oauthMechanism(e.Auth.Mechanism):
		parts = append(parts, "login OK ("+e.Auth.Mechanism+")")
	case e.Auth.OK:
		parts = append(parts, "login OK")
	case e.Auth.SameAs != "" && e.Auth.Problem != nil:
		parts = append(parts, "login failed on "+e.Auth.SameAs)
	}
	if e.Auth != nil && len(e.Auth.SharedBy) > 0 {
		// One login per server and protocol: say which other endpoints (names, ports) it stands for.
		parts = append(parts, "the one login test of this server, also for "+strings.Join(e.Auth.SharedBy, " "))
	}
	return strings.Join(parts, ", ")
}

// problemGroup is one problem code with every place it was found.
type problemGroup struct {
	first  probe.Problem
	places []string
}

func writeProblems(b *strings.Builder, rep *probe.Report, pal palette) {
	groups := map[string]*problemGroup{}
	var order []string
	add := func(place string, p probe.Problem) {
		g, ok := groups[p.Code]
		if !ok {
			g = &problemGroup{first: p}
			groups[p.Code] = g
			order = append(order, p.Code)
		}
		g.places = append(g.places, place+p.Summary)
	}
	for _, p := range rep.Problems {
		add("", p)
	}
	for _, e := range rep.Endpoints {
		if unoffered(e, false) {
			continue
		}
		for _, p := range e.Problems {
			add("", p)
		}
	}
	if len(order) == 0 {
		return
	}
	sevRank := map[catalog.Severity]int{catalog.Fail: 0, catalog.Warn: 1, catalog.Info: 2}
	sort.SliceStable(order, func(i, j int) bool {
		return sevRank[groups[order[i]].first.Severity] < sevRank[groups[order[j]].first.Severity]
	})
	fprintln(b, pal.head("Problems"))
	for _, code := range order {
		g := groups[code]
		p := g.first
		fprintf(b, "  %s %s %s\n", severityMark(pal, p.Severity), pal.head(p.Title()), pal.dim("["+p.Code+"]"))
		seen := map[string]bool{}
		for _, pl := range g.places {
			if !seen[pl] {
				seen[pl] = true
				fprintf(b, "      • %s\n", pl)
			}
		}
		fprintf(b, "    What it means: %s\n", p.Explanation)
		fprintf(b, "    What to do:    %s\n", p.Fix)
		if len(p.ClientErrors) > 0 {
			fprintf(b, "    Mail clients show: %s\n", strings.Join(p.ClientErrors, "; "))
		}
		fprintln(b)
	}
}
