package exporter

import (
	"context"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/posture"
)

// startPosture runs the posture checks of a domain or address target for a module with posture = true,
// with the module's prober (its resolver, and its dialer under the connection policy for the MTA-STS
// fetch); the returned function waits for the report (nil when the module or target has none).
func startPosture(ctx context.Context, p *probe.Prober, m Module, req probe.Request) func() *posture.Report {
	if !m.Posture || req.Domain == "" {
		return func() *posture.Report { return nil }
	}
	done := make(chan *posture.Report, 1)
	go func() {
		done <- posture.Run(ctx, &posture.Env{Resolver: p.DNS(), Get: p.GetPolicy}, posture.Target{Domain: req.Domain})
	}()
	return func() *posture.Report { return <-done }
}
