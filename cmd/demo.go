package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/report"
)

// DemoOptions are the parsed arguments of `mailcheck demo`.
type DemoOptions struct {
	IO *IOStreams
	// Send adds two 'mailcheck send' runs against the sandbox: a relay attempt without login (refused,
	// explained) and a dry run with login (accepted).
	Send bool
	// Customer probes bob@customer.test, a domain that hosts nothing itself and gets its mail provider's
	// settings, instead of alice@sandbox.test.
	Customer bool
	probeFlags
	postureFlags
}

// NewCmdDemo builds `mailcheck demo`.
func NewCmdDemo(ios *IOStreams, runF func(*DemoOptions) error) *cobra.Command {
	opts := &DemoOptions{IO: ios}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Probe an embedded sandbox mail domain on loopback: a real report with no network",
		Long: `Start an embedded sandbox mail domain (sandbox.test) on loopback — its own DNS server and IMAP,
POP3 and SMTP servers, some deliberately broken — and probe alice@sandbox.test as 'mailcheck probe'
would. Nothing leaves this machine.

The probe keeps its ordinary budgets (--timeout 5s per step), so a slow or busy machine gets the same
report. The sandbox's black-holed port (smtp.sandbox.test:25) fails with a connect timeout after 1 s
of its own, where a real dropped connection would cost --timeout.

Exit codes: 0 the sandbox's settings work (with the warnings it is built to show), 1 problems found,
2 usage error.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runDemo(c.Context(), opts)
		},
	}
	opts.probeFlags.register(c.Flags())
	opts.registerFormat(c.Flags())
	c.Flags().BoolVar(&opts.Customer, "customer", false, "probe bob@customer.test instead: a domain that hosts nothing itself and gets its mail provider's settings (ISPDB, MX provider, Autodiscover)")
	opts.postureFlags.register(c.Flags())
	c.Flags().BoolVar(&opts.Send, "send", false, "also show 'mailcheck send' against the sandbox: a refused relay and an accepted dry run")
	for _, hidden := range []string{"resolver", "ca-file"} {
		_ = c.Flags().MarkHidden(hidden)
	}
	return c
}

func runDemo(ctx context.Context, opts *DemoOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := opts.probeFlags.validate(); err != nil {
		return err
	}
	if opts.Send && opts.formatName() != "text" && opts.formatName() != "json" {
		return usageError("--send shows send's transcripts as text or JSON: --format %s does not apply", opts.Format)
	}
	if err := opts.postureFlags.validate(opts.formatName()); err != nil {
		return err
	}
	if opts.Posture && opts.Send {
		return usageError("--posture and --send each add to the demo's report: give one at a time")
	}
	sb, err := sandbox.Start(sandbox.DemoWorld())
	if err != nil {
		return &ExitError{Code: ExitProblems, Err: fmt.Errorf("cannot start the sandbox: %v", err)}
	}
	defer sb.Close()
	opts.dialer = sb
	opts.resolver = &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: opts.Timeout}
	opts.rootCAs = sb.RootCAs
	if !opts.NoISPDB && !opts.fs.Changed("ispdb") {
		opts.ISPDB = sandbox.DemoISPDB // the sandbox's own mirror: the demo never leaves the machine
	}
	// The sandbox's own test account, so the demo shows a verified login too.
	addr, domain := "alice@"+sb.World.Domain, sb.World.Domain
	if opts.Customer {
		addr, domain = "bob@customer.test", "customer.test"
	}
	creds := &probe.Credentials{User: addr, Password: sb.World.Users[addr]}
	stopProgress := opts.startProgress(opts.IO, addr)
	defer stopProgress()
	p, err := opts.prober(creds)
	if err != nil {
		return err
	}
	ctx, cancel := opts.context(ctx)
	defer cancel()
	postureDone := opts.startPosture(ctx, p, domain)
	rep := p.Run(ctx, probe.Request{Target: addr, Domain: domain, Address: addr})
	post := postureDone(rep)
	stopProgress()
	if !(opts.Send && opts.formatName() == "json") {
		if err := renderPosture(opts.IO, &opts.probeFlags, rep, post); err != nil {
			return err
		}
	}
	results := []*probe.SendResult{}
	if opts.Send && rep.Settings.Outgoing != nil {
		o := rep.Settings.Outgoing
		server := probe.Endpoint{Protocol: probe.SMTP, Host: o.Server, Port: o.Port, Security: o.Security}
		anonymous, err := opts.prober(nil)
		if err != nil {
			return err
		}
		sends := []struct {
			p   *probe.Prober
			req probe.SendRequest
		}{
			{anonymous, probe.SendRequest{Server: server, From: "someone@elsewhere.example", To: []string{"bob@example.org"}}},
			{p, probe.SendRequest{Server: server, From: addr, To: []string{addr}, DryRun: true}},
		}
		for _, s := range sends {
			res := s.p.Send(ctx, s.req)
			if opts.formatName() == "json" {
				if !opts.Verbose {
					res.Transcript = nil // as 'send --json': the transcript only with -v
				}
				results = append(results, res)
				continue
			}
			fmt.Fprintln(opts.IO.Out)
			if err := report.SendText(opts.IO.Out, res, report.TextOptions{Color: opts.color(opts.IO), Verbose: opts.Verbose, Width: opts.IO.Width}); err != nil {
				return err
			}
		}
	}
	if opts.Send && opts.formatName() == "json" {
		// One JSON document, as with every other command.
		if err := report.JSON(opts.IO.Out, struct {
			Probe *probe.Report       `json:"probe"`
			Sends []*probe.SendResult `json:"sends"`
		}{rep, results}); err != nil {
			return err
		}
	}
	if rep.Status == probe.StatusFail {
		return problemsFound
	}
	return nil
}
