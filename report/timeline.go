package report

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/mailcheck/mailcheck/probe"
)

// timelineRow is one step of a run on the timeline: a DNS query, a discovery fetch, an endpoint's probe
// or a login, with when it started and how long it took (milliseconds from the run's start), and what
// the critical path needs to know of it.
type timelineRow struct {
	start, took float64
	label       string
	critical    bool

	kind  string // "dns", "fetch", "probe", "login"
	host  string // the name a DNS query asked about (A, AAAA) or an endpoint's host
	qtype string // a DNS query's type
	ipv6  bool   // a probe or login over IPv6
	names []string
}

func (r timelineRow) end() float64 { return r.start + r.took }

// timelineRows are the run's steps in the order they started, the critical path marked.
func timelineRows(rep *probe.Report) []timelineRow {
	var rows []timelineRow
	for _, q := range rep.DNS {
		r := timelineRow{start: q.StartedMS, took: q.TimeMS, kind: "dns", qtype: q.Type, host: strings.ToLower(strings.TrimSuffix(q.Name, ".")),
			label: "DNS " + q.Type + " " + strings.TrimSuffix(q.Name, ".")}
		for _, a := range q.Answers {
			if f := strings.Fields(a); len(f) > 0 { // "SRV 0 1 993 imap.example.com." or "MX 10 mx.example.com."
				r.names = append(r.names, strings.ToLower(strings.TrimSuffix(f[len(f)-1], ".")))
			}
		}
		rows = append(rows, r)
	}
	for _, l := range rep.Discovery {
		where := l.URL
		if u, err := url.Parse(l.URL); err == nil && u.Host != "" {
			where = u.Host + u.Path
		}
		r := timelineRow{start: l.StartedMS, took: l.TimeMS, kind: "fetch", label: l.Source + " " + where}
		for _, srv := range l.Servers {
			r.names = append(r.names, strings.ToLower(srv.Host))
		}
		rows = append(rows, r)
	}
	for _, e := range rep.Endpoints {
		probeMS := e.Timings.TotalMS
		if e.Auth != nil && e.Auth.StartedMS > 0 {
			probeMS -= e.Timings.AuthMS // the login is a row of its own, later
		}
		addr := e.Address
		if addr == "" {
			addr = "-"
		}
		v6 := strings.Contains(addr, ":")
		rows = append(rows, timelineRow{start: e.StartedMS, took: max(probeMS, 0), kind: "probe", host: strings.ToLower(e.Host), ipv6: v6,
			label: fmt.Sprintf("%s %s:%d %s %s", strings.ToUpper(string(e.Protocol)), e.Host, e.Port, e.Security.Label(), addr)})
		if e.Auth != nil && e.Auth.StartedMS > 0 {
			rows = append(rows, timelineRow{start: e.Auth.StartedMS, took: e.Timings.AuthMS, kind: "login", host: strings.ToLower(e.Host), ipv6: v6,
				label: fmt.Sprintf("login %s %s:%d %s", strings.ToUpper(string(e.Protocol)), e.Host, e.Port, addr)})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].start < rows[j].start })
	markCriticalPath(rows)
	return rows
}

// markCriticalPath marks what the run waited for, walking back from the step that ended last along what
// each step needs before it can begin: the logins wait for every probe to end, a probe for its host's
// address (A for IPv4, AAAA for IPv6), an address lookup for the answer that named the host (an SRV or
// MX record, a discovery file; guessed names need nothing). Shortening a step off this path would not
// make the run shorter.
func markCriticalPath(rows []timelineRow) {
	latest := func(ok func(timelineRow) bool) int {
		best := -1
		for i, r := range rows {
			if ok(r) && (best < 0 || r.end() > rows[best].end()) {
				best = i
			}
		}
		return best
	}
	cur := latest(func(timelineRow) bool { return true })
	for cur >= 0 && !rows[cur].critical {
		rows[cur].critical = true
		r := rows[cur]
		switch r.kind {
		case "login":
			cur = latest(func(o timelineRow) bool { return o.kind == "probe" && o.end() <= r.start+1 })
		case "probe":
			want := "A"
			if r.ipv6 {
				want = "AAAA"
			}
			cur = latest(func(o timelineRow) bool { return o.kind == "dns" && o.qtype == want && o.host == r.host })
		case "dns":
			if r.qtype != "A" && r.qtype != "AAAA" {
				return
			}
			cur = latest(func(o timelineRow) bool {
				return o.end() <= r.start+1 && slices.Contains(o.names, r.host)
			})
		default:
			return
		}
	}
}

// writeTimeline draws the run as a waterfall: one row per step, a bar from its start to its end on a
// scale of the whole run, the critical path marked.
func writeTimeline(b *strings.Builder, rep *probe.Report, pal palette) {
	rows := timelineRows(rep)
	if len(rows) == 0 {
		return
	}
	const width = 40
	total := rep.DurationMS
	for _, r := range rows {
		total = max(total, r.end())
	}
	if total <= 0 {
		total = 1
	}
	fprintln(b, pal.head("Timeline"))
	fprintf(b, "  %s\n", pal.dim(fmt.Sprintf("milliseconds from the start; each bar is one step on a scale of %s; ◆ marks the critical path, what the run waited for", fmtMS(total))))
	for _, r := range rows {
		from := int(r.start / total * width)
		to := int(r.end() / total * width)
		to = min(max(to, from+1), width)
		from = min(from, width-1)
		bar := strings.Repeat(" ", from) + strings.Repeat("█", to-from) + strings.Repeat(" ", width-to)
		mark, label := styled(" "), safe(r.label)
		if r.critical {
			mark, label = pal.warn("◆"), pal.head(string(label))
		}
		fprintf(b, "  %s %6.0f ▕%s▏ %6.0f ms  %s\n", mark, r.start, bar, r.took, label)
	}
	fprintln(b)
}
