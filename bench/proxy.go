//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/mailcheck/mailcheck/probe"
)

// The proxy adds latency, not a bandwidth limit: a byte read at time t is delivered at t+oneWay, in order,
// and chunks are not serialised behind each other, so pipelined data pays the one-way delay once. The
// kernel here has no netem, so this is done in the process, on loopback only.

// chunk is data read from one side, to be delivered to the other side at a given time.
type chunk struct {
	at   time.Time
	data []byte
}

// queueLen bounds the chunks in flight per direction; a full queue makes the reader wait (back pressure),
// it never drops data.
const queueLen = 256

// relay copies bytes both ways between a and b, each way delayed by oneWay. Its four goroutines (a reader
// and a deliverer per direction) end once either side is closed or fails; done is closed when all have.
type relay struct {
	a, b     net.Conn
	oneWay   time.Duration
	quit     chan struct{}
	quitOnce sync.Once
	wg       sync.WaitGroup
	done     chan struct{}
}

// startRelay starts relaying. Data from a is not delivered before aNotBefore+oneWay, nor data from b before
// bNotBefore+oneWay: that models a peer that cannot have sent anything before the TCP handshake reached
// it (zero times mean no such limit).
func startRelay(a, b net.Conn, oneWay time.Duration, aNotBefore, bNotBefore time.Time) *relay {
	r := &relay{a: a, b: b, oneWay: oneWay, quit: make(chan struct{}), done: make(chan struct{})}
	ab := make(chan chunk, queueLen)
	ba := make(chan chunk, queueLen)
	r.wg.Add(4)
	go r.read(a, ab, aNotBefore)
	go r.deliver(ab, b)
	go r.read(b, ba, bNotBefore)
	go r.deliver(ba, a)
	go func() { r.wg.Wait(); close(r.done) }()
	return r
}

// read stamps every chunk read from src with its delivery time and queues it.
func (r *relay) read(src net.Conn, q chan<- chunk, notBefore time.Time) {
	defer r.wg.Done()
	defer close(q)
	buf := make([]byte, 8<<10) // a TLS record is at most 16 kB; smaller reads only make more chunks
	for {
		n, err := src.Read(buf)
		if n > 0 {
			sent := time.Now()
			if sent.Before(notBefore) {
				sent = notBefore
			}
			select {
			case q <- chunk{at: sent.Add(r.oneWay), data: bytes.Clone(buf[:n])}:
			case <-r.quit:
				return
			}
		}
		if err != nil {
			return // EOF or closed: the deliverer sends what is queued, then closes both sides
		}
	}
}

// deliver writes each queued chunk to dst at its time. When the queue ends (the source closed) or a
// write fails, it closes both sides, which ends the other direction too.
func (r *relay) deliver(q <-chan chunk, dst net.Conn) {
	defer r.wg.Done()
	defer r.close()
	for c := range q {
		if !sleepUntil(c.at, r.quit) {
			return
		}
		if _, err := dst.Write(c.data); err != nil {
			return
		}
	}
}

// sleepUntil waits for t (an absolute time, so that waits never add up); false means quit came first.
func sleepUntil(t time.Time, quit <-chan struct{}) bool {
	wait := time.Until(t)
	if wait <= 0 {
		return true
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-quit:
		return false
	}
}

// close ends the relay at once: both connections are closed and queued data is dropped.
func (r *relay) close() {
	r.quitOnce.Do(func() {
		close(r.quit)
		_ = r.a.Close()
		_ = r.b.Close()
	})
}

// delayConn is the caller's end of a delayed connection: an in-memory pipe whose other end is relayed to
// the real connection. Closing it lets data already in flight arrive (as a network would), then the relay
// closes the real connection and its goroutines end, within one one-way delay.
type delayConn struct {
	net.Conn // the caller's end of the pipe
	local    net.Addr
	remote   net.Addr
	relay    *relay
}

// newDelayConn wraps upstream so that every read and write is delayed by oneWay. The server cannot speak
// before serverNotBefore (when the client's ACK reaches it); a zero time means no such limit.
func newDelayConn(upstream net.Conn, oneWay time.Duration, serverNotBefore time.Time) *delayConn {
	outer, inner := net.Pipe()
	return &delayConn{
		Conn:   outer,
		local:  upstream.LocalAddr(),
		remote: upstream.RemoteAddr(),
		relay:  startRelay(inner, upstream, oneWay, time.Time{}, serverNotBefore),
	}
}

// LocalAddr is the real connection's local address (SMTP's EHLO uses it).
func (c *delayConn) LocalAddr() net.Addr { return c.local }

// RemoteAddr is the address that was dialled.
func (c *delayConn) RemoteAddr() net.Addr { return c.remote }

// Done is closed when the relay's goroutines have all ended.
func (c *delayConn) Done() <-chan struct{} { return c.relay.done }

// latencyDialer puts a round-trip time in front of another dialer: connecting costs one RTT (SYN, SYN-ACK),
// the server's first byte cannot leave before the ACK reaches it (half an RTT later), and every byte after
// that takes half an RTT each way.
type latencyDialer struct {
	next probe.Dialer
	rtt  time.Duration
}

// DialContext dials next at once, so that a local "no route" error comes back immediately as the kernel's
// does, then holds the result for one RTT (a connection or a refusal each take one round trip), honouring
// ctx.
func (d *latencyDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	start := time.Now()
	conn, err := d.next.DialContext(ctx, network, address)
	if err != nil && (errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH)) {
		return nil, err // decided by the local routing table: no packet leaves
	}
	timer := time.NewTimer(time.Until(start.Add(d.rtt)))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
		if conn != nil {
			_ = conn.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	}
	if err != nil {
		return nil, err
	}
	oneWay := d.rtt / 2
	return newDelayConn(conn, oneWay, start.Add(d.rtt+oneWay)), nil
}

// dnsForwarder relays DNS over UDP and TCP, on one loopback port, to upstream, delaying each packet by
// oneWay in each direction (a TCP query also pays the handshake's round trip).
type dnsForwarder struct {
	// Addr is "127.0.0.1:NNNN", UDP and TCP.
	Addr     string
	upstream string
	oneWay   time.Duration
	pc       net.PacketConn
	ln       net.Listener
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	mu     sync.Mutex
	relays map[*relay]bool
}

// startDNSForwarder listens on 127.0.0.1 (a free port for both UDP and TCP) and forwards to upstream.
func startDNSForwarder(upstream string, rtt time.Duration) (*dnsForwarder, error) {
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			_ = pc.Close() // the TCP port of the same number is taken: try another
			lastErr = err
			continue
		}
		// A bulk run sends hundreds of queries in a burst; the default socket buffer (about 200 kB) would
		// drop some, and the benchmark would measure resolver timeouts instead of round trips.
		if u, ok := pc.(*net.UDPConn); ok {
			_ = u.SetReadBuffer(4 << 20)
		}
		ctx, cancel := context.WithCancel(context.Background())
		f := &dnsForwarder{
			Addr: pc.LocalAddr().String(), upstream: upstream, oneWay: rtt / 2,
			pc: pc, ln: ln, ctx: ctx, cancel: cancel, relays: map[*relay]bool{},
		}
		f.wg.Add(2)
		go f.serveUDP()
		go f.serveTCP()
		return f, nil
	}
	return nil, fmt.Errorf("no free port for DNS on both UDP and TCP: %w", lastErr)
}

func (f *dnsForwarder) serveUDP() {
	defer f.wg.Done()
	buf := make([]byte, 65535)
	for {
		n, from, err := f.pc.ReadFrom(buf)
		if err != nil {
			return // closed
		}
		f.wg.Add(1)
		go f.forwardUDP(bytes.Clone(buf[:n]), from, time.Now())
	}
}

// forwardUDP sends one query upstream oneWay after it arrived and the answer back oneWay after it came.
func (f *dnsForwarder) forwardUDP(query []byte, from net.Addr, received time.Time) {
	defer f.wg.Done()
	if !f.sleepUntil(received.Add(f.oneWay)) {
		return
	}
	up, err := net.Dial("udp", f.upstream)
	if err != nil {
		return
	}
	defer up.Close()
	stop := context.AfterFunc(f.ctx, func() { _ = up.Close() })
	defer stop()
	if _, err := up.Write(query); err != nil {
		return
	}
	_ = up.SetReadDeadline(time.Now().Add(10 * time.Second))
	// mailcheck asks with an EDNS0 buffer of 1232 bytes (probe/dns.go), so no UDP answer is longer; a
	// longer datagram would arrive cut and fail to parse, visibly. 64 kB per query in flight would make
	// the proxy, not mailcheck, dominate a bulk run's memory.
	answer := make([]byte, 4096)
	n, err := up.Read(answer)
	answer = answer[:n]
	if err != nil {
		return // no answer: the client times out, as it would on a network
	}
	if !f.sleepUntil(time.Now().Add(f.oneWay)) {
		return
	}
	_, _ = f.pc.WriteTo(answer, from)
}

// sleepUntil waits for t; false means the forwarder is closing.
func (f *dnsForwarder) sleepUntil(t time.Time) bool { return sleepUntil(t, f.ctx.Done()) }

func (f *dnsForwarder) serveTCP() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return // closed
		}
		accepted := time.Now()
		up, err := net.Dial("tcp", f.upstream)
		if err != nil {
			_ = c.Close()
			continue
		}
		// On loopback the client's connect returned at once; on a network it would have taken one RTT,
		// so its query leaves no earlier than that.
		r := startRelay(c, up, f.oneWay, accepted.Add(2*f.oneWay), time.Time{})
		f.mu.Lock()
		f.relays[r] = true
		f.mu.Unlock()
		if f.ctx.Err() != nil {
			r.close() // Close ran while this one was being set up
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			<-r.done
			f.mu.Lock()
			delete(f.relays, r)
			f.mu.Unlock()
		}()
	}
}

// Close stops the forwarder and waits for all its goroutines.
func (f *dnsForwarder) Close() error {
	f.cancel()
	err := errors.Join(f.pc.Close(), f.ln.Close())
	f.mu.Lock()
	for r := range f.relays {
		r.close()
	}
	f.mu.Unlock()
	f.wg.Wait()
	return err
}
