// Package report renders results for people (text, with colour on a terminal) and for programs (JSON).
// It only renders: it never probes and never decides.
package report

import (
	"github.com/fatih/color"
)

// palette holds the colours of one rendering; with colour off every function returns its input unchanged.
type palette struct {
	ok, warn, fail, info, head, dim func(a ...any) string
}

func newPalette(enabled bool) palette {
	mk := func(attrs ...color.Attribute) func(a ...any) string {
		c := color.New(attrs...)
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c.Sprint
	}
	return palette{
		ok:   mk(color.FgGreen),
		warn: mk(color.FgYellow),
		fail: mk(color.FgRed, color.Bold),
		info: mk(color.FgCyan),
		head: mk(color.Bold),
		dim:  mk(color.Faint),
	}
}
