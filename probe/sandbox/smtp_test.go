package sandbox

import (
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

func smtpCode(t *testing.T, err error, code int, enhanced smtp.EnhancedCode) {
	t.Helper()
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != code || se.EnhancedCode != enhanced {
		t.Fatalf("err = %#v, want %d %v", err, code, enhanced)
	}
}

func sendMessage(t *testing.T, c *smtp.Client, body string) {
	t.Helper()
	w, err := c.Data()
	if err != nil {
		t.Fatalf("DATA: %v", err)
	}
	if _, err := w.Write([]byte(body)); err != nil {
		t.Fatalf("DATA write: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("DATA end: %v", err)
	}
}

func TestSMTPSubmissionSTARTTLSAndAuth(t *testing.T) {
	sb := start(t)
	// Before TLS: STARTTLS offered, AUTH hidden.
	plain := smtp.NewClient(dial(t, sb, "127.0.0.4:587"))
	if err := plain.Hello("client.test"); err != nil {
		t.Fatalf("EHLO: %v", err)
	}
	if ok, _ := plain.Extension("STARTTLS"); !ok {
		t.Errorf("STARTTLS not offered")
	}
	if ok, _ := plain.Extension("AUTH"); ok {
		t.Errorf("AUTH offered before TLS")
	}
	plain.Close()

	c, err := smtp.NewClientStartTLS(dial(t, sb, "127.0.0.4:587"), &tls.Config{RootCAs: sb.RootCAs, ServerName: "smtp.sandbox.test"})
	if err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	defer c.Close()
	if ok, mechs := c.Extension("AUTH"); !ok || !strings.Contains(mechs, "PLAIN") || !strings.Contains(mechs, "LOGIN") {
		t.Fatalf("AUTH after TLS: %v %q", ok, mechs)
	}
	if err := c.Auth(sasl.NewPlainClient("", alice, alicePW)); err != nil {
		t.Fatalf("AUTH PLAIN: %v", err)
	}
	smtpCode(t, c.Mail("mallory@sandbox.test", nil), 553, smtp.EnhancedCode{5, 7, 1})
	if err := c.Mail(alice, nil); err != nil {
		t.Fatalf("MAIL FROM: %v", err)
	}
	for _, to := range []string{alice, "bob@example.com"} {
		if err := c.Rcpt(to, nil); err != nil {
			t.Fatalf("RCPT TO %s: %v", to, err)
		}
	}
	sendMessage(t, c, "Subject: hello\r\n\r\nHi there.\r\n")
	if err := c.Quit(); err != nil {
		t.Errorf("QUIT: %v", err)
	}
	for _, to := range []string{alice, "Bob@example.com"} {
		if got := sb.Messages(to); len(got) != 1 || !strings.Contains(got[0], "Hi there.") {
			t.Errorf("Messages(%s) = %q", to, got)
		}
	}
}

func TestSMTPAuthFailureAndLOGIN(t *testing.T) {
	sb := start(t)
	// Implicit TLS on 465 has an expired certificate: talk anyway to test AUTH.
	tc := tls.Client(dial(t, sb, "127.0.0.4:465"), &tls.Config{InsecureSkipVerify: true})
	c := smtp.NewClient(tc)
	defer c.Close()
	smtpCode(t, c.Auth(sasl.NewPlainClient("", alice, "wrong")), 535, smtp.EnhancedCode{5, 7, 8})

	c2 := smtp.NewClient(tls.Client(dial(t, sb, "127.0.0.4:465"), &tls.Config{InsecureSkipVerify: true}))
	defer c2.Close()
	if err := c2.Auth(sasl.NewLoginClient(alice, alicePW)); err != nil {
		t.Fatalf("AUTH LOGIN: %v", err)
	}
}

func TestSMTPMXRelayDenied(t *testing.T) {
	sb := start(t)
	c := smtp.NewClient(dial(t, sb, "127.0.0.6:25"))
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		t.Fatalf("EHLO: %v", err)
	}
	if ok, _ := c.Extension("AUTH"); ok {
		t.Errorf("an MX offers AUTH")
	}
	if err := c.Mail("someone@example.org", nil); err != nil {
		t.Fatalf("MAIL FROM: %v", err)
	}
	smtpCode(t, c.Rcpt("bob@example.com", nil), 554, smtp.EnhancedCode{5, 7, 1})
	smtpCode(t, c.Rcpt("nobody@sandbox.test", nil), 550, smtp.EnhancedCode{5, 1, 1})
	if err := c.Rcpt(alice, nil); err != nil {
		t.Fatalf("RCPT TO a local user: %v", err)
	}
	sendMessage(t, c, "Subject: inbound\r\n\r\nFrom outside.\r\n")
	if got := sb.Messages(alice); len(got) != 1 {
		t.Errorf("Messages = %q", got)
	}
}

func TestSMTPGreetingFaults(t *testing.T) {
	sb := start(t)
	l := newLineConn(t, dial(t, sb, faultsIP+":25"))
	if got := l.read(); got != "554 5.7.1 No SMTP service here" {
		t.Fatalf("greeting %q", got)
	}
	l.expect("EHLO client.test", "503 ")
	l.expect("QUIT", "221 ")

	l = newLineConn(t, dial(t, sb, faultsIP+":587"))
	if got := l.read(); got != "421 4.3.2 Try later" {
		t.Fatalf("greeting %q", got)
	}
	l.expect("QUIT", "221 ")

	// go-smtp's client sees the greeting as a typed error.
	smtpCode(t, smtp.NewClient(dial(t, sb, faultsIP+":25")).Hello("client.test"), 554, smtp.EnhancedCode{5, 7, 1})
	smtpCode(t, smtp.NewClient(dial(t, sb, faultsIP+":587")).Hello("client.test"), 421, smtp.EnhancedCode{4, 3, 2})
}
