package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxReplyLines bounds a multi-line answer (EHLO, CAPA, CAPABILITY): real ones have a few dozen lines,
// and a server that never ends one must not grow the probe's memory without bound.
const maxReplyLines = 1000

// maxTranscript bounds the lines a transcript keeps, maxTranscriptBytes its size per endpoint (a hostile
// server sending endless lines must not fill memory or the terminal), maxTranscriptLine one line, and
// maxRunTranscriptBytes what all transcripts of one run keep together.
const (
	maxTranscript         = 2000
	maxTranscriptBytes    = 64 << 10
	maxTranscriptLine     = 1024
	maxRunTranscriptBytes = 2 << 20
)

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
	// lim is the byte limit under everything read from this connection (nil in tests that pass a bare conn).
	lim *limitedConn
}

func (s *session) close() {
	if s.onClose != nil {
		s.onClose()
	}
}

func newSession(ctx context.Context, conn net.Conn, step time.Duration, tr *transcript) *session {
	lim, _ := conn.(*limitedConn)
	return &session{ctx: ctx, conn: conn, r: bufio.NewReaderSize(conn, maxLine), step: step, tr: tr, lim: lim}
}

// deadline is the earlier of one step from now and the probe's overall deadline.
func (s *session) deadline() time.Time {
	d := time.Now().Add(s.step)
	if cd, ok := s.ctx.Deadline(); ok && cd.Before(d) {
		return cd
	}
	return d
}

// lineTooLongError means the server sent a line longer than mailcheck reads (maxLine).
type lineTooLongError struct{ limit int }

func (e *lineTooLongError) Error() string {
	return fmt.Sprintf("the server sent a line longer than %d bytes (mailcheck's limit for one line)", e.limit)
}

func (s *session) readLine() (string, error) {
	if err := s.conn.SetReadDeadline(s.deadline()); err != nil {
		return "", err
	}
	b, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		s.logServer(string(b[:min(len(b), maxTranscriptLine)]) + " …")
		return "", &lineTooLongError{limit: maxLine}
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
// so a password never reaches it. It is safe for concurrent use: a protocol library reads on a goroutine of
// its own while the caller writes. Its size is bounded twice, per endpoint (maxTranscriptBytes) and per run
// (the shared budget), and the cut says how much was left out.
type transcript struct {
	mu    sync.Mutex
	lines []string
	start time.Time
	// bytes counts what lines hold; cutLines and cutBytes what was left out after the cap.
	bytes              int
	cutLines, cutBytes int
	// budget is the run's remaining transcript bytes, shared by every endpoint; nil means no run cap.
	budget *atomic.Int64
	// The server's reply lines since the last mark, for send's per-step summary; kept even past the cap.
	stepFirst, stepLast string
	stepServer          int
}

func newTranscript(budget *atomic.Int64) *transcript {
	return &transcript{start: time.Now(), budget: budget}
}

func (t *transcript) add(prefix, line string) {
	if t == nil {
		return
	}
	if len(line) > maxTranscriptLine {
		line = line[:maxTranscriptLine] + fmt.Sprintf(" … (%d more bytes)", len(line)-maxTranscriptLine)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if prefix == "S: " {
		if t.stepServer == 0 {
			t.stepFirst = line
		}
		t.stepLast = line
		t.stepServer++
	}
	entry := fmt.Sprintf("%6.1fms %s%s", float64(time.Since(t.start).Microseconds())/1000, prefix, line)
	if t.cutLines == 0 && t.bytes+len(entry) <= maxTranscriptBytes && len(t.lines) < maxTranscript && t.take(len(entry)) {
		t.lines = append(t.lines, entry)
		t.bytes += len(entry)
		return
	}
	t.cutLines++
	t.cutBytes += len(entry)
}

// take draws n bytes from the run's budget.
func (t *transcript) take(n int) bool {
	if t.budget == nil {
		return true
	}
	if t.budget.Add(-int64(n)) < 0 {
		t.budget.Add(int64(n))
		return false
	}
	return true
}

// snapshot returns the kept lines and, when some were cut, a last line saying how many and why.
func (t *transcript) snapshot() []string {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]string(nil), t.lines...)
	if t.cutLines > 0 {
		out = append(out, fmt.Sprintf("… transcript cut: %d more lines (%d bytes) not kept (limit %d bytes per endpoint, %d per run)",
			t.cutLines, t.cutBytes, maxTranscriptBytes, maxRunTranscriptBytes))
	}
	return out
}

// mark starts a new step for stepReply.
func (t *transcript) mark() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stepFirst, t.stepLast, t.stepServer = "", "", 0
}

// stepReply summarises the server's reply since the last mark: a multi-line reply (EHLO) is shown by its
// first line and a count.
func (t *transcript) stepReply() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch t.stepServer {
	case 0:
		return ""
	case 1:
		return t.stepFirst
	}
	first, last := t.stepFirst, t.stepLast
	if len(last) > 3 && last[3] == ' ' && strings.HasPrefix(first, last[:3]+"-") {
		return strings.Replace(first, "-", " ", 1) + fmt.Sprintf(" (+%d lines)", t.stepServer-1)
	}
	return last
}

func (t *transcript) server(line string) { t.add("S: ", line) }
func (t *transcript) client(line string) { t.add("C: ", line) }
func (t *transcript) note(line string)   { t.add("-- ", line) }
