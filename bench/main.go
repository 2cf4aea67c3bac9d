//go:build linux

// Command bench measures how long a whole-domain probe takes when the mail servers are a realistic distance
// away. On loopback every design looks fast, and this kernel has no netem, so the benchmark puts its own
// delaying proxy (latency, not bandwidth) in front of the sandbox's DNS and mail servers, then compares
// the concurrent probe with the physical limit and with the same work done one step after another.
//
//	go run ./bench [-rtt 50ms] [-runs 7]
//	go run ./bench -domains 10000 [-concurrency 64]   (the bulk benchmark, bulk.go)
//
// Exit status: 0 when both targets are met, 1 when one is missed, 2 when the benchmark cannot run (bad
// flags, the sandbox does not start, or a probe hit a timeout, which would measure the timeout rather
// than round trips). Nothing leaves loopback.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/sandbox"
)

// Exit codes.
const (
	exitPass  = 0
	exitMiss  = 1
	exitSetup = 2
)

// Targets of GitHub issue 2.
const (
	// limitRTTs is the physical limit of the whole-domain probe in round trips: DNS (MX, then the MX host's
	// address) and the longest conversation (connect, greeting, EHLO, STARTTLS, TLS handshake, EHLO), with
	// one round trip to spare.
	limitRTTs = 9
	// maxOverLimit is how far above the physical limit the concurrent probe may be.
	maxOverLimit = 1.25
	// maxOverSequential is the largest acceptable concurrent / sequential ratio.
	maxOverSequential = 0.5
	// loginRTTs is the one login exchange a password may add to the physical limit (GitHub issue 10:
	// logins start as soon as a server's endpoints are known, so a run with a password costs at most one
	// login exchange more).
	loginRTTs = 1
)

// The demo world's one user.
const (
	benchUser     = "alice@sandbox.test"
	benchPassword = "correct horse battery staple"
)

// step is the prober's per-step timeout; no step should come near it, since nothing here is black-holed.
const step = 2 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rtt := fs.Duration("rtt", 50*time.Millisecond, "round-trip time the proxy adds (half each way)")
	runs := fs.Int("runs", 7, "measured runs of each kind, after one warm-up")
	domains := fs.Int("domains", 0, "bulk benchmark instead: probe this many generated domains as probe --from-file does (issue 16: 10000)")
	concurrency := fs.Int("concurrency", 64, "with -domains: domains probed at once")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to `FILE` (go tool pprof)")
	memProfile := fs.String("memprofile", "", "write an allocation profile of the run to `FILE` (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return exitSetup
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return exitSetup
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return exitSetup
		}
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		defer func() {
			f, err := os.Create(*memProfile)
			if err != nil {
				fmt.Fprintln(stderr, "bench:", err)
				return
			}
			defer f.Close()
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
		}()
	}
	if *domains > 0 {
		if *rtt <= 0 || *concurrency < 1 || fs.NArg() > 0 {
			fmt.Fprintln(stderr, "bench: -rtt must be positive, -concurrency at least 1, and no arguments are taken")
			return exitSetup
		}
		return runBulk(*domains, *concurrency, *rtt, stdout, stderr)
	}
	if *rtt <= 0 || *runs < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "bench: -rtt must be positive, -runs at least 1, and no arguments are taken")
		return exitSetup
	}
	b, err := startBench(*rtt)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return exitSetup
	}
	defer b.close()
	res, err := b.measure(*runs)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return exitSetup
	}
	if !res.print(stdout) {
		return exitMiss
	}
	return exitPass
}

// benchWorld is the demo domain with every endpoint answering: DemoWorld black-holes port 25 of
// smtp.sandbox.test, which would cost a whole step timeout; here it refuses, which costs one round trip.
// Every discovery source is present: the demo's SRV records, autoconfig file, ISPDB mirror and
// Autodiscover, and a most preferred MX at the provider mailhost.test, so the MX-derived provider lookup
// (its ISPDB entry, then the servers it lists) is a chain of the run too.
func benchWorld() (sandbox.World, error) {
	w := sandbox.DemoWorld()
	w.Records = append(w.Records, "sandbox.test. 300 IN MX 5 mx.mailhost.test.")
	for i, svc := range w.Services {
		if svc.IP == "127.0.0.4" && svc.Port == 25 && svc.Behavior == sandbox.BehaveBlackhole {
			w.Services[i].Behavior = sandbox.BehaveRefuse
			return w, nil
		}
	}
	return w, errors.New("DemoWorld has no black-holed port 25 on 127.0.0.4 any more: update benchWorld")
}

// bench is the sandbox behind its delaying proxy.
type bench struct {
	sb  *sandbox.Sandbox
	fwd *dnsForwarder
	rtt time.Duration
}

func startBench(rtt time.Duration) (*bench, error) {
	w, err := benchWorld()
	if err != nil {
		return nil, err
	}
	sb, err := sandbox.Start(w)
	if err != nil {
		return nil, fmt.Errorf("cannot start the sandbox: %w", err)
	}
	fwd, err := startDNSForwarder(sb.DNSAddr, rtt)
	if err != nil {
		_ = sb.Close()
		return nil, fmt.Errorf("cannot start the DNS forwarder: %w", err)
	}
	return &bench{sb: sb, fwd: fwd, rtt: rtt}, nil
}

func (b *bench) close() {
	_ = b.fwd.Close()
	_ = b.sb.Close()
}

// prober is a fresh prober (the resolver caches answers, so every run needs its own) that reaches the
// sandbox only through the proxy. A non-nil tracer sees every connection.
func (b *bench) prober(transcript bool, tracer *tracingDialer) *probe.Prober {
	return b.proberWith(transcript, tracer, nil)
}

// proberWith is prober with credentials (nil: none).
func (b *bench) proberWith(transcript bool, tracer *tracingDialer, creds *probe.Credentials) *probe.Prober {
	var d probe.Dialer = &latencyDialer{next: b.sb, rtt: b.rtt}
	if tracer != nil {
		tracer.next = d
		d = tracer
	}
	return probe.NewProber(probe.Config{
		Resolver:    &probe.Resolver{Servers: []string{b.fwd.Addr}, Timeout: step},
		Dialer:      d,
		RootCAs:     b.sb.RootCAs,
		Timeout:     step,
		Transcript:  transcript,
		ISPDB:       sandbox.DemoISPDB,
		Credentials: creds,
	})
}

func (b *bench) request() probe.Request {
	// An address, so that Autodiscover (which answers about an address) is asked too.
	addr := "alice@" + b.sb.World.Domain
	return probe.Request{Target: addr, Domain: b.sb.World.Domain, Address: addr}
}

// concurrent runs one whole-domain probe, as `mailcheck probe DOMAIN` does.
func (b *bench) concurrent() (*probe.Report, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	rep := b.prober(false, nil).Run(ctx, b.request())
	return rep, time.Since(start)
}

// withPassword runs one whole-domain probe with the user's password, as `mailcheck probe ADDRESS --user
// ADDRESS` does with MAILCHECK_PASSWORD set: every trusted server's login is tested as well.
func (b *bench) withPassword() (*probe.Report, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req := b.request()
	req.Target, req.Address = benchUser, benchUser
	start := time.Now()
	rep := b.proberWith(false, nil, &probe.Credentials{User: benchUser, Password: benchPassword}).Run(ctx, req)
	return rep, time.Since(start)
}

// checkLogins makes sure a run with the password did test logins and none was refused.
func checkLogins(rep *probe.Report) error {
	tested := 0
	for _, e := range rep.Endpoints {
		if e.Auth != nil && e.Auth.Tested {
			tested++
			if !e.Auth.OK {
				return fmt.Errorf("the login on %s at %s failed (%v): the figures would not measure a login", e.Endpoint, e.Address, e.Auth.Problem)
			}
		}
	}
	if tested == 0 {
		return errors.New("the run with a password tested no login")
	}
	return nil
}

// sequential does the work of ref one step after another: every DNS question ref asked, then every
// (endpoint, address) it probed. It is the baseline of a tool without concurrency. It leaves out the
// autoconfig fetch (three round trips), so it is, if anything, too fast, and the ratio to it too high.
func (b *bench) sequential(ref *probe.Report) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p := b.prober(false, nil)
	res := &probe.Resolver{Servers: []string{b.fwd.Addr}, Timeout: step}
	start := time.Now()
	for _, q := range ref.DNS {
		if _, _, err := res.Query(ctx, q.Name, dns.StringToType[q.Type]); err != nil {
			return 0, fmt.Errorf("sequential DNS query %s %s: %w", q.Type, q.Name, err)
		}
	}
	var results []probe.Result
	for _, e := range ref.Endpoints {
		if e.Address != "" {
			results = append(results, p.ProbeEndpoint(ctx, e.Endpoint, e.Address, e.Source))
		}
	}
	took := time.Since(start)
	return took, checkNoTimeout(&probe.Report{Endpoints: results})
}

// results are the figures the benchmark prints.
type results struct {
	domain     string
	rtt        time.Duration
	runs       int
	endpoints  int
	queries    int
	concurrent []time.Duration
	sequential []time.Duration
	// withPassword are whole-domain runs with the password (login tests); empty when not measured.
	withPassword []time.Duration
	logins       int
	slowest      *critical
}

func (b *bench) measure(runs int) (*results, error) {
	ref, _ := b.concurrent() // warm-up: certificates, code paths, the sandbox's first connections
	if err := checkNoTimeout(ref); err != nil {
		return nil, err
	}
	probed := 0
	for _, e := range ref.Endpoints {
		if e.Address != "" {
			probed++
		}
	}
	r := &results{domain: b.sb.World.Domain, rtt: b.rtt, runs: runs, endpoints: probed, queries: len(ref.DNS)}
	for range runs {
		rep, took := b.concurrent()
		if err := checkNoTimeout(rep); err != nil {
			return nil, err
		}
		if len(rep.Endpoints) != len(ref.Endpoints) || len(rep.DNS) != len(ref.DNS) {
			return nil, fmt.Errorf("runs disagree: %d endpoints and %d DNS queries, then %d and %d",
				len(ref.Endpoints), len(ref.DNS), len(rep.Endpoints), len(rep.DNS))
		}
		r.concurrent = append(r.concurrent, took)
	}
	if rep, _ := b.withPassword(); checkLogins(rep) != nil { // warm-up
		return nil, checkLogins(rep)
	}
	for range runs {
		rep, took := b.withPassword()
		if err := checkNoTimeout(rep); err != nil {
			return nil, err
		}
		if err := checkLogins(rep); err != nil {
			return nil, err
		}
		r.logins = 0
		for _, e := range rep.Endpoints {
			if e.Auth != nil && e.Auth.Tested {
				r.logins++
			}
		}
		r.withPassword = append(r.withPassword, took)
	}
	if _, err := b.sequential(ref); err != nil { // warm-up
		return nil, err
	}
	for range runs {
		took, err := b.sequential(ref)
		if err != nil {
			return nil, err
		}
		r.sequential = append(r.sequential, took)
	}
	r.slowest = b.criticalPath()
	return r, nil
}

// timeoutCodes are the problems that mean a probe waited for a timeout.
var timeoutCodes = map[string]bool{catalog.ConnectTimeout: true, catalog.ResponseTimeout: true, catalog.DNSTimeout: true}

// checkNoTimeout makes sure a run measured round trips: with the proxy working, nothing in the bench
// world times out.
func checkNoTimeout(rep *probe.Report) error {
	for _, e := range rep.Endpoints {
		for _, pr := range e.Problems {
			if timeoutCodes[pr.Code] {
				return fmt.Errorf("%s at %s timed out (%s): the figures would measure a timeout", e.Endpoint, e.Address, pr.Summary)
			}
		}
	}
	for _, q := range rep.DNS {
		if q.Problem != nil && timeoutCodes[q.Problem.Code] {
			return fmt.Errorf("DNS %s %s timed out: the figures would measure a timeout", q.Type, q.Name)
		}
	}
	if len(rep.Endpoints) == 0 {
		return errors.New("the probe found no endpoint")
	}
	return nil
}

// critical is the endpoint that finished last in a run, with the timeline of its conversation.
type critical struct {
	result probe.Result
	// sameAddress are other endpoints at the same address whose probes took as long: the connection may
	// have been theirs (a connection shows only the address it dialled).
	sameAddress []string
	// startedAt is when its connection was dialled, after the start of Run.
	startedAt time.Duration
	// finishedAt is when its connection was closed, after the start of Run.
	finishedAt time.Duration
	// total is the whole run.
	total time.Duration
	// dns are the questions whose answers it waited for, in order.
	dns []probe.DNSQuery
	// autoconfig are the run's discovery fetches (autoconfig, ISPDB, MX provider, Autodiscover), each a
	// chain of its own (DNS, connect, TLS, GET or POST) before
	// the servers they list can be probed.
	autoconfig []autoconfigFetch
	// autoconfigOnly counts the endpoints that only those sources found.
	autoconfigOnly int
}

// criticalPath runs one more whole-domain probe with transcripts and finds the connection that ends last
// and the endpoint it belongs to.
func (b *bench) criticalPath() *critical {
	tracer := &tracingDialer{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	rep := b.prober(true, tracer).Run(ctx, b.request())
	total := time.Since(start)
	tracer.mu.Lock()
	defer tracer.mu.Unlock()

	// A connection names only the address it dialled, so the endpoints it may belong to are those of
	// that address whose probe took as long as the connection lasted.
	var c *critical
	for _, sp := range tracer.spans {
		var matches []probe.Result
		for _, e := range rep.Endpoints {
			if net.JoinHostPort(e.Address, strconv.Itoa(e.Port)) != sp.address {
				continue
			}
			took := time.Duration(e.Timings.TotalMS * float64(time.Millisecond))
			if d := took - sp.end.Sub(sp.start); d < b.rtt/2 && d > -b.rtt/2 {
				matches = append(matches, e)
			}
		}
		if len(matches) == 0 || (c != nil && sp.end.Sub(start) <= c.finishedAt) {
			continue // not a probe's connection (an autoconfig fetch), or not the last
		}
		c = &critical{result: matches[0], startedAt: sp.start.Sub(start), finishedAt: sp.end.Sub(start), total: total}
		for _, m := range matches[1:] {
			c.sameAddress = append(c.sameAddress, m.Endpoint.String())
		}
	}
	if c == nil {
		return nil
	}
	c.dns = dnsBefore(rep, c.result)
	for _, a := range rep.Discovery {
		ac := autoconfigFetch{source: a.Source, url: a.URL, servers: len(a.Servers), failed: a.Error != ""}
		if u, err := url.Parse(a.URL); err == nil {
			// The fetch dials the first address of the URL's host.
			for _, sp := range tracer.spans {
				if ip, port, _ := net.SplitHostPort(sp.address); port == "443" && hostHasAddr(rep, u.Hostname(), ip) {
					ac.dialed, ac.closed = sp.start.Sub(start), sp.end.Sub(start)
				}
			}
		}
		c.autoconfig = append(c.autoconfig, ac)
	}
	for _, e := range rep.Endpoints {
		// Found only by a file some source fetched: no DNS record or guess named it.
		if !slices.ContainsFunc(e.Sources, func(s string) bool {
			return s == probe.SourceSRV || s == probe.SourceMX || s == probe.SourceGuess || s == probe.SourceExplicit || s == probe.SourceCertName
		}) {
			c.autoconfigOnly++
		}
	}
	return c
}

// autoconfigFetch is when one autoconfig file was fetched, after the start of Run.
type autoconfigFetch struct {
	source         string
	url            string
	dialed, closed time.Duration
	servers        int
	failed         bool
}

// hostHasAddr says whether the run's DNS answers gave host the address ip.
func hostHasAddr(rep *probe.Report, host, ip string) bool {
	for _, q := range rep.DNS {
		if q.Name != dns.CanonicalName(host) {
			continue
		}
		for _, a := range q.Answers {
			if f := strings.Fields(a); len(f) > 0 && f[len(f)-1] == ip {
				return true
			}
		}
	}
	return false
}

// span is one connection: where to and when its dial began and when it was closed.
type span struct {
	address    string
	start, end time.Time
}

// tracingDialer records every connection, for the critical-path report.
type tracingDialer struct {
	next  probe.Dialer
	mu    sync.Mutex
	spans []*span
}

func (t *tracingDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	sp := &span{address: address, start: time.Now()}
	t.mu.Lock()
	t.spans = append(t.spans, sp)
	t.mu.Unlock()
	c, err := t.next.DialContext(ctx, network, address)
	if err != nil {
		t.closed(sp)
		return nil, err
	}
	return &tracedConn{Conn: c, close: func() { t.closed(sp) }}, nil
}

func (t *tracingDialer) closed(sp *span) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if sp.end.IsZero() {
		sp.end = time.Now()
	}
}

// tracedConn tells its dialer when it is closed.
type tracedConn struct {
	net.Conn
	close func()
}

func (c *tracedConn) Close() error {
	c.close()
	return c.Conn.Close()
}

// dnsBefore lists the DNS questions an endpoint's probe waits for, as probe/run.go discover orders them:
// an MX host's address is asked after the MX answer; an SRV target's after the SRV answer; a guessed
// name's address alongside the SRV questions, whose answers it still waits for (a service an SRV record
// says is not offered is not probed).
func dnsBefore(rep *probe.Report, e probe.Result) []probe.DNSQuery {
	host := dns.CanonicalName(e.Host)
	var first, addr []probe.DNSQuery
	for _, q := range rep.DNS {
		switch {
		case q.Name == host && (q.Type == "A" || q.Type == "AAAA"):
			addr = append(addr, q)
		case e.Source == probe.SourceMX && q.Type == "MX":
			first = append(first, q)
		case e.Source != probe.SourceMX && q.Type == "SRV":
			first = append(first, q)
		}
	}
	return append(first, addr...)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// print writes the report and says whether both targets are met.
func (r *results) print(w io.Writer) bool {
	conc, seq := median(r.concurrent), median(r.sequential)
	limit := time.Duration(limitRTTs) * r.rtt
	overLimit := float64(conc) / float64(limit)
	overSeq := float64(conc) / float64(seq)
	verdict := func(ok bool) string {
		if ok {
			return "PASS"
		}
		return "FAIL"
	}
	okLimit, okSeq := overLimit <= maxOverLimit, overSeq <= maxOverSequential

	fmt.Fprintf(w, "mailcheck latency benchmark: domain %s through a delaying proxy, %d runs after 1 warm-up\n", r.domain, r.runs)
	fmt.Fprintf(w, "work per run: %d DNS questions, %d endpoint probes\n\n", r.queries, r.endpoints)
	fmt.Fprintf(w, "%-34s %s (%s each way)\n", "RTT", r.rtt, r.rtt/2)
	fmt.Fprintf(w, "%-34s %s  (min %s, max %s)\n", "concurrent, median", round(conc), round(slices.Min(r.concurrent)), round(slices.Max(r.concurrent)))
	fmt.Fprintf(w, "%-34s %s  (min %s, max %s)\n", "sequential, median", round(seq), round(slices.Min(r.sequential)), round(slices.Max(r.sequential)))
	fmt.Fprintf(w, "%-34s %s\n", "concurrent runs", list(r.concurrent))
	fmt.Fprintf(w, "%-34s %s\n", fmt.Sprintf("physical limit (%d x RTT)", limitRTTs), limit)
	fmt.Fprintf(w, "%-34s %.2f  target <= %.2f  %s\n", fmt.Sprintf("concurrent / (%d x RTT)", limitRTTs), overLimit, maxOverLimit, verdict(okLimit))
	fmt.Fprintf(w, "%-34s %.2f  target <= %.2f  %s\n", "concurrent / sequential", overSeq, maxOverSequential, verdict(okSeq))
	okLogin := true
	if len(r.withPassword) > 0 {
		pw := median(r.withPassword)
		loginLimit := time.Duration(limitRTTs+loginRTTs) * r.rtt
		overLogin := float64(pw) / float64(loginLimit)
		okLogin = overLogin <= maxOverLimit
		fmt.Fprintf(w, "%-34s %s  (min %s, max %s; %d logins tested per run)\n", "with a password, median", round(pw), round(slices.Min(r.withPassword)), round(slices.Max(r.withPassword)), r.logins)
		fmt.Fprintf(w, "%-34s %s\n", "runs with a password", list(r.withPassword))
		fmt.Fprintf(w, "%-34s %.2f  target <= %.2f  %s  (%s)\n", fmt.Sprintf("with a password / (%d+%d) x RTT", limitRTTs, loginRTTs), overLogin, maxOverLimit, verdict(okLogin),
			round(time.Duration(maxOverLimit*float64(loginLimit))))
	}
	if r.slowest != nil {
		r.slowest.print(w, r.rtt)
	}
	return okLimit && okSeq && okLogin
}

// print shows where the slowest endpoint's time went, in round trips.
func (c *critical) print(w io.Writer, rtt time.Duration) {
	inRTT := func(d time.Duration) string { return fmt.Sprintf("%.1f RTT", float64(d)/float64(rtt)) }
	msDur := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	e := c.result
	fmt.Fprintf(w, "\ncritical path (one more run, with transcripts: %s = %s)\n", round(c.total), inRTT(c.total))
	fmt.Fprintf(w, "slowest endpoint: %s at %s, found by %s, ends at %s = %s\n", e.Endpoint, e.Address, e.Source, round(c.finishedAt), inRTT(c.finishedAt))
	var qs []string
	for _, q := range c.dns {
		qs = append(qs, fmt.Sprintf("%s %s %s", q.Type, strings.TrimSuffix(q.Name, "."), round(msDur(q.TimeMS))))
	}
	chain := "(" + strings.Join(qs, ", ") + ")"
	if len(c.sameAddress) > 0 {
		fmt.Fprintf(w, "  or one of %s: same address, same duration\n", strings.Join(c.sameAddress, ", "))
		chain = "(whichever endpoint it was, it started this late)"
	}
	row := func(label string, d time.Duration, note string) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %-30s %8s = %s  %s", label, round(d), inRTT(d), note), " "))
	}
	row("discovery, before the connect", c.startedAt, chain)
	t := e.Timings
	row("connect", msDur(t.ConnectMS), "")
	row("greeting", msDur(t.GreetingMS), "")
	if t.TLSMS > 0 {
		label := "TLS handshake"
		if e.STARTTLS {
			label = "STARTTLS command + handshake"
		}
		row(label, msDur(t.TLSMS), "")
	}
	rest := msDur(t.TotalMS - t.ConnectMS - t.GreetingMS - t.TLSMS)
	row("capabilities and the rest", rest, "")
	fmt.Fprintf(w, "  transcript (time since the probe of this endpoint began):\n")
	for _, line := range collapse(e.Transcript) {
		fmt.Fprintf(w, "    %s\n", line)
	}
	for _, a := range c.autoconfig {
		outcome := fmt.Sprintf("%d servers listed", a.servers)
		if a.failed {
			outcome = "no file"
		}
		when := "no connection"
		if a.closed > 0 {
			when = fmt.Sprintf("connection from %s to %s", inRTT(a.dialed), inRTT(a.closed))
		}
		fmt.Fprintf(w, "%s %s: %s, %s\n", a.source, a.url, when, outcome)
	}
	if len(c.autoconfig) > 0 {
		fmt.Fprintf(w, "  endpoints found only by these sources: %d (each starts as soon as its file arrives and its host resolves)\n", c.autoconfigOnly)
	}
}

// collapse shortens a transcript for the terminal: multi-line server replies become their first line and
// a count, long lines are cut.
func collapse(lines []string) []string {
	var out []string
	more := 0
	flush := func() {
		if more > 0 {
			out[len(out)-1] += fmt.Sprintf("  (+%d lines)", more)
			more = 0
		}
	}
	prevServer := false
	for _, l := range lines {
		server := strings.Contains(l, "ms S: ")
		if server && prevServer {
			more++
			continue
		}
		flush()
		if len(l) > 100 {
			l = l[:100] + "…"
		}
		out = append(out, l)
		prevServer = server
	}
	flush()
	return out
}

// list shows durations in milliseconds, so that an outlier run is visible next to the median.
func list(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64))
	}
	return strings.Join(s, " ") + " ms"
}

func round(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
