package probe

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
)

// Request says what to probe: a domain (discovery) or explicit endpoints.
type Request struct {
	// Target is what the user typed, for the report.
	Target string
	// Domain is probed by discovery when Endpoints is empty.
	Domain string
	// Address is the user's e-mail address, when one was given (it becomes the suggested login name).
	Address string
	// Endpoints are probed as given, without discovery.
	Endpoints []Endpoint
}

// maxParallel bounds concurrent connections, so a domain with many MX hosts cannot exhaust the machine.
const maxParallel = 64

// run is the state of one Run: every endpoint and DNS query in flight, collected under mu.
type run struct {
	p   *Prober
	ctx context.Context
	// start is when the run began (with the monotonic clock): every started_ms is counted from it.
	start time.Time
	req   Request
	sem   chan struct{}
	wg    sync.WaitGroup

	mu      sync.Mutex
	report  *Report
	results map[Endpoint][]Result
	// origins are every source that named an endpoint, best first.
	origins map[Endpoint]origins
	// usernames are the login names the discovery sources give, by endpoint; claims are what each source
	// named, for the comparison of sources (disagree.go).
	usernames map[Endpoint]string
	claims    []claim
	hosts     map[string]*hostLookup
	recorded  map[dnsKey]bool
	// dest shares results and bounds connections per destination (limits.go).
	dest destinations
	// servers groups the addresses into machines, and parked are the probes' sessions kept for the
	// logins (logins.go).
	servers machines
	parked  map[parkKey]*parkedSession
	// hostProblems are hosts already reported as failing as a whole (and, prefixed, the addresses
	// internal.go noted).
	hostProblems map[string]bool
	// domainErr is why the domain's own MX lookup failed (NXDOMAIN, SERVFAIL, timeout...), and
	// domainErrCode its problem code.
	domainErr     error
	domainErrCode string
}

// hostLookup resolves one host once, however many endpoints need it.
type hostLookup struct {
	once sync.Once
	// family are the A (0) and AAAA (1) lookups, each closed when its answer is in.
	family [2]struct {
		done chan struct{}
		addr string
		err  error
	}
	// done is closed when both families are in; addrs and err are then final.
	done  chan struct{}
	addrs []string
	err   error
}

// Run probes everything the request names, concurrently, and returns the report. It returns when every
// probe has finished or ctx has ended; it never blocks beyond ctx's deadline.
func (p *Prober) Run(ctx context.Context, req Request) *Report {
	start := time.Now()
	r := &run{
		p: p, ctx: ctx, start: start, req: req, sem: make(chan struct{}, maxParallel),
		report:    &Report{SchemaVersion: SchemaVersion, Target: req.Target, Domain: req.Domain, StartedAt: start.UTC()},
		results:   map[Endpoint][]Result{},
		origins:   map[Endpoint]origins{},
		usernames: map[Endpoint]string{},
		hosts:     map[string]*hostLookup{},
		recorded:  map[dnsKey]bool{},

		hostProblems: map[string]bool{},
		parked:       map[parkKey]*parkedSession{},
	}
	if len(req.Endpoints) > 0 {
		// The ports the target names were chosen with it; a connection policy allows them (netpolicy).
		ports := make([]int, len(req.Endpoints))
		for i, ep := range req.Endpoints {
			ports[i] = ep.Port
		}
		r.ctx = netpolicy.WithPorts(ctx, ports...)
		for i, ep := range req.Endpoints {
			r.plan(ep, origin{source: SourceExplicit, order: [2]int{i}})
		}
	} else {
		r.discover()
	}
	r.wg.Wait()
	r.logins()
	r.unparkAll()
	r.finish()
	r.report.DurationMS = ms(time.Since(start))
	return r.report
}

// discover finds the domain's servers (RFC 6186 SRV, RFC 8314 submissions SRV, MX, and the names mail
// clients guess) and plans a probe for each as soon as its address is known.
func (r *run) discover() {
	d := r.req.Domain
	// srvDone has one channel per service with an SRV label, closed when its answer is in: a guessed
	// endpoint waits only for the answer that could say its service is not offered.
	srvDone := map[Service]chan struct{}{}
	for _, svc := range Services {
		if svc.SRV != "" {
			srvDone[svc] = make(chan struct{})
		}
	}
	notOffered := map[Protocol]map[Security]bool{}
	var smu sync.Mutex
	for _, svc := range Services {
		if svc.SRV == "" {
			continue
		}
		r.wg.Add(1)
		go func(svc Service) {
			defer r.wg.Done()
			defer close(srvDone[svc])
			name := svc.SRV + "." + d + "."
			msg, err := r.query(name, dns.TypeSRV)
			if err != nil || msg.Rcode != dns.RcodeSuccess {
				return // absent SRV records are normal: most domains have none
			}
			for _, rr := range r.limitSRV(name, msg.Answer) {
				srv, ok := rr.(*dns.SRV)
				if !ok {
					continue
				}
				if srv.Target == "." { // RFC 6186 section 3.4: service decidedly not available
					smu.Lock()
					if notOffered[svc.Protocol] == nil {
						notOffered[svc.Protocol] = map[Security]bool{}
					}
					notOffered[svc.Protocol][svc.Security] = true
					smu.Unlock()
					r.addProblem(newProblem(catalog.ServiceNotOffered,
						fmt.Sprintf("%s says %s (%s on port %d) is not offered", strings.TrimSuffix(name, "."), svc.Protocol.Name(), svc.Security.Label(), svc.Port), ""))
					continue
				}
				// RFC 2782: lower priority first, then the higher weight.
				ep := Endpoint{Protocol: svc.Protocol, Host: strings.ToLower(strings.TrimSuffix(srv.Target, ".")), Port: int(srv.Port), Security: svc.Security}
				r.addClaim(claim{source: SourceSRV, where: strings.TrimSuffix(name, "."), ep: ep})
				r.plan(ep, origin{source: SourceSRV, order: [2]int{int(srv.Priority), 65535 - int(srv.Weight)}})
			}
		}(svc)
	}
	r.sources()

	offered := func(svc Service) bool {
		if done, ok := srvDone[svc]; ok {
			select {
			case <-done:
			case <-r.ctx.Done():
				return false
			}
		}
		smu.Lock()
		defer smu.Unlock()
		return !notOffered[svc.Protocol][svc.Security]
	}
	planHost := func(host string, o origin, want func(Service) bool) {
		r.lookupHost(host) // starts the address lookups alongside the SRV queries
		for _, svc := range Services {
			if !want(svc) {
				continue
			}
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				if offered(svc) {
					r.plan(Endpoint{Protocol: svc.Protocol, Host: host, Port: svc.Port, Security: svc.Security}, o)
				}
			}()
		}
	}

	// Names mail clients guess (Thunderbird's guessConfig does the same), each for the services its name suggests.
	all := func(Service) bool { return true }
	only := func(p Protocol) func(Service) bool { return func(s Service) bool { return s.Protocol == p } }
	guess := origin{source: SourceGuess}
	for _, t := range Protocols {
		for _, label := range t.GuessLabels {
			planHost(label+"."+d, guess, only(t.Protocol))
		}
	}
	planHost("mail."+d, guess, all)
	planHost(d, guess, all)

	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		msg, err := r.query(d+".", dns.TypeMX)
		if err == nil && msg.Rcode != dns.RcodeSuccess {
			err = &DNSError{Name: d, Type: "MX", Rcode: msg.Rcode}
		}
		if err != nil {
			code := classifyIn(r.ctx, err, false) // now, not when the report is assembled
			r.mu.Lock()
			r.domainErr, r.domainErrCode = err, code
			r.mu.Unlock()
			return
		}
		var best *dns.MX
		for _, rr := range r.limitMX(d, msg.Answer) {
			mx, ok := rr.(*dns.MX)
			if !ok || mx.Mx == "." { // "." is a null MX (RFC 7505)
				continue
			}
			if best == nil || mx.Preference < best.Preference {
				best = mx
			}
			host := strings.ToLower(strings.TrimSuffix(mx.Mx, "."))
			o := origin{source: SourceMX, order: [2]int{int(mx.Preference)}}
			if strings.HasSuffix(host, "."+d) {
				planHost(host, o, all) // the domain's own server: often its only one
			} else {
				planHost(host, o, func(s Service) bool { return s.Port == 25 }) // a mail provider's inbound MX
			}
		}
		if best != nil {
			r.provider(best.Mx)
		}
	}()
}

// query asks DNS and records the question and its outcome once in the report.
func (r *run) query(name string, qtype uint16) (*dns.Msg, error) {
	asked := time.Now()
	msg, took, err := r.p.cfg.Resolver.Query(r.ctx, name, qtype)
	key := dnsKey{dns.CanonicalName(name), qtype}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.recorded[key] {
		r.recorded[key] = true
		q := DNSQuery{Name: key.name, Type: dns.TypeToString[qtype], StartedMS: r.since(asked), TimeMS: ms(took)}
		if msg != nil {
			q.Rcode = dns.RcodeToString[msg.Rcode]
			q.Answers = answerStrings(msg)
		}
		if err != nil {
			pr := newProblem(classifyIn(r.ctx, err, false), err.Error(), "")
			q.Problem = &pr
		}
		r.report.DNS = append(r.report.DNS, q)
	}
	return msg, err
}

// since is t as an offset from the run's start, in milliseconds (the timeline's started_ms).
func (r *run) since(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return ms(t.Sub(r.start))
}

// lookupHost starts the address lookups of a host once per run: A and AAAA in parallel, each family
// usable as soon as its own answer arrives (RFC 8305: a slow AAAA answer must not hold up IPv4).
func (r *run) lookupHost(host string) *hostLookup {
	r.mu.Lock()
	h, ok := r.hosts[host]
	if !ok {
		h = &hostLookup{done: make(chan struct{})}
		for i := range h.family {
			h.family[i].done = make(chan struct{})
		}
		r.hosts[host] = h
	}
	r.mu.Unlock()
	h.once.Do(func() {
		if ip := net.ParseIP(host); ip != nil {
			i := 1
			if ip.To4() != nil {
				i = 0
			}
			h.family[i].addr = ip.String()
			h.family[1-i].err = &DNSError{Name: host, Type: "A", NoData: true}
			close(h.family[0].done)
			close(h.family[1].done)
			h.addrs = []string{ip.String()}
			close(h.done)
			return
		}
		// Every goroutine here counts in r.wg, so nothing writes to the report after Run returns.
		var wg sync.WaitGroup
		for i, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
			wg.Add(1)
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				defer wg.Done()
				defer close(h.family[i].done)
				h.family[i].addr, h.family[i].err = r.firstAddr(host, qt)
			}()
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			wg.Wait()
			for _, f := range h.family {
				if f.addr != "" {
					h.addrs = append(h.addrs, f.addr)
				}
			}
			if len(h.addrs) == 0 {
				h.err = worseDNSError(h.family[0].err, h.family[1].err)
			}
			close(h.done)
		}()
	})
	return h
}

// firstAddr asks one address type and returns the first address (one per family is what a client tries
// before moving on to the other family).
func (r *run) firstAddr(host string, qt uint16) (string, error) {
	msg, err := r.query(host+".", qt)
	if err != nil {
		return "", err
	}
	addrs, err := addrsOf(host, qt, msg)
	if err != nil {
		return "", err
	}
	return addrs[0], nil
}

// resolve waits for both families of a host: its addresses, or why it has none.
func (r *run) resolve(host string) ([]string, error) {
	h := r.lookupHost(host)
	select {
	case <-h.done:
		return h.addrs, h.err
	case <-r.ctx.Done():
		return nil, &DNSError{Name: host, Type: "A", Rcode: -1, Err: r.ctx.Err()}
	}
}

// worseDNSError picks the error that explains a failed host lookup best: NXDOMAIN or a server failure
// beats "no record of this type".
func worseDNSError(a, b error) error {
	if classify(a, false) == catalog.DNSNoAddress {
		return b
	}
	return a
}

// plan probes one endpoint on each of its host's addresses, unless already planned; either way it
// records the source that named it.
func (r *run) plan(ep Endpoint, o origin) {
	source := o.source
	r.mu.Lock()
	prev, planned := r.origins[ep]
	r.origins[ep] = prev.add(o)
	r.mu.Unlock()
	if planned {
		return
	}

	h := r.lookupHost(ep.Host)
	// Each family is probed as soon as its address is known.
	for i := range h.family {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			select {
			case <-h.family[i].done:
			case <-r.ctx.Done():
				return
			}
			if addr := h.family[i].addr; addr != "" {
				r.probe(ep, addr, source)
			}
		}()
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if _, err := r.resolve(ep.Host); err != nil {
			r.unresolved(ep, err)
		}
	}()
}

// probe runs one endpoint at one address within the run's connection limits (connect) and plans the name
// on a certificate issued for another host.
func (r *run) probe(ep Endpoint, addr, source string) {
	r.noteInternal(ep.Host, addr, "named by "+sourceLabel(source))
	res, ok := r.connect(ep, addr, source)
	if !ok {
		return
	}
	r.addResult(ep, res)
	if name := certName(res); name != "" && source != SourceCertName {
		r.plan(Endpoint{Protocol: ep.Protocol, Host: name, Port: ep.Port, Security: ep.Security}, origin{source: SourceCertName})
	}
}

// certName is the name a certificate for another host was issued for, when it can be probed: the first
// of its names that is not a wildcard.
func certName(res Result) string {
	if !hasProblemCode(res.Problems, catalog.CertHostMismatch) || res.TLS == nil || len(res.TLS.Chain) == 0 {
		return ""
	}
	for _, n := range res.TLS.Chain[0].DNSNames {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if n != res.Host && !strings.Contains(n, "*") && net.ParseIP(n) == nil && ValidateHost(n) == nil && strings.Contains(n, ".") {
			return n
		}
	}
	return ""
}

// unresolved records an endpoint whose host has no address, as its source makes it matter.
func (r *run) unresolved(ep Endpoint, err error) {
	r.mu.Lock()
	source := r.origins[ep].best().source
	r.mu.Unlock()
	switch source {
	case SourceGuess, SourceCertName:
		return // a guessed name (or a certificate's) that does not exist is no finding
	case SourceMX:
		r.hostProblem(ep.Host, fmt.Sprintf("the MX host %s has no usable address: %v", ep.Host, err), err)
		return
	case SourceSRV, SourceExplicit:
	default:
		r.hostProblem(ep.Host, fmt.Sprintf("the server %s named by %s has no usable address: %v", ep.Host, sourceLabel(source), err), err)
		return
	}
	res := Result{Endpoint: ep, Source: source, Status: StatusFail}
	res.Problems = []Problem{newProblem(classifyIn(r.ctx, err, false), fmt.Sprintf("cannot find the address of %s: %v", ep.Host, err), "")}
	r.addResult(ep, res)
}

func (r *run) addResult(ep Endpoint, res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results[ep] = append(r.results[ep], res)
}

// hostProblem reports a host-wide failure once.
func (r *run) hostProblem(host, summary string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hostProblems[host] {
		return
	}
	r.hostProblems[host] = true
	r.report.Problems = append(r.report.Problems, newProblem(classifyIn(r.ctx, err, false), summary, ""))
}

func (r *run) addClaim(c claim) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.claims = append(r.claims, c)
}

func (r *run) addProblem(pr Problem) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.report.Problems = append(r.report.Problems, pr)
}

var securityRank = map[Security]int{TLS: 0, STARTTLS: 1, Plain: 2}

// finish orders the results, compares address families and chooses the settings.
func (r *run) finish() {
	rep := r.report
	for ep, results := range r.results {
		os := r.origins[ep]
		for i := range results {
			results[i].Source = os.best().source
			results[i].Sources = os.names()
			results[i].order = os.best().order
			results[i].Username = r.usernames[ep]
		}
		r.compareFamilies(results)
		rep.Endpoints = append(rep.Endpoints, results...)
	}
	sort.SliceStable(rep.Endpoints, func(i, j int) bool {
		a, b := rep.Endpoints[i], rep.Endpoints[j]
		if a.Protocol != b.Protocol {
			return a.Protocol.Rank() < b.Protocol.Rank()
		}
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		if a.Port != b.Port {
			return a.Port < b.Port
		}
		if a.Security != b.Security {
			return securityRank[a.Security] < securityRank[b.Security]
		}
		return isIPv4(a.Address) && !isIPv4(b.Address)
	})
	sort.SliceStable(rep.DNS, func(i, j int) bool {
		if rep.DNS[i].Name != rep.DNS[j].Name {
			return rep.DNS[i].Name < rep.DNS[j].Name
		}
		return rep.DNS[i].Type < rep.DNS[j].Type
	})
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Summary < rep.Problems[j].Summary })
	sort.SliceStable(rep.Autoconfig, func(i, j int) bool { return rep.Autoconfig[i].URL < rep.Autoconfig[j].URL })
	sortDiscovery(rep.Discovery)
	if rep.Endpoints == nil {
		rep.Endpoints = []Result{}
	}
	if rep.Problems == nil {
		rep.Problems = []Problem{}
	}
	for i := range rep.Endpoints {
		e := &rep.Endpoints[i]
		if e.Problems == nil {
			e.Problems = []Problem{}
		}
		e.StartedMS = r.since(e.started)
		if e.Auth != nil && !e.Auth.started.IsZero() {
			e.Auth.StartedMS = r.since(e.Auth.started)
		}
		// Once every problem of the endpoint is known (compareFamilies rewrites some).
		rep.Endpoints[i].Unoffered = unoffered(rep.Endpoints[i])
	}
	if len(r.req.Endpoints) == 0 && len(rep.Endpoints) == 0 {
		// Say why first: a domain that does not exist or a resolver that fails explains the rest.
		if r.domainErr != nil {
			summary := fmt.Sprintf("looking up %s failed: %v", r.req.Domain, r.domainErr)
			if r.domainErrCode == catalog.DNSNotFound {
				summary = fmt.Sprintf("the domain %s does not exist in DNS (NXDOMAIN)", r.req.Domain)
			}
			rep.Problems = append(rep.Problems, newProblem(r.domainErrCode, summary, r.domainErr.Error()))
		}
		rep.Problems = append(rep.Problems, newProblem(catalog.NoMailServers,
			fmt.Sprintf("no mail server was found for %s", r.req.Domain), ""))
	}
	rep.Settings = chooseSettings(rep.Endpoints, r.req.Address)
	if len(r.req.Endpoints) == 0 && len(rep.Endpoints) > 0 {
		rep.Problems = append(rep.Problems, missingSettings(rep)...)
	}
	r.judgeSources()
	r.confirmSettings()
	annotateAuthentication(rep)
	rep.Status = r.overall()
	if Interrupted(r.ctx) {
		rep.Status = StatusInterrupted
		rep.Problems = append(rep.Problems, newProblem(catalog.Interrupted,
			fmt.Sprintf("the run was interrupted after %s: the report shows what was learned until then", time.Since(rep.StartedAt).Round(time.Millisecond)), ""))
	}
}

// compareFamilies reports an IPv6 address that cannot be connected to where the IPv4 address of the same
// endpoint works: clients fall back to IPv4 for the connection (RFC 8305 section 5), so it is a warning,
// not a failure of the endpoint. Only the connect falls back: a device that reaches the server over IPv6
// and then meets a bad certificate, a TLS failure or a silent server shows that error, so anything after
// the connect stays what it is, on that address.
func (r *run) compareFamilies(results []Result) {
	v4ok, anyOK := false, false
	for _, res := range results {
		if res.Status != StatusFail {
			anyOK = true
			v4ok = v4ok || isIPv4(res.Address)
		}
	}
	if anyOK {
		// An address the connection policy refused was not tried, so it says nothing against the server;
		// with another address that works, the endpoint works (the finding stays, as a warning).
		for i, res := range results {
			if res.Status == StatusFail && refusedByPolicy(res) {
				for j := range results[i].Problems {
					results[i].Problems[j].Severity = catalog.Warn
				}
				results[i].Status = StatusWarn
			}
		}
	}
	if !v4ok {
		return
	}
	for i, res := range results {
		if res.Address == "" || isIPv4(res.Address) || res.Status != StatusFail || !connectFailed(res) {
			continue
		}
		var why []string
		for _, pr := range res.Problems {
			why = append(why, pr.Summary+": "+pr.Title())
		}
		pr := newProblem(catalog.IPv6Unreachable,
			fmt.Sprintf("%s works over IPv4 but not over IPv6 (%s)", res.Endpoint, res.Address), strings.Join(why, "; "))
		results[i].Problems = []Problem{pr}
		results[i].Status = StatusWarn
	}
}

// refusedByPolicy says whether every failure of a probe is the connection policy's refusal to dial.
func refusedByPolicy(res Result) bool {
	refused := false
	for _, pr := range res.Problems {
		if pr.Severity != catalog.Fail {
			continue
		}
		if pr.Code != catalog.AddressNotAllowed {
			return false
		}
		refused = true
	}
	return refused
}

// connectFailed says whether a probe failed at the TCP connect, the only step clients retry on the other
// address family.
func connectFailed(res Result) bool {
	for _, pr := range res.Problems {
		if pr.Severity != catalog.Fail {
			continue
		}
		if a, _ := catalog.Is(pr.Code); !a.ConnectFailure {
			return false
		}
	}
	return res.Greeting == "" && res.TLS == nil
}

func isIPv4(addr string) bool {
	ip := net.ParseIP(addr)
	return ip != nil && ip.To4() != nil
}

// overall rates the run: explicit endpoints must all work; a discovery must yield incoming and outgoing settings.
func (r *run) overall() Status {
	rep := r.report
	st := StatusOK
	worse := func(s Status) {
		if s == StatusFail || (s == StatusWarn && st == StatusOK) {
			st = s
		}
	}
	if len(r.req.Endpoints) > 0 {
		for _, e := range rep.Endpoints {
			worse(e.Status)
		}
		return st
	}
	if rep.Settings.Incoming == nil || rep.Settings.Outgoing == nil {
		return StatusFail
	}
	if rep.Settings.Incoming.LoginProblem != "" || rep.Settings.Outgoing.LoginProblem != "" {
		return StatusFail // the servers are right, the login is not
	}
	for _, e := range rep.Endpoints {
		if credentialVerdict(e.Auth) && !e.Auth.OK {
			return StatusFail // a server of the domain refused the credentials, wherever the settings point
		}
	}
	worse(statusOf(rep.Problems))
	for _, s := range []*Setting{rep.Settings.Incoming, rep.Settings.Outgoing} {
		best := StatusFail // a setting works when one of its addresses does; warnings on others still count
		for _, e := range rep.Endpoints {
			if e.Protocol == s.Protocol && e.Host == s.Server && e.Port == s.Port && e.Security == s.Security {
				if e.Status != StatusFail && best == StatusFail {
					best = e.Status
				}
				if e.Status == StatusWarn {
					best = StatusWarn
				}
			}
		}
		worse(best)
	}
	return st
}
