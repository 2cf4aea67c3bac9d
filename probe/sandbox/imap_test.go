package sandbox

import (
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

func imapClient(t *testing.T, c *imapclient.Client) *imapclient.Client {
	t.Helper()
	t.Cleanup(func() { c.Close() })
	if err := c.WaitGreeting(); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	return c
}

func TestIMAPLoginOverTLS(t *testing.T) {
	sb := start(t)
	c := imapClient(t, imapclient.New(dialTLS(t, sb, "127.0.0.2:993", "imap.sandbox.test"), nil))
	if caps := c.Caps(); caps.Has(imap.CapLoginDisabled) || !caps.Has(imap.Cap("AUTH=PLAIN")) {
		t.Errorf("capabilities over TLS: %v", caps)
	}
	err := c.Login(alice, "wrong").Wait()
	var ie *imap.Error
	if !errors.As(err, &ie) || ie.Type != imap.StatusResponseTypeNo || ie.Code != imap.ResponseCodeAuthenticationFailed {
		t.Fatalf("wrong password: %#v, want NO [AUTHENTICATIONFAILED]", err)
	}
	if err := c.Login("Alice@sandbox.test", alicePW).Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	mbox, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	if mbox.NumMessages != 1 {
		t.Errorf("INBOX has %d messages, want the welcome message", mbox.NumMessages)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Errorf("logout: %v", err)
	}
}

func TestIMAPSTARTTLS(t *testing.T) {
	sb := start(t)
	// Before TLS: STARTTLS offered, login disabled (no PlaintextAuth).
	l := newLineConn(t, dial(t, sb, "127.0.0.2:143"))
	greeting := l.read()
	if !strings.HasPrefix(greeting, "* OK") || !strings.Contains(greeting, "STARTTLS") || !strings.Contains(greeting, "LOGINDISABLED") {
		t.Fatalf("greeting %q, want OK with STARTTLS and LOGINDISABLED", greeting)
	}
	if got := l.cmd(`a1 LOGIN alice@sandbox.test "correct horse battery staple"`); !strings.HasPrefix(got, "a1 NO [PRIVACYREQUIRED]") {
		t.Errorf("LOGIN before TLS: %q", got)
	}

	tc := &tls.Config{RootCAs: sb.RootCAs, ServerName: "imap.sandbox.test"}
	c, err := imapclient.NewStartTLS(dial(t, sb, "127.0.0.2:143"), &imapclient.Options{TLSConfig: tc})
	if err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	c = imapClient(t, c)
	if caps := c.Caps(); caps.Has(imap.CapLoginDisabled) || caps.Has(imap.CapStartTLS) {
		t.Errorf("capabilities after TLS: %v", caps)
	}
	err = c.Authenticate(sasl.NewPlainClient("", alice, "wrong"))
	var ie *imap.Error
	if !errors.As(err, &ie) || ie.Code != imap.ResponseCodeAuthenticationFailed {
		t.Fatalf("AUTHENTICATE PLAIN with a wrong password: %#v", err)
	}
	if err := c.Authenticate(sasl.NewPlainClient("", alice, alicePW)); err != nil {
		t.Fatalf("AUTHENTICATE PLAIN: %v", err)
	}
}

func TestIMAPAuthenticateLOGIN(t *testing.T) {
	sb := start(t)
	c := imapClient(t, imapclient.New(dialTLS(t, sb, "127.0.0.2:993", "imap.sandbox.test"), nil))
	if err := c.Authenticate(sasl.NewLoginClient(alice, alicePW)); err != nil {
		t.Fatalf("AUTHENTICATE LOGIN: %v", err)
	}
}

func TestIMAPPlaintextLogin(t *testing.T) {
	sb := start(t)
	c := imapClient(t, imapclient.New(dial(t, sb, "127.0.0.5:143"), nil))
	if caps := c.Caps(); caps.Has(imap.CapLoginDisabled) || caps.Has(imap.CapStartTLS) {
		t.Errorf("capabilities of a plain server with login allowed: %v", caps)
	}
	if err := c.Login(alice, alicePW).Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
}

func TestIMAPGreetingFault(t *testing.T) {
	sb := start(t)
	l := newLineConn(t, dial(t, sb, faultsIP+":143"))
	if got := l.read(); got != "* BYE go away" {
		t.Fatalf("greeting %q", got)
	}
	if _, err := l.r.ReadString('\n'); err == nil {
		t.Fatalf("connection still open after BYE")
	}
}
