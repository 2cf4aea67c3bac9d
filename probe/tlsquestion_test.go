package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

// A port in clear text that is slow to greet is asked for TLS on a second connection while its greeting
// is still awaited, and a greeting that comes in the same step wins over the TLS answer: here the server
// greets only once the question's handshake is done, so the probe can only succeed when the question
// runs during the wait (not after it) and the late greeting still counts.
func TestALateGreetingWinsOverTheTLSQuestion(t *testing.T) {
	t.Parallel()
	cert, roots := testCert(t, "mail.example.test", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	asked := make(chan struct{})
	var conns atomic.Int32
	addr := scripted(t, func(c net.Conn, r *bufio.Reader) error {
		if conns.Add(1) == 2 { // the question
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
			if err := tc.Handshake(); err != nil {
				return err
			}
			close(asked)
			_, _ = r.ReadByte() // until the client closes it
			return nil
		}
		select {
		case <-asked:
		case <-time.After(answeringBudget):
			return nil // never asked: the probe fails on its own
		}
		if _, err := c.Write([]byte("220 late.example.test ESMTP\r\n")); err != nil {
			return err
		}
		if err := expect(r, "EHLO"); err != nil {
			return err
		}
		_, err := c.Write([]byte("250 late.example.test\r\n"))
		_, _ = r.ReadString('\n') // QUIT
		return err
	})
	p := newTestProber(fixedDialer{addr}, roots)
	p.cfg.Timeout = answeringBudget // the question comes after a quarter of it; the greeting then at once
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 25, Security: Plain}, "127.0.0.1", SourceExplicit)
	if res.Status == StatusFail || hasProblem(res, catalog.PlainOnTLSPort) || res.Greeting == "" {
		t.Fatalf("status %s, problems %v, greeting %q; want the late greeting to count\n%s", res.Status, problemCodes(res), res.Greeting, strings.Join(res.Transcript, "\n"))
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (the probe's and the question's)", n)
	}
}

// A stuck port (it accepts, then never answers anything) is asked for TLS on a second connection within
// the greeting's step, and is reported as silent.
func TestAStuckPortIsAskedForTLSOnASecondConnection(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	clientHello := make(chan bool, 1)
	addr := scripted(t, func(c net.Conn, r *bufio.Reader) error {
		n := conns.Add(1)
		b, err := r.ReadByte()
		if n == 2 {
			clientHello <- err == nil && b == 0x16 // a TLS handshake record
		}
		return nil
	})
	p := newTestProber(fixedDialer{addr}, nil)
	p.cfg.Timeout = silenceWait
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 143, Security: STARTTLS}, "127.0.0.1", SourceExplicit)
	if !hasProblem(res, catalog.ResponseTimeout) || hasProblem(res, catalog.PlainOnTLSPort) {
		t.Fatalf("problems %v, want response_timeout\n%s", problemCodes(res), strings.Join(res.Transcript, "\n"))
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2 (the probe's and the question's)", n)
	}
	if !<-clientHello { // its handler reports once its first byte (or the end) has come
		t.Error("the second connection did not start with a TLS handshake")
	}
	if tr := strings.Join(res.Transcript, "\n"); !strings.Contains(tr, "second connection") {
		t.Errorf("the transcript does not show the question:\n%s", tr)
	}
}
