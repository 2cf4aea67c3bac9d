package cmd

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/report"
)

// ProbeOptions are the parsed arguments of `mailcheck probe`.
type ProbeOptions struct {
	IO      *IOStreams
	Targets []string
	probeFlags
	credentialFlags
	bulkFlags
	postureFlags
}

// NewCmdProbe builds `mailcheck probe`; runF replaces runProbe in tests.
func NewCmdProbe(ios *IOStreams, runF func(*ProbeOptions) error) *cobra.Command {
	opts := &ProbeOptions{IO: ios}
	c := &cobra.Command{
		Use:   "probe (ADDRESS | DOMAIN | URL...)",
		Short: "Discover a domain's mail servers and probe them, or probe given endpoints",
		Long: `Probe an e-mail address or domain: discover its servers through SRV (RFC 6186/8314), MX and the
host names mail clients guess, probe IMAP, POP3 and SMTP on every standard port, and print the
settings to type into a mail client and, for every failure, its cause and fix.

Or probe endpoints exactly as a mail client is configured, skipping discovery:
  imap://HOST[:143]  imaps://HOST[:993]  pop3://HOST[:110]  pop3s://HOST[:995]
  smtp://HOST[:25]  submission://HOST[:587]  submissions://HOST[:465], also smtps://HOST

With --from-file FILE (- for stdin), probe every target of a list, one per line (# comments and blank
lines skipped), --concurrency at once, and print JSON Lines as each completes: {"kind":"target",
"line":N,"input":...,<the --json report's fields>}, {"kind":"error","line":N,...} for a line that is no
target, then {"kind":"summary",...}. --shard K/N takes a stable share of the list; --max-time is per
target; no logins are tested.

Exit codes: 0 a working incoming and outgoing setting with valid TLS was found (or every given
endpoint works; with --from-file: no target failed); 1 problems found; 2 bad usage or input.`,
		Example: `  mailcheck probe alice@example.com
  mailcheck probe --from-file customers.txt --concurrency 64 --shard 2/8 > results.jsonl
  mailcheck probe example.com --json
  mailcheck probe imaps://mail.example.com:993 submission://smtp.example.com:587`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 && !opts.bulk() {
				return usageError("probe needs an e-mail address, a domain or endpoint URLs (see 'mailcheck probe --help')")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			opts.Targets = args
			if runF != nil {
				return runF(opts)
			}
			return runProbe(c.Context(), opts)
		},
	}
	opts.probeFlags.register(c.Flags())
	opts.probeFlags.registerFormat(c.Flags())
	opts.credentialFlags.register(c.Flags())
	opts.bulkFlags.register(c.Flags())
	opts.postureFlags.register(c.Flags())
	return c
}

// parseRequest turns the arguments into a probe request: one address or domain, or endpoint URLs.
func parseRequest(targets []string) (probe.Request, error) {
	req := probe.Request{Target: strings.Join(targets, " ")}
	hasURL := false
	for _, t := range targets {
		if strings.Contains(t, "://") {
			hasURL = true
		}
	}
	if !hasURL {
		if len(targets) > 1 {
			return req, usageError("give one address or domain at a time (or several endpoint URLs)")
		}
		domain, addr, err := probe.ParseTarget(targets[0])
		if err != nil {
			return req, usageError("%v", err)
		}
		req.Domain, req.Address = domain, addr
		return req, nil
	}
	for _, t := range targets {
		ep, err := probe.ParseEndpoint(t)
		if err != nil {
			return req, usageError("%v", err)
		}
		req.Endpoints = append(req.Endpoints, ep)
	}
	return req, nil
}

func runProbe(ctx context.Context, opts *ProbeOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := opts.probeFlags.validate(); err != nil {
		return err
	}
	if err := opts.postureFlags.validate(opts.formatName()); err != nil {
		return err
	}
	if opts.bulk() {
		if opts.Posture {
			return usageError("--posture checks one domain: it does not apply with --from-file")
		}
		return runProbeBulk(ctx, opts)
	}
	if err := opts.listOnly(); err != nil {
		return err
	}
	req, err := parseRequest(opts.Targets)
	if err != nil {
		return err
	}
	creds, err := opts.credentials(opts.IO, req.Address)
	if err != nil {
		return err
	}
	stopProgress := opts.startProgress(opts.IO, req.Target) // after the password prompt
	defer stopProgress()
	p, err := opts.prober(creds)
	if err != nil {
		return err
	}
	req.ApplySTARTTLS(probe.STARTTLSPolicy(opts.STARTTLS))
	ctx, cancel := opts.context(ctx)
	defer cancel()
	if opts.Posture && req.Domain == "" {
		return usageError("--posture checks a domain: give an address or a domain, not endpoint URLs")
	}
	postureDone := opts.startPosture(ctx, p, req.Domain) // beside the probe: a domain costs its slowest part
	rep := p.Run(ctx, req)
	post := postureDone(rep)
	stopProgress()
	if err := renderPosture(opts.IO, &opts.probeFlags, rep, post); err != nil {
		return err
	}
	if rep.Status == probe.StatusFail {
		return problemsFound
	}
	return nil
}

// render prints a report in the format the flags ask for (validated before the run).
func render(ios *IOStreams, f *probeFlags, rep *probe.Report) error {
	fm, ok := report.FormatNamed(f.formatName())
	if !ok {
		return usageError("--format %q is not a format", f.formatName())
	}
	return fm.Write(ios.Out, rep, report.FormatOptions{Color: f.color(ios), Verbose: f.Verbose, Timeline: f.Timeline, Width: ios.Width, Version: shortVersion()})
}
