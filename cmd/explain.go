package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/internal/termsafe"
	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/explain"
	"github.com/mailcheck/mailcheck/probe/posture"
	"github.com/mailcheck/mailcheck/report"
)

// maxExplainInput bounds what is read from stdin; explain itself reads the first 64 KiB.
const maxExplainInput = 1 << 20

// ExplainOptions are the parsed arguments of `mailcheck explain`.
type ExplainOptions struct {
	IO *IOStreams
	// Text is the pasted error: the arguments joined by spaces.
	Text string
	// FromStdin is set by the argument "-": read the text from standard input.
	FromStdin bool
	// Probe re-tests the server, port and security mode found in the text.
	Probe bool
	probeFlags
}

// NewCmdExplain builds `mailcheck explain`; runF replaces runExplain in tests.
//
// Flag parsing is done here rather than by cobra: pasted errors often start with a dash (POP3 "-ERR …"),
// which cobra would take for a flag. Only exact "--name" / "--name=value" tokens of this command's flags
// (and -h) are flags; everything else is text, and "--" ends the flags.
func NewCmdExplain(ios *IOStreams, runF func(*ExplainOptions) error) *cobra.Command {
	opts := &ExplainOptions{IO: ios}
	c := &cobra.Command{
		Use:   "explain (CODE | TEXT... | -)",
		Short: "Explain a pasted error code or message: what it means, likely causes, what to do",
		Long: `Explain an error number or message users paste: Outlook and Windows Live Mail numbers
(0x800CCC0D, also without 0x), socket errors (11001), SMTP replies (535, 5.7.139), IMAP and POP3
response codes ([AUTHENTICATIONFAILED], [IN-USE]), or a whole error dialog, server reply, bounce or
library error. "-" reads the text from standard input; FILE.eml reads a saved message, and a whole
delivery-status notification (multipart/report) is read field by field: status, diagnostic, remote
server and recipients.

Every headline says how sure it is (certain, likely, possible) and names both causes when two are close;
text no rule recognises gets a guess from a word model, labelled as such.

The explanation uses the same problem codes, causes and fixes as 'mailcheck probe', ranks the causes
for the port, protocol and SSL setting found in the text, and shows what it read from the text and the
probe command that tests those settings directly.

Exit codes: 0 recognised; 1 not recognised; 2 no input or bad usage.`,
		Example: `  mailcheck explain 0x800CCC0D
  mailcheck explain "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled"
  mailcheck explain -ERR [IN-USE] Unable to lock maildrop
  pbpaste | mailcheck explain - --json
  mailcheck explain bounce.eml`,
		DisableFlagParsing: true,
		RunE: func(c *cobra.Command, args []string) error {
			text, help, err := parseExplainArgs(c.Flags(), args)
			if err != nil {
				return err
			}
			if help {
				return c.Help()
			}
			if len(text) == 1 && text[0] == "-" {
				opts.FromStdin = true
			} else {
				opts.Text = strings.Join(text, " ")
			}
			if runF != nil {
				return runF(opts)
			}
			return runExplain(c.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.Probe, "probe", false, "re-test the server, port and security mode found in the text and say whether the cause is still there")
	opts.probeFlags.register(c.Flags())
	return c
}

// parseExplainArgs separates this command's flags from the pasted text.
func parseExplainArgs(fs *pflag.FlagSet, args []string) (text []string, help bool, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(text, args[i+1:]...), help, nil
		case a == "-h" || a == "--help":
			help = true
		case a == "-v" || a == "-q":
			name := map[string]string{"-v": "verbose", "-q": "quiet"}[a]
			if err := fs.Set(name, "true"); err != nil {
				return nil, false, usageError("%s: %v", a, err)
			}
		case strings.HasPrefix(a, "--") && len(a) > 2 && isFlagName(strings.SplitN(a[2:], "=", 2)[0]):
			name, value, hasValue := strings.Cut(a[2:], "=")
			f := fs.Lookup(name)
			if f == nil {
				return nil, false, usageError("unknown flag --%s for explain (see 'mailcheck explain --help'; put text after -- if it starts with --)", name)
			}
			if !hasValue {
				switch {
				case f.NoOptDefVal != "": // a boolean
					value = f.NoOptDefVal
				case i+1 < len(args): // --timeout 2s, as with every other command
					i++
					value = args[i]
				default:
					return nil, false, usageError("flag --%s needs a value, e.g. --%s=VALUE", name, name)
				}
			}
			if err := fs.Set(name, value); err != nil {
				return nil, false, usageError("invalid value %q for --%s: %v", value, name, err)
			}
		default:
			text = append(text, a)
		}
	}
	return text, help, nil
}

// isFlagName says whether s looks like a long flag name (letters, digits and dashes), not pasted text.
func isFlagName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// emlPath says whether the argument names a saved message (a bounce saved as .eml) rather than pasted text.
func emlPath(arg string) (string, bool) {
	arg = strings.TrimSpace(arg)
	return arg, arg != "" && !strings.ContainsAny(arg, " \t\n") && strings.HasSuffix(strings.ToLower(arg), ".eml")
}

// readEML reads a saved message, up to maxExplainInput: a bounce with the original message attached can
// be large, and only its first parts matter.
func readEML(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	return io.ReadAll(io.LimitReader(f, maxExplainInput))
}

func runExplain(ctx context.Context, opts *ExplainOptions) error {
	if err := opts.validate(); err != nil {
		return err
	}
	text := opts.Text
	if opts.FromStdin {
		if opts.IO.InTTY {
			fmt.Fprintln(opts.IO.ErrOut, "Paste the error message, then press Ctrl-D (Ctrl-Z and Enter on Windows).")
		}
		b, err := io.ReadAll(io.LimitReader(opts.IO.In, maxExplainInput))
		if err != nil {
			return usageError("reading standard input: %v", err)
		}
		text = string(b)
	}
	if path, ok := emlPath(opts.Text); ok && !opts.FromStdin {
		b, err := readEML(path)
		if err != nil {
			return usageError("reading %s: %v", path, err)
		}
		text = string(b)
	}
	if strings.TrimSpace(text) == "" {
		return usageError("explain needs an error code or message, e.g. 'mailcheck explain 0x800CCC0D', or '-' to read it from standard input")
	}
	e := explain.Explain(text)
	if opts.Probe {
		if t, evidence, ok := posture.ForDiagnosis(e, text); ok { // a bounce about the sender: its records
			return runExplainPosture(ctx, opts, e, t, evidence)
		}
		return runExplainProbe(ctx, opts, e)
	}
	var err error
	if opts.JSON {
		err = report.ExplainJSON(opts.IO.Out, e)
	} else {
		err = report.ExplainText(opts.IO.Out, e, opts.color(opts.IO))
	}
	if err != nil {
		return err
	}
	if !e.Recognised {
		return problemsFound
	}
	return nil
}

// runExplainProbe explains, then re-tests exactly the endpoint the text describes and says whether the
// cause is still there. Exit 0 when the endpoint works now, 1 otherwise.
func runExplainProbe(ctx context.Context, opts *ExplainOptions, e explain.Explanation) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if e.Retest == nil {
		return usageError("--probe: the text names no server and protocol to test; run 'mailcheck probe ADDRESS' instead")
	}
	ep := e.Retest.Endpoint()
	if err := probe.ValidateHost(ep.Host); err != nil {
		return usageError("--probe: %v", err)
	}
	stopProgress := opts.startProgress(opts.IO, ep.URL())
	defer stopProgress()
	p, err := opts.prober(nil)
	if err != nil {
		return err
	}
	ctx, cancel := opts.context(ctx)
	defer cancel()
	rep := p.Run(ctx, probe.Request{Target: ep.URL(), Endpoints: []probe.Endpoint{ep}})
	stopProgress()
	v := explain.Judge(e, rep)
	if opts.JSON {
		err = report.JSON(opts.IO.Out, struct {
			Explanation explain.Explanation `json:"explanation"`
			Verdict     explain.Verdict     `json:"verdict"`
			Probe       *probe.Report       `json:"probe"`
		}{e, v, rep})
	} else {
		color := opts.color(opts.IO)
		if err = report.ExplainText(opts.IO.Out, e, color); err == nil {
			fmt.Fprintf(opts.IO.Out, "\nRe-test of %s: %s\n\n", termsafe.String(ep.URL()), termsafe.String(v.Summary))
			err = report.Text(opts.IO.Out, rep, report.TextOptions{Color: color, Verbose: opts.Verbose, Width: opts.IO.Width})
		}
	}
	if err != nil {
		return err
	}
	if !v.Works {
		return problemsFound
	}
	return nil
}
