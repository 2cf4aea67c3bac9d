package report

import (
	"io"
	"strings"

	"github.com/mailcheck/mailcheck/probe/posture"
)

// postureLabels are the checks' names in the report.
var postureLabels = map[string]string{
	"spf": "SPF", "dmarc": "DMARC", "dkim": "DKIM", "mta_sts": "MTA-STS", "tls_rpt": "TLS-RPT",
	"reverse_dns": "Reverse DNS", "dnsbl": "Blocklists", "dane": "DANE",
}

// PostureText writes the "Mail posture" section: one line per check with its verdict and meaning, then
// the record found and the record to publish or change; -v adds each check's trace.
func PostureText(w io.Writer, rep *posture.Report, opt TextOptions) error {
	if rep == nil {
		return nil
	}
	pal := newPalette(opt.Color)
	b := &strings.Builder{}
	fprintf(b, "%s %s %s\n", pal.head("Mail posture of"), rep.Domain, pal.dim("(DNS: "+rep.Resolver+", "+fmtMS(rep.TimeMS)+")"))
	verdicts := map[posture.Verdict]func(a ...any) styled{
		posture.OK: pal.ok, posture.Warn: pal.warn, posture.Fail: pal.fail, posture.Absent: pal.warn, posture.Unknown: pal.dim,
	}
	for _, f := range rep.Checks {
		paint := verdicts[f.Verdict]
		if paint == nil {
			paint = pal.dim
		}
		label := postureLabels[f.Check]
		if label == "" {
			label = f.Check
		}
		fprintf(b, "  %s %s %s\n", paint(padRight(strings.ToUpper(string(f.Verdict)), 7)), pal.head(padRight(label, 12)), f.Meaning)
		for _, r := range f.Records {
			fprintf(b, "  %s %s %s\n", padRight("", 7), padRight("", 12), pal.dim("found: "+clipLine(r)))
		}
		for _, in := range f.Instructions {
			fprintf(b, "  %s %s %s %s\n", padRight("", 7), padRight("", 12), pal.info("→"), in)
		}
		if opt.Verbose {
			for _, tr := range f.Trace {
				fprintf(b, "  %s %s %s\n", padRight("", 7), padRight("", 12), pal.dim("· "+tr))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

// clipLine keeps a found record on one line of the report (the JSON has it whole).
func clipLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		return strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}
