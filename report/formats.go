package report

import (
	"io"

	"github.com/mailcheck/mailcheck/probe"
)

// FormatOptions are what a probe report's format may use besides the report.
type FormatOptions struct {
	// Color and Verbose apply to the human text.
	Color    bool
	Verbose  bool
	Timeline bool
	// Width is the terminal's width for the text report (0: no wrapping).
	Width int
	// Version is mailcheck's version, for formats that name it (markdown).
	Version string
}

// Format is one way to print a probe report (probe --format NAME).
type Format struct {
	Name string
	// Help is the format in a few words, for --help and the README.
	Help  string
	Write func(w io.Writer, rep *probe.Report, opt FormatOptions) error
}

// Formats are probe's output formats, the default first. Adding a format is adding a row here and its
// file; --help, completion and the README test read this list.
var Formats = []Format{
	{"text", "the human report", func(w io.Writer, rep *probe.Report, opt FormatOptions) error {
		return Text(w, rep, TextOptions{Color: opt.Color, Verbose: opt.Verbose, Timeline: opt.Timeline, Width: opt.Width})
	}},
	{"json", "the JSON report (schema in the README); --json is the same", func(w io.Writer, rep *probe.Report, _ FormatOptions) error {
		return JSON(w, rep)
	}},
	{"markdown", "a short block to paste into a ticket or chat: verdict, settings, problems with fixes, version and time", Markdown},
	{"settings", "only the recommended settings, one line each (incoming|outgoing PROTOCOL HOST PORT SECURITY), for scripts", Settings},
}

// FormatNamed is the format of that name.
func FormatNamed(name string) (Format, bool) {
	for _, f := range Formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}
