package cmd

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/bulk"
	"github.com/mailcheck/mailcheck/report"
)

// bulkFlags are probe's flags for a list of targets (--from-file).
type bulkFlags struct {
	FromFile    string
	Concurrency int
	PerServer   int
	Shard       string
}

func (f *bulkFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.FromFile, "from-file", "", "probe every target listed in `FILE` (one address, domain or URL per line; - for stdin) and print JSON Lines as they complete")
	fs.IntVar(&f.Concurrency, "concurrency", 16, "with --from-file: targets probed at once")
	fs.IntVar(&f.PerServer, "per-server", 8, "with --from-file: connections open at once to one server address, across all targets (0: no limit)")
	fs.StringVar(&f.Shard, "shard", "", "with --from-file: probe only share `K/N` of the list (a stable hash of each line), e.g. 2/8")
}

// bulk says whether a list run was asked for.
func (f *bulkFlags) bulk() bool { return f.FromFile != "" }

// runProbeBulk probes every line of --from-file, --concurrency at once, and streams the results.
func runProbeBulk(ctx context.Context, opts *ProbeOptions) error {
	f := &opts.bulkFlags
	if len(opts.Targets) > 0 {
		return usageError("give the targets either as arguments or in --from-file, not both")
	}
	if opts.User != "" || opts.PasswordFile != "" {
		return usageError("--from-file runs test no logins: one password for a list of domains would go to every one of their servers")
	}
	shard, err := f.parse()
	if err != nil {
		return err
	}
	base, err := opts.prober(nil)
	if err != nil {
		return err
	}
	cfg := base.Config()
	cfg.Dialer = &bulk.LimitDialer{Next: cfg.Dialer, PerAddress: f.PerServer}
	p := probe.NewProber(cfg)

	in, closeIn, err := f.open(opts.IO.In)
	if err != nil {
		return err
	}
	defer closeIn()
	out := report.NewProbeLines(opts.IO.Out)
	type outcome struct {
		rep *probe.Report
		err error
	}
	start := time.Now()
	st, err := bulk.Run(ctx, in, bulk.Options{Concurrency: f.Concurrency, Shard: shard},
		func(ctx context.Context, l bulk.Line) outcome {
			if l.Err != nil {
				return outcome{err: l.Err}
			}
			req, err := probe.ParseRequest(l.Text)
			if err != nil {
				return outcome{err: err}
			}
			req.ApplySTARTTLS(probe.STARTTLSPolicy(opts.STARTTLS))
			lctx, cancel := opts.context(ctx) // --max-time is per target
			defer cancel()
			return outcome{rep: p.Fresh().Run(lctx, req)}
		},
		func(l bulk.Line, o outcome) error {
			if o.err != nil {
				return out.Error(l, o.err)
			}
			return out.Target(l, o.rep)
		})
	if err != nil {
		return &ExitError{Code: ExitProblems, Err: err}
	}
	if err := out.Summary(st, shard, time.Since(start)); err != nil {
		return &ExitError{Code: ExitProblems, Err: err}
	}
	if c := out.Counts(); c.Fail > 0 || c.Error > 0 {
		return problemsFound
	}
	return nil
}
