// Package textwrap wraps human text to a terminal's width: where Unicode allows a line break (UAX #14,
// so never inside a word), measuring what a terminal shows (UAX #11 east-asian widths, emoji, combining
// marks, through github.com/rivo/uniseg) and not counting ANSI colour sequences, which are never split.
package textwrap

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// ansi matches the colour (SGR) and other CSI sequences the renderers emit.
var ansi = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]")

// Width is how many terminal columns s takes, ANSI sequences excluded.
func Width(s string) int {
	return uniseg.StringWidth(ansi.ReplaceAllString(s, ""))
}

// Wrap breaks one line into lines of at most width columns at line-break opportunities; the lines after
// the first start with indent spaces. A piece with no break opportunity that is wider than a line (a long
// URL, a host name) stays whole on a line of its own rather than being cut: it must work when copied.
// width <= 0 returns the line as it is.
func Wrap(line string, width, indent int) []string {
	if width <= 0 || Width(line) <= width {
		return []string{line}
	}
	indent = min(max(indent, 0), width/2)
	var (
		out   []string
		cur   strings.Builder
		curW  int
		space strings.Builder // spaces at the end of cur, held back: they vanish at a break
		spW   int
	)
	flush := func() {
		out = append(out, cur.String())
		cur.Reset()
		space.Reset()
		curW, spW = indent, 0
		cur.WriteString(strings.Repeat(" ", indent))
	}
	state := -1
	for _, seg := range segments(line) {
		if seg.esc {
			cur.WriteString(space.String())
			curW += spW
			space.Reset()
			spW = 0
			cur.WriteString(seg.text)
			continue
		}
		text := seg.text
		for len(text) > 0 {
			var piece string
			piece, text, state = nextWord(text, state)
			word := strings.TrimRight(piece, " ")
			trail := piece[len(word):]
			w := uniseg.StringWidth(word)
			if curW+spW+w > width && curW > indent {
				flush()
			} else {
				cur.WriteString(space.String())
				curW += spW
			}
			space.Reset()
			spW = 0
			cur.WriteString(word)
			curW += w
			space.WriteString(trail)
			spW = len(trail)
		}
	}
	if curW > indent || len(out) == 0 {
		out = append(out, cur.String())
	}
	return out
}

// nextWord is the next piece of text up to a break opportunity that follows a space or a wide
// (east-asian) character: UAX #14 also allows breaks after "/", "-" or "?", which would cut URLs, host
// names and commands that must work when copied, so those pieces are joined again.
func nextWord(text string, state int) (piece, rest string, newState int) {
	var b strings.Builder
	for text != "" {
		var seg string
		seg, text, _, state = uniseg.FirstLineSegmentInString(text, state)
		b.WriteString(seg)
		last, _ := utf8.DecodeLastRuneInString(seg)
		if last == ' ' || uniseg.StringWidth(string(last)) == 2 {
			break
		}
	}
	return b.String(), text, state
}

// segment is a run of text or one ANSI sequence.
type segment struct {
	text string
	esc  bool
}

// segments splits a line into text and ANSI sequences, so that widths skip the sequences and breaks
// never fall inside one.
func segments(line string) []segment {
	var out []segment
	for line != "" {
		loc := ansi.FindStringIndex(line)
		if loc == nil {
			out = append(out, segment{text: line})
			break
		}
		if loc[0] > 0 {
			out = append(out, segment{text: line[:loc[0]]})
		}
		out = append(out, segment{text: line[loc[0]:loc[1]], esc: true})
		line = line[loc[1]:]
	}
	return out
}

// HangingIndent is where the continuation of a report line starts: after its leading spaces and, when
// the line begins with a mark (✓ ⚠ ✗ ℹ • ◆ -) or a label ("What to do:    "), after that, so that wrapped
// text lines up under the text it continues; other indented lines continue two columns deeper, and prose
// at the margin at the margin.
func HangingIndent(line string) int {
	plain := ansi.ReplaceAllString(line, "")
	lead := len(plain) - len(strings.TrimLeft(plain, " "))
	rest := plain[lead:]
	if r, size := utf8.DecodeRuneInString(rest); strings.ContainsRune("✓⚠✗ℹ•◆-*", r) && strings.HasPrefix(rest[size:], " ") {
		return lead + uniseg.StringWidth(string(r)) + 1
	}
	if m := label.FindString(rest); m != "" {
		return lead + uniseg.StringWidth(m)
	}
	if lead == 0 {
		return 0 // a paragraph of prose
	}
	return lead + 2
}

// label is a short "Label: " (or a settings line's "Incoming mail  ") before the text it names.
var label = regexp.MustCompile(`^(?:[A-Z][A-Za-z ]{0,24}:\s+|[A-Z][a-z]+ mail\s+)`)

// Reflow joins the lines of each paragraph of text written with hard line breaks (a command's help), so
// that Wrap can break it at the reader's width: consecutive lines that start without a space are one
// paragraph; blank lines and indented lines (lists, examples, URLs) stay as they are.
func Reflow(text string) string {
	lines := strings.Split(text, "\n")
	var out []string
	for _, l := range lines {
		n := len(out)
		if n > 0 && l != "" && !strings.HasPrefix(l, " ") && out[n-1] != "" && !strings.HasPrefix(out[n-1], " ") {
			out[n-1] += " " + l
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
