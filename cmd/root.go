// Package cmd holds mailcheck's cobra commands. Each command is thin: an options struct, a constructor that
// only parses flags, and a run function that calls package probe and renders with package report.
package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
)

// Exit codes: a stable API, documented in the README.
const (
	ExitOK       = 0 // everything asked for works
	ExitProblems = 1 // problems found
	ExitUsage    = 2 // bad usage or input
)

// IOStreams are the command's input and outputs, replaced by buffers in tests.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// IsTTY says whether Out is a terminal (colour and prompts only then).
	IsTTY bool
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
	}
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
check: a check failed); 2 bad usage or input; check --nagios uses the monitoring-plugin codes
0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.`,
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
	root.AddCommand(NewCmdProbe(ios, nil))
	root.AddCommand(NewCmdDemo(ios, nil))
	for _, extra := range extraCommands {
		root.AddCommand(extra(ios))
	}
	registerCompletions(root)
	return root
}

// extraCommands are added by the files of further subcommands (explain, send, check) from init functions,
// so that each subcommand stays one file.
var extraCommands []func(*IOStreams) *cobra.Command

// Main runs mailcheck with the process's arguments and returns the exit code.
func Main() int {
	return Run(os.Args[1:], SystemIO())
}

// Run runs mailcheck with args and returns the exit code; errors are printed as one line on ErrOut.
func Run(args []string, ios *IOStreams) int {
	root := NewRootCmd(ios)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(ios.ErrOut, "mailcheck: %v\n", ee.Err)
		}
		return ee.Code
	}
	// Cobra's own errors (unknown command, missing argument) are usage errors.
	fmt.Fprintf(ios.ErrOut, "mailcheck: %v\n", err)
	return ExitUsage
}
