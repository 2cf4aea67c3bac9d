package cmd

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/bulk"
	"github.com/mailcheck/mailcheck/probe/check"
	"github.com/mailcheck/mailcheck/report"
)

// runCheckBulk judges every line of --from-file, --concurrency at once, and streams JSON Lines in
// completion order: an endpoint URL with the expectation flags, a domain or address as a domain target
// (--incoming/--outgoing, else any working settings).
func runCheckBulk(ctx context.Context, opts *CheckOptions) error {
	f := &opts.bulkFlags
	switch {
	case len(opts.Endpoints) > 0 || opts.ConfigFile != "":
		return usageError("give the targets either as arguments and --config or in --from-file, not both")
	case opts.JSON || opts.Nagios || opts.JUnitFile != "":
		return usageError("--from-file prints JSON Lines as targets complete: --json, --nagios and --junit do not apply")
	}
	shard, err := f.parse()
	if err != nil {
		return err
	}
	defaults, err := opts.certDefaults()
	if err != nil {
		return err
	}
	spec := func(line string) check.Spec {
		if !strings.Contains(line, "://") {
			return check.Spec{Domain: line, Incoming: opts.Incoming, Outgoing: opts.Outgoing, AnySettings: true,
				SPF: opts.SPF, DMARCPolicy: opts.DMARCPolicy, MTASTS: opts.MTASTS, TLSRPT: opts.TLSRPT}
		}
		return check.Spec{Endpoint: line, Expect: opts.Expect, Login: opts.Login, PlaintextLogin: opts.PlaintextLogin, AuthMechanisms: opts.AuthMechanisms}
	}
	// The flags are checked once, on stand-in lines, so that a bad flag is a usage error and not one
	// error line per target.
	for _, stand := range []string{"imaps://flags.invalid", "flags.invalid"} {
		if _, err := spec(stand).Target(defaults); err != nil {
			var fe *check.FieldError
			if errors.As(err, &fe) {
				return usageError("--%s: %s", strings.ReplaceAll(fe.Key, "_", "-"), fe.Msg)
			}
			return usageError("%v", err)
		}
	}
	var creds *probe.Credentials
	if opts.Login {
		// The listed endpoints are the user's own, named one by one, as URL arguments are.
		c, err := opts.logins([]check.Target{{Login: true, Where: "--from-file"}})
		if err != nil {
			return err
		}
		creds = c[0]
	}
	return runBulkList(ctx, f, &opts.probeFlags, opts.IO, creds, shard, report.NewCheckLines(opts.IO.Out),
		func(ctx context.Context, p *probe.Prober, l bulk.Line) (check.TargetResult, error) {
			t, err := spec(l.Text).Target(defaults)
			if err != nil {
				var fe *check.FieldError
				if errors.As(err, &fe) {
					err = errors.New(fe.Msg)
				}
				return check.TargetResult{}, err
			}
			tr, rep := check.Probe(ctx, p, t)
			tr.Index = l.Number - 1 // as in a config file: the line, counted from 0
			if opts.Verbose {
				tr.Probe = rep.Endpoints
			}
			return tr, nil
		})
}

// parse checks the list flags and reads --shard.
func (f *bulkFlags) parse() (bulk.Shard, error) {
	if f.Concurrency < 1 || f.PerServer < 0 {
		return bulk.Shard{}, usageError("--concurrency must be at least 1 and --per-server 0 or more")
	}
	if f.Shard == "" {
		return bulk.Shard{}, nil
	}
	shard, err := bulk.ParseShard(f.Shard)
	if err != nil {
		return shard, usageError("%v", err)
	}
	return shard, nil
}

// open opens --from-file, or stdin for "-".
func (f *bulkFlags) open(stdin io.Reader) (io.Reader, func(), error) {
	if f.FromFile == "-" {
		return stdin, func() {}, nil
	}
	file, err := os.Open(f.FromFile)
	if err != nil {
		return nil, nil, usageError("--from-file: %v", err)
	}
	if st, err := file.Stat(); err == nil && st.IsDir() {
		file.Close()
		return nil, nil, usageError("--from-file %s is a directory: give a file with one target per line", f.FromFile)
	}
	return file, func() { file.Close() }, nil
}

// checkFromFileUsage is --from-file's help in check.
const checkFromFileUsage = "judge every target listed in `FILE` (one endpoint URL, domain or address per line; - for stdin) and print JSON Lines as they complete"
