package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/session"
)

// hostileTLS scripts a TLS server whose handler gets the decrypted stream.
func hostileTLS(t *testing.T, cert tls.Certificate, handler func(c net.Conn, r *bufio.Reader) error) string {
	return scripted(t, func(c net.Conn, _ *bufio.Reader) error {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		if err := tc.Handshake(); err != nil {
			return nil
		}
		return handler(tc, bufio.NewReader(tc))
	})
}

// TestLoginAnsweredWithAHugeLiteral: an IMAP server that answers LOGIN with a literal of 2 GB is cut off
// at the connection's byte limit (the library under it reads no more), and the finding says it sent too
// much rather than that it did not answer.
func TestLoginAnsweredWithAHugeLiteral(t *testing.T) {
	cert, roots := testCert(t, "mail.example.test", time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour))
	addr := hostileTLS(t, cert, func(c net.Conn, r *bufio.Reader) error {
		c.Write([]byte("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"))
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return nil
			}
			f := strings.Fields(line)
			if len(f) < 2 {
				return nil
			}
			switch strings.ToUpper(f[1]) {
			case "AUTHENTICATE", "LOGIN":
				if strings.EqualFold(f[1], "AUTHENTICATE") {
					c.Write([]byte("+ \r\n"))
					if _, err := r.ReadString('\n'); err != nil {
						return nil
					}
				}
				if _, err := c.Write([]byte("* 1 FETCH (BODY[] {2147483648}\r\n")); err != nil {
					return nil
				}
				chunk := []byte(strings.Repeat("x", 64<<10))
				for sent := 0; sent < 2<<30; sent += len(chunk) {
					if _, err := c.Write(chunk); err != nil {
						return nil // the client stopped reading, as it should
					}
				}
				return nil
			default:
				c.Write([]byte(f[0] + " OK done\r\n"))
			}
		}
	})
	p := newTestProber(fixedDialer{addr}, roots)
	p.cfg.Credentials = &Credentials{User: alice, Password: alicePW}
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 993, Security: TLS}, "127.0.0.1", SourceExplicit)
	if res.Auth == nil || res.Auth.Problem == nil || res.Auth.Problem.Code != catalog.ReplyTooLarge {
		t.Fatalf("auth %+v\n%s", res.Auth, strings.Join(res.Transcript, "\n"))
	}
	assertNoSecret(t, &Report{Endpoints: []Result{res}}, alicePW)
}

// TestTranscriptIsCapped: endless EHLO lines fill at most session.MaxTranscriptBytes of one endpoint's
// transcript, and the cut is said.
func TestTranscriptIsCapped(t *testing.T) {
	addr := scripted(t, func(c net.Conn, r *bufio.Reader) error {
		c.Write([]byte("220 hi\r\n"))
		if err := expect(r, "EHLO"); err != nil {
			return err
		}
		line := []byte("250-" + strings.Repeat("A", 8000) + "\r\n")
		for {
			if _, err := c.Write(line); err != nil {
				return nil
			}
		}
	})
	p := newTestProber(fixedDialer{addr}, nil)
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS}, "127.0.0.1", SourceExplicit)
	size := 0
	for _, l := range res.Transcript {
		size += len(l)
	}
	if size > session.MaxTranscriptBytes+1024 {
		t.Errorf("transcript holds %d bytes, limit %d", size, session.MaxTranscriptBytes)
	}
	if last := res.Transcript[len(res.Transcript)-1]; !strings.Contains(last, "transcript cut") {
		t.Errorf("the cut is not said; last line %q", last)
	}
	if !hasProblem(res, catalog.ReplyTooLarge) {
		t.Errorf("problems %v, want %s", problemCodes(res), catalog.ReplyTooLarge)
	}
}

// TestTranscriptRunBudget: transcripts of one prober share one budget.
func TestTranscriptRunBudget(t *testing.T) {
	p := NewProber(Config{Transcript: true})
	p.trBudget.Store(100)
	a, b := session.NewTranscript(p.trBudget), session.NewTranscript(p.trBudget)
	a.Note(strings.Repeat("a", 60))
	b.Note(strings.Repeat("b", 60))
	if got, cut := a.Snapshot(), b.Snapshot(); len(got) != 1 || len(cut) != 1 || !strings.Contains(cut[0], "transcript cut: 1 more lines") {
		t.Errorf("the second transcript should hold only the cut notice: %q %q", got, cut)
	}
}

// TestFreshProberHasRunBudget: a fresh prober (one per exporter scrape, one per bulk target) has a run
// budget of its own, full: without one its transcripts had no run cap at all (issue 20, finding 3).
func TestFreshProberHasRunBudget(t *testing.T) {
	p := NewProber(Config{Transcript: true})
	p.trBudget.Store(0) // the parent's budget spent
	f := p.Fresh()
	if f.trBudget == nil || f.trBudget == p.trBudget || f.trBudget.Load() != session.MaxRunTranscriptBytes {
		t.Fatalf("a fresh prober's transcript budget is %v, want its own of %d bytes", f.trBudget, session.MaxRunTranscriptBytes)
	}
	tr := session.NewTranscript(f.trBudget)
	for i := 0; i < 2*session.MaxRunTranscriptBytes/1000; i++ {
		tr.Note(strings.Repeat("x", 900))
	}
	if used := session.MaxRunTranscriptBytes - f.trBudget.Load(); used > session.MaxRunTranscriptBytes {
		t.Errorf("a run's transcripts drew %d bytes, cap %d", used, session.MaxRunTranscriptBytes)
	}
}

// TestTranscriptConcurrentUse is run with -race: a library's reader goroutine and the writer add at once.
func TestTranscriptConcurrentUse(t *testing.T) {
	tr := session.NewTranscript(nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 100; i++ {
			tr.Server("250 ok")
		}
	}()
	for i := 0; i < 100; i++ {
		tr.Client("NOOP")
	}
	<-done
	if n := len(tr.Snapshot()); n != 200 {
		t.Errorf("%d lines, want 200", n)
	}
}

// smtpDataServer scripts an SMTP server that handles one message and calls atEnd when the message ends.
func smtpDataServer(t *testing.T, atEnd func(c net.Conn)) string {
	return scripted(t, func(c net.Conn, r *bufio.Reader) error {
		c.Write([]byte("220 slow ESMTP\r\n"))
		inData := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return nil
			}
			switch {
			case inData && line == ".\r\n":
				inData = false
				atEnd(c)
			case inData:
			case strings.HasPrefix(line, "EHLO"):
				c.Write([]byte("250-slow\r\n250 8BITMIME\r\n"))
			case strings.HasPrefix(line, "DATA"):
				inData = true
				c.Write([]byte("354 go on\r\n"))
			case strings.HasPrefix(line, "QUIT"):
				c.Write([]byte("221 bye\r\n"))
				return nil
			default:
				c.Write([]byte("250 ok\r\n"))
			}
		}
	})
}

// TestSendWaitsForTheEndOfData: a content filter that answers the end of DATA after several --timeout
// steps still delivers (RFC 5321 4.5.3.2.6), instead of being reported as a timeout that invites a retry.
func TestSendWaitsForTheEndOfData(t *testing.T) {
	t.Parallel()
	// The filter's work takes three step budgets: the slowness is the server's behaviour under test, and
	// the budget (one second for the quick steps before it) is far more than a loopback exchange needs.
	const step = time.Second
	addr := smtpDataServer(t, func(c net.Conn) {
		time.Sleep(3 * step)
		c.Write([]byte("250 2.0.0 queued as 42\r\n"))
	})
	p := newTestProber(fixedDialer{addr}, nil)
	p.cfg.Timeout = step
	res := p.Send(context.Background(), SendRequest{Server: Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 25, Security: Plain}, Address: "127.0.0.1",
		From: "a@example.test", To: []string{"b@example.test"}})
	if res.Problem != nil || !res.Delivered {
		t.Fatalf("problem %+v\n%s", res.Problem, strings.Join(res.Transcript, "\n"))
	}
}

// TestSendTimeLimitDuringDataSaysItMayBeQueued: when --max-time ends the wait, the finding warns that
// the message may have been queued.
func TestSendTimeLimitDuringDataSaysItMayBeQueued(t *testing.T) {
	ended := make(chan struct{})
	addr := smtpDataServer(t, func(c net.Conn) { close(ended) })
	p := newTestProber(fixedDialer{addr}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-ended; cancel() }() // the run's limit ends while the server holds its answer
	res := p.Send(ctx, SendRequest{Server: Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 25, Security: Plain}, Address: "127.0.0.1",
		From: "a@example.test", To: []string{"b@example.test"}})
	if res.Problem == nil || res.Delivered || !strings.Contains(res.Problem.Summary, "may still have queued") {
		t.Fatalf("problem %+v", res.Problem)
	}
}

// TestResolverWhereNothingListens: a DNS server address with no listener is unreachable, not SERVFAIL.
func TestResolverWhereNothingListens(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // now nothing listens there: the kernel answers with ICMP port unreachable
	r := &Resolver{Servers: []string{addr}, Timeout: 5 * time.Second}
	_, _, err = r.Query(context.Background(), "mail.example.test.", dns.TypeA)
	if got := classify(err, false); got != catalog.DNSUnreachable {
		t.Errorf("classified as %s (%v), want %s", got, err, catalog.DNSUnreachable)
	}
}

func TestCNAMELoopIsNamed(t *testing.T) {
	m := new(dns.Msg)
	m.SetQuestion("a.example.test.", dns.TypeA)
	for _, rr := range []string{"a.example.test. 60 IN CNAME b.example.test.", "b.example.test. 60 IN CNAME a.example.test."} {
		r, err := dns.NewRR(rr)
		if err != nil {
			t.Fatal(err)
		}
		m.Answer = append(m.Answer, r)
	}
	_, err := addrsOf("a.example.test", dns.TypeA, m)
	if err == nil || !strings.Contains(err.Error(), "loop (a.example.test → b.example.test → a.example.test)") {
		t.Fatalf("error %v does not name the loop", err)
	}
	if got := classify(err, false); got != catalog.DNSServerFailure {
		t.Errorf("classified as %s", got)
	}
}

// TestLocalResourceErrors: running out of file descriptors or buffers is this machine's problem, whether
// it hits a dial or a DNS query.
func TestLocalResourceErrors(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS} {
		dial := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", errno)}
		if got := classify(dial, true); got != catalog.LocalResources {
			t.Errorf("dial %v: %s", errno, got)
		}
		q := &DNSError{Name: "x.test", Type: "A", Rcode: -1, Err: &net.OpError{Op: "dial", Net: "udp", Err: os.NewSyscallError("socket", errno)}}
		if got := classify(q, false); got != catalog.LocalResources {
			t.Errorf("DNS %v: %s", errno, got)
		}
	}
}

// TestHugeCertificateChain: a server sending a certificate chain of about 1 MB fails the TLS handshake as
// the server's TLS setup, not as a proxy or antivirus answering in the mail protocol.
func TestHugeCertificateChain(t *testing.T) {
	cert, roots := testCert(t, "mail.example.test", time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour))
	for len(cert.Certificate) < 2000 {
		cert.Certificate = append(cert.Certificate, cert.Certificate[0])
	}
	addr := hostileTLS(t, cert, func(c net.Conn, r *bufio.Reader) error { return nil })
	p := newTestProber(fixedDialer{addr}, roots)
	p.cfg.Timeout = answeringBudget // a megabyte through a TLS handshake: slow on a starved machine, never silent
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 993, Security: TLS}, "127.0.0.1", SourceExplicit)
	if !hasProblem(res, catalog.TLSHandshake) {
		t.Errorf("problems %v, want %s", problemCodes(res), catalog.TLSHandshake)
	}
}

// TestRawFieldsAreCapped: a server that sends almost 1 MiB of capabilities, in lines under the line
// limit, and a long multi-line greeting gets a bounded result, not megabytes of report.
func TestRawFieldsAreCapped(t *testing.T) {
	addr := scripted(t, func(c net.Conn, r *bufio.Reader) error {
		for i := 0; i < 100; i++ {
			c.Write([]byte("220-" + strings.Repeat("g", 2000) + "\r\n"))
		}
		c.Write([]byte("220 hi\r\n"))
		if err := expect(r, "EHLO"); err != nil {
			return err
		}
		w := bufio.NewWriter(c)
		for i := 0; i < 400; i++ {
			w.WriteString("250-X" + strings.Repeat("c", 1500) + "\r\n")
		}
		w.WriteString("250 END\r\n")
		if err := w.Flush(); err != nil {
			return nil
		}
		r.ReadString('\n')
		return nil
	})
	p := newTestProber(fixedDialer{addr}, nil)
	p.cfg.STARTTLS = STARTTLSNo
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS}, "127.0.0.1", SourceExplicit)
	if len(res.Greeting) > maxGreeting+64 {
		t.Errorf("greeting of %d bytes kept", len(res.Greeting))
	}
	caps := res.Capabilities.BeforeTLS
	if len(caps) != maxCapabilities+1 || !strings.Contains(caps[len(caps)-1], "more") {
		t.Fatalf("%d capabilities kept (problems %v)", len(caps), problemCodes(res))
	}
	for _, c := range caps {
		if len(c) > maxCapabilityLen+64 {
			t.Fatalf("a capability of %d bytes kept", len(c))
		}
	}
}
