package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/internal/textwrap"
	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/explain"
)

// wrapWidth is where paragraphs of the explain text are wrapped, so that they read well in a terminal and
// paste cleanly into a ticket.
const wrapWidth = 78

// ExplainText writes the human explanation of a pasted error: a headline with the code and the problem,
// what it means, the likely causes and the steps (numbered), what was read from the text, and how to
// re-test. Colour is used only when color is true.
func ExplainText(w io.Writer, e explain.Explanation, color bool) error {
	pal := newPalette(color)
	b := &strings.Builder{}
	writeExplainHeadline(b, e, pal)

	if e.Meaning != "" || e.Explanation != "" {
		section(b, pal, "What it means")
		paragraph(b, e.Meaning)
		if e.SourceGrade == "C" || e.SourceGrade == "D" {
			paragraph(b, string(pal.dim("(This meaning comes from secondary sources, not from the vendor; treat it with care.)")))
		}
		if e.Explanation != "" {
			paragraph(b, e.Explanation)
		}
	}
	if len(e.Causes) > 0 {
		section(b, pal, "Likely causes")
		numbered(b, e.Causes)
	}
	if len(e.Steps) > 0 {
		section(b, pal, "What to do")
		numbered(b, e.Steps)
	}
	writeAlternatives(b, e, pal)
	writeDelivery(b, e, pal)
	writeFound(b, e, pal)
	writeRetest(b, e, pal)
	_, err := io.WriteString(w, b.String())
	return err
}

// ExplainJSON writes the explanation as indented JSON; field names are the stable API (README).
func ExplainJSON(w io.Writer, e explain.Explanation) error {
	return JSON(w, e)
}

func writeExplainHeadline(b *strings.Builder, e explain.Explanation, pal palette) {
	switch {
	case !e.Recognised:
		fmt.Fprintf(b, "%s %s\n", pal.head("mailcheck explain:"), pal.warn("not recognised"))
	case e.Problem == "":
		fmt.Fprintf(b, "%s %s — %s\n", pal.head("mailcheck explain:"), codeLabel(e.Matches[0]), pal.ok(e.Title))
	default:
		title := pal.fail(e.Title)
		switch e.Severity {
		case catalog.Warn:
			title = pal.warn(e.Title)
		case catalog.Info:
			title = pal.info(e.Title)
		}
		if e.Headline != e.Title && e.Headline != "" {
			title = pal.fail(e.Headline)
		}
		label := "a guess from the words"
		if len(e.Matches) > 0 {
			label = codeLabel(e.Matches[0])
		}
		fmt.Fprintf(b, "%s %s — %s %s %s\n", pal.head("mailcheck explain:"), label, title, pal.dim("["+e.Problem+"]"), confidenceLabel(e.Confidence))
	}
}

// confidenceLabel shows how sure the headline is, in words a helpdesk can repeat.
func confidenceLabel(c explain.Confidence) string {
	if c == "" {
		return ""
	}
	return "(" + string(c) + ")"
}

// writeDelivery lists the recipients of a delivery-status notification with what happened to each.
func writeDelivery(b *strings.Builder, e explain.Explanation, pal palette) {
	d := e.Delivery
	if d == nil {
		return
	}
	section(b, pal, "Delivery report")
	if d.ReportingMTA != "" {
		writeRow(b, "Reported by", string(safe(d.ReportingMTA)))
	}
	for _, r := range d.Recipients {
		line := r.Action
		if r.Status != "" {
			line += ", " + r.Status
		}
		if r.RemoteMTA != "" {
			line += ", by " + r.RemoteMTA
		}
		if r.Diagnostic != "" {
			line += ": " + r.Diagnostic
		}
		writeRow(b, "Recipient", string(safe(r.Recipient+": "+line)))
	}
}

// writeAlternatives lists the other causes the text supports, with what each rests on.
func writeAlternatives(b *strings.Builder, e explain.Explanation, pal palette) {
	if len(e.Alternatives) == 0 {
		return
	}
	section(b, pal, "Other possible causes")
	var items []string
	for _, a := range e.Alternatives {
		item := fmt.Sprintf("%s %s (%s)", a.Title, pal.dim("["+a.Problem+"]"), a.Confidence)
		if len(a.Evidence) > 0 {
			item += " — from " + string(safe(strings.Join(a.Evidence, "; ")))
		}
		items = append(items, item)
	}
	numbered(b, items)
}

// codeLabel names a recognised code the way the user saw it.
func codeLabel(m explain.Match) string {
	c := m.Code
	switch c.Kind {
	case catalog.KindOutlook:
		if isSymbol(c.Name) {
			return m.Seen + " (" + c.Name + ")"
		}
		return m.Seen
	case catalog.KindWinsock:
		return "socket error " + m.Seen + " (" + c.Name + ")"
	case catalog.KindSMTP:
		return "SMTP " + m.Seen + " (" + c.Name + ")"
	case catalog.KindEnhanced:
		return "status " + m.Seen + " (" + c.Name + ")"
	case catalog.KindIMAP:
		return "IMAP [" + m.Seen + "]"
	case catalog.KindPOP3:
		return "POP3 [" + m.Seen + "]"
	}
	return c.Name
}

// isSymbol says whether a name is a header constant (IXP_E_CANT_FIND_HOST) rather than a description.
func isSymbol(name string) bool {
	for _, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return name != ""
}

func section(b *strings.Builder, pal palette, title string) {
	fmt.Fprintf(b, "\n%s\n", pal.head(title))
}

func paragraph(b *strings.Builder, text string) {
	for _, line := range wrap(text, wrapWidth-2) {
		fmt.Fprintf(b, "  %s\n", line)
	}
}

func numbered(b *strings.Builder, items []string) {
	for i, item := range items {
		prefix := strconv.Itoa(i+1) + ". "
		for j, line := range wrap(item, wrapWidth-2-len(prefix)) {
			if j > 0 {
				prefix = strings.Repeat(" ", len(prefix))
			}
			fmt.Fprintf(b, "  %s%s\n", prefix, line)
		}
	}
}

func writeFound(b *strings.Builder, e explain.Explanation, pal palette) {
	f := e.Fields
	type row struct{ label, value string }
	var rows []row
	add := func(label, value string) {
		if value != "" {
			rows = append(rows, row{label, string(safe(value))}) // read from the pasted text
		}
	}
	add("Program", f.Client)
	add("Account", f.Account)
	add("Server", f.Server)
	add("Provider", catalog.ProviderName(f.Provider))
	add("Protocol", strings.ToUpper(f.Protocol))
	if f.Port != 0 {
		add("Port", strconv.Itoa(f.Port))
	}
	if f.SSL != nil {
		add("SSL", map[bool]string{true: "Yes", false: "No"}[*f.SSL])
	}
	add("Socket error", f.SocketError)
	add("Error number", f.ErrorNumber)
	add("Server error", f.ServerError)
	add("Reply code", f.ReplyCode)
	add("Status code", f.EnhancedCode)
	add("Response codes", strings.Join(f.ResponseCodes, " "))
	if f.ServerResponse != "" {
		add("Server said", "'"+f.ServerResponse+"'")
	}
	if len(rows) == 0 && len(e.Matches) == 0 && len(e.Unrecognised) == 0 && e.Guess == nil {
		return
	}
	section(b, pal, "Found in the text")
	for _, r := range rows {
		writeRow(b, r.label, r.value)
	}
	for i, m := range e.Matches {
		label := ""
		if i == 0 {
			label = "Recognised"
		}
		problem := m.Problem
		if problem == "" {
			problem = "not an error"
		}
		writeRow(b, label, fmt.Sprintf("%s → %s %s", safe(m.Why), m.Code.Name, pal.dim("["+problem+"]")))
	}
	if g := e.Guess; g != nil {
		writeRow(b, "Guessed from", fmt.Sprintf("%s → %s %s", safe(strings.Join(g.Words, ", ")), e.Title, pal.dim(fmt.Sprintf("[%s, %.0f%%]", e.Problem, 100*g.Probability))))
	}
	var unknown []string
	for _, u := range e.Unrecognised {
		if u != f.ErrorNumber {
			unknown = append(unknown, u)
		}
	}
	if len(unknown) > 0 {
		writeRow(b, "Unknown codes", string(safe(strings.Join(unknown, ", "))))
	}
}

func writeRow(b *strings.Builder, label, value string) {
	const labelWidth = 16
	lines := wrap(value, wrapWidth-2-labelWidth)
	for i, line := range lines {
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(b, "  %-*s%s\n", labelWidth, label, line)
	}
}

func writeRetest(b *strings.Builder, e explain.Explanation, pal palette) {
	section(b, pal, "Test the settings directly")
	switch {
	case e.Retest != nil:
		ep := e.Retest.Endpoint()
		paragraph(b, fmt.Sprintf("The text describes %s on %s, port %d, security %s. Probe exactly that, and compare with what the domain offers:",
			safe(strings.ToUpper(e.Retest.Protocol)), safe(e.Retest.Host), e.Retest.Port, ep.Security.Label()))
		fprintf(b, "    %s\n", e.ProbeCommand)
	case e.Fields.Bounce:
		paragraph(b, "This is a report between mail servers: the server it names is the recipient's, not one your mail program connects to, so there is no mail setting to re-test. The sending side acts on the reply above; to check your own account's servers anyway:")
		fmt.Fprintf(b, "    %s\n", "mailcheck probe you@example.com")
	case e.ProbeCommand != "":
		paragraph(b, "Probe every mail server of the account's domain:")
		fprintf(b, "    %s\n", e.ProbeCommand)
	default:
		paragraph(b, "Probe every mail server of the user's domain (use their e-mail address):")
		fmt.Fprintf(b, "    %s\n", "mailcheck probe user@example.com")
	}
}

// wrap breaks text into lines of at most width characters at spaces; a longer word (a URL) gets its own
// line, and a command in backticks is never broken. ANSI colour sequences do not count towards the width.
func wrap(text string, width int) []string {
	var lines []string
	var line strings.Builder
	lineLen := 0
	for _, word := range breakLong(words(text), width) {
		n := visibleLen(word)
		if lineLen > 0 && lineLen+1+n > width {
			lines = append(lines, line.String())
			line.Reset()
			lineLen = 0
		}
		if lineLen > 0 {
			line.WriteByte(' ')
			lineLen++
		}
		line.WriteString(word)
		lineLen += n
	}
	if lineLen > 0 || len(lines) == 0 {
		lines = append(lines, line.String())
	}
	return lines
}

// breakLong cuts words longer than a line (Exchange's "STOREDRV.Submission.Exception:…" identifiers) into
// line-sized pieces. Coloured words, commands in backquotes and URLs stay whole: they must work when copied.
func breakLong(words []string, width int) []string {
	var out []string
	for _, w := range words {
		runes := []rune(w)
		if len(runes) <= width || width <= 0 || strings.ContainsAny(w, "\x1b`") || strings.Contains(w, "://") {
			out = append(out, w)
			continue
		}
		for len(runes) > width {
			out = append(out, string(runes[:width]))
			runes = runes[width:]
		}
		if len(runes) > 0 {
			out = append(out, string(runes))
		}
	}
	return out
}

func visibleLen(s string) int { return textwrap.Width(s) }

// words splits text at spaces but keeps `a quoted command` together.
func words(text string) []string {
	var out []string
	var quoted []string
	for _, w := range strings.Fields(text) {
		switch {
		case quoted != nil:
			quoted = append(quoted, w)
			if strings.Contains(w, "`") {
				out = append(out, strings.Join(quoted, " "))
				quoted = nil
			}
		case strings.Count(w, "`") == 1 && strings.HasPrefix(w, "`"):
			quoted = []string{w}
		default:
			out = append(out, w)
		}
	}
	if quoted != nil {
		out = append(out, quoted...)
	}
	return out
}
