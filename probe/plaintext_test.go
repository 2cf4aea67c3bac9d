package probe

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

// plainServer answers each command line with reply(line); "" ends the connection. It fails the test when
// a credential would be sent: PASS, an AUTH with an initial response, LOGIN.
func plainServer(t *testing.T, greeting string, reply func(line string) string) string {
	t.Helper()
	return scripted(t, func(c net.Conn, r *bufio.Reader) error {
		if _, err := c.Write([]byte(greeting + "\r\n")); err != nil {
			return err
		}
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return nil
			}
			line = strings.TrimRight(line, "\r\n")
			u := strings.ToUpper(line)
			if strings.HasPrefix(u, "PASS") || strings.Contains(u, " LOGIN ") || strings.HasPrefix(u, "AUTH PLAIN ") || strings.Contains(u, "AUTHENTICATE PLAIN ") {
				return errors.New("a credential was sent before TLS: " + line)
			}
			out := reply(line)
			if out == "" {
				return nil
			}
			if _, err := c.Write([]byte(out + "\r\n")); err != nil {
				return err
			}
		}
	})
}

// TestPlaintextLoginBehaviour: the capability list offers a login before TLS; what the server does when
// one starts decides plaintext_login, without any credential and without a failed login.
func TestPlaintextLoginBehaviour(t *testing.T) {
	imap := func(auth string) func(string) string {
		return func(line string) string {
			tag, cmd, _ := strings.Cut(line, " ")
			switch {
			case cmd == "CAPABILITY":
				return "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OK done"
			case cmd == "AUTHENTICATE PLAIN":
				return auth
			case line == "*":
				return "p1 BAD cancelled"
			case cmd == "LOGOUT":
				return ""
			}
			return tag + " BAD unknown"
		}
	}
	pop3 := func(user string) func(string) string {
		return func(line string) string {
			switch {
			case line == "CAPA":
				return "+OK\r\nUSER\r\n."
			case line == "USER "+plaintextProbeUser:
				return user
			case line == "QUIT":
				return ""
			}
			return "-ERR unknown"
		}
	}
	smtp := func(auth string) func(string) string {
		return func(line string) string {
			switch {
			case strings.HasPrefix(line, "EHLO "):
				return "250-hi\r\n250 AUTH PLAIN LOGIN"
			case line == "AUTH PLAIN":
				return auth
			case line == "*":
				return "501 5.7.0 cancelled"
			case line == "QUIT":
				return ""
			}
			return "502 unknown"
		}
	}
	for _, tc := range []struct {
		name     string
		ep       Endpoint
		greeting string
		reply    func(string) string
		want     string
	}{
		{"POP3 lists USER, then says TLS required", Endpoint{Protocol: POP3, Host: "mail.example.test", Port: 110, Security: STARTTLS}, "+OK hi", pop3("-ERR [AUTH] TLS required"), "refused"},
		{"POP3 takes USER", Endpoint{Protocol: POP3, Host: "mail.example.test", Port: 110, Security: STARTTLS}, "+OK hi", pop3("+OK"), "offered"},
		{"IMAP AUTH=PLAIN, then PRIVACYREQUIRED", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 143, Security: STARTTLS}, "* OK hi", imap("p1 NO [PRIVACYREQUIRED] TLS required"), "refused"},
		{"IMAP AUTH=PLAIN, continues", Endpoint{Protocol: IMAP, Host: "mail.example.test", Port: 143, Security: STARTTLS}, "* OK hi", imap("+ "), "offered"},
		{"SMTP AUTH before STARTTLS, then 530", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS}, "220 hi", smtp("530 5.7.0 Must issue a STARTTLS command first"), "refused"},
		{"SMTP AUTH before STARTTLS, continues", Endpoint{Protocol: SMTP, Host: "mail.example.test", Port: 587, Security: STARTTLS}, "220 hi", smtp("334 "), "offered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := plainServer(t, tc.greeting, tc.reply)
			p := newTestProber(fixedDialer{addr}, nil)
			p.cfg.STARTTLS = STARTTLSTry
			res := p.ProbeEndpoint(context.Background(), tc.ep, "127.0.0.1", SourceExplicit)
			if res.PlaintextLogin != tc.want {
				t.Errorf("plaintext_login %q, want %q\n%s", res.PlaintextLogin, tc.want, strings.Join(res.Transcript, "\n"))
			}
			if offered := hasProblem(res, catalog.PlaintextAuth); offered != (tc.want == "offered") {
				t.Errorf("plaintext_auth_offered reported: %v, problems %v", offered, problemCodes(res))
			}
		})
	}
}

// An unknown protocol gets no plain-text login test: an error, and no connection, where it used to fall
// through to SMTP AUTH (issue 22).
func TestPlaintextTestRefusesUnknownProtocol(t *testing.T) {
	p := NewProber(Config{Dialer: noDial{t}})
	refused, err := p.runPlaintextTest(context.Background(), Endpoint{Protocol: "jmap", Host: "mail.example.com", Port: 443, Security: STARTTLS}, "127.0.0.1:1", "PLAIN", nil)
	if refused || !errors.Is(err, ErrUnknownProtocol) {
		t.Errorf("refused %v, error %v; want ErrUnknownProtocol", refused, err)
	}
}

// noDial fails a test that expects no connection.
type noDial struct{ t *testing.T }

func (d noDial) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.t.Errorf("dialed %s", addr)
	return nil, errors.New("no dialing in this test")
}
