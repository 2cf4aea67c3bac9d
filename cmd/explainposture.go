package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/internal/termsafe"
	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/explain"
	"github.com/mailcheck/mailcheck/probe/posture"
	"github.com/mailcheck/mailcheck/report"
)

// postureProblems are the diagnoses the sending domain's posture can confirm: sender authentication
// (SPF, DKIM, DMARC) and reputation (blocklists, reverse DNS).
var postureProblems = map[string][]string{
	catalog.AuthenticationPolicy: {"spf", "dmarc", "dkim"},
	catalog.SenderBlocklisted:    {"dnsbl", "reverse_dns"},
}

// postureTargetOf says whether explain --probe should check the sending domain's posture instead of
// re-testing an endpoint: the diagnosis is one posture can confirm and the paste names the domain.
func postureTargetOf(e explain.Explanation, text string) (posture.Target, []string, bool) {
	if _, ok := postureProblems[e.Problem]; !ok {
		return posture.Target{}, nil, false
	}
	t, evidence, ok := posture.FromBounce(text)
	t.Only = postureProblems[e.Problem] // exactly the checks that can confirm the diagnosis
	return t, evidence, ok
}

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
	v := judgePosture(e, rep)
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

// judgePosture says whether the checks that can confirm the diagnosis still find it: a check of the
// diagnosis that fails or finds no record keeps it there, and the summary names the first such check and
// the record that fixes it.
func judgePosture(e explain.Explanation, rep *posture.Report) explain.Verdict {
	var wrong, unknown []string
	fix := ""
	for _, name := range postureProblems[e.Problem] {
		f := rep.Find(name)
		if f == nil {
			continue
		}
		switch f.Verdict {
		case posture.Fail, posture.Absent:
			wrong = append(wrong, strings.ToUpper(name)+": "+f.Meaning)
			if fix == "" && len(f.Instructions) > 0 {
				fix = f.Instructions[0]
			}
		case posture.Unknown:
			unknown = append(unknown, name)
		}
	}
	switch {
	case len(wrong) > 0:
		s := "still wrong — " + strings.Join(wrong, "; ")
		if fix != "" {
			s += ". Fix: " + fix
		}
		return explain.Verdict{StillThere: true, Summary: s}
	case len(unknown) > 0:
		return explain.Verdict{Summary: "could not be checked (" + strings.Join(unknown, ", ") + "): see below"}
	}
	return explain.Verdict{Works: true, Summary: "the records are fine now (the refusal may be older than the last change, or come from something the records cannot show, such as a message without a DKIM signature)"}
}
