package probe

import (
	"bytes"
	"context"
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/session"
)

// Fuzz targets for every parser of untrusted input in probe: the protocol readers, protocol sniffing,
// autoconfig XML, endpoint/target/resolver parsing and the redactor. `make fuzz` runs them all briefly.
// Properties: no panic, no unbounded output, and the limits the readers promise.

// scriptConn is a net.Conn that reads a fixed server script and discards what the client writes.
type scriptConn struct {
	r *bytes.Reader
}

func (c *scriptConn) Read(b []byte) (int, error)         { return c.r.Read(b) }
func (c *scriptConn) Write(b []byte) (int, error)        { return len(b), nil }
func (c *scriptConn) Close() error                       { return nil }
func (c *scriptConn) LocalAddr() net.Addr                { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }
func (c *scriptConn) RemoteAddr() net.Addr               { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2} }
func (c *scriptConn) SetDeadline(t time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(t time.Time) error { return nil }

// scriptSession is a session reading script through the same byte limit as a real connection.
func scriptSession(script []byte) *session.Conn {
	return session.NewConn(context.Background(), session.NewLimitedConn(&scriptConn{r: bytes.NewReader(script)}, session.MaxConnBytes), time.Second, session.NewTranscript(nil))
}

func checkLines(t *testing.T, lines []string) {
	t.Helper()
	if len(lines) > session.MaxReplyLines {
		t.Fatalf("%d lines kept, limit %d", len(lines), session.MaxReplyLines)
	}
	for _, l := range lines {
		if len(l) > session.MaxLine {
			t.Fatalf("a line of %d bytes, limit %d", len(l), session.MaxLine)
		}
	}
}

func FuzzSMTPReply(f *testing.F) {
	for _, s := range []string{"220 hi\r\n", "250-a\r\n250-b\r\n250 c\r\n", "250-a\r\n251 b\r\n", "999 x\r\n", "220", "220-\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		s := scriptSession(script)
		code, lines, err := session.ReadSMTPReply(s, "")
		checkLines(t, lines)
		if err == nil && (code < 200 || code > 599) {
			t.Fatalf("accepted reply code %d", code)
		}
		_, _ = session.Dialogues[SMTP].Greeting(scriptSession(script), "220-x")
		_, _ = session.Dialogues[SMTP].Capabilities(scriptSession(script), false)
	})
}

func FuzzIMAPResponse(f *testing.F) {
	for _, s := range []string{"* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n", "a1 NO\r\n", "+ go\r\n", "* BYE [UNAVAILABLE] later\r\n", "junk\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		untagged, _, _ := session.IMAPCommand(scriptSession(script), "a1", "CAPABILITY")
		checkLines(t, untagged)
		_, _ = session.Dialogues[IMAP].Capabilities(scriptSession(script), false)
		line := string(script)
		_ = session.GreetingCaps(line)
		_ = session.IMAPResponseCode(line)
		_, _ = session.Dialogues[IMAP].Greeting(scriptSession(nil), line)
	})
}

func FuzzPOP3Response(f *testing.F) {
	for _, s := range []string{"+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n", "-ERR [SYS/TEMP] busy\r\n", "+OK\r\n..x\r\n", "-ERR [IN-USE"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		lines, _ := session.POP3Multiline(scriptSession(script))
		checkLines(t, lines)
		caps, _ := session.Dialogues[POP3].Capabilities(scriptSession(script), false)
		_ = session.Dialogues[POP3].AuthMechanisms(caps)
		e := session.ParsePOP3Err(string(script))
		if len(e.Code) > len(script) {
			t.Fatal("response code longer than the line")
		}
	})
}

func FuzzSniffProtocol(f *testing.F) {
	for _, s := range []string{"* OK ready", "+OK", "-ERR", "220 x", "220", "SSH-2.0", "* PREAUTH", "* bye"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		switch p := session.Sniff(line); p {
		case "", IMAP, POP3, SMTP:
		default:
			t.Fatalf("sniffProtocol(%q) = %q", line, p)
		}
	})
}

func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"imaps://mail.example.com", "smtp://[2001:db8::1]:25", "pop3://x:0", "imap://u:p@h", "submission://h.example:587/path"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ep, err := ParseEndpoint(raw)
		if err == nil {
			if ep.Port < 1 || ep.Port > 65535 || ValidateHost(ep.Host) != nil {
				t.Fatalf("ParseEndpoint(%q) accepted %+v", raw, ep)
			}
			if again, err := ParseEndpoint(ep.URL()); err != nil || again != ep {
				t.Fatalf("%q: %+v does not round-trip through %q: %+v %v", raw, ep, ep.URL(), again, err)
			}
		}
	})
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"alice@example.com", "example.com", "a@b", "@x", "x@", "ali\x00ce@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		domain, _, err := ParseTarget(s)
		if err == nil && ValidateHost(domain) != nil {
			t.Fatalf("ParseTarget(%q) accepted the domain %q", s, domain)
		}
	})
}

func FuzzParseResolverAddr(f *testing.F) {
	for _, s := range []string{"192.0.2.53", "[2001:db8::53]:53", "1.1.1.1:0", "dns.example", "::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addr, err := ParseResolverAddr(s)
		if err != nil {
			return
		}
		host, _, err := net.SplitHostPort(addr)
		if err != nil || net.ParseIP(host) == nil {
			t.Fatalf("ParseResolverAddr(%q) = %q", s, addr)
		}
	})
}

// FuzzRedactor: whatever the password and wherever a server or client line carries it (raw, IMAP-quoted,
// base64, or inside the base64 SASL PLAIN response), no form of it survives in a transcript line.
func FuzzRedactor(f *testing.F) {
	f.Add("hunter2", "alice", "a1 LOGIN alice ", " trailing")
	f.Add(`pa55 "w0rd"\ x`, "bob@example.com", "535 you said: ", "")
	f.Add("]abc", "u", "", "abc") // the marker's "]" and the text after it would spell the password again
	f.Fuzz(func(t *testing.T, password, user, prefix, suffix string) {
		if len(password) < 4 || strings.Contains(session.Redacted, password) {
			return // a password inside the marker itself cannot be told apart from it
		}
		red := session.NewRedactor(password)
		plain := "\x00" + user + "\x00" + password
		red.Add(plain)
		quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(password)
		forms := []string{password, quoted, base64.StdEncoding.EncodeToString([]byte(password)), base64.StdEncoding.EncodeToString([]byte(plain))}
		for _, form := range forms {
			line := prefix + form + suffix
			for _, out := range []string{red.Server(line), red.Client(line), red.Scrub(line)} {
				for _, leak := range forms[:3] {
					if strings.Contains(out, leak) {
						t.Fatalf("password form %q survives in %q (from %q)", leak, out, line)
					}
				}
			}
		}
	})
}
