package cmd

import (
	"os"

	"github.com/mailcheck/mailcheck/report"
)

// startProgress shows the live progress region on stderr while a probe runs, when a person is watching:
// stderr is a terminal, the output is the human report (not --json), not --quiet, not in CI (CI set to
// anything but "", "false" or "0") and not TERM=dumb. It sets the hook the prober reports to and returns
// the function that erases the region; call it before the report is printed. stdout is never touched.
func (f *probeFlags) startProgress(ios *IOStreams, label string) (stop func()) {
	stop = func() {}
	if f.formatName() != "text" || f.Quiet || !ios.ErrTTY || ios.dumbTerminal() || inCI(ios) {
		return stop
	}
	file, ok := ios.ErrOut.(*os.File)
	if !ok {
		return stop
	}
	p := report.NewProgress(file, label, f.stderrColor(ios))
	if p == nil {
		return stop
	}
	f.progress = p.Event
	return func() {
		p.Stop()
		f.progress = nil
	}
}

// stderrColor is --color applied to stderr.
func (f *probeFlags) stderrColor(ios *IOStreams) bool {
	switch {
	case f.NoColor || f.Color == ColorNever:
		return false
	case f.Color == ColorAlways:
		return true
	}
	return ios.ErrTTY && ios.Getenv("NO_COLOR") == "" && !ios.dumbTerminal()
}

func inCI(ios *IOStreams) bool {
	switch ios.Getenv("CI") {
	case "", "false", "0":
		return false
	}
	return true
}
