package cmd

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/internal/smallfile"
	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/discover"
	"github.com/mailcheck/mailcheck/report"
)

// probeFlags are the flags every command that probes shares.
type probeFlags struct {
	Resolver string
	Timeout  time.Duration
	MaxTime  time.Duration
	CAFile   string
	STARTTLS string
	Verbose  bool
	JSON     bool
	// Format is --format (probe and demo): a name of report.Formats; "" is text, or json with --json.
	Format string
	// Timeline is --timeline: the text report ends with the run's waterfall.
	Timeline bool
	NoColor  bool
	Color    string
	Quiet    bool
	// ISPDB is Mozilla's ISPDB or a mirror (https:// URL prefix or a directory); NoISPDB never asks it.
	ISPDB   string
	NoISPDB bool

	// fs is where the flags were registered, to tell an empty value from an absent flag.
	fs *pflag.FlagSet

	// dialer and resolver replace the network in the demo and in tests.
	dialer   probe.Dialer
	resolver *probe.Resolver
	rootCAs  *x509.CertPool
	// progress is the live display's hook while one is shown (progress.go).
	progress probe.Progress
}

func (f *probeFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.Resolver, "resolver", "", "DNS server to ask, as IP or IP:port; default: the servers in /etc/resolv.conf")
	fs.DurationVar(&f.Timeout, "timeout", probe.DefaultTimeout, "time limit for each step: one DNS query, connect, handshake or command")
	fs.DurationVar(&f.MaxTime, "max-time", probe.DefaultMaxTime, "time limit for the whole run")
	fs.StringVar(&f.CAFile, "ca-file", "", "PEM file of extra trusted root certificates (SSL_CERT_FILE and SSL_CERT_DIR also work)")
	fs.StringVar(&f.STARTTLS, "starttls", string(probe.DefaultSTARTTLS), "upgrade plain-port endpoints: no, try or require")
	fs.BoolVarP(&f.Verbose, "verbose", "v", false, "show everything: the discovery and DNS answers, every endpoint, what each problem means, the protocol transcripts (passwords redacted)")
	fs.BoolVar(&f.JSON, "json", false, "print the result as JSON (schema in README)")
	fs.BoolVar(&f.NoColor, "no-color", false, "no colours: the same as --color=never")
	fs.BoolVarP(&f.Quiet, "quiet", "q", false, "no live progress on stderr (it is shown only when stderr is a terminal, never with --json or when CI is set)")
	fs.StringVar(&f.Color, "color", ColorAuto, "colours: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always (e.g. for less -R) or never")
	f.registerISPDB(fs)
}

// registerFormat adds --format, for the commands that print a probe report (probe, demo).
func (f *probeFlags) registerFormat(fs *pflag.FlagSet) {
	var names []string
	for _, fm := range report.Formats {
		names = append(names, fm.Name)
	}
	fs.StringVar(&f.Format, "format", "", "output format: "+strings.Join(names, ", ")+" (default text; --json is --format json; see README)")
	fs.BoolVar(&f.Timeline, "timeline", false, "end the text report with the run as a waterfall: every DNS query, discovery fetch, connection and login on one time scale, the critical path marked (JSON always has started_ms)")
}

// formatName is the output format asked for.
func (f *probeFlags) formatName() string {
	switch {
	case f.Format != "":
		return f.Format
	case f.JSON:
		return "json"
	}
	return "text"
}

// registerISPDB adds --ispdb and --no-ispdb, for every command that discovers a domain's servers.
func (f *probeFlags) registerISPDB(fs *pflag.FlagSet) {
	fs.StringVar(&f.ISPDB, "ispdb", discover.DefaultISPDB, "Mozilla's ISPDB of provider settings, or a mirror: an https:// URL the domain is appended to, or a directory of DOMAIN.xml files (asking sends the domain name there)")
	fs.BoolVar(&f.NoISPDB, "no-ispdb", false, "never ask the ISPDB (nor a mirror) about the domain or its MX provider")
}

// color says whether stdout gets colours, from --color, --no-color and the environment.
func (f *probeFlags) color(ios *IOStreams) bool {
	if f.NoColor {
		return false
	}
	return ios.ColorEnabled(f.Color)
}

// validate checks flag values; errors are usage errors.
func (f *probeFlags) validate() error {
	if f.Timeout <= 0 {
		return usageError("--timeout must be positive, e.g. 5s")
	}
	if f.fs != nil && f.fs.Changed("resolver") && f.Resolver == "" {
		return usageError("--resolver is empty: give a DNS server as IP[:port], or leave the flag out to use /etc/resolv.conf")
	}
	if f.MaxTime <= 0 {
		return usageError("--max-time must be positive, e.g. 30s")
	}
	switch f.Color {
	case ColorAuto, ColorAlways, ColorNever:
	default:
		return usageError("--color must be auto, always or never, not %q", f.Color)
	}
	if f.NoColor && f.fs != nil && f.fs.Changed("color") && f.Color != ColorNever {
		return usageError("--no-color and --color=%s contradict each other: give one", f.Color)
	}
	if f.fs != nil && f.NoISPDB && f.fs.Changed("ispdb") {
		return usageError("--ispdb and --no-ispdb contradict each other: give one")
	}
	if !f.NoISPDB && !strings.HasPrefix(f.ISPDB, "https://") {
		if st, err := os.Stat(f.ISPDB); err != nil || !st.IsDir() {
			return usageError("--ispdb %q is neither an https:// URL nor a directory", f.ISPDB)
		}
	}
	if f.Format != "" {
		if _, ok := report.FormatNamed(f.Format); !ok {
			return usageError("--format %q is not a format: give text, json, markdown or settings", f.Format)
		}
		if f.JSON && f.Format != "json" {
			return usageError("--json and --format %s contradict each other: give one", f.Format)
		}
	}
	if f.Timeline && f.formatName() != "text" {
		return usageError("--timeline draws on the text report; the %s output has started_ms and time_ms for every step", f.formatName())
	}
	switch probe.STARTTLSPolicy(f.STARTTLS) {
	case probe.STARTTLSNo, probe.STARTTLSTry, probe.STARTTLSRequire:
	default:
		return usageError("--starttls must be no, try or require, not %q", f.STARTTLS)
	}
	return nil
}

// context is the run's overall deadline.
func (f *probeFlags) context(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, f.MaxTime)
}

// prober builds a Prober from the flags: resolver, trusted roots, dialer.
func (f *probeFlags) prober(creds *probe.Credentials) (*probe.Prober, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	res := f.resolver
	if res == nil {
		if f.Resolver != "" {
			addr, err := probe.ParseResolverAddr(f.Resolver)
			if err != nil {
				return nil, usageError("%v", err)
			}
			res = &probe.Resolver{Servers: []string{addr}, Timeout: f.Timeout}
		} else {
			var err error
			if res, err = probe.SystemResolver("/etc/resolv.conf", f.Timeout); err != nil {
				return nil, &ExitError{Code: ExitProblems, Err: err}
			}
		}
	}
	roots := f.rootCAs
	if roots == nil {
		var err error
		if roots, err = loadRoots(f.CAFile, time.Now().Add(f.MaxTime)); err != nil {
			return nil, usageError("%v", err)
		}
	}
	dialer := f.dialer
	if dialer == nil {
		dialer = &net.Dialer{}
	}
	return probe.NewProber(probe.Config{
		Resolver:     res,
		Dialer:       dialer,
		RootCAs:      roots,
		Timeout:      f.Timeout,
		STARTTLS:     probe.STARTTLSPolicy(f.STARTTLS),
		Transcript:   f.Verbose,
		CertWarnDays: probe.DefaultCertWarnDays,
		Credentials:  creds,
		Progress:     f.progress,
		ISPDB:        f.ispdb(),
	}), nil
}

// ispdb is where discovery asks the ISPDB, "" for nowhere.
func (f *probeFlags) ispdb() string {
	if f.NoISPDB {
		return ""
	}
	return f.ISPDB
}

// loadRoots is the system pool (which reads SSL_CERT_FILE and SSL_CERT_DIR) plus --ca-file, read by
// deadline (the run's --max-time: a file slower than that could not serve the run anyway).
func loadRoots(caFile string, deadline time.Time) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if caFile == "" {
		return pool, nil
	}
	pem, _, err := smallfile.ReadBy(caFile, 16<<20, deadline) // the whole Mozilla bundle is ~200 KiB
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %v", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate found in it", caFile)
	}
	return pool, nil
}
