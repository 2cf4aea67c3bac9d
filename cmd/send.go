package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mailcheck/mailcheck/internal/smallfile"
	"github.com/mailcheck/mailcheck/internal/termsafe"
	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/report"
)

// maxBodyFile bounds --body-file: a test message, well under the size limits providers announce (SIZE).
const maxBodyFile = 32 << 20

// SendOptions are the parsed arguments of `mailcheck send`.
type SendOptions struct {
	IO       *IOStreams
	From     string
	To       []string
	Server   string
	Subject  string
	Body     string
	BodyFile string
	DryRun   bool
	probeFlags
	credentialFlags
}

// NewCmdSend builds `mailcheck send`.
func NewCmdSend(ios *IOStreams, runF func(*SendOptions) error) *cobra.Command {
	opts := &SendOptions{IO: ios}
	c := &cobra.Command{
		Use:   "send --from ADDRESS --to ADDRESS [--server URL]",
		Short: "Send a test message step by step and explain any refusal",
		Long: `Submit a small test message: EHLO, STARTTLS, AUTH, MAIL FROM, RCPT TO, DATA, QUIT, showing each
step with the server's reply and explaining a refusal in plain language.

Without --server, the outgoing server discovered for the sender's domain is used. With credentials
(--user, $` + PasswordEnv + ` or --password-file) the session logs in first; the login name defaults
to --from. --dry-run stops before DATA (RSET), so nothing is delivered.

Exit codes: 0 accepted; 1 refused or failed; 2 bad usage or input.`,
		Example: `  MAILCHECK_PASSWORD=... mailcheck send --from alice@example.com --to bob@example.org
  mailcheck send --from alice@example.com --to bob@example.org --server submission://smtp.example.com:587 --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runSend(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.From, "from", "", "sender address (required)")
	f.StringArrayVar(&opts.To, "to", nil, "recipient address (required; repeat or separate with commas)")
	f.StringVar(&opts.Server, "server", "", "submission endpoint, e.g. submission://smtp.example.com:587 (default: discovered)")
	f.StringVar(&opts.Subject, "subject", "", "subject (default: \"mailcheck test message\")")
	f.StringVar(&opts.Body, "body", "", "message text")
	f.StringVar(&opts.BodyFile, "body-file", "", "read the message text from this file")
	f.BoolVar(&opts.DryRun, "dry-run", false, "stop before DATA: check that the message would be accepted, deliver nothing")
	opts.probeFlags.register(f)
	opts.credentialFlags.register(f)
	_ = f.MarkHidden("starttls") // the --server URL's scheme says the security mode
	f.Lookup("user").Usage = "login name (default: the --from address); the password comes from $" + PasswordEnv + ", --password-file or a prompt"
	return c
}

func runSend(ctx context.Context, opts *SendOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := opts.validate(); err != nil {
		return err
	}
	if opts.probeFlags.fs != nil && opts.probeFlags.fs.Changed("starttls") {
		// A hidden flag of the shared set: it would change which discovered server is chosen.
		return usageError("send has no --starttls: the --server URL's scheme says the security mode (submission:// is STARTTLS, submissions:// SSL/TLS)")
	}
	if opts.From == "" || len(opts.To) == 0 {
		return usageError("send needs --from and --to (see 'mailcheck send --help')")
	}
	if err := probe.CheckAddress(opts.From); err != nil {
		return usageError("--from: %v", err)
	}
	var to []string
	for _, v := range opts.To {
		list, err := splitAddresses(v)
		if err != nil {
			return usageError("--to %q: %v", v, err)
		}
		for _, a := range list {
			if err := probe.CheckAddress(a); err != nil {
				return usageError("--to: %v", err)
			}
		}
		to = append(to, list...)
	}
	opts.To = to
	if opts.Body != "" && opts.BodyFile != "" {
		return usageError("give --body or --body-file, not both")
	}
	if opts.BodyFile != "" {
		b, err := smallfile.Read(opts.BodyFile, maxBodyFile)
		if err != nil {
			return usageError("--body-file: %v", err)
		}
		opts.Body = string(b)
	}
	creds, err := opts.credentials(opts.IO, opts.From)
	if err != nil {
		return err
	}
	p, err := opts.prober(creds)
	if err != nil {
		return err
	}
	ctx, cancel := opts.context(ctx)
	defer cancel()

	var server probe.Endpoint
	if opts.Server != "" {
		if server, err = probe.ParseEndpoint(opts.Server); err != nil {
			return usageError("--server: %v", err)
		}
		if server.Protocol != probe.SMTP {
			return usageError("--server %s is not an SMTP endpoint: use submission://, submissions:// or smtp://", opts.Server)
		}
	} else {
		domain, _, err := probe.ParseTarget(opts.From)
		if err != nil {
			return usageError("--from: %v", err)
		}
		// Discover without the password: logging in to every IMAP and POP3 server is not what send is for.
		stopProgress := opts.startProgress(opts.IO, domain)
		finder, err := opts.prober(nil)
		if err != nil {
			stopProgress()
			return err
		}
		rep := finder.Run(ctx, probe.Request{Target: domain, Domain: domain})
		stopProgress()
		if rep.Settings.Outgoing == nil && opts.JSON {
			// The send schema, as every other outcome of send --json; the probe's findings are in its words.
			pr := probe.NewProblem(catalog.NoMailServers, fmt.Sprintf("no working outgoing server was found for %s (run 'mailcheck probe %s' for the details)", domain, domain), "")
			res := &probe.SendResult{SchemaVersion: probe.SchemaVersion, From: opts.From, To: opts.To, DryRun: opts.DryRun, Steps: []probe.SendStep{}, Problem: &pr}
			if err := report.JSON(opts.IO.Out, res); err != nil {
				return err
			}
			return problemsFound
		}
		if rep.Settings.Outgoing == nil {
			fmt.Fprintf(opts.IO.ErrOut, "mailcheck: no working outgoing server was found for %s; here is what the probe saw:\n\n", termsafe.String(domain))
			if err := render(opts.IO, &opts.probeFlags, rep); err != nil {
				return err
			}
			return problemsFound
		}
		o := rep.Settings.Outgoing
		// As in probe's login tests, the probe decides who may receive the secret (probe.MayReceiveSecrets).
		if creds != nil {
			if o, err = probe.TrustedOutgoing(rep, opts.From); err != nil {
				return &ExitError{Code: ExitProblems, Err: err}
			}
		}
		server = probe.Endpoint{Protocol: probe.SMTP, Host: o.Server, Port: o.Port, Security: o.Security}
	}
	res := p.Send(ctx, probe.SendRequest{Server: server, From: opts.From, To: opts.To, Subject: opts.Subject, Body: opts.Body, DryRun: opts.DryRun})
	if opts.JSON {
		if !opts.Verbose {
			res.Transcript = nil
		}
		if err := report.JSON(opts.IO.Out, res); err != nil {
			return err
		}
	} else if err := report.SendText(opts.IO.Out, res, report.TextOptions{Color: opts.color(opts.IO), Verbose: opts.Verbose, Width: opts.IO.Width}); err != nil {
		return err
	}
	if !res.Accepted {
		return problemsFound
	}
	return nil
}

// splitAddresses splits one --to value at the commas outside double quotes (a quoted local part may hold
// a comma, RFC 5321 section 4.1.2), trimming spaces around each address. An empty address or an
// unbalanced quote is an error: no recipient is ever dropped.
func splitAddresses(v string) ([]string, error) {
	var out []string
	quoted, escaped, start := false, false, 0
	for i, r := range v {
		switch {
		case escaped:
			escaped = false
		case quoted && r == '\\':
			escaped = true
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			out = append(out, strings.TrimSpace(v[start:i]))
			start = i + 1
		}
	}
	if quoted {
		return nil, fmt.Errorf("a double quote is not closed")
	}
	out = append(out, strings.TrimSpace(v[start:]))
	for _, a := range out {
		if a == "" {
			return nil, fmt.Errorf("it contains an empty address")
		}
	}
	return out, nil
}
