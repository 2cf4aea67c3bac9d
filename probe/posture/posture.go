// Package posture checks a domain's published mail posture: SPF, DMARC, MTA-STS, TLS-RPT, DKIM, and, given
// a sending address, its reverse DNS and the DNS blocklists. Each check is one file and one entry of the
// registry (checks), in the way of blackbox_exporter's prober map and mox's checkDomain: a check gets the
// same Env and Target as every other, owns its own Finding, and says what was found, what it means and the
// exact record to publish or change (its Instructions, as mox gives them).
//
// Every DNS question goes through probe's own Resolver (so tests use the sandbox's DNS server and the
// prober's resolver flags apply); the one HTTPS fetch (the MTA-STS policy) goes through Env.Get, which
// the command wires to the prober's dialer, so the connection policy and the sandbox apply to it too.
package posture

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/probe"
)

// Verdict is a check's outcome, a closed set (the JSON "verdict" and the metric's label).
type Verdict string

const (
	// OK: the record is there and does what it should.
	OK Verdict = "ok"
	// Warn: the record is there but weaker than it should be (monitoring-only, a soft limit, a testing mode).
	Warn Verdict = "warn"
	// Fail: the record is broken (receivers ignore it or treat it as an error) or says the sender fails.
	Fail Verdict = "fail"
	// Absent: the domain publishes no such record.
	Absent Verdict = "absent"
	// Unknown: the check could not be made (DNS failed, a blocklist refused the resolver): never a pass or
	// a fail.
	Unknown Verdict = "unknown"
)

// Finding is one check's result.
type Finding struct {
	// Check names the check: spf, dmarc, mta_sts, tls_rpt, dkim, reverse_dns, dnsbl, dane.
	Check string `json:"check"`
	// Verdict is ok, warn, fail, absent or unknown.
	Verdict Verdict `json:"verdict"`
	// Value is the check's headline value (what a check assertion compares): see README's JSON section.
	Value string `json:"value,omitempty"`
	// Name is the DNS name (or URL) the record was read from.
	Name string `json:"name,omitempty"`
	// Records are the records found, as published (TXT strings joined, capped).
	Records []string `json:"records,omitempty"`
	// Meaning says what the verdict means for mail, in one or two sentences.
	Meaning string `json:"meaning"`
	// Instructions are the exact records to publish or change, or the step to take.
	Instructions []string `json:"instructions,omitempty"`
	// Trace is the evaluation's steps (SPF's mechanisms, each blocklist's answer, the MX names matched).
	Trace []string `json:"trace,omitempty"`
	// TimeMS is how long the check took.
	TimeMS float64 `json:"time_ms"`
}

// Report is the posture of one domain.
type Report struct {
	Domain string `json:"domain"`
	// SendingIP is the address SPF, reverse DNS and the blocklists were asked about, when one was given.
	SendingIP string `json:"sending_ip,omitempty"`
	// DKIMSelector is the selector whose key was checked, when one was given.
	DKIMSelector string `json:"dkim_selector,omitempty"`
	// Resolver names the DNS servers every answer came from (a blocklist's answers depend on it).
	Resolver string `json:"resolver"`
	// Checks are the findings, in the registry's order.
	Checks []Finding `json:"checks"`
	TimeMS float64   `json:"time_ms"`
}

// Find returns the finding of a check, or nil when it did not run.
func (r *Report) Find(check string) *Finding {
	if r == nil {
		return nil
	}
	for i := range r.Checks {
		if r.Checks[i].Check == check {
			return &r.Checks[i]
		}
	}
	return nil
}

// Target is what to check.
type Target struct {
	// Domain is the sending (From) domain.
	Domain string
	// SendingIP, when valid, is the address the domain's mail leaves from.
	SendingIP netip.Addr
	// DKIMSelector, when set, is the selector whose key is checked.
	DKIMSelector string
	// Only, when set, limits the run to these checks (explain runs those that can confirm a diagnosis).
	Only []string
}

// Env is what the checks use to reach the world.
type Env struct {
	// Resolver asks every DNS question (the prober's own).
	Resolver *probe.Resolver
	// Get fetches an https:// URL with a verified certificate, no redirects (RFC 8461 section 3.3) and a
	// body of at most limit bytes; nil makes the MTA-STS policy fetch fail with a clear finding.
	Get func(ctx context.Context, url string, limit int64) ([]byte, error)
	// Blocklists are the DNSBL zones asked about a sending IP; nil means DefaultBlocklists.
	Blocklists []string
	// Timeout bounds the whole posture run; zero means 30 seconds.
	Timeout time.Duration
}

// check is one registry entry.
type check struct {
	name string
	// applies says whether the target has what the check needs (a sending IP, a selector).
	applies func(Target) bool
	run     func(ctx context.Context, env *Env, t Target) Finding
}

func always(Target) bool         { return true }
func withIP(t Target) bool       { return t.SendingIP.IsValid() }
func withSelector(t Target) bool { return t.DKIMSelector != "" }

// checks is the registry, in report order. Adding a check is adding a file and a line here.
var checks = []check{
	{"spf", always, checkSPF},
	{"dmarc", always, checkDMARC},
	{"dkim", withSelector, checkDKIM},
	{"mta_sts", always, checkMTASTS},
	{"tls_rpt", always, checkTLSRPT},
	{"reverse_dns", withIP, checkReverseDNS},
	{"dnsbl", withIP, checkDNSBL},
}

// Names lists every check's name, in report order (for the exporter's series and the docs).
func Names() []string {
	out := make([]string, len(checks))
	for i, c := range checks {
		out[i] = c.name
	}
	return out
}

// Run runs every check that applies to the target at once, so a domain costs about its slowest check.
// Each check writes only its own slot of the findings, so no lock is shared.
func Run(ctx context.Context, env *Env, t Target) *Report {
	start := time.Now()
	t.Domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(t.Domain)), ".")
	timeout := env.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var run []check
	for _, c := range checks {
		if c.applies(t) && (t.Only == nil || slices.Contains(t.Only, c.name)) {
			run = append(run, c)
		}
	}
	found := make([]Finding, len(run))
	var wg sync.WaitGroup
	for i, c := range run {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cs := time.Now()
			f := c.run(ctx, env, t)
			f.Check = c.name
			f.TimeMS = ms(time.Since(cs))
			found[i] = f
		}()
	}
	wg.Wait()
	rep := &Report{Domain: t.Domain, DKIMSelector: t.DKIMSelector, Resolver: resolverName(env.Resolver), Checks: found}
	if t.SendingIP.IsValid() {
		rep.SendingIP = t.SendingIP.String()
	}
	rep.TimeMS = ms(time.Since(start))
	return rep
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()/100) / 10 }

// resolverName names the DNS servers asked, for the report and every blocklist finding.
func resolverName(r *probe.Resolver) string {
	if r == nil || len(r.Servers) == 0 {
		return "(none)"
	}
	return strings.Join(r.Servers, ", ")
}
