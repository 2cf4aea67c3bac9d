package report

import (
	"github.com/mailcheck/mailcheck/internal/textwrap"
	"io"
	"strings"

	"github.com/mailcheck/mailcheck/probe"
)

// SendText writes a send transcript: each step with the server's reply, then the verdict and, for a
// refusal, what it means and what to do.
func SendText(w io.Writer, res *probe.SendResult, opt TextOptions) error {
	w = textwrap.NewWriter(w, opt.Width)
	pal := newPalette(opt.Color)
	b := &strings.Builder{}
	mode := ""
	if res.DryRun {
		mode = " (dry run: stops before DATA)"
	}
	fprintf(b, "%s send via %s%s\n  from %s to %s\n\n", pal.head("mailcheck"), res.Server, mode, res.From, strings.Join(res.To, ", "))
	for _, st := range res.Steps {
		m := pal.ok("✓")
		if !st.OK {
			m = pal.fail("✗")
		}
		cmd := st.Command
		if cmd == "" {
			cmd = st.Step
		}
		fprintf(b, "  %s %-34s %s %s\n", m, cmd, pal.dim("→"), st.Reply)
	}
	if opt.Verbose && len(res.Transcript) > 0 {
		fprintln(b, "\n"+pal.head("Transcript"))
		for _, l := range res.Transcript {
			fprintf(b, "  %s\n", pal.dim(l))
		}
	}
	fprintln(b)
	switch {
	case res.Delivered:
		fprintf(b, "%s The server accepted the message %s for delivery.\n", pal.ok("Result: SENT —"), res.MessageID)
	case res.Accepted:
		fprintf(b, "%s The server would accept this message (nothing was delivered).\n", pal.ok("Result: ACCEPTED —"))
	default:
		fprintf(b, "%s\n", pal.fail("Result: REFUSED"))
	}
	if p := res.Problem; p != nil {
		fprintf(b, "\n  %s %s %s\n", pal.fail("✗"), pal.head(p.Title()), pal.dim("["+p.Code+"]"))
		fprintf(b, "      • %s\n", p.Summary)
		fprintf(b, "    What it means: %s\n", p.Explanation)
		fprintf(b, "    What to do:    %s\n", p.Fix)
		if len(p.ClientErrors) > 0 {
			fprintf(b, "    Mail clients show: %s\n", strings.Join(p.ClientErrors, "; "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
