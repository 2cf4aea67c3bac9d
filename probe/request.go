package probe

import (
	"strings"
	"sync/atomic"

	"github.com/mailcheck/mailcheck/probe/session"
)

// ParseRequest reads one target as the bulk runner and the exporter get it: an e-mail address, a domain
// or one endpoint URL. Errors are one line, for users.
func ParseRequest(target string) (Request, error) {
	target = strings.TrimSpace(target)
	req := Request{Target: target}
	if strings.Contains(target, "://") {
		ep, err := ParseEndpoint(target)
		if err != nil {
			return req, err
		}
		req.Endpoints = []Endpoint{ep}
		return req, nil
	}
	domain, addr, err := ParseTarget(target)
	if err != nil {
		return req, err
	}
	req.Domain, req.Address = domain, addr
	return req, nil
}

// Fresh is a Prober with the same configuration and an empty DNS cache. The Resolver remembers every
// answer for the life of a Prober, which is right for one run; a long-lived process (the exporter, a bulk
// run over thousands of domains) takes a fresh one per target, so answers do not pile up or go stale.
// It has a budget of its own: one run's transcripts together keep at most session.MaxRunTranscriptBytes,
// as README "Limits" promises, in the exporter and bulk runs too.
func (p *Prober) Fresh() *Prober {
	cfg := p.cfg
	if cfg.Resolver != nil {
		cfg.Resolver = &Resolver{Servers: cfg.Resolver.Servers, Timeout: cfg.Resolver.Timeout}
	}
	fresh := &Prober{cfg: cfg, trBudget: new(atomic.Int64)}
	fresh.trBudget.Store(session.MaxRunTranscriptBytes)
	return fresh
}

// Config returns the Prober's configuration, for callers that derive others from it (the exporter's
// modules).
func (p *Prober) Config() Config { return p.cfg }

// ApplySTARTTLS turns STARTTLS endpoints into clear-text ones under the policy "no" (--starttls=no).
func (r *Request) ApplySTARTTLS(policy STARTTLSPolicy) {
	if policy != STARTTLSNo {
		return
	}
	for i, ep := range r.Endpoints {
		if ep.Security == STARTTLS {
			r.Endpoints[i].Security = Plain
		}
	}
}
