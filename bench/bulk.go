//go:build linux

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/bulk"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/report"
)

// The bulk benchmark (-domains N): N customer domains of one hosting provider behind the delaying proxy,
// probed as `mailcheck probe --from-file` does, with the results written as JSON Lines (to io.Discard).
// Targets of GitHub issue 16, for 10,000 domains.
const (
	// minOverBound is the least acceptable domains/s as a share of the bound concurrency / one-domain time.
	minOverBound = 0.8
	// maxPeakRSSMB bounds the process's peak resident memory, the sandbox (DNS zone, servers) included.
	maxPeakRSSMB = 150
)

// bulkWorld is N domains dI.bench.test, each with SRV records for IMAPS and submission pointing at the
// provider's shared servers and an MX at the provider's MX, as a hosting provider's customers look. The
// guessed names (imap.dI…, mail.dI…, autoconfig.dI…) do not exist, which costs one round trip each.
func bulkWorld(n int) sandbox.World {
	const ttl = " 300 IN "
	recs := []string{
		"bench.test." + ttl + "SOA ns.bench.test. hostmaster.bench.test. 2024010101 3600 600 86400 300",
		"imap.bench.test." + ttl + "A 127.0.0.2",
		"smtp.bench.test." + ttl + "A 127.0.0.4",
		"mx.bench.test." + ttl + "A 127.0.0.6",
	}
	for i := 0; i < n; i++ {
		d := "d" + strconv.Itoa(i) + ".bench.test."
		recs = append(recs,
			d+ttl+"MX 10 mx.bench.test.",
			"_imaps._tcp."+d+ttl+"SRV 0 1 993 imap.bench.test.",
			"_submission._tcp."+d+ttl+"SRV 0 1 587 smtp.bench.test.")
	}
	return sandbox.World{
		Domain:  "bench.test",
		Records: recs,
		Services: []sandbox.Service{
			{IP: "127.0.0.2", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS, Cert: sandbox.CertGood},
			{IP: "127.0.0.4", Port: 587, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS, Cert: sandbox.CertGood},
			{IP: "127.0.0.6", Port: 25, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS, Cert: sandbox.CertGood},
		},
	}
}

// runBulk measures one domain alone, then N domains at the given concurrency.
func runBulk(n, concurrency int, rtt time.Duration, stdout, stderr io.Writer) int {
	sb, err := sandbox.Start(bulkWorld(n))
	if err != nil {
		fmt.Fprintln(stderr, "bench: cannot start the sandbox:", err)
		return exitSetup
	}
	defer sb.Close()
	fwd, err := startDNSForwarder(sb.DNSAddr, rtt)
	if err != nil {
		fmt.Fprintln(stderr, "bench: cannot start the DNS forwarder:", err)
		return exitSetup
	}
	defer fwd.Close()
	// No per-server limit (--per-server 0): every synthetic domain shares the same three servers, so the
	// limit would measure itself instead of the runner.
	p := probe.NewProber(probe.Config{
		Resolver: &probe.Resolver{Servers: []string{fwd.Addr}, Timeout: step},
		Dialer:   &latencyDialer{next: sb, rtt: rtt},
		RootCAs:  sb.RootCAs,
		Timeout:  step,
	})
	one := func(domain string) (*probe.Report, time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		rep := p.Fresh().Run(ctx, probe.Request{Target: domain, Domain: domain})
		return rep, time.Since(start)
	}
	// One domain alone: a warm-up, then the median of five.
	if rep, _ := one("d0.bench.test"); rep.Status == probe.StatusFail {
		fmt.Fprintf(stderr, "bench: the bench domain does not work: %+v\n", rep.Problems)
		return exitSetup
	} else if err := checkNoTimeout(rep); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return exitSetup
	}
	var singles []time.Duration
	for i := 1; i <= 5; i++ {
		_, took := one("d" + strconv.Itoa(i) + ".bench.test")
		singles = append(singles, took)
	}
	single := median(singles)
	baseRSS := rssKB("VmRSS")

	// The list is generated as it is read, like a file, never held whole.
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriter(pw)
		for i := 0; i < n; i++ {
			fmt.Fprintf(bw, "d%d.bench.test\n", i)
		}
		_ = bw.Flush()
		_ = pw.Close()
	}()
	out := report.NewProbeLines(io.Discard)
	timeouts := 0
	cpu0 := cpuTime()
	start := time.Now()
	st, err := bulk.Run(context.Background(), pr, bulk.Options{Concurrency: concurrency},
		func(ctx context.Context, l bulk.Line) *probe.Report {
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			req, err := probe.ParseRequest(l.Text)
			if err != nil {
				return nil
			}
			return p.Fresh().Run(ctx, req)
		},
		func(l bulk.Line, rep *probe.Report) error {
			if rep == nil {
				return out.Error(l, fmt.Errorf("not a target"))
			}
			if err := checkNoTimeout(rep); err != nil {
				if timeouts == 0 {
					fmt.Fprintf(stderr, "bench: first timeout, %s: %v\n", l.Text, err)
				}
				timeouts++
			}
			return out.Target(l, rep)
		})
	took := time.Since(start)
	cpu := cpuTime() - cpu0
	goroutines := runtime.NumGoroutine()
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return exitSetup
	}
	_ = out.Summary(st, bulk.Shard{}, took)
	c := out.Counts()
	rate := float64(st.Targets) / took.Seconds()
	bound := float64(concurrency) / single.Seconds()
	peak := rssKB("VmHWM")
	okRate, okRSS := rate >= minOverBound*bound, peak/1024 <= maxPeakRSSMB
	verdict := func(ok bool) string {
		if ok {
			return "PASS"
		}
		return "FAIL"
	}
	fmt.Fprintf(stdout, "mailcheck bulk benchmark: %d domains through a delaying proxy (RTT %s), --concurrency %d\n\n", n, rtt, concurrency)
	fmt.Fprintf(stdout, "%-34s %s  (runs %s)\n", "one domain alone, median", round(single), list(singles))
	fmt.Fprintf(stdout, "%-34s %s for %d domains (ok %d, warn %d, fail %d, error %d; %d hit a timeout)\n", "bulk run", round(took), st.Targets, c.OK, c.Warn, c.Fail, c.Error, timeouts)
	fmt.Fprintf(stdout, "%-34s %.1f domains/s\n", "throughput", rate)
	fmt.Fprintf(stdout, "%-34s %d (the sandbox's servers and the proxy included)\n", "goroutines after the run", goroutines)
	fmt.Fprintf(stdout, "%-34s %s = %.2f cores over the run, %.1f ms per domain (client, servers and proxy); load average %s\n",
		"CPU used", round(cpu), cpu.Seconds()/took.Seconds(), float64(cpu.Microseconds())/1000/float64(max(st.Targets, 1)), loadAverage())
	fmt.Fprintf(stdout, "%-34s %.1f domains/s\n", "bound: concurrency / one domain", bound)
	fmt.Fprintf(stdout, "%-34s %.2f  target >= %.2f  %s\n", "throughput / bound", rate/bound, minOverBound, verdict(okRate))
	fmt.Fprintf(stdout, "%-34s %.1f MB (RSS before the run %.1f MB, the sandbox's zone and servers included)  target <= %d MB  %s\n",
		"peak RSS", peak/1024, baseRSS/1024, maxPeakRSSMB, verdict(okRSS))
	if c.Fail > 0 || c.Error > 0 || timeouts > 0 {
		fmt.Fprintln(stderr, "bench: some domains failed or hit a timeout: the figures measure that, not round trips")
		return exitSetup
	}
	if !okRate || !okRSS {
		return exitMiss
	}
	return exitPass
}

// rssKB reads a memory figure of this process from /proc/self/status, in kB (0 when unknown).
func rssKB(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return v
		}
	}
	return 0
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage is the machine's 1-minute load average and its number of CPUs, e.g. "11.3 on 2 CPUs": the
// bound assumes the CPU the concurrent run needs is there, which a shared machine may not give.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%s on %d CPUs", f[0], runtime.NumCPU())
}
