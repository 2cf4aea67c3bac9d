package sandbox

import (
	"encoding/base64"
	"strings"
	"testing"
)

func plainIR(user, pw string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pw))
}

func TestPOP3OverTLS(t *testing.T) {
	sb := start(t)
	l := newLineConn(t, dialTLS(t, sb, "127.0.0.3:995", "pop3.sandbox.test"))
	if got := l.read(); got != "+OK sandbox POP3 ready" {
		t.Fatalf("greeting %q", got)
	}
	l.expect("CAPA", "+OK")
	caps := l.multiline()
	for _, c := range []string{"USER", "SASL PLAIN", "UIDL", "TOP", "PIPELINING", "RESP-CODES", "AUTH-RESP-CODE"} {
		if !contains(caps, c) {
			t.Errorf("CAPA %q lacks %s", caps, c)
		}
	}
	if contains(caps, "STLS") {
		t.Errorf("STLS offered on implicit TLS")
	}
	l.expect("USER "+alice, "+OK")
	if got := l.cmd("PASS wrong"); got != "-ERR [AUTH] Authentication failed." {
		t.Errorf("wrong password: %q", got)
	}
	l.expect("USER "+alice, "+OK")
	l.expect("PASS "+alicePW, "+OK")
	stat := l.expect("STAT", "+OK 1 ")
	l.expect("LIST", "+OK")
	if list := l.multiline(); len(list) != 1 || !strings.HasPrefix(list[0], "1 ") || "+OK 1 "+strings.TrimPrefix(list[0], "1 ") != stat {
		t.Errorf("LIST %q does not match STAT %q", list, stat)
	}
	l.expect("UIDL", "+OK")
	if uidl := l.multiline(); len(uidl) != 1 {
		t.Errorf("UIDL %q", uidl)
	}
	l.expect("RETR 1", "+OK")
	if msg := l.multiline(); !contains(msg, "Subject: Welcome to the mailcheck sandbox") {
		t.Errorf("RETR: %q", msg)
	}
	l.expect("TOP 1 0", "+OK")
	if top := l.multiline(); top[len(top)-1] != "" {
		t.Errorf("TOP 1 0 should end with the blank line after the header: %q", top)
	}
	l.expect("RETR 2", "-ERR")
	l.expect("NOOP", "+OK")
	l.expect("QUIT", "+OK")
}

func TestPOP3STLSAndAuthPlain(t *testing.T) {
	sb := start(t)
	l := newLineConn(t, dial(t, sb, faultsIP+":110"))
	l.read()
	l.expect("CAPA", "+OK")
	caps := l.multiline()
	if !contains(caps, "STLS") || contains(caps, "USER") || contains(caps, "SASL PLAIN") {
		t.Errorf("CAPA before TLS %q: want STLS, no USER, no SASL", caps)
	}
	const refused = "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections."
	if got := l.cmd("USER " + alice); got != refused {
		t.Errorf("USER before TLS: %q", got)
	}
	if got := l.cmd("AUTH PLAIN " + plainIR(alice, alicePW)); got != refused {
		t.Errorf("AUTH before TLS: %q", got)
	}
	l.expect("STLS", "+OK")
	l.startTLS(sb, "faults.sandbox.test")
	l.expect("CAPA", "+OK")
	if caps := l.multiline(); contains(caps, "STLS") || !contains(caps, "USER") {
		t.Errorf("CAPA after TLS %q", caps)
	}
	l.expect("STLS", "-ERR")
	// AUTH PLAIN with a continuation (RFC 5034 section 4).
	l.expect("AUTH PLAIN", "+ ")
	if got := l.cmd(plainIR(alice, "wrong")); got != "-ERR [AUTH] Authentication failed." {
		t.Errorf("wrong password: %q", got)
	}
	l.expect("AUTH PLAIN", "+ ")
	l.expect("*", "-ERR")
	// And with an initial response.
	l.expect("AUTH PLAIN "+plainIR(alice, alicePW), "+OK")
	l.expect("STAT", "+OK 1 ")
}

func TestPOP3ShowsDeliveredMail(t *testing.T) {
	sb := start(t)
	sb.deliver(alice, "Subject: second\n\nline one\n.hidden dot\n")
	l := newLineConn(t, dial(t, sb, faultsIP+":2110"))
	l.read()
	l.expect("USER "+alice, "+OK")
	l.expect("PASS "+alicePW, "+OK")
	l.expect("STAT", "+OK 2 ")
	l.expect("RETR 2", "+OK")
	msg := l.multiline()
	if !contains(msg, ".hidden dot") {
		t.Errorf("RETR 2: %q (a leading dot must be stuffed and unstuffed)", msg)
	}
	l.expect("UIDL 2", "+OK 2 msg1")
}

func TestPOP3LineTooLong(t *testing.T) {
	sb := start(t)
	l := newLineConn(t, dial(t, sb, faultsIP+":2110"))
	l.read()
	l.send(strings.Repeat("A", 4000))
	if got := l.read(); !strings.HasPrefix(got, "-ERR") {
		t.Fatalf("long line: %q", got)
	}
	if _, err := l.r.ReadString('\n'); err == nil {
		t.Fatalf("connection still open after a too long line")
	}
}
