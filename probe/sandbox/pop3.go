package sandbox

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// maxPOP3Line bounds a client line. RFC 2449 section 4 limits commands to 255 octets; SASL responses
// (RFC 5034) may be longer, so allow some room, but never an unbounded read.
const maxPOP3Line = 1024

// POP3 replies shared by the checks below. The texts and response codes (RFC 3206) are Dovecot's.
const (
	pop3Greeting         = "+OK sandbox POP3 ready"
	pop3AuthFailed       = "-ERR [AUTH] Authentication failed."
	pop3PlaintextRefused = "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections."
)

// errLineTooLong means the client sent more than maxPOP3Line octets without a line end.
var errLineTooLong = errors.New("line too long")

// pop3Conn is one POP3 session (RFC 1939): AUTHORIZATION state until login, then TRANSACTION.
type pop3Conn struct {
	sb   *Sandbox
	ep   *endpoint
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	tls  bool
	// user is the name given by USER, waiting for PASS.
	user string
	// login is the authenticated user; empty in AUTHORIZATION state.
	login   string
	msgs    []string
	deleted []bool
}

// servePOP3 serves one connection; c is already TLS in ModeTLS.
func (s *Sandbox) servePOP3(ep *endpoint, c net.Conn) {
	p := &pop3Conn{sb: s, ep: ep, conn: c}
	p.reset(c)
	if tc, ok := c.(*tls.Conn); ok {
		if err := tc.SetDeadline(time.Now().Add(idleTimeout)); err != nil {
			return
		}
		if err := tc.Handshake(); err != nil {
			return
		}
		p.tls = true
	}
	if !p.reply(pop3Greeting) {
		return
	}
	for {
		line, err := p.readLine()
		if errors.Is(err, errLineTooLong) {
			p.reply("-ERR Line too long.")
			return
		}
		if err != nil {
			return
		}
		cmd, arg, _ := strings.Cut(line, " ")
		if !p.command(strings.ToUpper(cmd), arg) {
			return
		}
	}
}

func (p *pop3Conn) reset(c net.Conn) {
	p.conn = c
	p.r = bufio.NewReaderSize(c, maxPOP3Line)
	p.w = bufio.NewWriter(c)
}

// readLine reads one line within idleTimeout.
func (p *pop3Conn) readLine() (string, error) {
	if err := p.conn.SetReadDeadline(time.Now().Add(idleTimeout)); err != nil {
		return "", err
	}
	b, err := p.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", errLineTooLong
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// reply writes lines and flushes them; false if the client is gone.
func (p *pop3Conn) reply(lines ...string) bool {
	if err := p.conn.SetWriteDeadline(time.Now().Add(idleTimeout)); err != nil {
		return false
	}
	for _, l := range lines {
		if _, err := p.w.WriteString(l + "\r\n"); err != nil {
			return false
		}
	}
	return p.w.Flush() == nil
}

// multiline writes a positive reply with a dot-terminated, byte-stuffed body (RFC 1939 section 3).
func (p *pop3Conn) multiline(status string, body []string) bool {
	out := make([]string, 0, len(body)+2)
	out = append(out, status)
	for _, l := range body {
		if strings.HasPrefix(l, ".") {
			l = "." + l
		}
		out = append(out, l)
	}
	return p.reply(append(out, ".")...)
}

// authAllowed says whether a password may be sent now: on TLS, or in clear text with PlaintextAuth.
func (p *pop3Conn) authAllowed() bool { return p.tls || p.ep.svc.PlaintextAuth }

// capabilities is the CAPA list (RFC 2449 section 6). USER and SASL show only when a login would be
// accepted now, so a client sees before trying that it must STLS first, as with Dovecot.
func (p *pop3Conn) capabilities() []string {
	caps := []string{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"}
	if p.login == "" && p.authAllowed() {
		caps = append(caps, "USER", strings.Join(append([]string{"SASL", "PLAIN"}, p.sb.oauthMechanisms()...), " "))
	}
	if p.ep.svc.Mode == ModeSTARTTLS && !p.tls && p.login == "" {
		caps = append(caps, "STLS")
	}
	return append(caps, "IMPLEMENTATION mailcheck-sandbox")
}

// command runs one command; false ends the connection.
func (p *pop3Conn) command(cmd, arg string) bool {
	switch cmd {
	case "CAPA":
		return p.multiline("+OK Capability list follows", p.capabilities())
	case "NOOP":
		return p.reply("+OK")
	case "QUIT":
		// Nothing is really deleted: the sandbox's mailboxes stay as they are for the next test.
		p.reply("+OK Logging out.")
		return false
	}
	if p.login == "" {
		return p.authorization(cmd, arg)
	}
	return p.transaction(cmd, arg)
}

// authorization handles the commands of the AUTHORIZATION state.
func (p *pop3Conn) authorization(cmd, arg string) bool {
	switch cmd {
	case "STLS":
		return p.startTLS()
	case "USER":
		if !p.authAllowed() {
			return p.reply(pop3PlaintextRefused)
		}
		if arg == "" {
			return p.reply("-ERR USER needs a name.")
		}
		p.user = arg
		return p.reply("+OK")
	case "PASS":
		if !p.authAllowed() {
			return p.reply(pop3PlaintextRefused)
		}
		if p.user == "" {
			return p.reply("-ERR No username given.")
		}
		user := p.user
		p.user = ""
		return p.tryLogin(user, arg)
	case "AUTH":
		return p.auth(arg)
	}
	return p.reply("-ERR Unknown command: " + cmd)
}

// tryLogin finishes a login attempt with a user name and password.
func (p *pop3Conn) tryLogin(user, password string) bool {
	p.sb.heard(p.ep, ProtoPOP3, password)
	if !p.sb.checkPassword(user, password) {
		p.sb.loginFailed(ProtoPOP3)
		return p.reply(pop3AuthFailed)
	}
	return p.loggedIn(user)
}

// loggedIn enters the TRANSACTION state for user.
func (p *pop3Conn) loggedIn(user string) bool {
	p.login = strings.ToLower(user)
	p.msgs = p.sb.maildrop(p.login)
	for i, m := range p.msgs {
		p.msgs[i] = crlf(m)
	}
	p.deleted = make([]bool, len(p.msgs))
	return p.reply("+OK Logged in.")
}

// askContinued sends a "+ " continuation with a base64 challenge and reads the client's answer. stop says
// there is none (the connection ended, or "*" cancelled the exchange, RFC 5034 section 4); result is then
// what the command returns.
func (p *pop3Conn) askContinued(challenge string) (line string, stop, result bool) {
	if !p.reply("+ " + challenge) {
		return "", true, false
	}
	line, err := p.readLine()
	if err != nil {
		return "", true, false
	}
	if line == "*" {
		return "", true, p.reply("-ERR Authentication aborted by client.")
	}
	return line, false, false
}

// startTLS upgrades the connection (RFC 2595 section 4).
func (p *pop3Conn) startTLS() bool {
	if p.ep.svc.Mode != ModeSTARTTLS || p.tls {
		return p.reply("-ERR STLS not available.")
	}
	if !p.reply("+OK Begin TLS negotiation now.") {
		return false
	}
	// Anything the client sent after STLS and before the handshake could be an injected command
	// (CVE-2011-0411): drop the connection rather than run it over TLS.
	if p.r.Buffered() > 0 {
		return false
	}
	tc := tls.Server(p.conn, p.ep.tlsConfig)
	if err := tc.SetDeadline(time.Now().Add(idleTimeout)); err != nil {
		return false
	}
	if err := tc.Handshake(); err != nil {
		return false
	}
	p.reset(tc)
	p.tls = true
	p.user = ""
	return true
}

// auth runs AUTH PLAIN (RFC 5034), with an initial response or after a "+ " continuation. AUTH alone
// lists the mechanisms, as many servers do.
func (p *pop3Conn) auth(arg string) bool {
	mech, ir, hasIR := strings.Cut(arg, " ")
	if mech == "" {
		if !p.authAllowed() {
			return p.multiline("+OK", nil)
		}
		return p.multiline("+OK", append([]string{"PLAIN"}, p.sb.oauthMechanisms()...))
	}
	if !p.authAllowed() {
		return p.reply(pop3PlaintextRefused)
	}
	if m := strings.ToUpper(mech); len(p.sb.World.Tokens) > 0 && (m == mechXOAUTH2 || m == mechOAUTHBEARER) {
		return p.authOAuth(m, ir, hasIR)
	}
	if !strings.EqualFold(mech, "PLAIN") {
		return p.reply("-ERR Unsupported authentication mechanism.")
	}
	if !hasIR {
		line, stop, result := p.askContinued("")
		if stop {
			return result
		}
		ir = line
	}
	var resp []byte
	if ir != "=" { // "=" is an empty initial response (RFC 5034 section 4)
		var err error
		if resp, err = base64.StdEncoding.DecodeString(ir); err != nil {
			return p.reply("-ERR Invalid base64 data in continued response.")
		}
	}
	parts := bytes.Split(resp, []byte{0})
	if len(parts) != 3 {
		return p.reply(pop3AuthFailed)
	}
	identity, user, password := string(parts[0]), string(parts[1]), string(parts[2])
	if identity != "" && !strings.EqualFold(identity, user) {
		return p.reply(pop3AuthFailed)
	}
	return p.tryLogin(user, password)
}

// transaction handles the commands of the TRANSACTION state (RFC 1939 section 5).
func (p *pop3Conn) transaction(cmd, arg string) bool {
	switch cmd {
	case "STAT":
		n, size := 0, 0
		for i, m := range p.msgs {
			if !p.deleted[i] {
				n++
				size += len(m)
			}
		}
		return p.reply(fmt.Sprintf("+OK %d %d", n, size))
	case "LIST", "UIDL":
		line := func(i int) string {
			if cmd == "LIST" {
				return fmt.Sprintf("%d %d", i+1, len(p.msgs[i]))
			}
			return fmt.Sprintf("%d %s", i+1, uidFor(i))
		}
		if arg != "" {
			i, ok := p.message(arg)
			if !ok {
				return p.reply("-ERR There's no message " + arg + ".")
			}
			return p.reply("+OK " + line(i))
		}
		var body []string
		for i := range p.msgs {
			if !p.deleted[i] {
				body = append(body, line(i))
			}
		}
		return p.multiline("+OK", body)
	case "RETR", "TOP":
		num, rest, _ := strings.Cut(arg, " ")
		i, ok := p.message(num)
		if !ok {
			return p.reply("-ERR There's no message " + num + ".")
		}
		lines := strings.Split(strings.TrimSuffix(p.msgs[i], "\r\n"), "\r\n")
		if cmd == "TOP" {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 {
				return p.reply("-ERR Invalid number of lines.")
			}
			lines = topLines(lines, n)
		}
		return p.multiline(fmt.Sprintf("+OK %d octets", len(p.msgs[i])), lines)
	case "DELE":
		i, ok := p.message(arg)
		if !ok {
			return p.reply("-ERR There's no message " + arg + ".")
		}
		p.deleted[i] = true
		return p.reply("+OK Marked to be deleted.")
	case "RSET":
		for i := range p.deleted {
			p.deleted[i] = false
		}
		return p.reply("+OK")
	}
	return p.reply("-ERR Unknown command: " + cmd)
}

// message parses a message number that is not deleted.
func (p *pop3Conn) message(arg string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(arg))
	if err != nil || n < 1 || n > len(p.msgs) || p.deleted[n-1] {
		return 0, false
	}
	return n - 1, true
}

// uidFor is the unique-id of message i (RFC 1939 section 7: 1 to 70 printable characters).
func uidFor(i int) string {
	if i == 0 {
		return "welcome"
	}
	return "msg" + strconv.Itoa(i)
}

// topLines keeps the header, the blank line and n body lines.
func topLines(lines []string, n int) []string {
	for i, l := range lines {
		if l == "" {
			end := i + 1 + n
			if end > len(lines) {
				end = len(lines)
			}
			return lines[:end]
		}
	}
	return lines
}

// crlf gives a message CRLF line ends and a final line end, the form POP3 counts and sends.
func crlf(msg string) string {
	msg = strings.ReplaceAll(msg, "\r\n", "\n")
	if msg != "" && !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	return strings.ReplaceAll(msg, "\n", "\r\n")
}
