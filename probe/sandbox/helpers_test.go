package sandbox

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

const (
	alice    = "alice@sandbox.test"
	alicePW  = "correct horse battery staple"
	faultsIP = "127.0.0.19"
)

// testWorld is the demo world plus the faults the demo does not show.
func testWorld() World {
	w := DemoWorld()
	w.Records = append(w.Records,
		"faults.sandbox.test. 300 IN A "+faultsIP,
		"alias.sandbox.test. 300 IN CNAME imap.sandbox.test.",
		"a.b.deep.sandbox.test. 300 IN A 127.0.0.9",
	)
	for i := range 40 {
		w.Records = append(w.Records, fmt.Sprintf(`many.sandbox.test. 300 IN TXT "record number %02d with some padding to make it long"`, i))
	}
	w.ServFail = []string{"broken.sandbox.test"}
	w.DNSDelayUntilTimeout = []string{"slow.sandbox.test."}
	w.Services = append(w.Services,
		Service{IP: faultsIP, Port: 993, Proto: ProtoIMAP, Mode: ModeTLS, Cert: CertNotYetValid},
		Service{IP: faultsIP, Port: 995, Proto: ProtoPOP3, Mode: ModeTLS, Cert: CertSelfSigned},
		Service{IP: faultsIP, Port: 110, Proto: ProtoPOP3, Mode: ModeSTARTTLS, Cert: CertGood},
		Service{IP: faultsIP, Port: 25, Proto: ProtoSMTP, Greeting: "554 5.7.1 No SMTP service here"},
		Service{IP: faultsIP, Port: 587, Proto: ProtoSMTP, Greeting: "421 4.3.2 Try later"},
		Service{IP: faultsIP, Port: 143, Proto: ProtoIMAP, Greeting: "* BYE go away"},
		Service{IP: faultsIP, Port: 465, Proto: ProtoSMTP, Mode: ModeTLS, Cert: CertGood, TLSMaxVersion: tls.VersionTLS11},
		Service{IP: faultsIP, Port: 1, Behavior: BehaveReset},
		Service{IP: faultsIP, Port: 2, Behavior: BehaveClose},
		Service{IP: faultsIP, Port: 3, Behavior: BehaveSilent},
		Service{IP: faultsIP, Port: 2110, Proto: ProtoPOP3, Mode: ModePlain, PlaintextAuth: true},
	)
	return w
}

// start runs the test world and closes it when the test ends.
func start(t *testing.T) *Sandbox {
	t.Helper()
	sb, err := Start(testWorld())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return sb
}

// testCtx bounds one test's network steps.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dial connects through the sandbox and closes the connection when the test ends.
func dial(t *testing.T, sb *Sandbox, addr string) net.Conn {
	t.Helper()
	c, err := sb.DialContext(testCtx(t), "tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	return c
}

// dialTLS connects with implicit TLS, verifying against the sandbox CA for host.
func dialTLS(t *testing.T, sb *Sandbox, addr, host string) *tls.Conn {
	t.Helper()
	tc := tls.Client(dial(t, sb, addr), &tls.Config{RootCAs: sb.RootCAs, ServerName: host})
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS to %s: %v", addr, err)
	}
	return tc
}

// lineConn is a minimal client for the line protocols.
type lineConn struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func newLineConn(t *testing.T, c net.Conn) *lineConn {
	return &lineConn{t: t, conn: c, r: bufio.NewReader(c)}
}

func (l *lineConn) read() string {
	l.t.Helper()
	s, err := l.r.ReadString('\n')
	if err != nil {
		l.t.Fatalf("read: %v (got %q)", err, s)
	}
	return strings.TrimRight(s, "\r\n")
}

func (l *lineConn) send(line string) {
	l.t.Helper()
	if _, err := l.conn.Write([]byte(line + "\r\n")); err != nil {
		l.t.Fatalf("write %q: %v", line, err)
	}
}

// cmd sends a line and returns the first line of the answer.
func (l *lineConn) cmd(line string) string {
	l.t.Helper()
	l.send(line)
	return l.read()
}

// expect sends a line and checks the answer starts with prefix.
func (l *lineConn) expect(line, prefix string) string {
	l.t.Helper()
	got := l.cmd(line)
	if !strings.HasPrefix(got, prefix) {
		l.t.Fatalf("%q: got %q, want prefix %q", line, got, prefix)
	}
	return got
}

// multiline reads a POP3 dot-terminated body.
func (l *lineConn) multiline() []string {
	l.t.Helper()
	var out []string
	for {
		s := l.read()
		if s == "." {
			return out
		}
		out = append(out, strings.TrimPrefix(s, "."))
	}
}

// startTLS switches the connection to TLS after the server agreed.
func (l *lineConn) startTLS(sb *Sandbox, host string) {
	l.t.Helper()
	if l.r.Buffered() > 0 {
		l.t.Fatalf("server sent data after agreeing to TLS")
	}
	tc := tls.Client(l.conn, &tls.Config{RootCAs: sb.RootCAs, ServerName: host})
	if err := tc.Handshake(); err != nil {
		l.t.Fatalf("STARTTLS handshake: %v", err)
	}
	l.conn = tc
	l.r = bufio.NewReader(tc)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
