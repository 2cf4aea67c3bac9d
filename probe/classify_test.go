package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

// Each case scripts a server and checks the problem code the probe reports for it.
func TestClassifiedFailures(t *testing.T) {
	cert, roots := testCert(t, "mail.example.test", time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour))
	tlsServer := func(handler func(c net.Conn, r *bufio.Reader) error) func(c net.Conn, r *bufio.Reader) error {
		return func(c net.Conn, _ *bufio.Reader) error {
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
			if err := tc.Handshake(); err != nil {
				return nil // the client may give up on purpose
			}
			return handler(tc, bufio.NewReader(tc))
		}
	}
	// Every server below answers at once except where silent is set: those are the only cases that wait for
	// a step to run out. The others get a budget no busy machine exhausts, so a slow handshake can never
	// turn into a timeout.
	cases := []struct {
		name    string
		ep      Endpoint
		handler func(c net.Conn, r *bufio.Reader) error
		want    string
		detail  string // expected in the summary
		silent  bool   // the server stays silent in clear text: the probe must wait one step for it
	}{
		{"TLS to an SMTP plain port", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: TLS},
			func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("220 mail.example.test ESMTP\r\n"))
				return err
			}, catalog.TLSOnPlainPort, "SMTP greeting", false},
		{"TLS to an IMAP plain port", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 143, Security: TLS},
			func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("* OK IMAP4rev1 ready\r\n"))
				return err
			}, catalog.TLSOnPlainPort, "IMAP greeting", false},
		{"plain text to a TLS port", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 993, Security: STARTTLS},
			tlsServer(func(c net.Conn, r *bufio.Reader) error { return nil }),
			catalog.PlainOnTLSPort, "expects SSL/TLS", true},
		{"plain text to a TLS port whose certificate names another host", Endpoint{Protocol: IMAP, Host: "other.example.test", Port: 993, Security: STARTTLS},
			tlsServer(func(c net.Conn, r *bufio.Reader) error { return nil }),
			catalog.PlainOnTLSPort, "expects SSL/TLS", true},
		{"SMTP greeting on an IMAP port", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 143, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("220 mail.example.test ESMTP Postfix\r\n"))
				return err
			}, catalog.WrongProtocol, "SMTP server answers", false},
		{"POP3 greeting on an SMTP port", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("+OK Dovecot ready.\r\n"))
				return err
			}, catalog.WrongProtocol, "POP3 server answers", false},
		{"not a mail server", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 143, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n"))
				return err
			}, catalog.NotMailService, "SSH-2.0", false},
		{"554 greeting", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 25, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("554 5.7.1 No SMTP service here\r\n"))
				return err
			}, catalog.GreetingRejected, "refused", false},
		{"421 greeting", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 25, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("421-4.3.2 busy\r\n421 4.3.2 try later\r\n"))
				return err
			}, catalog.GreetingTempFail, "", false},
		{"IMAP BYE greeting", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 993, Security: TLS},
			tlsServer(func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("* BYE Too many connections from your IP\r\n"))
				return err
			}), catalog.GreetingRejected, "", false},
		{"POP3 -ERR greeting", Endpoint{Protocol: POP3, Host: "mail.example.test", Port: 995, Security: TLS},
			tlsServer(func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("-ERR [SYS/PERM] maintenance\r\n"))
				return err
			}), catalog.GreetingRejected, "", false},
		{"closed without a word", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 143, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error { return nil }, catalog.ConnectionClosed, "", false},
		{"reset", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 143, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				_ = c.(*net.TCPConn).SetLinger(0)
				return nil
			}, catalog.ConnectionReset, "", false},
		{"STARTTLS not offered", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 143, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				c.Write([]byte("* OK ready\r\n"))
				line, err := r.ReadString('\n')
				if err != nil {
					return err
				}
				if strings.HasPrefix(line, "p1 AUTHENTICATE PLAIN") { // the plaintext login test: willing
					c.Write([]byte("+ \r\n"))
					if err := expect(r, "*"); err != nil {
						return err
					}
					_, err := c.Write([]byte("p1 BAD cancelled\r\n"))
					return err
				}
				if !strings.HasPrefix(line, "a1 CAPABILITY") {
					return &unexpectedLine{line: line, want: "a1 CAPABILITY"}
				}
				_, err = c.Write([]byte("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na1 OK done\r\n"))
				r.ReadString('\n')
				return err
			}, catalog.STARTTLSNotOffered, "does not offer STARTTLS", false},
		{"STARTTLS refused", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				c.Write([]byte("220 hi\r\n"))
				if err := expect(r, "EHLO ["); err != nil {
					return err
				}
				c.Write([]byte("250-hi\r\n250 STARTTLS\r\n"))
				if err := expect(r, "STARTTLS"); err != nil {
					return err
				}
				_, err := c.Write([]byte("454 4.7.0 TLS not available due to local problem\r\n"))
				return err
			}, catalog.STARTTLSFailed, "upgrade failed", false},
		{"STARTTLS response injection", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				c.Write([]byte("220 hi\r\n"))
				if err := expect(r, "EHLO"); err != nil {
					return err
				}
				c.Write([]byte("250-hi\r\n250 STARTTLS\r\n"))
				if err := expect(r, "STARTTLS"); err != nil {
					return err
				}
				_, err := c.Write([]byte("220 go ahead\r\n250 injected\r\n"))
				return err
			}, catalog.STARTTLSFailed, "possible command injection", false},
		{"clear text after agreeing to STARTTLS", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 143, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				c.Write([]byte("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"))
				if err := expect(r, "a2 STARTTLS"); err != nil {
					return err
				}
				if _, err := c.Write([]byte("a2 OK begin TLS\r\n")); err != nil {
					return err
				}
				r.ReadByte() // the ClientHello starts; answer it in clear text
				_, err := c.Write([]byte("* BAD what is this\r\n"))
				return err
			}, catalog.STARTTLSFailed, "did not start TLS", false},
		{"IMAP BYE [UNAVAILABLE] greeting", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 993, Security: TLS},
			tlsServer(func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("* BYE [UNAVAILABLE] Server overloaded, try later\r\n"))
				return err
			}), catalog.GreetingTempFail, "", false},
		{"IMAP PREAUTH on a plain port", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 143, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in as alice\r\n"))
				r.ReadString('\n')
				return err
			}, catalog.PreauthUnencrypted, "PREAUTH", false},
		{"endless 220- greeting", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				for i := 0; i < 5000; i++ {
					if _, err := c.Write([]byte("220-still greeting\r\n")); err != nil {
						return nil // the client gave up, as it should
					}
				}
				return nil
			}, catalog.ProtocolError, "cannot read: the SMTP reply does not end", false},
		{"endless EHLO answer of long lines", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				c.Write([]byte("220 hi\r\n"))
				if err := expect(r, "EHLO"); err != nil {
					return err
				}
				line := []byte("250-" + strings.Repeat("A", 8000) + "\r\n")
				for i := 0; i < 500; i++ {
					if _, err := c.Write(line); err != nil {
						return nil // the client gave up, as it should
					}
				}
				return nil
			}, catalog.ReplyTooLarge, "", false},
		{"garbled SMTP reply", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				c.Write([]byte("220 hi\r\n"))
				if err := expect(r, "EHLO"); err != nil {
					return err
				}
				_, err := c.Write([]byte("250-hi\r\n999 what\r\n"))
				return err
			}, catalog.ProtocolError, "", false},
		{"endless EHLO answer", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				c.Write([]byte("220 hi\r\n"))
				if err := expect(r, "EHLO"); err != nil {
					return err
				}
				for i := 0; i < 5000; i++ {
					if _, err := c.Write([]byte("250-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n")); err != nil {
						return nil // the client gave up, as it should
					}
				}
				return nil
			}, catalog.ProtocolError, "", false},
		{"overlong line", Endpoint{Protocol: POP3, Host: "mail.example.test", Port: 110, Security: STARTTLS},
			func(c net.Conn, r *bufio.Reader) error {
				_, err := c.Write([]byte("+OK " + strings.Repeat("x", 10000) + "\r\n"))
				return err
			}, catalog.ReplyTooLarge, "longer than 8192 bytes", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // independent servers; the silent cases wait out their step side by side
			addr := scripted(t, tc.handler)
			p := newTestProber(fixedDialer{addr}, roots)
			p.cfg.Timeout = answeringBudget
			if tc.silent {
				// The wait for the missing greeting; the TLS question on a second connection
				// has the last three quarters of it.
				p.cfg.Timeout = silenceWait
			}
			res := p.ProbeEndpoint(context.Background(), tc.ep, "127.0.0.1", SourceExplicit)
			if !hasProblem(res, tc.want) {
				t.Fatalf("problems = %v, want %s\ntranscript:\n%s", problemCodes(res), tc.want, strings.Join(res.Transcript, "\n"))
			}
			if res.Status != StatusFail {
				t.Errorf("status = %s, want fail", res.Status)
			}
			for _, p := range res.Problems {
				if p.Code == tc.want && !strings.Contains(p.Summary, tc.detail) {
					t.Errorf("summary %q does not mention %q", p.Summary, tc.detail)
				}
				if p.Explanation == "" || p.Fix == "" {
					t.Errorf("problem %s has no explanation or fix", p.Code)
				}
			}
		})
	}
}

func TestConnectRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more: the kernel refuses
	p := newTestProber(fixedDialer{addr}, nil)
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 993, Security: TLS}, "127.0.0.1", SourceExplicit)
	if !hasProblem(res, catalog.ConnectRefused) {
		t.Fatalf("problems = %v, want connect_refused", problemCodes(res))
	}
}

func TestConnectTimeoutCostsOneStep(t *testing.T) {
	p := newTestProber(blockingDialer{}, nil)
	p.cfg.Timeout = 200 * time.Millisecond
	start := time.Now()
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 25, Security: STARTTLS}, "127.0.0.1", SourceExplicit)
	if !hasProblem(res, catalog.ConnectTimeout) {
		t.Fatalf("problems = %v, want connect_timeout", problemCodes(res))
	}
	// Not a speed assertion: a hang would be many seconds; one step is 200 ms.
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a dropped connection took %v: the dial is not bounded by the step timeout", took)
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	addr := scripted(t, func(c net.Conn, r *bufio.Reader) error { <-release; return nil })
	defer close(release)
	p := newTestProber(fixedDialer{addr}, nil)
	p.cfg.Timeout = 200 * time.Millisecond
	res := p.ProbeEndpoint(context.Background(), Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS}, "127.0.0.1", SourceExplicit)
	if !hasProblem(res, catalog.ResponseTimeout) {
		t.Fatalf("problems = %v, want response_timeout", problemCodes(res))
	}
}

func TestClassifyCertificateVerificationErrors(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name string
		nb   time.Time
		na   time.Time
		host string
		want string
	}{
		{"expired", now.Add(-48 * time.Hour), now.Add(-24 * time.Hour), "mail.example.test", catalog.CertExpired},
		{"not yet valid", now.Add(24 * time.Hour), now.Add(48 * time.Hour), "mail.example.test", catalog.CertNotYetValid},
		{"wrong host", now.Add(-time.Hour), now.Add(time.Hour), "other.example.test", catalog.CertHostMismatch},
		{"untrusted", now.Add(-time.Hour), now.Add(time.Hour), "mail.example.test", catalog.CertUntrusted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cert, roots := testCert(t, c.host, c.nb, c.na)
			if c.want == catalog.CertUntrusted {
				_, roots = testCert(t, c.host, c.nb, c.na) // a different, unrelated root
			}
			addr := scripted(t, func(conn net.Conn, _ *bufio.Reader) error {
				_ = tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{cert}}).Handshake()
				return nil
			})
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			err = tls.Client(conn, &tls.Config{ServerName: "mail.example.test", RootCAs: roots}).Handshake()
			if got := classify(err, false); got != c.want {
				t.Errorf("%v: %s, want %s", err, got, c.want)
			}
		})
	}
}
