//go:build linux

// Command hostile measures what hostile servers and hostile DNS can make mailcheck spend (GitHub issue
// 13): the peak RSS of the real binary, as getrusage reports it for the child process, and its output,
// against scripted servers on loopback; and the fan-out of a run against a zone with hundreds of records.
//
//	go run ./bench/hostile
//
// Exit status: 0 when every target is met, 1 when one is missed, 2 when the benchmark cannot run.
// Nothing leaves loopback: the servers listen on 127.0.0.1, DNS is the sandbox's, and the MX case dials
// through the sandbox's dialer, which connects nowhere.
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/sandbox"
)

// Targets of issue 13.
const (
	maxSingleRSS   = 64 << 20  // one hostile endpoint
	maxTwentyRSS   = 200 << 20 // 20 hostile endpoints with -v
	maxTwentyOut   = 16 << 20  // and their output
	maxMXEndpoints = 250       // 500 MX records
	maxSRVDuration = 10 * time.Second
	// Issue 10: a port that accepts and stays silent costs one --timeout, not two (the greeting, then a
	// TLS check); the rest is the binary's start-up and its own output.
	maxSilentOverTimeout = 1.25
)

const (
	exitPass  = 0
	exitMiss  = 1
	exitSetup = 2
)

func main() {
	os.Exit(run(os.Stdout, os.Stderr))
}

func run(stdout, stderr io.Writer) int {
	dir, err := os.MkdirTemp("", "mailcheck-hostile-")
	if err != nil {
		fmt.Fprintln(stderr, "hostile:", err)
		return exitSetup
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "mailcheck")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/mailcheck").CombinedOutput(); err != nil {
		fmt.Fprintf(stderr, "hostile: cannot build mailcheck: %v\n%s", err, out)
		return exitSetup
	}
	caFile, cert, err := writeCA(dir)
	if err != nil {
		fmt.Fprintln(stderr, "hostile:", err)
		return exitSetup
	}
	b := &bench{bin: bin, out: stdout, ok: true}
	steps := []func() error{
		func() error { return b.hugeLiteral(caFile, cert) },
		func() error { return b.endlessEHLO(1, false, false) },
		func() error { return b.endlessEHLO(20, false, false) },
		func() error { return b.endlessEHLO(20, true, false) },
		func() error { return b.endlessEHLO(20, false, true) },
		func() error { return b.endlessEHLO(20, true, true) },
		b.manyMX,
		b.manySRV,
		b.fewFiles,
		func() error { return b.silentPorts(cert) },
	}
	fmt.Fprintf(stdout, "%-62s %12s %13s  %s\n", "case", "figure", "target", "")
	for _, step := range steps {
		if err := step(); err != nil {
			fmt.Fprintln(stderr, "hostile:", err)
			return exitSetup
		}
	}
	if !b.ok {
		return exitMiss
	}
	return exitPass
}

type bench struct {
	bin string
	out io.Writer
	ok  bool
}

func (b *bench) row(name, figure, target string, met bool) {
	verdict := "ok"
	if !met {
		verdict, b.ok = "MISSED", false
	}
	fmt.Fprintf(b.out, "%-62s %12s %13s  %s\n", name, figure, "<= "+target, verdict)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func kib(n int64) string { return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10)) }

// child runs the mailcheck binary and returns its peak RSS (getrusage of the child), output size and
// wall time.
func (b *bench) child(env []string, args ...string) (rss, out int64, took time.Duration, stdout []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var cw countingWriter
	cw.keep = 64 << 20
	cmd.Stdout = &cw
	cmd.Stderr = io.Discard
	start := time.Now()
	err = cmd.Run()
	took = time.Since(start)
	if _, ok := err.(*exec.ExitError); ok && cmd.ProcessState.ExitCode() <= 1 {
		err = nil // exit 1: problems found, as expected
	}
	if err != nil {
		return 0, 0, took, nil, fmt.Errorf("mailcheck %s: %v", strings.Join(args, " "), err)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		return 0, 0, took, nil, fmt.Errorf("no resource usage for the child")
	}
	return ru.Maxrss * 1024, cw.n, took, cw.buf, nil // Linux reports ru_maxrss in KiB
}

type countingWriter struct {
	n    int64
	keep int
	buf  []byte
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	if len(w.buf) < w.keep {
		w.buf = append(w.buf, p[:min(len(p), w.keep-len(w.buf))]...)
	}
	return len(p), nil
}

// serve accepts connections on 127.0.0.1:0 and hands each to handler; the returned function stops it.
func serve(handler func(net.Conn)) (port int, stop func(), accepted *atomic.Int64, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, nil, err
	}
	accepted = new(atomic.Int64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(time.Minute))
				handler(c)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, func() { ln.Close(); wg.Wait() }, accepted, nil
}

// hugeLiteral: an IMAP server that answers the login with a literal of 2 GB.
func (b *bench) hugeLiteral(caFile string, cert tls.Certificate) error {
	port, stop, _, err := serve(func(c net.Conn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		r := bufio.NewReader(tc)
		tc.Write([]byte("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"))
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			f := strings.Fields(line)
			if len(f) < 2 {
				return
			}
			switch strings.ToUpper(f[1]) {
			case "AUTHENTICATE", "LOGIN":
				if strings.EqualFold(f[1], "AUTHENTICATE") && len(f) < 4 {
					tc.Write([]byte("+ \r\n"))
					if _, err := r.ReadString('\n'); err != nil {
						return
					}
				}
				tc.Write([]byte("* 1 FETCH (BODY[] {2147483648}\r\n"))
				chunk := []byte(strings.Repeat("x", 64<<10))
				for sent := 0; sent < 2<<30; sent += len(chunk) {
					if _, err := tc.Write(chunk); err != nil {
						return
					}
				}
				return
			case "LOGOUT":
				return
			default:
				tc.Write([]byte(f[0] + " OK done\r\n"))
			}
		}
	})
	if err != nil {
		return err
	}
	defer stop()
	rss, _, _, out, err := b.child([]string{"MAILCHECK_PASSWORD=not-a-real-password"}, "probe", "--json", "--user", "alice",
		"--ca-file", caFile, fmt.Sprintf("imaps://127.0.0.1:%d", port))
	if err != nil {
		return err
	}
	code := authCode(out)
	b.row("1 IMAP endpoint answering LOGIN with a 2 GB literal: RSS", mib(rss), mib(maxSingleRSS), rss <= maxSingleRSS)
	fmt.Fprintf(b.out, "    login finding: %s\n", code)
	return nil
}

func authCode(js []byte) string {
	var rep struct {
		Endpoints []struct {
			Auth *struct {
				Problem *struct {
					Code    string `json:"code"`
					Summary string `json:"summary"`
				} `json:"problem"`
			} `json:"auth"`
		} `json:"endpoints"`
	}
	if json.Unmarshal(js, &rep) != nil || len(rep.Endpoints) == 0 || rep.Endpoints[0].Auth == nil || rep.Endpoints[0].Auth.Problem == nil {
		return "(none)"
	}
	p := rep.Endpoints[0].Auth.Problem
	return p.Code + ": " + p.Summary
}

// endlessEHLO: n SMTP servers that answer EHLO with endless lines of 8 KB (just under mailcheck's line
// limit, so that it is the byte limits that hold), probed with -v. finite ends the answer just under the
// connection's byte limit instead, so that the capabilities are kept (and their caps hold).
func (b *bench) endlessEHLO(n int, asJSON, finite bool) error {
	line := []byte("250-" + strings.Repeat("A", 8180) + "\r\n")
	var args []string
	args = append(args, "probe", "-v", "--starttls=no", "--max-time=60s")
	if asJSON {
		args = append(args, "--json")
	}
	for i := 0; i < n; i++ {
		port, stop, _, err := serve(func(c net.Conn) {
			r := bufio.NewReader(c)
			c.Write([]byte("220 hostile ESMTP\r\n"))
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
			for i := 0; !finite || i < 120; i++ {
				if _, err := c.Write(line); err != nil {
					return
				}
			}
			c.Write([]byte("250 END\r\n"))
			_, _ = io.Copy(io.Discard, r)
		})
		if err != nil {
			return err
		}
		defer stop()
		args = append(args, fmt.Sprintf("smtp://127.0.0.1:%d", port))
	}
	rss, out, _, _, err := b.child(nil, args...)
	if err != nil {
		return err
	}
	mode := "-v"
	if asJSON {
		mode = "-v --json"
	}
	what := "endless 8 KB EHLO lines"
	if finite {
		what = "~1 MB EHLO answers"
	}
	plural := "s"
	if n == 1 {
		plural = ""
	}
	name := fmt.Sprintf("%d SMTP endpoint%s with %s, %s", n, plural, what, mode)
	limit := int64(maxSingleRSS)
	if n > 1 {
		limit = maxTwentyRSS
	}
	b.row(name+": RSS", mib(rss), mib(limit), rss <= limit)
	if n > 1 {
		b.row(name+": output", kib(out), mib(maxTwentyOut), out <= maxTwentyOut)
	}
	return nil
}

// manyMX: 500 MX records of the domain, each host with an address, probed in-process through the
// sandbox (DNS and a dialer that connects nowhere).
func (b *bench) manyMX() error {
	w := sandbox.World{Domain: "mx.test"}
	for i := 1; i <= 500; i++ {
		w.Records = append(w.Records,
			fmt.Sprintf("mx.test. 300 IN MX %d mx%d.mx.test.", i, i),
			fmt.Sprintf("mx%d.mx.test. 300 IN A 127.0.%d.%d", i, 1+i/250, 1+i%250))
	}
	sb, err := sandbox.Start(w)
	if err != nil {
		return err
	}
	defer sb.Close()
	cd := &countingDialer{next: sb}
	p := probe.NewProber(probe.Config{Resolver: &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 3 * time.Second}, Dialer: cd, Timeout: 3 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep := p.Run(ctx, probe.Request{Target: "mx.test", Domain: "mx.test"})
	n := len(rep.Endpoints)
	b.row("500 MX records: endpoints probed", fmt.Sprint(n), fmt.Sprint(maxMXEndpoints), n <= maxMXEndpoints)
	fmt.Fprintf(b.out, "    DNS questions %d, connections %d, at most %d at once\n", len(rep.DNS), cd.dials.Load(), cd.peak.Load())
	for _, pr := range rep.Problems {
		if pr.Code == "fanout_limited" {
			fmt.Fprintf(b.out, "    report: %s\n", pr.Summary)
		}
	}
	return nil
}

// manySRV: 500 SRV records whose targets all lead to one silent address and port, probed by the binary
// with --timeout 3s.
func (b *bench) manySRV() error {
	port, stop, accepted, err := serve(func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	if err != nil {
		return err
	}
	defer stop()
	w := sandbox.World{Domain: "srv.test"}
	for i := 1; i <= 500; i++ {
		w.Records = append(w.Records,
			fmt.Sprintf("_imaps._tcp.srv.test. 300 IN SRV 0 %d %d s%d.srv.test.", i, port, i),
			fmt.Sprintf("s%d.srv.test. 300 IN A 127.0.0.1", i))
	}
	sb, err := sandbox.Start(w)
	if err != nil {
		return err
	}
	defer sb.Close()
	rss, _, took, out, err := b.child(nil, "probe", "--json", "--timeout=3s", "--resolver", sb.DNSAddr, "srv.test")
	if err != nil {
		return err
	}
	var rep struct {
		Endpoints []json.RawMessage `json:"endpoints"`
	}
	_ = json.Unmarshal(out, &rep)
	b.row("500 SRV records at one silent address, --timeout 3s: time", took.Round(10*time.Millisecond).String(), maxSRVDuration.String(), took <= maxSRVDuration)
	fmt.Fprintf(b.out, "    endpoints %d, connections to the silent address %d, RSS %s\n", len(rep.Endpoints), accepted.Load(), mib(rss))
	return nil
}

// silentPorts: two plain-text URLs whose servers accept and say nothing: one is stuck (it never answers
// anything), the other an implicit-TLS server waiting for a ClientHello. Both verdicts must be right
// (response_timeout, plain_on_tls_port) and the run must cost about one --timeout.
func (b *bench) silentPorts(cert tls.Certificate) error {
	const timeout = 2 * time.Second
	stuckPort, stop1, _, err := serve(func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	if err != nil {
		return err
	}
	defer stop1()
	tlsPort, stop2, _, err := serve(func(c net.Conn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		if tc.Handshake() == nil {
			_, _ = io.Copy(io.Discard, tc)
		}
	})
	if err != nil {
		return err
	}
	defer stop2()
	_, _, took, out, err := b.child(nil, "probe", "--json", "--timeout", timeout.String(), "--max-time=60s",
		fmt.Sprintf("smtp://127.0.0.1:%d", stuckPort), fmt.Sprintf("imap://127.0.0.1:%d", tlsPort))
	if err != nil {
		return err
	}
	var rep struct {
		Endpoints []struct {
			Port     int `json:"port"`
			Problems []struct {
				Code string `json:"code"`
			} `json:"problems"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		return fmt.Errorf("silent ports: the report is not JSON: %v", err)
	}
	want := map[int]string{stuckPort: "response_timeout", tlsPort: "plain_on_tls_port"}
	for _, e := range rep.Endpoints {
		found := false
		for _, pr := range e.Problems {
			found = found || pr.Code == want[e.Port]
		}
		if !found {
			return fmt.Errorf("silent ports: port %d reported %v, want %s", e.Port, e.Problems, want[e.Port])
		}
		delete(want, e.Port)
	}
	if len(want) > 0 {
		return fmt.Errorf("silent ports: no verdict for %v", want)
	}
	ratio := float64(took) / float64(timeout)
	b.row(fmt.Sprintf("2 silent plain ports (stuck, TLS-only), --timeout %s: time", timeout),
		fmt.Sprintf("%.2f x", ratio), fmt.Sprintf("%.2f x", maxSilentOverTimeout), ratio <= maxSilentOverTimeout)
	return nil
}

// fewFiles runs the demo (its own sandbox) with few file descriptors: every finding whose error is this
// machine running out of them must be local_resources, never a DNS or server failure. (The bench reads
// the error text here, which the classifier never does, to see that it classified by type.) The limit
// is the lowest from 24 up at which the sandbox itself still starts, so the probes are the ones that
// run out, however many descriptors the demo's sandbox needs as it grows.
func (b *bench) fewFiles() error {
	for limit := 24; limit <= 96; limit += 4 {
		out, err := exec.Command("sh", "-c", fmt.Sprintf(`ulimit -n %d && exec "$0" demo --json`, limit), b.bin).Output()
		if _, ok := err.(*exec.ExitError); ok {
			err = nil // exit 1: problems found (or the sandbox did not start: no JSON then)
		}
		if err != nil {
			return fmt.Errorf("demo at ulimit -n %d: %v", limit, err)
		}
		var doc any
		if json.Unmarshal(out, &doc) != nil {
			continue // the sandbox could not start at this limit
		}
		local, wrong := outOfFiles(doc)
		if local == 0 && len(wrong) == 0 {
			return fmt.Errorf("demo at ulimit -n %d: no out-of-files error at the lowest limit the sandbox starts at", limit)
		}
		n := 0
		for _, c := range wrong {
			n += c
		}
		b.row(fmt.Sprintf("demo at ulimit -n %d: out-of-files errors not local_resources", limit), fmt.Sprint(n), "0", n == 0)
		fmt.Fprintf(b.out, "    out-of-files errors reported as local_resources: %d; otherwise: %v\n", local, wrong)
		return nil
	}
	return fmt.Errorf("the demo's sandbox does not start at ulimit -n 96")
}

// outOfFiles counts the findings in a report whose error is running out of file descriptors (or
// buffers): those coded local_resources, and the others by code.
func outOfFiles(doc any) (local int, wrong map[string]int) {
	wrong = map[string]int{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			code, _ := v["code"].(string)
			text := fmt.Sprint(v["summary"], v["detail"])
			if code != "" && (strings.Contains(text, "too many open files") || strings.Contains(text, "no buffer space")) {
				if code == "local_resources" {
					local++
				} else {
					wrong[code]++
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return local, wrong
}

// countingDialer counts connections and the most open at once.
type countingDialer struct {
	next       probe.Dialer
	dials      atomic.Int64
	open, peak atomic.Int64
}

func (d *countingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.dials.Add(1)
	n := d.open.Add(1)
	for {
		p := d.peak.Load()
		if n <= p || d.peak.CompareAndSwap(p, n) {
			break
		}
	}
	c, err := d.next.DialContext(ctx, network, addr)
	if err != nil {
		d.open.Add(-1)
		return nil, err
	}
	return &closeCounted{Conn: c, d: d}, nil
}

type closeCounted struct {
	net.Conn
	d    *countingDialer
	once sync.Once
}

func (c *closeCounted) Close() error {
	c.once.Do(func() { c.d.open.Add(-1) })
	return c.Conn.Close()
}

// writeCA makes a self-signed certificate for 127.0.0.1 and writes it as the CA file for --ca-file.
func writeCA(dir string) (string, tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", tls.Certificate{}, err
	}
	path := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return "", tls.Certificate{}, err
	}
	return path, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
