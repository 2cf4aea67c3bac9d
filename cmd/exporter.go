package cmd

import (
	"context"
	"fmt"
	"net"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/exporter"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/report"
)

// ExporterOptions are the parsed arguments of `mailcheck exporter`.
type ExporterOptions struct {
	IO             *IOStreams
	Listen         string
	ModulesFile    string
	AllowTargets   []string
	AllowPrivate   []string
	Concurrency    int
	TargetInterval time.Duration
	TimeoutOffset  time.Duration
	History        int
	DebugPages     bool
	MaxConnections int
	probeFlags

	// ready, when set, receives the listening address (tests).
	ready func(addr string)
}

// NewCmdExporter builds `mailcheck exporter`; runF replaces runExporter in tests.
func NewCmdExporter(ios *IOStreams, runF func(*ExporterOptions) error) *cobra.Command {
	opts := &ExporterOptions{IO: ios}
	c := &cobra.Command{
		Use: "exporter --listen ADDR --allow-target PATTERN...",
		// SIGINT and SIGTERM are how the exporter is stopped: exit 0, not "interrupted".
		Annotations: map[string]string{annotationSignalEnds: "true"},
		Short:       "Serve probes to Prometheus: the multi-target exporter pattern (/probe?target=...)",
		Long: `Run as a Prometheus exporter. GET /probe?target=TARGET&module=NAME probes one address, domain or
endpoint URL and answers its metrics (probe_success, probe_duration_seconds,
probe_ssl_earliest_cert_expiry, mailcheck_endpoint_up, mailcheck_problem, ...; see README "Metrics");
/metrics has the exporter's own. With --debug-pages, / lists recent probes with each one's report and
redacted transcript (/probes/ID, IDs random) and &debug=true answers the report; without, they are off.

Only targets matching an --allow-target pattern are probed (example.com, *.example.com, 192.0.2.0/24,
or * for anything). Whatever the target, the exporter connects only to public addresses on the mail and
web ports (and a port the target URL names): loopback, private, link-local (169.254.169.254), unique
local, multicast and reserved addresses, their IPv4-mapped and NAT64 forms, and its own listening address
are refused as address_not_allowed, wherever a DNS record or redirect points; --allow-private CIDR allows
a range of internal servers. A server that is not a mail service is reported without its words.
Modules come from a TOML file (--config): timeouts, STARTTLS policy, certificate
warning days, expectations as in a check target (expect, cert_min_days, plaintext_login,
auth_mechanisms: probe_success is then the verdict) and a login whose password is named by password_env
or password_file. A login module is bound to its account: it refuses (403) targets outside the domain of
its user (or its login_hosts), and the exporter does not start when --allow-target is * or a pattern
wider than that domain. A query carrying a credential (password=, token=, user:password@...) is refused
with 400, as is a target with a control character or longer than an address or host can be. One probe per
target and module runs per --target-interval, whatever the spelling (case, a trailing dot or slash, the
port written or not; an address counts as its domain); other scrapes share its result. A probe's deadline
counts from the scrape's arrival: the scrape timeout Prometheus sends (minus --timeout-offset) or the
module's max_time, time spent waiting for a slot included.

Bounds: memory, --history probes' reports (each at most 2 MiB of transcripts) and the metrics of the
probes of the last --target-interval (at most 10000 targets, 16 MiB); --max-connections connections,
each dropped after 10 s without a full request, 15 s idle, or the longest max_time plus 10 s for an
answer.

Exit codes: 0 stopped by SIGINT/SIGTERM; 2 bad usage, a bad modules file, a login module with an
--allow-target wider than its account's domain, or an address that cannot be listened on.`,
		Example: `  mailcheck exporter --listen :9916 --allow-target '*.example.com'
  mailcheck exporter --listen 127.0.0.1:9916 --config mailcheck-exporter.toml --allow-target example.com --allow-target example.org
  curl 'http://127.0.0.1:9916/probe?target=example.com&module=default'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runExporter(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Listen, "listen", "localhost:9916", "`ADDR` to serve HTTP on, host:port")
	f.StringVar(&opts.ModulesFile, "config", "", "TOML `FILE` of [module.NAME] tables (see README); without it only the module \"default\"")
	f.StringArrayVar(&opts.AllowTargets, "allow-target", nil, "`PATTERN` of targets that may be probed: example.com, *.example.com, 192.0.2.0/24 or *; repeat for more (required)")
	f.StringArrayVar(&opts.AllowPrivate, "allow-private", nil, "`CIDR` of internal addresses the probes may connect to (e.g. 10.1.0.0/16, fd00::/8), which are refused by default; repeat for more")
	f.IntVar(&opts.Concurrency, "concurrency", 16, "probes running at once; a scrape that finds no free slot before its deadline gets 503")
	f.DurationVar(&opts.TargetInterval, "target-interval", 15*time.Second, "shortest time between two probes of one target and module; scrapes in between get the last result (0: no limit)")
	f.DurationVar(&opts.TimeoutOffset, "timeout-offset", 500*time.Millisecond, "taken off Prometheus' scrape timeout (header "+exporter.ScrapeTimeoutHeader+") for the answer's way back")
	f.IntVar(&opts.History, "history", 100, "recent probes kept for the debug pages (with --debug-pages); each keeps at most 2 MiB of transcripts")
	f.BoolVar(&opts.DebugPages, "debug-pages", false, "serve the debug pages: / lists recent probes, /probes/ID and &debug=true show reports and transcripts to anyone who can reach the exporter")
	f.IntVar(&opts.MaxConnections, "max-connections", exporter.DefaultMaxConnections, "HTTP connections open at once; more wait to be accepted")
	f.StringVar(&opts.Resolver, "resolver", "", "DNS server to ask, as IP[:port] (default: the servers in /etc/resolv.conf)")
	f.StringVar(&opts.CAFile, "ca-file", "", "PEM file of extra trusted root certificates (SSL_CERT_FILE and SSL_CERT_DIR also work)")
	opts.registerISPDB(f)
	opts.fs = f
	opts.Timeout, opts.MaxTime, opts.STARTTLS, opts.Color = probe.DefaultTimeout, probe.DefaultMaxTime, string(probe.DefaultSTARTTLS), ColorAuto
	return c
}

func runExporter(ctx context.Context, opts *ExporterOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	allow, err := exporter.ParseAllowList(opts.AllowTargets)
	if err != nil {
		return usageError("%v", err)
	}
	private, err := netpolicy.ParseAllow(opts.AllowPrivate)
	if err != nil {
		return usageError("%v", err)
	}
	mods, err := exporter.LoadModules(opts.ModulesFile)
	if err != nil {
		return usageError("--config: %v", err)
	}
	if err := exporter.CheckLoginScope(mods, allow); err != nil {
		return usageError("%v", err)
	}
	if opts.History < 0 {
		return usageError("--history must be 0 or more")
	}
	if opts.MaxConnections < 1 {
		return usageError("--max-connections must be at least 1")
	}
	p, err := opts.prober(nil)
	if err != nil {
		return err
	}
	exp, err := exporter.New(exporter.Config{
		Modules: mods, Base: p.Config(), Getenv: opts.IO.Getenv, Allow: allow,
		Concurrency: opts.Concurrency, TargetInterval: opts.TargetInterval, TimeoutOffset: opts.TimeoutOffset,
		History: opts.History, DebugPages: opts.DebugPages, MaxConnections: opts.MaxConnections,
		View: report.ExporterView{}, Policy: netpolicy.New(private),
	})
	if err != nil {
		return usageError("%v", err)
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return usageError("--listen %s: %v", opts.Listen, err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "mailcheck exporter: listening on http://%s/ (%d module(s))\n", ln.Addr(), len(mods))
	if opts.ready != nil {
		opts.ready(ln.Addr().String())
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := exp.Serve(ctx, ln); err != nil {
		return &ExitError{Code: ExitProblems, Err: fmt.Errorf("exporter: %v", err)}
	}
	return nil
}
