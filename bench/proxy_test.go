//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Timing assertions are lower bounds ("not earlier than the delay"), which hold however loaded the
// machine is; the one upper bound (pipelined data is not delayed once per chunk) leaves a wide margin.

// waitDone fails the test when ch is not closed within a generous time.
func waitDone(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: goroutines still running 10 s after close", what)
	}
}

// bound sets a generous deadline on conns, so that a broken relay fails the test instead of hanging it.
func bound(t *testing.T, conns ...net.Conn) {
	t.Helper()
	for _, c := range conns {
		if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDelayConnDelaysEachWay(t *testing.T) {
	const oneWay = 25 * time.Millisecond
	up, srv := net.Pipe()
	c := newDelayConn(up, oneWay, time.Time{})
	bound(t, c, srv)
	defer func() { c.Close(); srv.Close(); waitDone(t, c.Done(), "delayConn") }()

	sent := time.Now()
	if _, err := c.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(srv, buf); err != nil {
		t.Fatal(err)
	}
	if got := time.Since(sent); got < oneWay {
		t.Errorf("client to server took %v, want at least %v", got, oneWay)
	}
	if string(buf) != "ping\n" {
		t.Errorf("server got %q", buf)
	}

	sent = time.Now()
	go func() { _, _ = srv.Write([]byte("pong\n")) }() // net.Pipe writes wait for the relay to read
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	if got := time.Since(sent); got < oneWay {
		t.Errorf("server to client took %v, want at least %v", got, oneWay)
	}
	if string(buf) != "pong\n" {
		t.Errorf("client got %q", buf)
	}
}

func TestDelayConnPipelinedWritesAreDelayedOnce(t *testing.T) {
	const oneWay = 50 * time.Millisecond
	// Serialised, n chunks take at least n one-way delays (5 s), on any machine; delayed once, one delay
	// and n small writes. The bound below sits 50 delays from each, so a busy machine cannot cross it.
	const n = 100
	up, srv := net.Pipe()
	c := newDelayConn(up, oneWay, time.Time{})
	bound(t, c, srv)
	defer func() { c.Close(); srv.Close(); waitDone(t, c.Done(), "delayConn") }()

	type arrival struct {
		msg string
		at  time.Time
		err error
	}
	arrivals := make(chan arrival, n)
	go func() {
		for range n {
			buf := make([]byte, 8)
			_, err := io.ReadFull(srv, buf)
			arrivals <- arrival{msg: string(buf), at: time.Now(), err: err}
			if err != nil {
				return
			}
		}
	}()
	var sent [n]time.Time
	for i := range n {
		sent[i] = time.Now()
		if _, err := fmt.Fprintf(c, "msg%04d\n", i); err != nil {
			t.Fatal(err)
		}
	}
	var last time.Time
	for i := range n {
		a := <-arrivals
		if a.err != nil {
			t.Fatalf("message %d: %v", i, a.err)
		}
		if want := fmt.Sprintf("msg%04d\n", i); a.msg != want {
			t.Fatalf("message %d is %q, want %q (order kept)", i, a.msg, want)
		}
		if d := a.at.Sub(sent[i]); d < oneWay {
			t.Errorf("message %d arrived after %v, want at least %v", i, d, oneWay)
		}
		last = a.at
	}
	// Serialised, the last chunk would arrive n one-way delays after the first was sent.
	if d := last.Sub(sent[0]); d >= n/2*oneWay {
		t.Errorf("%d pipelined messages took %v in all: the delay is paid per chunk, not once (%v)", n, d, oneWay)
	}
}

func TestDelayConnCloseDeliversInFlightDataAndEnds(t *testing.T) {
	const oneWay = 25 * time.Millisecond
	up, srv := net.Pipe()
	c := newDelayConn(up, oneWay, time.Time{})
	bound(t, c, srv)
	// As the probe does: QUIT, then close without waiting for the answer.
	if _, err := c.Write([]byte("QUIT\r\n")); err != nil {
		t.Fatal(err)
	}
	c.Close()
	got, err := io.ReadAll(srv) // until the relay closes the upstream connection
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "QUIT\r\n" {
		t.Errorf("server got %q after the client closed, want the QUIT in flight", got)
	}
	waitDone(t, c.Done(), "delayConn closed by the client")
	srv.Close()
}

func TestDelayConnServerCloseEnds(t *testing.T) {
	const oneWay = 25 * time.Millisecond
	up, srv := net.Pipe()
	c := newDelayConn(up, oneWay, time.Time{})
	bound(t, c, srv)
	go func() {
		_, _ = srv.Write([]byte("221 bye\r\n"))
		srv.Close()
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "221 bye\r\n" {
		t.Errorf("client got %q, want the server's last words then EOF", got)
	}
	waitDone(t, c.Done(), "delayConn closed by the server")
	c.Close()
}

func TestDelayConnAbandonedByBothEnds(t *testing.T) {
	up, srv := net.Pipe()
	c := newDelayConn(up, time.Hour, time.Time{}) // data in flight for an hour: closing must not wait for it
	bound(t, c, srv)
	if _, err := c.Write([]byte("never delivered")); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	c.Close()
	waitDone(t, c.Done(), "delayConn with data in flight")
}

// dialFunc turns a function into a probe.Dialer.
type dialFunc func(ctx context.Context, network, address string) (net.Conn, error)

func (f dialFunc) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return f(ctx, network, address)
}

func TestLatencyDialerHandshakeAndGreeting(t *testing.T) {
	const rtt = 50 * time.Millisecond
	greeted := make(chan error, 1)
	d := &latencyDialer{rtt: rtt, next: dialFunc(func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go func() { // a server that greets the moment it accepts
			_, err := server.Write([]byte("220 hello\r\n"))
			greeted <- err
			_, _ = io.Copy(io.Discard, server)
			server.Close()
		}()
		return client, nil
	})}
	start := time.Now()
	c, err := d.DialContext(context.Background(), "tcp", "192.0.2.1:25")
	if err != nil {
		t.Fatal(err)
	}
	bound(t, c)
	if got := time.Since(start); got < rtt {
		t.Errorf("connect took %v, want at least one RTT (%v)", got, rtt)
	}
	buf := make([]byte, 11)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	// SYN and SYN-ACK (one RTT), the ACK reaching the server (half), the greeting coming back (half).
	if got := time.Since(start); got < 2*rtt {
		t.Errorf("greeting arrived %v after the dial began, want at least two RTTs (%v)", got, 2*rtt)
	}
	if err := <-greeted; err != nil {
		t.Fatal(err)
	}
	c.Close()
	waitDone(t, c.(*delayConn).Done(), "dialled conn")
}

func TestLatencyDialerRefusalTakesOneRTT(t *testing.T) {
	const rtt = 50 * time.Millisecond
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	d := &latencyDialer{rtt: rtt, next: dialFunc(func(context.Context, string, string) (net.Conn, error) { return nil, refused })}
	start := time.Now()
	_, err := d.DialContext(context.Background(), "tcp", "192.0.2.1:25")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v, want ECONNREFUSED", err)
	}
	if got := time.Since(start); got < rtt {
		t.Errorf("refusal came after %v, want at least one RTT (%v): the RST comes back like a SYN-ACK", got, rtt)
	}
}

func TestLatencyDialerNoRouteIsImmediate(t *testing.T) {
	unreachable := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}
	d := &latencyDialer{rtt: time.Hour, next: dialFunc(func(context.Context, string, string) (net.Conn, error) { return nil, unreachable })}
	_, err := d.DialContext(context.Background(), "tcp", "[2001:db8::1]:25") // an hour's wait would time the test out
	if !errors.Is(err, syscall.ENETUNREACH) {
		t.Fatalf("err = %v, want ENETUNREACH", err)
	}
}

func TestLatencyDialerHonoursContext(t *testing.T) {
	closed := make(chan struct{})
	d := &latencyDialer{rtt: time.Hour, next: dialFunc(func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go func() {
			_, _ = io.Copy(io.Discard, server) // returns when the dialer closes the connection it gives up on
			server.Close()
			close(closed)
		}()
		return client, nil
	})}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := d.DialContext(ctx, "tcp", "192.0.2.1:25")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	waitDone(t, closed, "connection abandoned by a cancelled dial")
}

// startDNSServer runs a DNS server on one loopback port for UDP and TCP that answers every A question
// with 192.0.2.7.
func startDNSServer(t *testing.T) string {
	t.Helper()
	var pc net.PacketConn
	var ln net.Listener
	for range 20 {
		var err error
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
		pc = nil
	}
	if pc == nil {
		t.Fatal("no loopback port free for both UDP and TCP")
	}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		rr, _ := dns.NewRR(req.Question[0].Name + " 60 IN A 192.0.2.7")
		m.Answer = append(m.Answer, rr)
		_ = w.WriteMsg(m)
	})
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return pc.LocalAddr().String()
}

func TestDNSForwarderDelaysUDPAndTCP(t *testing.T) {
	const rtt = 50 * time.Millisecond
	fwd, err := startDNSForwarder(startDNSServer(t), rtt)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		net string
		min time.Duration
	}{
		{"udp", rtt},     // the query and the answer, half an RTT each
		{"tcp", 2 * rtt}, // the handshake, then the query and the answer
	} {
		c := &dns.Client{Net: tc.net, Timeout: 10 * time.Second}
		m := new(dns.Msg)
		m.SetQuestion("host.test.", dns.TypeA)
		start := time.Now()
		resp, _, err := c.Exchange(m, fwd.Addr)
		took := time.Since(start)
		if err != nil {
			t.Fatalf("%s: %v", tc.net, err)
		}
		if len(resp.Answer) != 1 || resp.Answer[0].(*dns.A).A.String() != "192.0.2.7" {
			t.Errorf("%s: answer %v", tc.net, resp.Answer)
		}
		if took < tc.min {
			t.Errorf("%s: the exchange took %v, want at least %v", tc.net, took, tc.min)
		}
	}

	// A TCP client that stays connected must not keep Close waiting.
	idle, err := net.Dial("tcp", fwd.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	closed := make(chan struct{})
	go func() { _ = fwd.Close(); close(closed) }()
	waitDone(t, closed, "DNS forwarder")
}
