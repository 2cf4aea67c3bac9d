package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/internal/termsafe"
	"github.com/mailcheck/mailcheck/probe/explain"
	"github.com/mailcheck/mailcheck/probe/posture"
	"github.com/mailcheck/mailcheck/report"
)

// runExplainPosture explains, then runs the posture checks of the sending domain (and address) read
// from the paste; the headline says what is still wrong and the record that fixes it, or that the
// records are fine now. Exit 0 when they are, 1 otherwise.
func runExplainPosture(ctx context.Context, opts *ExplainOptions, e explain.Explanation, t posture.Target, evidence []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	stopProgress := opts.startProgress(opts.IO, t.Domain)
	defer stopProgress()
	p, err := opts.prober(nil)
	if err != nil {
		return err
	}
	ctx, cancel := opts.context(ctx)
	defer cancel()
	rep := posture.Run(ctx, &posture.Env{Resolver: p.DNS(), Get: p.GetPolicy, Timeout: opts.MaxTime}, t)
	stopProgress()
	v := posture.Judge(e, rep)
	if opts.JSON {
		err = report.JSON(opts.IO.Out, struct {
			Explanation explain.Explanation `json:"explanation"`
			Verdict     explain.Verdict     `json:"verdict"`
			ReadFrom    []string            `json:"read_from"`
			Posture     *posture.Report     `json:"posture"`
		}{e, v, evidence, rep})
	} else {
		color := opts.color(opts.IO)
		if err = report.ExplainText(opts.IO.Out, e, color); err == nil {
			fmt.Fprintf(opts.IO.Out, "\nThe sending domain's records (read from the paste: %s): %s\n\n",
				termsafe.String(strings.Join(evidence, " | ")), termsafe.String(v.Summary))
			err = report.PostureText(opts.IO.Out, rep, report.TextOptions{Color: color, Verbose: opts.Verbose})
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
