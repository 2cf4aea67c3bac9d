package exporter

import (
	"context"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/posture"
)

// startPosture runs the posture checks of a domain or address target for a module with posture = true,
// with the module's prober (its resolver, and its dialer under the connection policy for the MTA-STS
// fetch); the returned function, given the probe's report, waits for them and adds the DANE check of
// the MX certificates the probe got (nil when the module or target has none).
func startPosture(ctx context.Context, p *probe.Prober, m Module, req probe.Request) func(*probe.Report) *posture.Report {
	if !m.Posture || req.Domain == "" {
		return func(*probe.Report) *posture.Report { return nil }
	}
	env := &posture.Env{Resolver: p.DNS(), Get: p.GetPolicy}
	done := make(chan *posture.Report, 1)
	go func() {
		done <- posture.Run(ctx, env, posture.Target{Domain: req.Domain})
	}()
	return func(rep *probe.Report) *posture.Report {
		post := <-done
		post.AddDANE(ctx, env, posture.MXCertsOf(rep)) // the certificates the probe's STARTTLS got
		return post
	}
}
