// Package report renders results for people (text, with colour on a terminal) and for programs (JSON).
// It only renders: it never probes and never decides.
package report

import (
	"fmt"
	"io"

	"github.com/fatih/color"

	"github.com/mailcheck/mailcheck/internal/termsafe"
)

// styled is text the renderer has already made terminal-safe (and perhaps coloured): fprintf passes it
// through, while it escapes every plain string, which may come from a server or the user.
type styled string

// palette holds the colours of one rendering; with colour off every function returns its input, made
// terminal-safe, unchanged otherwise.
type palette struct {
	ok, warn, fail, info, head, dim func(a ...any) styled
}

func newPalette(enabled bool) palette {
	mk := func(attrs ...color.Attribute) func(a ...any) styled {
		c := color.New(attrs...)
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return func(a ...any) styled { return styled(c.Sprint(string(safe(fmt.Sprint(safeArgs(a)...))))) }
	}
	// Colours that read on light and dark backgrounds alike: yellow and cyan vanish on white, so warnings
	// are a dark orange and notes a deep blue from the 256-colour palette (38;5;N), which every current
	// terminal has. Every status also has its mark and its word: colour never carries meaning alone.
	return palette{
		ok:   mk(color.FgGreen),
		warn: mk(38, 5, 166, color.Bold),
		fail: mk(color.FgRed, color.Bold),
		info: mk(38, 5, 32),
		head: mk(color.Bold),
		dim:  mk(color.Faint),
	}
}

// safe makes one string terminal-safe.
func safe(s string) styled { return styled(termsafe.String(s)) }

// safeArgs makes every string-like argument terminal-safe: plain strings, errors and Stringers are
// escaped, styled text is kept as it is, numbers and the rest pass unchanged.
func safeArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case styled:
			out[i] = string(v)
		case string:
			out[i] = termsafe.String(v)
		case error:
			out[i] = termsafe.String(v.Error())
		case fmt.Stringer:
			out[i] = termsafe.String(v.String())
		default:
			out[i] = a
		}
	}
	return out
}

// fprintf is fmt.Fprintf for human output: the format is the renderer's own, every argument is made
// terminal-safe (see safeArgs). All text renderers print through it, so a server's escape sequences
// never reach the terminal.
func fprintf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format, safeArgs(args)...)
}

// fprintln is fmt.Fprintln with the arguments of fprintf.
func fprintln(w io.Writer, args ...any) {
	fmt.Fprintln(w, safeArgs(args)...)
}
