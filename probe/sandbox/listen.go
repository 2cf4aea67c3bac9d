package sandbox

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// connTracker owns a listener and every connection it accepted, so Close can end them all: closing the
// raw connections makes any server goroutine blocked on them return.
type connTracker struct {
	ln net.Listener

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

// add records a new connection; it reports false once the tracker is closed.
func (t *connTracker) add(c net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.conns[c] = struct{}{}
	return true
}

func (t *connTracker) remove(c net.Conn) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
}

// closeAll closes the listener and every connection still open.
func (t *connTracker) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	_ = t.ln.Close()
	for c := range t.conns {
		_ = c.Close()
	}
	t.conns = nil
}

// trackedListener hands out trackedConns.
type trackedListener struct {
	net.Listener
	tracker *connTracker
	// accepted, if set, runs for each connection before Accept returns it.
	accepted func()
}

// Accept waits for a connection and records it.
func (l *trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if !l.tracker.add(c) {
		_ = c.Close()
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: net.ErrClosed}
	}
	if l.accepted != nil {
		l.accepted()
	}
	return &trackedConn{Conn: c, tracker: l.tracker}, nil
}

// trackedConn forgets itself when closed.
type trackedConn struct {
	net.Conn
	tracker *connTracker
}

// Close closes the connection and drops it from the tracker.
func (c *trackedConn) Close() error {
	c.tracker.remove(c.Conn)
	return c.Conn.Close()
}

// listen opens the loopback listener of an endpoint and starts its server.
func (s *Sandbox) listen(ep *endpoint) error {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ep.ln = raw
	ep.tracker = &connTracker{ln: raw, conns: make(map[net.Conn]struct{})}
	tl := &trackedListener{Listener: raw, tracker: ep.tracker}

	var ln net.Listener = tl
	if ep.svc.Behavior == BehaveNormal && ep.svc.Mode == ModeTLS {
		ln = tls.NewListener(tl, ep.tlsConfig)
	}
	switch {
	case ep.svc.Behavior == BehaveReset:
		s.acceptLoop(tl, resetConn)
	case ep.svc.Behavior == BehaveClose:
		s.acceptLoop(tl, func(c net.Conn) {})
	case ep.svc.Behavior == BehaveSilent:
		s.acceptLoop(tl, silentConn)
	case ep.svc.Greeting != "":
		s.acceptLoop(ln, func(c net.Conn) { greetingFault(ep.svc, c) })
	case ep.svc.Proto == ProtoPOP3:
		s.acceptLoop(ln, func(c net.Conn) { s.servePOP3(ep, c) })
	case ep.svc.Proto == ProtoIMAP:
		s.serveIMAP(ep, tl, ln)
	case ep.svc.Proto == ProtoSMTP:
		s.serveSMTP(ep, ln)
	case ep.svc.Proto == ProtoHTTPS:
		s.serveHTTP(ep, ln)
	}
	return nil
}

// serveHTTP serves the service's Files; Close ends it by closing the listener and its connections.
func (s *Sandbox) serveHTTP(ep *endpoint, ln net.Listener) {
	files := ep.svc.Files
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, ok := files[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/xml")
			_, _ = io.WriteString(w, body)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(ln)
	}()
}

// acceptLoop serves each connection of ln in its own goroutine; all of them count in s.wg and close
// their connection when done.
func (s *Sandbox) acceptLoop(ln net.Listener, handle func(net.Conn)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				// Closed by Close, or broken: either way this listener is done.
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				// A bug in a handler must not take the program (or the demo) down.
				defer func() { _ = recover() }()
				handle(c)
			}()
		}
	}()
}

// resetDelay is how long a BehaveReset server waits for the client's first bytes before it resets the
// connection. Without it the RST can reach a loopback client before its connect(2) has returned, and the
// dial itself fails with ECONNRESET; over a real network the client sees the reset on its first read.
const resetDelay = 50 * time.Millisecond

// resetConn aborts the connection: with SO_LINGER 0, close sends RST instead of FIN.
func resetConn(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(resetDelay))
	_, _ = c.Read(make([]byte, 512))
	if tc, ok := c.(*trackedConn); ok {
		if tcp, ok := tc.Conn.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
	}
}

// silentConn reads and discards until the client gives up.
func silentConn(c net.Conn) {
	buf := make([]byte, 512)
	for {
		if err := c.SetReadDeadline(time.Now().Add(idleTimeout)); err != nil {
			return
		}
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// greetingFault sends the service's replacement greeting. For SMTP it then follows RFC 5321: after a 554
// greeting the server waits for QUIT and answers other commands with 503 (section 3.1); after anything
// else (421) it answers the next command with 421 and closes (section 3.8). IMAP (a BYE greeting, RFC 9051
// section 7.1.5) and POP3 close at once.
func greetingFault(svc Service, c net.Conn) {
	w := bufio.NewWriter(c)
	_ = c.SetDeadline(time.Now().Add(idleTimeout))
	if _, err := w.WriteString(svc.Greeting + "\r\n"); err != nil {
		return
	}
	if err := w.Flush(); err != nil {
		return
	}
	if svc.Proto != ProtoSMTP {
		return
	}
	r := bufio.NewReaderSize(c, 1024)
	for range 20 {
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		line, err := r.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(string(line)))
		switch {
		case cmd == "QUIT":
			_, _ = w.WriteString("221 2.0.0 Bye\r\n")
			_ = w.Flush()
			return
		case strings.HasPrefix(svc.Greeting, "5"):
			_, _ = w.WriteString("503 5.5.1 Error: bad sequence of commands\r\n")
		default:
			_, _ = w.WriteString("421 4.3.2 Service not available, closing transmission channel\r\n")
			_ = w.Flush()
			return
		}
		if err := w.Flush(); err != nil {
			return
		}
	}
}
