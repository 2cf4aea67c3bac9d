package session

import (
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

// Login is one login exchange: who, with which secret and mechanism, on a connection with these
// capabilities. The secret never leaves it but on the connection, and passes the Redactor before it
// reaches a transcript.
type Login struct {
	User     string
	Password string
	// Token is an OAuth2 access token, sent instead of the password by MechXOAUTH2 and MechOAUTHBEARER.
	Token string
	// Mechanism is PLAIN, LOGIN, USER (POP3), XOAUTH2 or OAUTHBEARER; for IMAP, LOGIN without AUTH=LOGIN
	// is the LOGIN command (RFC 3501 section 6.2.3).
	Mechanism string
	// Caps are the capabilities of this connection: the IMAP client is given them in its greeting, which
	// saves it a CAPABILITY round trip (and lets it use SASL-IR).
	Caps []string
	// Limit bounds the whole exchange (0: three steps): servers delay the answer to a failed login on purpose.
	Limit time.Duration
}

// String hides the secrets if a Login is ever printed (%v, %+v).
func (l Login) String() string {
	return "Login{User: " + l.User + ", Password: " + Redacted + ", Token: " + Redacted + ", Mechanism: " + l.Mechanism + "}"
}

// GoString hides them from %#v too.
func (l Login) GoString() string { return l.String() }

// Login runs the exchange l of protocol proto on a connection that is ready for it (as encrypted as its
// endpoint demands, greeting and capabilities done), recorded in tr with red's secrets removed. It is the
// last thing on the connection.
func (s *Conn) Login(proto endpoint.Protocol, l Login, tr *Transcript, red *Redactor) error {
	// Every source of a login name was checked already (the command line, config files, discovery); a
	// name that still holds a control character is refused here, before a byte is sent, whatever the
	// protocol encodes it as.
	if err := endpoint.ValidUser(l.User); err != nil {
		return err
	}
	if _, ok := endpoint.TraitsOf(proto); !ok {
		return fmt.Errorf("no login exchange for %w %q", endpoint.ErrUnknownProtocol, proto)
	}
	var err error
	s.Redactor = red
	// Servers delay the answer to a failed login on purpose (Dovecot's auth_failure_delay is 2 s and grows
	// with repeated failures), so the login exchange gets a longer limit than other steps. A watchdog
	// enforces it whatever deadlines the protocol library sets on the connection itself.
	limit := l.Limit
	if limit <= 0 {
		limit = 3 * s.Step
	}
	s.Step = limit
	var expired atomic.Bool
	watchdog := time.AfterFunc(limit, func() { expired.Store(true); s.NetConn.Close() })
	defer watchdog.Stop()
	rc := &RecordingConn{Conn: s.NetConn, Transcript: tr, Redactor: red}
	switch proto {
	case endpoint.IMAP:
		err = loginIMAP(s, rc, l, red)
	case endpoint.SMTP:
		err = loginSMTP(s, l, red)
	case endpoint.POP3:
		err = loginPOP3(s, l, red)
	default:
		// A protocol in endpoint.Protocols without its exchange here: refused, never another's exchange.
		return fmt.Errorf("no login exchange for %w %q", endpoint.ErrUnknownProtocol, proto)
	}
	if err != nil {
		// The libraries may wrap or replace the error of the conn under them: the byte limit and the
		// watchdog are asked directly, the limit first (a server that sends too much did answer).
		if lerr := s.Limit.Exceeded(); lerr != nil {
			return lerr
		}
		if expired.Load() {
			return fmt.Errorf("no answer to the login within %v: %w", limit, os.ErrDeadlineExceeded)
		}
	}
	return err
}

// SASLClient returns the go-sasl client for l's mechanism, registering what it will send with red.
func SASLClient(l Login, red *Redactor) sasl.Client {
	switch l.Mechanism {
	case MechXOAUTH2, MechOAUTHBEARER:
		return newOAuthClient(l, red)
	case "PLAIN":
		red.Add("\x00" + l.User + "\x00" + l.Password)
		return sasl.NewPlainClient("", l.User, l.Password)
	default:
		return sasl.NewLoginClient(l.User, l.Password)
	}
}

// ResumedConn lets a protocol library take over a session mailcheck opened (and possibly upgraded with
// STARTTLS) itself: the libraries begin by reading a greeting, which this conn supplies once, locally.
type ResumedConn struct {
	net.Conn
	// Greeting is what the library reads first (its "greeting").
	Greeting *strings.Reader
}

func (c *ResumedConn) Read(b []byte) (int, error) {
	if c.Greeting.Len() > 0 {
		return c.Greeting.Read(b)
	}
	return c.Conn.Read(b)
}

// resumedCaps is "[CAPABILITY ...] " with the capabilities of the connection the login uses, or "" when
// they are not known or not plain IMAP atoms.
func resumedCaps(caps []string) string {
	if len(caps) == 0 || len(caps) > 200 {
		return ""
	}
	for _, c := range caps {
		if c == "" || strings.ContainsAny(c, " []\r\n\"(){%*\\") {
			return ""
		}
	}
	return "[CAPABILITY " + strings.Join(caps, " ") + "] "
}

func loginIMAP(s *Conn, rc *RecordingConn, l Login, red *Redactor) error {
	if IsOAuthMechanism(l.Mechanism) {
		return loginIMAPOAuth(s, l, red)
	}
	// The capabilities are known (l.Caps): handing them over in the greeting saves the client a
	// CAPABILITY round trip (and lets it use SASL-IR when offered).
	c := imapclient.New(&ResumedConn{Conn: rc, Greeting: strings.NewReader("* OK " + resumedCaps(l.Caps) + "resumed\r\n")}, nil)
	defer c.Close()
	_ = rc.SetDeadline(s.Deadline())
	var err error
	if l.Mechanism == "LOGIN" && !HasCap(caps(c), "AUTH=LOGIN") {
		err = c.Login(l.User, l.Password).Wait()
	} else {
		sc := SASLClient(l, red)
		err = WithChallenge(c.Authenticate(sc), sc)
	}
	if err == nil {
		c.Logout() // sent; the goodbye is not worth a round trip
	}
	return err
}

func caps(c *imapclient.Client) []string {
	var out []string
	for cp := range c.Caps() {
		out = append(out, string(cp))
	}
	return out
}

// loginSMTP runs AUTH on the session itself (RFC 4954), with the initial response in the command: the
// session has done EHLO (and STARTTLS) already, so the login is one round trip, where a protocol library
// would start with another EHLO. Any SASL client works, as in go-smtp.
func loginSMTP(s *Conn, l Login, red *Redactor) error {
	c := SASLClient(l, red)
	name, ir, err := c.Start()
	if err != nil {
		return err
	}
	cmd := "AUTH " + name
	if ir != nil {
		cmd += " " + base64OrEmpty(ir)
	}
	code, lines, err := SMTPCommand(s, cmd)
	// A mechanism needs a few challenges at most (LOGIN: two); a server that keeps asking is cut off.
	for round := 0; err == nil && code == 334; round++ {
		chal, derr := base64.StdEncoding.DecodeString(strings.Join(lines, ""))
		if derr != nil || round >= 8 {
			_, _, _ = SMTPCommand(s, "*") // RFC 4954 section 4: cancel the exchange
			return &ProtocolError{Msg: "the server's AUTH challenge is not valid base64 or does not end"}
		}
		resp, nerr := c.Next(chal)
		if nerr != nil {
			_, _, _ = SMTPCommand(s, "*")
			return nerr
		}
		// A response to a challenge is plain base64, an empty one an empty line; "=" is only for an empty
		// initial response on the AUTH line (RFC 4954 section 4).
		code, lines, err = SMTPCommand(s, base64.StdEncoding.EncodeToString(resp))
	}
	if err != nil {
		return err
	}
	if code != 235 {
		return WithChallenge(SMTPReplyError(code, lines), c) // an OAuth2 error challenge goes with it
	}
	_ = s.WriteLine("QUIT") // no need to wait for the goodbye
	return nil
}

// base64OrEmpty encodes an initial response; an empty one is "=" (RFC 4954 section 4).
func base64OrEmpty(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}

// SMTPReplyError turns a refusal into the typed error go-smtp would return: code, enhanced status code
// (RFC 3463, when the reply starts with one) and text.
func SMTPReplyError(code int, lines []string) *smtp.SMTPError {
	e := &smtp.SMTPError{Code: code, EnhancedCode: smtp.NoEnhancedCode, Message: strings.Join(lines, " ")}
	if len(lines) == 0 {
		return e
	}
	first, rest, _ := strings.Cut(lines[0], " ")
	parts := strings.Split(first, ".")
	if len(parts) != 3 {
		return e
	}
	var ec smtp.EnhancedCode
	for i, part := range parts {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 || n > 999 {
			return e
		}
		ec[i] = n
	}
	e.EnhancedCode = ec
	e.Message = strings.TrimSpace(rest + " " + strings.Join(lines[1:], " "))
	return e
}

// POP3Error is a POP3 -ERR answer with its RFC 2449/3206 response code.
type POP3Error struct {
	Code string // "AUTH", "SYS/TEMP", "IN-USE", ...
	Text string
}

func (e *POP3Error) Error() string { return "-ERR " + e.Text }

// ParsePOP3Err reads a -ERR line.
func ParsePOP3Err(line string) *POP3Error {
	text := strings.TrimSpace(strings.TrimPrefix(line, "-ERR"))
	e := &POP3Error{Text: text}
	if strings.HasPrefix(text, "[") {
		if i := strings.IndexByte(text, ']'); i > 0 {
			e.Code = strings.ToUpper(text[1:i])
		}
	}
	return e
}

func loginPOP3(s *Conn, l Login, red *Redactor) error {
	if IsOAuthMechanism(l.Mechanism) {
		return loginPOP3OAuth(s, l, red)
	}
	expectOK := func() error {
		line, err := s.ReadLine()
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "+OK") {
			if strings.HasPrefix(line, "-ERR") {
				return ParsePOP3Err(line)
			}
			return &ProtocolError{Msg: "unexpected POP3 answer: " + QuoteLine(red.Scrub(line))}
		}
		return nil
	}
	if l.Mechanism == "PLAIN" {
		// RFC 5034 section 4: AUTH with an initial response.
		resp := "\x00" + l.User + "\x00" + l.Password
		red.Add(resp)
		if err := s.WriteLine("AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte(resp))); err != nil {
			return err
		}
	} else {
		if err := s.WriteLine("USER " + l.User); err != nil {
			return err
		}
		if err := expectOK(); err != nil {
			return err
		}
		if err := s.WriteLine("PASS " + l.Password); err != nil {
			return err
		}
	}
	if err := expectOK(); err != nil {
		return err
	}
	_ = s.WriteLine("QUIT")
	return nil
}
