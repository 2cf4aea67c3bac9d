package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/mailcheck/mailcheck/internal/termsafe"
	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

// Markdown writes a short block to paste into a ticket or a chat: the target and verdict, the settings to
// type, each problem that needs action with its fix, and the version and time of the check. It renders the
// report's fields; every server string is made terminal-safe and escaped for Markdown, so a server cannot
// inject links, tables or HTML into the ticket.
func Markdown(w io.Writer, rep *probe.Report, opt FormatOptions) error {
	b := &strings.Builder{}
	verdict := map[probe.Status]string{
		probe.StatusOK: "OK: the settings below work", probe.StatusWarn: "works, with warnings",
		probe.StatusFail: "FAILED", probe.StatusInterrupted: "INTERRUPTED (what was learned until then)",
	}[rep.Status]
	fmt.Fprintf(b, "**mailcheck %s: %s**\n\n", md(rep.Target), verdict)
	if s := rep.Settings; s.Incoming != nil || s.Outgoing != nil || rep.Domain != "" {
		b.WriteString("| | Server | Port | Security | Login |\n| --- | --- | --- | --- | --- |\n")
		row := func(label string, s *probe.Setting) {
			if s == nil {
				fmt.Fprintf(b, "| %s | none found that works | | | |\n", label)
				return
			}
			fmt.Fprintf(b, "| %s | %s %s | %d | %s | %s |\n", label, strings.ToUpper(string(s.Protocol)), md(s.Server),
				s.Port, md(s.SecurityLabel), md(loginCell(s)))
		}
		row("Incoming", rep.Settings.Incoming)
		row("Outgoing", rep.Settings.Outgoing)
		b.WriteString("\n")
	}
	problems := actionable(rep)
	if len(problems) > 0 {
		b.WriteString("Problems:\n")
		for i, g := range problems {
			fmt.Fprintf(b, "%d. **%s** (`%s`): %s  \n   Fix: %s\n", i+1, md(g.first.Title()), g.first.Code,
				md(strings.Join(g.places, "; ")), md(g.first.Fix))
		}
		b.WriteString("\n")
	}
	version := opt.Version
	if version == "" {
		version = "(unknown version)"
	}
	fmt.Fprintf(b, "_Checked %s UTC from this machine's network by mailcheck %s, %d endpoint%s in %s._\n",
		rep.StartedAt.UTC().Format("2006-01-02 15:04"), md(version), len(rep.Endpoints), plural(len(rep.Endpoints)), fmtMS(rep.DurationMS))
	_, err := io.WriteString(w, b.String())
	return err
}

// loginCell says what is known of the login with a setting.
func loginCell(s *probe.Setting) string {
	var parts []string
	if s.Username != "" {
		parts = append(parts, "user "+s.Username)
	}
	switch {
	case s.LoginVerified:
		parts = append(parts, "login verified")
	case s.LoginProblem != "":
		title := s.LoginProblem
		if e, ok := catalog.Lookup(s.LoginProblem); ok {
			title = e.Title
		}
		parts = append(parts, "login failed: "+title)
	default:
		parts = append(parts, "login not tested")
	}
	if s.Protocol == probe.SMTP && s.RequiresAuth {
		parts = append(parts, "requires authentication")
	}
	return strings.Join(parts, ", ")
}

// actionable are the problems that need action (fail and warn, not info), one group per code with every
// place it was seen, failures first: the same findings as the text report's Problems section.
func actionable(rep *probe.Report) []*problemGroup {
	groups := map[string]*problemGroup{}
	var order []string
	add := func(p probe.Problem) {
		if p.Severity == catalog.Info {
			return
		}
		g, ok := groups[p.Code]
		if !ok {
			g = &problemGroup{first: p}
			groups[p.Code] = g
			order = append(order, p.Code)
		}
		for _, pl := range g.places {
			if pl == p.Summary {
				return
			}
		}
		g.places = append(g.places, p.Summary)
	}
	for _, p := range rep.Problems {
		add(p)
	}
	for _, e := range rep.Endpoints {
		if unoffered(e, false) {
			continue
		}
		for _, p := range e.Problems {
			add(p)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		return groups[order[i]].first.Severity == catalog.Fail && groups[order[j]].first.Severity != catalog.Fail
	})
	out := make([]*problemGroup, len(order))
	for i, c := range order {
		out[i] = groups[c]
	}
	return out
}

// mdSpecial are the characters that start Markdown (or HTML) syntax inside a line.
var mdSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;",
	"|", `\|`, "#", `\#`, "!", `\!`, "~", `\~`, "\n", " ", "\r", " ",
)

// md makes a string safe inside one line of Markdown: terminal-safe first, then every character that
// could start a link, an image, emphasis, a table cell or HTML escaped.
func md(s string) string {
	return mdSpecial.Replace(termsafe.String(s))
}

// Settings writes only the recommended settings, one line each, for scripts:
//
//	incoming imap imap.example.com 993 tls
//	outgoing smtp smtp.example.com 587 starttls
//
// A direction without a working setting is "incoming none". Fields are separated by one space; host names
// never contain one.
func Settings(w io.Writer, rep *probe.Report, _ FormatOptions) error {
	b := &strings.Builder{}
	line := func(dir string, s *probe.Setting) {
		if s == nil {
			fmt.Fprintf(b, "%s none\n", dir)
			return
		}
		fmt.Fprintf(b, "%s %s %s %d %s\n", dir, s.Protocol, termsafe.String(s.Server), s.Port, s.Security)
	}
	line("incoming", rep.Settings.Incoming)
	line("outgoing", rep.Settings.Outgoing)
	_, err := io.WriteString(w, b.String())
	return err
}
