package cmd

import (
	"context"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
	"github.com/spf13/pflag"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/posture"
	"github.com/mailcheck/mailcheck/report"
)

// postureFlags ask probe (and demo) to check the domain's mail posture beside the probe.
type postureFlags struct {
	Posture      bool
	SendingIP    string
	DKIMSelector string

	sendingIP netip.Addr
}

func (f *postureFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.Posture, "posture", false, "also check the domain's mail posture: SPF, DMARC, MTA-STS, TLS-RPT (and DKIM, reverse DNS, blocklists with the flags below)")
	fs.StringVar(&f.SendingIP, "sending-ip", "", "with --posture: the address the domain's mail leaves from: its SPF result, reverse DNS and DNS blocklists")
	fs.StringVar(&f.DKIMSelector, "dkim-selector", "", "with --posture: the DKIM selector whose key to check (the s= of a DKIM-Signature header)")
}

// validate checks the posture flags; errors are usage errors.
func (f *postureFlags) validate(format string) error {
	if !f.Posture {
		if f.SendingIP != "" || f.DKIMSelector != "" {
			return usageError("--sending-ip and --dkim-selector go with --posture")
		}
		return nil
	}
	if format != "text" && format != "json" {
		return usageError("--posture shows its section in the text and JSON reports: --format %s does not apply", format)
	}
	if f.SendingIP != "" {
		a, err := netip.ParseAddr(f.SendingIP)
		if err != nil || a.Zone() != "" {
			return usageError("--sending-ip %q is not an IP address", f.SendingIP)
		}
		f.sendingIP = a.Unmap()
	}
	if s := f.DKIMSelector; s != "" {
		if _, ok := dns.IsDomainName(s); !ok || strings.ContainsAny(s, " /@") || strings.HasSuffix(s, ".") {
			return usageError("--dkim-selector %q is not a DKIM selector (letters, digits, hyphens and dots, e.g. s1 or 2026a)", s)
		}
	}
	return nil
}

// startPosture runs the posture checks of domain in the background, beside the probe, with the prober's
// resolver and dialer; the returned function, given the probe's report, waits for them and adds the DANE
// check of the MX certificates the probe got (nil when --posture is off).
func (f *postureFlags) startPosture(ctx context.Context, p *probe.Prober, domain string) func(*probe.Report) *posture.Report {
	if !f.Posture || domain == "" {
		return func(*probe.Report) *posture.Report { return nil }
	}
	env := &posture.Env{Resolver: p.DNS(), Get: p.GetPolicy}
	done := make(chan *posture.Report, 1)
	go func() {
		done <- posture.Run(ctx, env, posture.Target{Domain: domain, SendingIP: f.sendingIP, DKIMSelector: f.DKIMSelector})
	}()
	return func(rep *probe.Report) *posture.Report {
		post := <-done
		post.AddDANE(ctx, env, posture.MXCertsOf(rep)) // needs the certificates the probe's STARTTLS got
		return post
	}
}

// withPosture is the JSON report with its "posture" section: the probe report's fields, then posture.
type withPosture struct {
	*probe.Report
	Posture *posture.Report `json:"posture,omitempty"`
}

// renderPosture prints a probe report with its posture section (text or JSON, checked by validate).
func renderPosture(ios *IOStreams, f *probeFlags, rep *probe.Report, post *posture.Report) error {
	if post == nil {
		return render(ios, f, rep)
	}
	if f.formatName() == "json" {
		return report.JSON(ios.Out, withPosture{rep, post})
	}
	if err := render(ios, f, rep); err != nil {
		return err
	}
	if _, err := ios.Out.Write([]byte("\n")); err != nil {
		return err
	}
	return report.PostureText(ios.Out, post, report.TextOptions{Color: f.color(ios), Verbose: f.Verbose})
}
