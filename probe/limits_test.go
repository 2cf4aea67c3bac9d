package probe

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/sandbox"
)

// countingDialer counts the connections made through it per address, and the most open at once.
type countingDialer struct {
	next Dialer
	mu   sync.Mutex
	// dials and open count per host (the address without its port).
	dials, open, peak map[string]int
	// gate, when set, holds every dial until gateAt connections are open at once, so that connections
	// overlap for certain and a missing limit shows; each arrival rechecks it.
	gate   chan struct{}
	gateAt func(open int) bool
}

func newCountingDialer(next Dialer) *countingDialer {
	return &countingDialer{next: next, dials: map[string]int{}, open: map[string]int{}, peak: map[string]int{}}
}

func (d *countingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, _ := net.SplitHostPort(addr)
	d.mu.Lock()
	d.dials[addr]++
	d.open[host]++
	d.peak[host] = max(d.peak[host], d.open[host])
	gate := d.gate
	if gate != nil && d.gateAt(d.open[host]) {
		close(gate)
		d.gate = nil
	}
	d.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
		}
	}
	c, err := d.next.DialContext(ctx, network, addr)
	if err != nil {
		d.closed(host)
		return nil, err
	}
	return &countedConn{Conn: c, done: func() { d.closed(host) }}, nil
}

func (d *countingDialer) closed(host string) {
	d.mu.Lock()
	d.open[host]--
	d.mu.Unlock()
}

type countedConn struct {
	net.Conn
	once sync.Once
	done func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.done)
	return c.Conn.Close()
}

// TestManySRVRecordsAtOneSilentAddress: 500 SRV targets that all lead to one silent address and port cost
// one connection, shared by the names probed, and at most maxSRVTargets of them are probed; the report
// says it cut.
func TestManySRVRecordsAtOneSilentAddress(t *testing.T) {
	w := sandbox.World{Domain: "f.test", Services: []sandbox.Service{{IP: "127.0.0.9", Port: 993, Behavior: sandbox.BehaveSilent}}}
	for i := 1; i <= 500; i++ {
		w.Records = append(w.Records,
			fmt.Sprintf("_imaps._tcp.f.test.%sSRV 0 %d 993 s%d.f.test.", ttl, i, i),
			fmt.Sprintf("s%d.f.test.%sA 127.0.0.9", i, ttl))
	}
	sb, p := world(t, w, nil)
	cd := newCountingDialer(sb)
	p.cfg.Dialer = cd
	p.cfg.Timeout = 300 * time.Millisecond
	rep := p.Run(context.Background(), Request{Target: "f.test", Domain: "f.test"})
	srvEndpoints := 0
	for _, e := range rep.Endpoints {
		if e.Source == SourceSRV {
			srvEndpoints++
			if !hasProblem(e, catalog.ResponseTimeout) {
				t.Errorf("%s: %v, want %s", e.Endpoint, problemCodes(e), catalog.ResponseTimeout)
			}
		}
	}
	if srvEndpoints == 0 || srvEndpoints > maxSRVTargets {
		t.Errorf("%d SRV endpoints probed, want 1..%d", srvEndpoints, maxSRVTargets)
	}
	if n := cd.dials["127.0.0.9:993"]; n != 1 {
		t.Errorf("%d connections to 127.0.0.9:993, want one shared by every name", n)
	}
	if pr := topProblem(rep, catalog.FanoutLimited); pr == nil || !strings.Contains(pr.Summary, "500 SRV records") {
		t.Errorf("the cut is not reported: %v", rep.Problems)
	}
}

// TestManyMXRecords: of 500 MX hosts only the maxMXHosts most preferred are looked up and probed.
func TestManyMXRecords(t *testing.T) {
	w := sandbox.World{Domain: "g.test"}
	for i := 1; i <= 500; i++ {
		w.Records = append(w.Records, fmt.Sprintf("g.test.%sMX %d mx%d.other.test.", ttl, 1000-i, i))
	}
	_, p := world(t, w, nil)
	rep := p.Run(context.Background(), Request{Target: "g.test", Domain: "g.test"})
	looked := 0
	for _, q := range rep.DNS {
		if strings.HasPrefix(q.Name, "mx") && q.Type == "A" {
			looked++
			var n int
			fmt.Sscanf(q.Name, "mx%d.", &n)
			if n <= 500-maxMXHosts {
				t.Errorf("%s looked up; it is not among the %d most preferred", q.Name, maxMXHosts)
			}
		}
	}
	if looked != maxMXHosts {
		t.Errorf("%d MX hosts looked up, want %d", looked, maxMXHosts)
	}
	if pr := topProblem(rep, catalog.FanoutLimited); pr == nil || !strings.Contains(pr.Summary, "500 MX records: probed the 10 most preferred") {
		t.Errorf("the cut is not reported: %v", rep.Problems)
	}
}

// TestConnectionsPerAddressAreBounded: 30 endpoints at one answering address (each on a port of its own,
// so none shares another's result) never hold more than maxPerAddress connections open at once.
func TestConnectionsPerAddressAreBounded(t *testing.T) {
	w := sandbox.World{Domain: "h.test"}
	for k, svc := range []struct {
		label string
		proto sandbox.Proto
	}{{"imaps", sandbox.ProtoIMAP}, {"pop3s", sandbox.ProtoPOP3}, {"submissions", sandbox.ProtoSMTP}} {
		for i := 1; i <= maxSRVTargets; i++ {
			port := 10000 + k*100 + i
			w.Services = append(w.Services, sandbox.Service{IP: "127.0.0.10", Port: port, Proto: svc.proto, Mode: sandbox.ModeTLS})
			w.Records = append(w.Records,
				fmt.Sprintf("_%s._tcp.h.test.%sSRV 0 1 %d %s%d.h.test.", svc.label, ttl, port, svc.label, i),
				fmt.Sprintf("%s%d.h.test.%sA 127.0.0.10", svc.label, i, ttl))
		}
	}
	sb, p := world(t, w, nil)
	cd := newCountingDialer(sb)
	// The first dials wait until maxPerAddress are open together: with the limit that is the most there
	// can be; without it, the other endpoints' dials come on top of them.
	cd.gate = make(chan struct{})
	cd.gateAt = func(open int) bool { return open >= maxPerAddress }
	p.cfg.Dialer = cd
	rep := p.Run(context.Background(), Request{Target: "h.test", Domain: "h.test"})
	if n := len(rep.Endpoints); n < 3*maxSRVTargets {
		t.Fatalf("%d endpoints probed, want %d", n, 3*maxSRVTargets)
	}
	if peak := cd.peak["127.0.0.10"]; peak > maxPerAddress {
		t.Errorf("%d connections open at once to 127.0.0.10, limit %d", peak, maxPerAddress)
	}
	for _, e := range rep.Endpoints {
		if e.Greeting == "" {
			t.Errorf("%s: no greeting: %v", e.Endpoint, problemCodes(e))
		}
	}
}

// TestNamesAtOneAnsweringDestinationRunInParallel: a second name for the same address and port does not
// wait for the first name's whole conversation once the server has greeted; here the server answers
// EHLO only when both connections are open, so serialised probes would never finish.
func TestNamesAtOneAnsweringDestinationRunInParallel(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	both := make(chan struct{})
	addr := scripted(t, func(c net.Conn, r *bufio.Reader) error {
		mu.Lock()
		if conns++; conns == 2 {
			close(both)
		}
		mu.Unlock()
		c.Write([]byte("220 shared ESMTP\r\n"))
		if err := expect(r, "EHLO"); err != nil {
			return err
		}
		<-both
		c.Write([]byte("250-shared\r\n250 AUTH PLAIN\r\n"))
		r.ReadString('\n')
		return nil
	})
	_, p := world(t, sandbox.World{Domain: "j.test", Records: []string{
		"one.j.test." + ttl + "A 127.0.0.12", "two.j.test." + ttl + "A 127.0.0.12",
	}}, nil)
	p.cfg.Dialer = fixedDialer{addr}
	p.cfg.STARTTLS = STARTTLSNo
	rep := p.Run(context.Background(), Request{Endpoints: []Endpoint{{Protocol: SMTP, Host: "one.j.test", Port: 587, Security: STARTTLS}, {Protocol: SMTP, Host: "two.j.test", Port: 587, Security: STARTTLS}}})
	if len(rep.Endpoints) != 2 {
		t.Fatalf("%d endpoints", len(rep.Endpoints))
	}
	for _, e := range rep.Endpoints {
		if len(e.AuthMechanisms) == 0 {
			t.Errorf("%s: no EHLO answer: %v", e.Endpoint, problemCodes(e))
		}
	}
}
