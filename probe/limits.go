package probe

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/discover"
)

// What a result keeps of a server's words (the JSON report's raw fields): a greeting, and capability
// lists of at most maxCapabilities entries of maxCapabilityLen bytes. Real ones are far smaller; a
// hostile server's 1 MiB of capabilities must not become megabytes of report per endpoint.
const (
	maxGreeting      = 4096
	maxCapabilities  = 256
	maxCapabilityLen = 512
)

// capText cuts s to n bytes (on a UTF-8 boundary) and says so.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf(" … (%d more bytes)", len(s)-cut)
}

// capList keeps the first maxCapabilities capabilities, each cut to maxCapabilityLen.
func capList(caps []string) []string {
	if caps == nil {
		return nil
	}
	out := make([]string, 0, min(len(caps), maxCapabilities+1))
	for _, c := range caps[:min(len(caps), maxCapabilities)] {
		out = append(out, capText(c, maxCapabilityLen))
	}
	if len(caps) > maxCapabilities {
		out = append(out, fmt.Sprintf("… (%d more)", len(caps)-maxCapabilities))
	}
	return out
}

// Fan-out limits: what one run may probe, so that a domain's DNS or autoconfig file cannot turn mailcheck
// into a flood of connections against its own servers or someone else's (README "Limits").
const (
	// maxMXHosts are the most preferred MX hosts probed (RFC 5321 section 5.1: lowest preference first).
	maxMXHosts = 10
	// maxSRVTargets are the SRV targets probed per service, by priority and weight (RFC 2782).
	maxSRVTargets = 10
	// maxSourceServers are the servers probed per discovery answer (autoconfig file, ISPDB entry,
	// Autodiscover answer), in the answer's order; discover itself reads no more than 32 of them.
	maxSourceServers = 10
	// maxPerAddress bounds the connections open at one time to one address: a host's seven standard
	// ports at once, but no burst of hundreds that providers throttle and that could be aimed at a third
	// party.
	maxPerAddress = 8
	// maxDNSInFlight bounds the DNS queries one resolver has outstanding.
	maxDNSInFlight = 32
)

// limitMX keeps the maxMXHosts most preferred MX records of an answer (the null MX "." included, which
// the caller skips) and says in the report when it cut.
func (r *run) limitMX(domain string, answer []dns.RR) []dns.RR {
	kept, total := keepBest(answer, maxMXHosts, func(a, b *dns.MX) bool { return a.Preference < b.Preference })
	if total > maxMXHosts {
		r.addProblem(newProblem(catalog.FanoutLimited,
			fmt.Sprintf("%s has %d MX records: probed the %d most preferred", domain, total, maxMXHosts), ""))
	}
	return kept
}

// limitSRV keeps the maxSRVTargets best SRV records of one service: lowest priority first, then highest
// weight (RFC 2782; a client tries them in that order, the weighted draw aside).
func (r *run) limitSRV(name string, answer []dns.RR) []dns.RR {
	kept, total := keepBest(answer, maxSRVTargets, func(a, b *dns.SRV) bool {
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		return a.Weight > b.Weight
	})
	if total > maxSRVTargets {
		r.addProblem(newProblem(catalog.FanoutLimited,
			fmt.Sprintf("%s has %d SRV records: probed the %d with the best priority and weight", strings.TrimSuffix(name, "."), total, maxSRVTargets), ""))
	}
	return kept
}

// keepBest returns the n best records of type T in answer by less, and how many there were; with no more
// than n it returns answer as it is.
func keepBest[T dns.RR](answer []dns.RR, n int, less func(a, b T) bool) ([]dns.RR, int) {
	var recs []T
	for _, rr := range answer {
		if v, ok := rr.(T); ok {
			recs = append(recs, v)
		}
	}
	if len(recs) <= n {
		return answer, len(recs)
	}
	sort.SliceStable(recs, func(i, j int) bool { return less(recs[i], recs[j]) })
	out := make([]dns.RR, 0, n)
	for _, v := range recs[:n] {
		out = append(out, v)
	}
	return out, len(recs)
}

// limitSource keeps the first maxSourceServers servers of one discovery answer and says when it cut.
func (r *run) limitSource(l discover.Lookup) []discover.Server {
	if len(l.Servers) <= maxSourceServers {
		return l.Servers
	}
	r.addProblem(newProblem(catalog.FanoutLimited,
		fmt.Sprintf("%s %s lists %d servers: probed the first %d", l.Source, l.URL, len(l.Servers), maxSourceServers), ""))
	return l.Servers[:maxSourceServers]
}

// destination is where a probe connects; one run opens one connection per destination whose result
// other names can share (see connect).
type destination struct {
	addr     string
	port     int
	security Security
	protocol Protocol
}

// destProbe is the first probe of a destination; spoke is closed when the server has said something (a
// greeting line or a TLS handshake), done when res is final.
type destProbe struct {
	spoke, done chan struct{}
	res         Result
	host        string
}

// spokeKey carries, in the context of a destination's first probe, the function that closes its spoke.
type spokeKey struct{}

// serverSpoke tells a waiting run that the server of this probe answered: other names for the same
// destination need not wait for the whole conversation to know it is not silent.
func serverSpoke(ctx context.Context) {
	if f, ok := ctx.Value(spokeKey{}).(func()); ok {
		f()
	}
}

// destinations holds a run's per-destination state: first probes and per-address connection slots.
type destinations struct {
	mu    sync.Mutex
	first map[destination]*destProbe
	perIP map[string]chan struct{}
}

// connect probes ep at addr, at most maxPerAddress at a time per address. The first probe of a
// destination (address, port, security, protocol) runs; a later one for another name waits until the
// server has spoken (then it is probed again for this name, since the certificate (SNI) depends on the
// name) or the first probe has ended without a word (silence or a refusal: then it shares that result
// instead of connecting again, so 500 SRV names for one silent address cost one connection, not 500).
func (r *run) connect(ep Endpoint, addr, source string) (Result, bool) {
	key := destination{addr, ep.Port, ep.Security, ep.Protocol}
	r.dest.mu.Lock()
	if r.dest.first == nil {
		r.dest.first, r.dest.perIP = map[destination]*destProbe{}, map[string]chan struct{}{}
	}
	first, seen := r.dest.first[key]
	if !seen {
		first = &destProbe{spoke: make(chan struct{}), done: make(chan struct{}), host: ep.Host}
		r.dest.first[key] = first
	}
	slots, ok := r.dest.perIP[addr]
	if !ok {
		slots = make(chan struct{}, maxPerAddress)
		r.dest.perIP[addr] = slots
	}
	r.dest.mu.Unlock()

	ctx := r.ctx
	if seen {
		select {
		case <-first.spoke: // it answers: probe this name on its own, in parallel
		case <-first.done:
			if first.res.Greeting == "" && first.res.TLS == nil && len(first.res.Problems) > 0 {
				return sharedFailure(first, ep, source), true
			}
		case <-r.ctx.Done():
			return Result{}, false
		}
	} else {
		ctx = context.WithValue(r.ctx, spokeKey{}, sync.OnceFunc(func() { close(first.spoke) }))
	}
	res, ok := Result{}, false
	defer func() {
		if !seen {
			first.res = res
			close(first.done)
		}
	}()
	// The address's slot first, then the run's: a probe waiting for a busy address holds no run slot.
	select {
	case slots <- struct{}{}:
	case <-r.ctx.Done():
		return res, false
	}
	defer func() { <-slots }()
	select {
	case r.sem <- struct{}{}:
	case <-r.ctx.Done():
		return res, false
	}
	defer func() { <-r.sem }()
	var park parkHook
	if r.p.cfg.Credentials != nil {
		park = r.park // the parked session holds no slot: it waits for the logins, not for the network
	}
	res, ok = r.p.probeConnectionThen(ctx, ep, addr, source, park), true
	return res, ok
}

// sharedFailure is the first probe's failure at the same destination, told for another name.
func sharedFailure(first *destProbe, ep Endpoint, source string) Result {
	res := Result{Endpoint: ep, Address: first.res.Address, Source: source, Timings: first.res.Timings}
	for _, pr := range first.res.Problems {
		pr.Summary = fmt.Sprintf("%s (one connection to %s port %d, made for %s, answered for every name that leads there)",
			pr.Summary, first.res.Address, ep.Port, first.host)
		res.Problems = append(res.Problems, pr)
	}
	res.Transcript = first.res.Transcript
	res.Status = statusOf(res.Problems)
	return res
}
