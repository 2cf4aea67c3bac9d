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

	fs *pflag.FlagSet
}

func (f *bulkFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.FromFile, "from-file", "", "probe every target listed in `FILE` (one address, domain or URL per line; - for stdin) and print JSON Lines as they complete")
	fs.IntVar(&f.Concurrency, "concurrency", 16, "with --from-file: targets probed at once")
	fs.IntVar(&f.PerServer, "per-server", 8, "with --from-file: connections open at once to one server address, across all targets (0: no limit)")
	fs.StringVar(&f.Shard, "shard", "", "with --from-file: probe only share `K/N` of the list (a stable hash of each line), e.g. 2/8")
}

// bulk says whether a list run was asked for.
func (f *bulkFlags) bulk() bool { return f.FromFile != "" }

// listOnly refuses the list flags without --from-file, where they would be silently ignored.
func (f *bulkFlags) listOnly() error {
	if f.bulk() || f.fs == nil {
		return nil
	}
	for _, name := range []string{"concurrency", "per-server", "shard"} {
		if f.fs.Changed(name) {
			return usageError("--%s works only with --from-file", name)
		}
	}
	return nil
}

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
	return runBulkList(ctx, f, &opts.probeFlags, opts.IO, nil, shard, report.NewProbeLines(opts.IO.Out),
		func(ctx context.Context, p *probe.Prober, l bulk.Line) (*probe.Report, error) {
			req, err := probe.ParseRequest(l.Text)
			if err != nil {
				return nil, err
			}
			req.ApplySTARTTLS(probe.STARTTLSPolicy(opts.STARTTLS))
			return p.Run(ctx, req), nil
		})
}

// bulkSink is where a bulk run's lines go: report.ProbeLines or report.CheckLines.
type bulkSink[T any] interface {
	Target(bulk.Line, T) error
	Error(bulk.Line, error) error
	Summary(bulk.Stats, bulk.Shard, time.Duration) error
	Failed() bool
}

// runBulkList runs one judge per line of --from-file, --concurrency at once, each with a fresh prober
// (whose connections count against --per-server) and its own --max-time, and streams what it returns.
func runBulkList[T any](ctx context.Context, f *bulkFlags, pf *probeFlags, ios *IOStreams, creds *probe.Credentials,
	shard bulk.Shard, sink bulkSink[T], judge func(ctx context.Context, p *probe.Prober, l bulk.Line) (T, error)) error {
	base, err := pf.prober(creds)
	if err != nil {
		return err
	}
	cfg := base.Config()
	cfg.Dialer = &bulk.LimitDialer{Next: cfg.Dialer, PerAddress: f.PerServer}
	p := probe.NewProber(cfg)
	in, closeIn, err := f.open(ios.In)
	if err != nil {
		return err
	}
	defer closeIn()
	type outcome struct {
		v   T
		err error
	}
	start := time.Now()
	st, err := bulk.Run(ctx, in, bulk.Options{Concurrency: f.Concurrency, Shard: shard},
		func(ctx context.Context, l bulk.Line) outcome {
			if l.Err != nil {
				return outcome{err: l.Err}
			}
			lctx, cancel := pf.context(ctx) // --max-time is per target
			defer cancel()
			v, err := judge(lctx, p.Fresh(), l)
			return outcome{v, err}
		},
		func(l bulk.Line, o outcome) error {
			if o.err != nil {
				return sink.Error(l, o.err)
			}
			return sink.Target(l, o.v)
		})
	if err != nil {
		return &ExitError{Code: ExitProblems, Err: err}
	}
	if err := sink.Summary(st, shard, time.Since(start)); err != nil {
		return &ExitError{Code: ExitProblems, Err: err}
	}
	if st.Targets == 0 && st.OtherShards == 0 {
		// An empty list (or a closed stdin) checked nothing: that is no pass.
		return usageError("--from-file %s lists no targets (only blank and # lines, or nothing): nothing was checked", f.FromFile)
	}
	if sink.Failed() {
		return problemsFound
	}
	return nil
}
