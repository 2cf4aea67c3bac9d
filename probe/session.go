package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// maxReplyLines bounds a multi-line answer (EHLO, CAPA, CAPABILITY): real ones have a few dozen lines,
// and a server that never ends one must not grow the probe's memory without bound.
const maxReplyLines = 1000

// maxTranscript bounds the lines a transcript keeps.
const maxTranscript = 5000

// maxLine bounds one protocol line. RFC 5321 section 4.5.3.1.6 allows 512 octets for SMTP replies; IMAP
// capability lines can be longer, so allow some room, but never an unbounded read.
const maxLine = 8192

// session is one line-oriented conversation with a mail server: the helper that IMAP, POP3 and SMTP share
// for the part of the exchange a diagnosis must see verbatim (greeting, capabilities before and after TLS,
// STARTTLS), which the protocol libraries hide.
type session struct {
	ctx  context.Context
	conn net.Conn
	r    *bufio.Reader
	// step bounds each read or write.
	step time.Duration
	tr   *transcript
	// red, when set, removes secrets before lines reach the transcript.
	red *redactor
	// onClose releases the connection.
	onClose func()
}

func (s *session) close() {
	if s.onClose != nil {
		s.onClose()
	}
}

func newSession(ctx context.Context, conn net.Conn, step time.Duration, tr *transcript) *session {
	return &session{ctx: ctx, conn: conn, r: bufio.NewReaderSize(conn, maxLine), step: step, tr: tr}
}

// deadline is the earlier of one step from now and the probe's overall deadline.
func (s *session) deadline() time.Time {
	d := time.Now().Add(s.step)
	if cd, ok := s.ctx.Deadline(); ok && cd.Before(d) {
		return cd
	}
	return d
}

// errLineTooLong means the server sent a line longer than maxLine.
var errLineTooLong = errors.New("line too long")

func (s *session) readLine() (string, error) {
	if err := s.conn.SetReadDeadline(s.deadline()); err != nil {
		return "", err
	}
	b, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", &protocolError{msg: "the server sent a line longer than " + fmt.Sprint(maxLine) + " bytes"}
	}
	if err != nil {
		if len(b) > 0 {
			s.logServer(string(b))
		}
		return "", err
	}
	line := strings.TrimRight(string(b), "\r\n")
	s.logServer(line)
	return line, nil
}

func (s *session) logServer(line string) {
	if s.red != nil {
		line = s.red.server(line)
	}
	s.tr.server(line)
}

func (s *session) writeLine(line string) error {
	if s.red != nil {
		s.tr.client(s.red.client(line))
	} else {
		s.tr.client(line)
	}
	if err := s.conn.SetWriteDeadline(s.deadline()); err != nil {
		return err
	}
	_, err := s.conn.Write([]byte(line + "\r\n"))
	return err
}

// startTLS upgrades the connection after the server agreed to STARTTLS/STLS.
func (s *session) startTLS(cfg *tls.Config) (*tls.Conn, error) {
	// RFC 3207 section 4.2, RFC 2595 section 3.1 and CVE-2011-0411: anything the server sent after its
	// STARTTLS reply and before the handshake could be an injected command response; refuse it.
	if s.r.Buffered() > 0 {
		return nil, &protocolError{msg: "the server sent clear-text data after agreeing to STARTTLS (possible command injection)"}
	}
	tc := tls.Client(s.conn, cfg)
	if err := tc.SetDeadline(s.deadline()); err != nil {
		return nil, err
	}
	if err := tc.HandshakeContext(s.ctx); err != nil {
		return nil, err
	}
	s.tr.note("TLS handshake done: " + tls.VersionName(tc.ConnectionState().Version))
	s.conn = tc
	s.r = bufio.NewReaderSize(tc, maxLine)
	return tc, nil
}

// speaksTLS asks, on this same connection, whether a server that stayed silent in clear text answers a
// TLS handshake: that tells "plain text to an SSL/TLS port" apart from a stuck server. It is only sound
// while the client has sent nothing, which holds while it waits for a greeting: an implicit-TLS server is
// then still waiting for the ClientHello, exactly as on a fresh connection. One connection, so the answer
// never depends on which of two connections a busy server serves first. The handshake is not verified:
// it only asks whether TLS answers (the certificate is judged when the user chooses SSL/TLS), and
// nothing is sent over it. It gets one step of its own, after the silent one.
func (s *session) speaksTLS(host string) bool {
	if s.r.Buffered() > 0 {
		return false
	}
	s.tr.note(fmt.Sprintf("no greeting within %s: asking whether the port answers a TLS handshake instead", s.step))
	tc := tls.Client(s.conn, &tls.Config{ServerName: host, InsecureSkipVerify: true}) // #nosec: a yes/no question, nothing is sent over it
	if err := tc.SetDeadline(s.deadline()); err != nil {
		return false
	}
	err := tc.HandshakeContext(s.ctx)
	if err == nil {
		s.tr.note("the port answered the TLS handshake: " + tls.VersionName(tc.ConnectionState().Version))
	} else {
		s.tr.note("no TLS handshake either: " + err.Error())
	}
	return err == nil
}

// protocolError is an answer that breaks the protocol's grammar.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return e.msg }

// replyError is a well-formed refusal from the server, kept verbatim.
type replyError struct {
	// Command is what was refused ("STARTTLS"), empty for a greeting.
	Command string
	// Reply is the server's answer, all lines joined.
	Reply string
	// Temporary is true for SMTP 4xx and similar "try again later" answers.
	Temporary bool
}

func (e *replyError) Error() string {
	if e.Command == "" {
		return "server said: " + e.Reply
	}
	return e.Command + " refused: " + e.Reply
}

// transcript records a protocol exchange for -v. Lines marked secret are replaced before they are stored,
// so a password never reaches it.
type transcript struct {
	lines []string
	start time.Time
}

func (t *transcript) add(prefix, line string) {
	if t == nil || len(t.lines) > maxTranscript {
		return
	}
	if len(t.lines) == maxTranscript {
		t.lines = append(t.lines, "… transcript truncated")
		return
	}
	t.lines = append(t.lines, fmt.Sprintf("%6.1fms %s%s", float64(time.Since(t.start).Microseconds())/1000, prefix, line))
}

func (t *transcript) server(line string) { t.add("S: ", line) }
func (t *transcript) client(line string) { t.add("C: ", line) }
func (t *transcript) note(line string)   { t.add("-- ", line) }
