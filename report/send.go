package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailcheck/mailcheck/probe"
)

// SendText writes a send transcript: each step with the server's reply, then the verdict and, for a
// refusal, what it means and what to do.
func SendText(w io.Writer, res *probe.SendResult, opt TextOptions) error {
	pal := newPalette(opt.Color)
	b := &strings.Builder{}
	mode := ""
	if res.DryRun {
		mode = " (dry run: stops before DATA)"
	}
	fmt.Fprintf(b, "%s send via %s%s\n  from %s to %s\n\n", pal.head("mailcheck"), res.Server, mode, res.From, strings.Join(res.To, ", "))
	for _, st := range res.Steps {
		m := pal.ok("✓")
		if !st.OK {
			m = pal.fail("✗")
		}
		cmd := st.Command
		if cmd == "" {
			cmd = st.Step
		}
		fmt.Fprintf(b, "  %s %-34s %s %s\n", m, cmd, pal.dim("→"), st.Reply)
	}
	if opt.Verbose && len(res.Transcript) > 0 {
		fmt.Fprintln(b, "\n"+pal.head("Transcript"))
		for _, l := range res.Transcript {
			fmt.Fprintf(b, "  %s\n", pal.dim(l))
		}
	}
	fmt.Fprintln(b)
	switch {
	case res.Delivered:
		fmt.Fprintf(b, "%s The server accepted the message %s for delivery.\n", pal.ok("Result: SENT —"), res.MessageID)
	case res.Accepted:
		fmt.Fprintf(b, "%s The server would accept this message (nothing was delivered).\n", pal.ok("Result: ACCEPTED —"))
	default:
		fmt.Fprintf(b, "%s\n", pal.fail("Result: REFUSED"))
	}
	if p := res.Problem; p != nil {
		fmt.Fprintf(b, "\n  %s %s %s\n", pal.fail("✗"), pal.head(p.Title()), pal.dim("["+p.Code+"]"))
		fmt.Fprintf(b, "      • %s\n", p.Summary)
		fmt.Fprintf(b, "    What it means: %s\n", p.Explanation)
		fmt.Fprintf(b, "    What to do:    %s\n", p.Fix)
		if len(p.ClientErrors) > 0 {
			fmt.Fprintf(b, "    Mail clients show: %s\n", strings.Join(p.ClientErrors, "; "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
