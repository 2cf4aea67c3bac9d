// Package cmd holds mailcheck's cobra commands. Each command is thin: an options struct, a constructor that
// only parses flags, and a run function that calls package probe and renders with package report.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mailcheck/mailcheck/internal/termsafe"
	"github.com/mailcheck/mailcheck/internal/textwrap"
	"github.com/mailcheck/mailcheck/probe"
)

// Exit codes: a stable API, documented in the README.
const (
	ExitOK       = 0 // everything asked for works
	ExitProblems = 1 // problems found
	ExitUsage    = 2 // bad usage or input
	// ExitInterrupted: the user interrupted the run (Ctrl-C, SIGTERM); what was learned is printed first.
	ExitInterrupted = 130
)

// IOStreams are the command's input and outputs, replaced by buffers in tests.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// IsTTY says whether Out is a terminal (colour and prompts only then).
	IsTTY bool
	// Width is the terminal's width when Out is one (80 when its size is unknown), 0 otherwise: human
	// text is wrapped to it at word boundaries; text for a pipe or a file is not.
	Width int
	// InTTY says whether In is a terminal.
	InTTY bool
	// ErrTTY says whether ErrOut is a terminal (live progress only then).
	ErrTTY bool
	// Getenv reads the environment.
	Getenv func(string) string
}

// SystemIO is the process's real streams.
func SystemIO() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		IsTTY:  isatty.IsTerminal(os.Stdout.Fd()) || isatty.IsCygwinTerminal(os.Stdout.Fd()),
		InTTY:  isatty.IsTerminal(os.Stdin.Fd()),
		ErrTTY: isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd()),
		Getenv: os.Getenv,
		Width:  terminalWidth(os.Stdout),
	}
}

// terminalWidth is the width of the terminal f is, 80 when it is one of unknown size, 0 when it is none.
func terminalWidth(f *os.File) int {
	if !isatty.IsTerminal(f.Fd()) && !isatty.IsCygwinTerminal(f.Fd()) {
		return 0
	}
	if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
		return w
	}
	return 80
}

// Colour modes of --color.
const (
	ColorAuto   = "auto"
	ColorAlways = "always"
	ColorNever  = "never"
)

// ColorEnabled decides colour on stdout for a --color mode: always and never are what they say (always is
// for 'mailcheck probe … --color=always | less -R'); auto means a terminal stdout, NO_COLOR
// (https://no-color.org) unset or empty, and TERM not "dumb".
func (s *IOStreams) ColorEnabled(mode string) bool {
	switch mode {
	case ColorAlways:
		return true
	case ColorNever:
		return false
	}
	return s.IsTTY && s.Getenv("NO_COLOR") == "" && !s.dumbTerminal()
}

// dumbTerminal is TERM=dumb: a terminal that cannot move the cursor or show colours (Emacs shell buffers,
// some CI log viewers).
func (s *IOStreams) dumbTerminal() bool {
	return s.Getenv("TERM") == "dumb"
}

// ExitError carries an exit code; its message (if any) has already been printed or is printed by Main.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks bad input: exit 2 with a one-line message.
func usageError(format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, a...)}
}

// problemsFound is the silent exit 1 after a report that shows the problems.
var problemsFound = &ExitError{Code: ExitProblems}

// NewRootCmd builds the command tree.
func NewRootCmd(ios *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "mailcheck",
		Short: "Find out why e-mail settings don't work, and say so in plain words",
		Long: `mailcheck discovers a domain's mail servers, probes POP3, IMAP and SMTP on their plain, STARTTLS
and SSL/TLS ports, and explains every failure with its cause and fix.

Exit codes (see each command's --help): 0 works; 1 problems found (explain: not recognised;
check: a check failed); 2 bad usage or input; 130 interrupted (Ctrl-C, SIGTERM) after printing what
was learned; check --nagios uses the monitoring-plugin codes 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.`,
		Version:       BuildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// --version without the -v shorthand cobra would give it: -v is --verbose on every subcommand.
	root.Flags().Bool("version", false, "print the version, VCS revision and date (as 'mailcheck version')")
	root.SetVersionTemplate("{{.Version}}")
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%v (see '%s --help')", err, c.CommandPath())}
	})
	// Every command, in one explicit list (cobra sorts them for --help).
	root.AddCommand(
		NewCmdProbe(ios, nil), NewCmdDemo(ios, nil), NewCmdCheck(ios, nil), NewCmdExplain(ios, nil),
		NewCmdExporter(ios, nil), NewCmdOAuth(ios, nil), NewCmdSend(ios, nil), NewCmdServe(ios, nil),
		NewCmdVersion(ios),
	)
	registerCompletions(root)
	refuseUnknownShells(root)
	wrapHelp(root, ios.Width)
	return root
}

// wrapHelp fits --help to the terminal (80 columns when its width is unknown or the help goes to a pipe,
// where it is still read by a person): the flags with pflag's own wrapping, which keeps their usage text
// in one column, and every other line at word boundaries.
func wrapHelp(root *cobra.Command, width int) {
	if width <= 0 {
		width = 80
	}
	tmpl := root.UsageTemplate()
	for _, set := range []string{"LocalFlags", "InheritedFlags"} {
		tmpl = strings.ReplaceAll(tmpl, "."+set+".FlagUsages", fmt.Sprintf("(.%s.FlagUsagesWrapped %d)", set, width))
	}
	root.SetUsageTemplate(tmpl)
	help := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		out, long := c.OutOrStdout(), c.Long
		c.SetOut(textwrap.NewWriter(out, width))
		c.Long = textwrap.Reflow(long)
		defer func() { c.SetOut(out); c.Long = long }()
		help(c, args)
	})
}

// refuseUnknownShells makes 'mailcheck completion tcsh' a usage error: cobra's completion command has no
// action of its own, so an unknown shell would print its help and exit 0.
func refuseUnknownShells(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, sh := range c.Commands() {
			shells = append(shells, sh.Name())
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			return usageError("no completion for the shell %q: give one of %s", args[0], strings.Join(shells, ", "))
		}
	}
}

// Main runs mailcheck with the process's arguments and returns the exit code.
func Main() int {
	return Run(os.Args[1:], SystemIO())
}

// Run runs mailcheck with args and returns the exit code; errors are printed as one line on ErrOut.
func Run(args []string, ios *IOStreams) int {
	out := &outWriter{w: ios.Out}
	streams := *ios
	streams.Out = out
	root := NewRootCmd(&streams)
	root.SetArgs(args)
	ctx, stopSignals := interruptible(context.Background())
	defer stopSignals()
	err := misplacedFlag(root, args)
	var ran *cobra.Command
	if err == nil {
		ran, err = root.ExecuteContextC(ctx)
	}
	if probe.Interrupted(ctx) && (ran == nil || ran.Annotations[annotationSignalEnds] == "") {
		// The command printed what it had learned (its run ended with the context); the exit code says
		// it is partial, whatever it found.
		var ee *ExitError
		if err == nil || errors.As(err, &ee) && ee.Code != ExitUsage {
			fmt.Fprintln(ios.ErrOut, "mailcheck: interrupted")
			return ExitInterrupted
		}
	}
	if err == nil && out.err != nil {
		// Help, version or a report that could not be written (a full disk, /dev/full): the user did not
		// get what was asked for. A reader that went away (| head) needs no message.
		if errors.Is(out.err, syscall.EPIPE) {
			return ExitUsage
		}
		err = usageError("writing to standard output: %v", out.err)
	}
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(ios.ErrOut, "mailcheck: %s\n", termsafe.String(ee.Err.Error()))
		}
		return ee.Code
	}
	// Cobra's own errors (unknown command, missing argument) are usage errors.
	fmt.Fprintf(ios.ErrOut, "mailcheck: %s\n", termsafe.String(oneLine(err.Error())))
	return ExitUsage
}

// annotationSignalEnds marks a command for which SIGINT/SIGTERM is the normal way to stop (the exporter),
// not an interruption.
const annotationSignalEnds = "signal-ends-normally"

// interruptible returns a context that the first SIGINT or SIGTERM cancels with probe.ErrInterrupted, so
// a run ends promptly with what it has learned (a report marked interrupted, valid JSON, a summary line);
// a second signal then has its default effect and ends the process at once.
func interruptible(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			signal.Stop(sig)
			cancel(probe.ErrInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sig)
		close(done)
		cancel(nil)
	}
}

// outWriter remembers the first error writing to standard output, which cobra's help and version
// printing ignore.
type outWriter struct {
	w   io.Writer
	err error
}

func (o *outWriter) Write(b []byte) (int, error) {
	n, err := o.w.Write(b)
	if err != nil && o.err == nil {
		o.err = err
	}
	return n, err
}

// oneLine folds cobra's multi-line errors into one line: its typo suggestion
// ("unknown command "prob" for "mailcheck"\n\nDid you mean this?\n\tprobe\n") becomes
// "… — did you mean probe?".
func oneLine(msg string) string {
	head, suggestions, ok := strings.Cut(msg, "\n\nDid you mean this?\n")
	if !ok {
		return strings.TrimSpace(msg)
	}
	return head + " — did you mean " + strings.Join(strings.Fields(suggestions), " or ") + "?"
}

// misplacedFlag catches a subcommand's flag given before the subcommand ("mailcheck --json probe x"),
// which cobra would read as a flag of mailcheck taking "probe" as its value and then report "unknown
// command x". The root's own flags (--help, --version) are fine there.
func misplacedFlag(root *cobra.Command, args []string) error {
	if len(args) == 0 || !strings.HasPrefix(args[0], "-") || args[0] == "--" {
		return nil
	}
	root.InitDefaultHelpFlag()
	name, _, _ := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
	if root.Flags().Lookup(name) != nil || (len(name) == 1 && root.Flags().ShorthandLookup(name) != nil) {
		return nil
	}
	for i, a := range args[1:] {
		if c, _, err := root.Find([]string{a}); err == nil && c != root {
			return usageError("%s goes after the command: mailcheck %s %s", args[0], a, strings.Join(append(args[:i+1:i+1], args[i+2:]...), " "))
		}
	}
	return usageError("unknown flag %s (see 'mailcheck --help')", args[0])
}
