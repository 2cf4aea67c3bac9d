package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/session"
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
		_ = c.SetDeadline(time.Now().Add(answeringBudget)) // scripted's own 10 s would cut a slow machine short
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

// The question is about silence: a server whose first banner line comes at once and the rest later (a
// multi-line SMTP banner with a pause, as Postfix's postscreen sends) is never asked for TLS. The server
// holds the rest of its banner past the moment the question would come (a quarter of the step) unless
// a second connection arrives first; that is the only way to show an absence, and a machine too slow to
// fire the question in time can only make the test pass, never fail.
func TestAGreetingsFirstLineEndsTheTLSQuestion(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	second := make(chan struct{})
	addr := scripted(t, func(c net.Conn, r *bufio.Reader) error {
		if conns.Add(1) > 1 {
			close(second)
			return nil
		}
		_ = c.SetDeadline(time.Now().Add(2 * answeringBudget))
		if _, err := c.Write([]byte("220-slow.example.test ESMTP\r\n")); err != nil {
			return err
		}
		select {
		case <-second:
		case <-time.After(session.TLSQuestionAfter(answeringBudget) + time.Second):
		}
		if _, err := c.Write([]byte("220 at last\r\n")); err != nil {
			return err
		}
		if err := expect(r, "EHLO"); err != nil {
			return err
		}
		_, err := c.Write([]byte("250 slow.example.test\r\n"))
		_, _ = r.ReadString('\n') // QUIT
		return err
	})
	p := newTestProber(fixedDialer{addr}, nil)
	var steps []string
	var mu sync.Mutex
	p.cfg.Progress = func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Kind == StepStarted {
			steps = append(steps, e.Step)
		}
	}
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: SMTP, Host: "slow.example.test", Port: 25, Security: Plain}, "127.0.0.1", SourceExplicit)
	if res.Status == StatusFail || res.Greeting == "" {
		t.Fatalf("status %s, problems %v, greeting %q\n%s", res.Status, problemCodes(res), res.Greeting, strings.Join(res.Transcript, "\n"))
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1: the question was asked after the banner's first line", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if slices.Contains(steps, StepTLSCheck) {
		t.Errorf("steps %q: a TLS check after the banner's first line", steps)
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

// A capabilities step that fails still counts its time (the exporter reports each step's seconds).
func TestAFailedCapabilitiesStepKeepsItsTime(t *testing.T) {
	t.Parallel()
	addr := scripted(t, func(c net.Conn, r *bufio.Reader) error {
		if _, err := c.Write([]byte("220 mute.example.test ESMTP\r\n")); err != nil {
			return err
		}
		_, _ = r.ReadString('\n') // EHLO, never answered
		_, _ = r.ReadByte()       // until the client gives up
		return nil
	})
	p := newTestProber(fixedDialer{addr}, nil)
	p.cfg.Timeout = silenceWait
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: SMTP, Host: "mute.example.test", Port: 587, Security: STARTTLS}, "127.0.0.1", SourceExplicit)
	if !hasProblem(res, catalog.ResponseTimeout) {
		t.Fatalf("problems %v, want response_timeout", problemCodes(res))
	}
	if res.Timings.CapabilitiesMS < float64(silenceWait.Milliseconds())/2 {
		t.Errorf("capabilities_ms = %v after a step that waited %v", res.Timings.CapabilitiesMS, silenceWait)
	}
}
