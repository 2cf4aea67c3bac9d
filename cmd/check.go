package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/internal/outfile"
	"github.com/mailcheck/mailcheck/internal/smallfile"
	"github.com/mailcheck/mailcheck/internal/termsafe"
	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/check"
	"github.com/mailcheck/mailcheck/report"
)

// CheckOptions are the parsed arguments of `mailcheck check`.
type CheckOptions struct {
	IO *IOStreams
	// Endpoints are the endpoint URL arguments.
	Endpoints []string
	// ConfigFile is --config.
	ConfigFile string

	// Expectations for the URL arguments.
	Expect         string
	Login          bool
	PlaintextLogin string
	AuthMechanisms []string
	// expectationFlags are the expectation flags given on the command line, to refuse them when there
	// is no URL argument they could apply to.
	expectationFlags []string
	// certWarnGiven says --cert-warn was given (its default follows --cert-crit otherwise).
	certWarnGiven bool
	// Incoming and Outgoing are the settings discovery must recommend for the domain lines of --from-file.
	Incoming, Outgoing string
	// SPF, DMARCPolicy, MTASTS and TLSRPT are the posture assertions for the domain lines of --from-file.
	SPF, DMARCPolicy, MTASTS string
	TLSRPT                   bool

	// Thresholds for every TLS target that does not set its own.
	CertMinDays  int
	CertWarnDays int

	JSONL     bool
	JUnitFile string
	Nagios    bool

	probeFlags
	credentialFlags
	bulkFlags
}

// Flags that describe the URL arguments (a config file's targets say their own).
var checkExpectationFlags = []string{"expect", "login", "plaintext-login", "auth-mechanisms"}

// maxParallelTargets bounds the targets probed at once; each probe bounds its own connections too.
const maxParallelTargets = 8

// NewCmdCheck builds `mailcheck check`; runF replaces runCheck in tests.
//
// Flags are parsed here rather than by cobra so that, with --nagios, even a bad flag is reported the way
// a monitoring plugin must: "MAILCHECK UNKNOWN - ..." on stdout and exit 3 (cobra would exit 2, CRITICAL).
func NewCmdCheck(ios *IOStreams, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{IO: ios}
	c := &cobra.Command{
		Use:   "check [URL...] [--config FILE]",
		Short: "Check mail endpoints against expectations: for CI pipelines and monitoring",
		Long: `Probe endpoints and judge each expectation as pass, warn or fail: the server answers, TLS and its
certificate are valid (and stay valid for --cert-crit / --cert-warn days), password login before TLS
is refused, the login methods are offered, the test account logs in, a service that must be absent
is (a refused, filtered or unroutable port passes).

Targets come from a TOML file (--config FILE, one [[target]] table each; keys: name, endpoint, expect,
cert_min_days, cert_warn_days, plaintext_login, auth_mechanisms, login, user, password_env) and from
endpoint URL arguments, which the expectation flags (--expect, --login, --plaintext-login,
--auth-mechanisms) describe. --cert-crit and --cert-warn apply to every TLS target that does not set its
own. Targets are probed concurrently and reported in file order, then argument order.

Login passwords come from $` + PasswordEnv + `, --password-file, or a target's password_env; check never
prompts.

Output: human text (default), --json, --jsonl (a line per target, in target order, each as soon as it
and every target before it are done), --nagios (monitoring plugin); --junit FILE writes JUnit XML as
well.

With --from-file FILE (- for stdin), judge every line of a list, --concurrency at once (--shard K/N: a
stable share of the list), and print JSON Lines in completion order, each with its input line number,
then a summary line. An endpoint URL line is judged with the expectation flags and thresholds; a domain
or address line is a domain target: discovery must recommend the --incoming and --outgoing settings, or,
for the one not given, any working setting (a working endpoint with a valid certificate). Domain lines
test no login.

Exit codes: 0 every check passed (warnings allowed); 1 a check failed; 2 bad usage, a bad config file
(the message names the file, line and key) or a --junit file that cannot be written.
With --nagios: 0 OK, 1 WARNING (a check warns), 2 CRITICAL (a check failed), 3 UNKNOWN (bad usage or
config: the check could not run).`,
		Example: `  mailcheck check imaps://mail.example.com:993 --cert-crit 21 --login --user ci@example.com
  mailcheck check --expect absent pop3://mail.example.com
  mailcheck check --config mailcheck.toml --junit mailcheck-junit.xml
  mailcheck check --config mailcheck.toml --nagios --cert-warn 30 --cert-crit 14
  mailcheck check --from-file customers.txt --outgoing submission://smtp.mailhost.example:587`,
		DisableFlagParsing: true,
		RunE: func(c *cobra.Command, args []string) error {
			err := c.Flags().Parse(args)
			if err == nil && c.Flags().Changed("cert-crit") && c.Flags().Changed("cert-min-days") {
				err = errors.New("--cert-crit and --cert-min-days are the same setting: give one of them")
			}
			if err != nil {
				err = usageError("%v (see '%s --help')", err, c.CommandPath())
				if nagiosRequested(args) {
					return nagiosUnknown(ios, err)
				}
				return err
			}
			if help, _ := c.Flags().GetBool("help"); help {
				return c.Help()
			}
			opts.Endpoints = c.Flags().Args()
			opts.certWarnGiven = c.Flags().Changed("cert-warn")
			for _, name := range checkExpectationFlags {
				if c.Flags().Changed(name) {
					opts.expectationFlags = append(opts.expectationFlags, "--"+name)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return runCheck(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.ConfigFile, "config", "", "TOML `FILE` of [[target]] tables (see README)")
	f.StringVar(&opts.Expect, "expect", check.Present, "for URL arguments: present, or absent (a refused, filtered or unroutable port passes)")
	f.BoolVar(&opts.Login, "login", false, "for URL arguments: the login (--user, $"+PasswordEnv+" or --password-file) must work")
	f.StringVar(&opts.PlaintextLogin, "plaintext-login", "", "for URL arguments: password login before TLS must be refused (or offered)")
	f.StringSliceVar(&opts.AuthMechanisms, "auth-mechanisms", nil, "for URL arguments: login `METHODS` that must be offered, e.g. PLAIN,LOGIN")
	f.StringVar(&opts.Incoming, "incoming", "", "with --from-file: the incoming setting, an endpoint `URL` such as imaps://imap.example.com, that discovery must recommend for every domain or address line (default: any working one)")
	f.StringVar(&opts.Outgoing, "outgoing", "", "with --from-file: the outgoing setting, an endpoint `URL` such as submission://smtp.example.com, that discovery must recommend for every domain or address line (default: any working one)")
	f.StringVar(&opts.SPF, "spf", "", "with --from-file: every domain line's SPF record must be valid (valid)")
	f.StringVar(&opts.DMARCPolicy, "dmarc-policy", "", "with --from-file: the weakest DMARC `POLICY` accepted for every domain line: none, quarantine or reject")
	f.StringVar(&opts.MTASTS, "mta-sts", "", "with --from-file: the weakest MTA-STS `MODE` accepted for every domain line: testing or enforce")
	f.BoolVar(&opts.TLSRPT, "tls-rpt", false, "with --from-file: every domain line must publish a valid TLS-RPT record")
	f.IntVar(&opts.CertMinDays, "cert-crit", 0, "fail when a certificate expires in fewer than `DAYS` (nagios critical level; 0: no check)")
	f.IntVar(&opts.CertMinDays, "cert-min-days", 0, "the same as --cert-crit: fail below `DAYS` of validity left")
	f.IntVar(&opts.CertWarnDays, "cert-warn", probe.DefaultCertWarnDays, "warn when a certificate expires in fewer than `DAYS` (nagios warning level; as probe warns; raised to --cert-crit when that is higher; 0: no warning)")
	f.BoolVar(&opts.JSONL, "jsonl", false, "print JSON Lines: one line per target in target order, each as soon as it and those before it are done, then a summary line")
	f.StringVar(&opts.JUnitFile, "junit", "", "also write the results as JUnit XML to `FILE`")
	f.BoolVar(&opts.Nagios, "nagios", false, "print monitoring-plugin output (status line with performance data) and exit 0/1/2/3")
	opts.bulkFlags.register(f)
	f.Lookup("from-file").Usage = checkFromFileUsage
	// The probe flags, except --starttls: a check always requires STARTTLS where the URL says starttls.
	shared := pflag.NewFlagSet("probe", pflag.ContinueOnError)
	opts.probeFlags.register(shared)
	opts.credentialFlags.register(shared)
	shared.VisitAll(func(fl *pflag.Flag) {
		switch fl.Name {
		case "starttls": // a check always requires STARTTLS where the URL says starttls
			return
		case "verbose":
			fl.Usage = "text: each target's protocol transcript (passwords redacted); JSON: the probe's full result per address"
		case "quiet": // accepted like probe's, so scripts can pass it everywhere
			fl.Usage = "accepted for scripts: check never shows live progress (it streams its own lines)"
		case "user":
			fl.Usage = "login name for targets that test a login (a target's user key comes first); the password comes from $" + PasswordEnv + ", --password-file or password_env"
		}
		f.AddFlag(fl)
	})
	opts.STARTTLS = string(probe.STARTTLSRequire)
	return c
}

// nagiosRequested says whether --nagios is among the raw arguments, for errors found before or while
// parsing them.
func nagiosRequested(args []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--nagios" || (strings.HasPrefix(a, "--nagios=") && a != "--nagios=false") {
			return true
		}
	}
	return false
}

// nagiosUnknown prints an error as the plugin's UNKNOWN state on stdout (where monitoring reads it).
func nagiosUnknown(ios *IOStreams, err error) error {
	if werr := report.NagiosUnknownLine(ios.Out, err.Error()); werr != nil {
		return &ExitError{Code: report.NagiosUnknown, Err: werr}
	}
	return &ExitError{Code: report.NagiosUnknown}
}

func runCheck(ctx context.Context, opts *CheckOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.bulk() {
		return runCheckBulk(ctx, opts)
	}
	err := doCheck(ctx, opts)
	if opts.Nagios && err != nil {
		var ee *ExitError
		if errors.As(err, &ee) && ee.Err == nil {
			return err // the plugin state, already printed
		}
		return nagiosUnknown(opts.IO, err)
	}
	return err
}

func doCheck(ctx context.Context, opts *CheckOptions) error {
	formats := 0
	for _, on := range []bool{opts.JSON, opts.JSONL, opts.Nagios} {
		if on {
			formats++
		}
	}
	if formats > 1 {
		return usageError("give one of --json, --jsonl and --nagios")
	}
	if err := opts.listOnly(); err != nil {
		return err
	}
	if opts.Incoming != "" || opts.Outgoing != "" {
		return usageError("--incoming and --outgoing apply only to the domain lines of --from-file: in a config file, set the incoming and outgoing keys of a domain [[target]]")
	}
	if opts.SPF != "" || opts.DMARCPolicy != "" || opts.MTASTS != "" || opts.TLSRPT {
		return usageError("--spf, --dmarc-policy, --mta-sts and --tls-rpt apply only to the domain lines of --from-file: in a config file, set the spf, dmarc_policy, mta_sts and tls_rpt keys of a domain [[target]]")
	}
	targets, err := opts.targets()
	if err != nil {
		return err
	}
	creds, err := opts.logins(targets)
	if err != nil {
		return err
	}
	// Validate the probe flags before a file is written or anything probed.
	if _, err := opts.prober(nil); err != nil {
		return err
	}
	var junit *outfile.File
	if opts.JUnitFile != "" {
		// Created before probing, so that a path that cannot be written fails at once; it appears at
		// the path only when complete, and a symbolic link there is replaced, never followed (outfile).
		if junit, err = outfile.Create(opts.JUnitFile, 0o644); err != nil {
			return usageError("--junit: %v", err)
		}
		defer junit.Abort()
	}
	probers := make([]*probe.Prober, len(targets))
	for i := range targets {
		if probers[i], err = opts.prober(creds[i]); err != nil {
			return err
		}
	}

	var out report.CheckStream
	switch {
	case opts.JSON:
		out = report.NewCheckJSON(opts.IO.Out)
	case opts.JSONL:
		out = report.NewCheckJSONL(opts.IO.Out)
	case opts.Nagios:
		out = report.NewCheckNagios(opts.IO.Out)
	default:
		out = report.NewCheckText(opts.IO.Out, report.TextOptions{Color: opts.color(opts.IO), Verbose: opts.Verbose, Width: opts.IO.Width})
	}

	start := time.Now()
	ctx, cancel := opts.context(ctx)
	defer cancel()
	results := probeTargets(ctx, targets, probers, opts.Verbose)
	if err := out.Begin(len(targets)); err != nil {
		return err
	}
	all := make([]check.TargetResult, len(targets))
	for i := range targets {
		all[i] = <-results[i] // in target order: a slow target holds back only the output after it
		if err := out.Target(all[i]); err != nil {
			return err
		}
	}
	run := check.Summarize(all, time.Since(start))
	// JUnit first: should the file fail to be written, a monitoring plugin says UNKNOWN and nothing else.
	if junit != nil {
		if err := report.JUnit(junit, run); err != nil {
			return usageError("--junit %s: %v", opts.JUnitFile, err)
		}
		if err := junit.Commit(); err != nil {
			return usageError("--junit %s: %v", opts.JUnitFile, err)
		}
	}
	if err := out.End(run); err != nil {
		return err
	}
	if opts.Nagios {
		if st := report.NagiosState(run.Status); st != report.NagiosOK {
			return &ExitError{Code: st}
		}
		return nil
	}
	if run.Status == check.Fail {
		return problemsFound
	}
	return nil
}

// probeTargets probes every target concurrently (at most maxParallelTargets at once) and delivers each
// evaluated result on its own channel, so the caller can emit them in target order as they complete.
func probeTargets(ctx context.Context, targets []check.Target, probers []*probe.Prober, verbose bool) []chan check.TargetResult {
	results := make([]chan check.TargetResult, len(targets))
	sem := make(chan struct{}, maxParallelTargets)
	var wg sync.WaitGroup
	for i := range targets {
		results[i] = make(chan check.TargetResult, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			tr, rep := check.Probe(ctx, probers[i], targets[i])
			tr.Index = i
			if verbose {
				tr.Probe = rep.Endpoints
			}
			results[i] <- tr
		}()
	}
	return results
}

// targets reads the config file's targets, then the URL arguments'.
func (o *CheckOptions) targets() ([]check.Target, error) {
	defaults, err := o.certDefaults()
	if err != nil {
		return nil, err
	}
	var targets []check.Target
	if len(o.Endpoints) == 0 && len(o.expectationFlags) > 0 {
		return nil, usageError("the expectation flags (%s) apply only to endpoint URL arguments, and there are none: in a config file, set the keys of each [[target]]", strings.Join(o.expectationFlags, ", "))
	}
	if o.ConfigFile != "" {
		src, err := smallfile.Read(o.ConfigFile, 1<<20)
		if err != nil {
			return nil, usageError("--config %s: %v", termsafe.String(o.ConfigFile), err)
		}
		if targets, err = check.ParseConfig(o.ConfigFile, src, defaults); err != nil {
			return nil, usageError("%v", err)
		}
	}
	for i, arg := range o.Endpoints {
		spec := check.Spec{Endpoint: arg, Expect: o.Expect, Login: o.Login, PlaintextLogin: o.PlaintextLogin, AuthMechanisms: o.AuthMechanisms}
		t, err := spec.Target(defaults)
		if err != nil {
			var fe *check.FieldError
			if errors.As(err, &fe) && fe.Key != "endpoint" {
				return nil, usageError("--%s: %s", strings.ReplaceAll(fe.Key, "_", "-"), fe.Msg)
			}
			if fe != nil {
				return nil, usageError("%s", fe.Msg)
			}
			return nil, usageError("%v", err)
		}
		t.Where = fmt.Sprintf("argument %d (%s)", i+1, arg)
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		return nil, usageError("check needs endpoint URLs or --config FILE (see 'mailcheck check --help')")
	}
	return targets, nil
}

// logins returns the credentials of each target: nil unless it expects a login, so that no password goes
// to a server that is not meant to get it.
func (o *CheckOptions) logins(targets []check.Target) ([]*probe.Credentials, error) {
	creds := make([]*probe.Credentials, len(targets))
	for i, t := range targets {
		if !t.Login {
			continue
		}
		user := t.User
		if user == "" {
			user = o.User
		}
		if user == "" {
			return nil, usageError("%s: login needs a user: pass --user, or set user = \"NAME\" in the config file's target", t.Where)
		}
		if t.TokenEnv != "" {
			tok := strings.TrimSpace(o.IO.Getenv(t.TokenEnv))
			if tok == "" {
				// The name is not repeated: people paste the token itself where its variable's name belongs.
				return nil, usageError("%s: the environment variable token_env names is not set or empty", t.Where)
			}
			creds[i] = &probe.Credentials{User: user, Token: tok, OAuthMechanism: strings.ToUpper(o.OAuthMechanism)}
			continue
		}
		if t.PasswordEnv != "" {
			pw := o.IO.Getenv(t.PasswordEnv)
			if pw == "" {
				return nil, usageError("%s: the environment variable password_env names is not set or empty", t.Where)
			}
			creds[i] = &probe.Credentials{User: user, Password: pw, AllowPlaintext: o.AllowPlaintextAuth}
			continue
		}
		// --password-file or $MAILCHECK_PASSWORD; never a prompt (--user only names the login here).
		noPrompt := o.credentialFlags
		noPrompt.User, noPrompt.fs = "", nil // the user is the target's, checked above
		c, err := noPrompt.credentials(o.IO, user)
		if err != nil {
			return nil, err
		}
		if c == nil {
			return nil, usageError("%s: login needs a password: set %s, --password-file or password_env", t.Where, PasswordEnv)
		}
		creds[i] = c
		targets[i].OAuth = c.Token != ""
	}
	return creds, nil
}

// certDefaults are the certificate thresholds of targets that set none: --cert-crit, and --cert-warn, whose
// default (the 14 days below which probe and the exporter warn too) rises to --cert-crit when that is
// higher, so a certificate never fails without having warned.
func (o *CheckOptions) certDefaults() (check.Defaults, error) {
	if o.CertMinDays < 0 || o.CertWarnDays < 0 {
		return check.Defaults{}, usageError("--cert-crit and --cert-warn are days and must be 0 or more")
	}
	warn := o.CertWarnDays
	if !o.certWarnGiven && warn > 0 && warn < o.CertMinDays {
		warn = o.CertMinDays
	}
	if o.CertMinDays > 0 && warn > 0 && warn < o.CertMinDays {
		return check.Defaults{}, usageError("--cert-warn (%d) must be at least --cert-crit (%d): the warning comes before the failure", warn, o.CertMinDays)
	}
	return check.Defaults{CertMinDays: o.CertMinDays, CertWarnDays: warn}, nil
}
