package probe

import (
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
	d.mu.Unlock()
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

// TestConnectionsPerAddressAreBounded: many names at one answering address never hold more than
// maxPerAddress connections open at once.
func TestConnectionsPerAddressAreBounded(t *testing.T) {
	w := sandbox.World{Domain: "h.test", Services: []sandbox.Service{{IP: "127.0.0.10", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS}}}
	for _, svc := range []string{"_imaps", "_imap", "_pop3s", "_pop3", "_submission", "_submissions"} {
		for i := 1; i <= 10; i++ {
			w.Records = append(w.Records, fmt.Sprintf("%s._tcp.h.test.%sSRV 0 1 993 %s%d.h.test.", svc, ttl, strings.TrimPrefix(svc, "_"), i))
			w.Records = append(w.Records, fmt.Sprintf("%s%d.h.test.%sA 127.0.0.10", strings.TrimPrefix(svc, "_"), i, ttl))
		}
	}
	sb, p := world(t, w, nil)
	cd := newCountingDialer(sb)
	p.cfg.Dialer = cd
	rep := p.Run(context.Background(), Request{Target: "h.test", Domain: "h.test"})
	if len(rep.Endpoints) == 0 {
		t.Fatal("nothing probed")
	}
	if peak := cd.peak["127.0.0.10"]; peak > maxPerAddress {
		t.Errorf("%d connections open at once to 127.0.0.10, limit %d", peak, maxPerAddress)
	}
}
