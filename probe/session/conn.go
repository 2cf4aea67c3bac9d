package session

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MaxReplyLines bounds a multi-line answer (EHLO, CAPA, CAPABILITY): real ones have a few dozen lines,
// and a server that never ends one must not grow the probe's memory without bound.
const MaxReplyLines = 1000

// maxTranscript bounds the lines a transcript keeps, MaxTranscriptBytes its size per endpoint (a hostile
// server sending endless lines must not fill memory or the terminal), maxTranscriptLine one line, and
// MaxRunTranscriptBytes what all transcripts of one run keep together.
const (
	maxTranscript         = 2000
	MaxTranscriptBytes    = 64 << 10
	maxTranscriptLine     = 1024
	MaxRunTranscriptBytes = 2 << 20
)

// MaxLine bounds one protocol line. RFC 5321 section 4.5.3.1.6 allows 512 octets for SMTP replies; IMAP
// capability lines can be longer, so allow some room, but never an unbounded read.
const MaxLine = 8192

// Conn is one line-oriented conversation with a mail server: the helper that IMAP, POP3 and SMTP share
// for the part of the exchange a diagnosis must see verbatim (greeting, capabilities before and after TLS,
// STARTTLS), which the protocol libraries hide.
type Conn struct {
	ctx     context.Context
	NetConn net.Conn
	Reader  *bufio.Reader
	// Step bounds each read or write.
	Step       time.Duration
	Transcript *Transcript
	// Redactor, when set, removes secrets before lines reach the transcript.
	Redactor *Redactor
	// onClose releases the connection.
	onClose func()
	// Limit is the byte limit under everything read from this connection (nil in tests that pass a bare conn).
	Limit *LimitedConn
}

func (s *Conn) Close() {
	if s.onClose != nil {
		s.onClose()
	}
}

func NewConn(ctx context.Context, conn net.Conn, step time.Duration, tr *Transcript) *Conn {
	lim, _ := conn.(*LimitedConn)
	return &Conn{ctx: ctx, NetConn: conn, Reader: bufio.NewReaderSize(conn, MaxLine), Step: step, Transcript: tr, Limit: lim}
}

// Deadline is the earlier of one step from now and the probe's overall Deadline.
func (s *Conn) Deadline() time.Time {
	d := time.Now().Add(s.Step)
	if cd, ok := s.ctx.Deadline(); ok && cd.Before(d) {
		return cd
	}
	return d
}

// LineTooLongError means the server sent a line longer than mailcheck reads (maxLine).
type LineTooLongError struct{ limit int }

func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("the server sent a line longer than %d bytes (mailcheck's limit for one line)", e.limit)
}

func (s *Conn) ReadLine() (string, error) {
	if err := s.NetConn.SetReadDeadline(s.Deadline()); err != nil {
		return "", err
	}
	b, err := s.Reader.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		s.logServer(string(b[:min(len(b), maxTranscriptLine)]) + " …")
		return "", &LineTooLongError{limit: MaxLine}
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

func (s *Conn) logServer(line string) {
	if s.Redactor != nil {
		line = s.Redactor.Server(line)
	}
	s.Transcript.Server(line)
}

// UnsafeLineError is a command mailcheck refused to send: its text holds a CR or LF, which would end the
// command early and start another one the server would run (a user name "alice\r\nSTAT" makes POP3's
// USER two commands, RFC 1939 section 3). Inputs are checked long before (endpoint.ValidUser); this is
// the last guard, at the one place lines are written. It never carries the line, which may hold a secret.
type UnsafeLineError struct {
	// Command is the line's first word ("USER", "PASS").
	Command string
}

func (e *UnsafeLineError) Error() string {
	return "mailcheck refused to send " + e.Command + ": its argument contains a line break (CR or LF), which would inject another command"
}

// WriteLine sends one command line, CR LF added. A line that holds CR or LF itself is refused
// (UnsafeLineError) before anything is written or recorded.
func (s *Conn) WriteLine(line string) error {
	if strings.ContainsAny(line, "\r\n") {
		cmd, _, _ := strings.Cut(line, " ")
		if !commandWord(cmd) {
			cmd = "a command" // not a verb: perhaps a secret (a SASL response), never shown
		}
		return &UnsafeLineError{Command: cmd}
	}
	if s.Redactor != nil {
		s.Transcript.Client(s.Redactor.Client(line))
	} else {
		s.Transcript.Client(line)
	}
	if err := s.NetConn.SetWriteDeadline(s.Deadline()); err != nil {
		return err
	}
	_, err := s.NetConn.Write([]byte(line + "\r\n"))
	return err
}

// StartTLS upgrades the connection after the server agreed to STARTTLS/STLS.
func (s *Conn) StartTLS(cfg *tls.Config) (*tls.Conn, error) {
	// RFC 3207 section 4.2, RFC 2595 section 3.1 and CVE-2011-0411: anything the server sent after its
	// STARTTLS reply and before the handshake could be an injected command response; refuse it.
	if s.Reader.Buffered() > 0 {
		return nil, &ProtocolError{Msg: "the server sent clear-text data after agreeing to STARTTLS (possible command injection)"}
	}
	tc := tls.Client(s.NetConn, cfg)
	if err := tc.SetDeadline(s.Deadline()); err != nil {
		return nil, err
	}
	if err := tc.HandshakeContext(s.ctx); err != nil {
		return nil, err
	}
	s.Transcript.Note("TLS handshake done: " + tls.VersionName(tc.ConnectionState().Version))
	s.NetConn = tc
	s.Reader = bufio.NewReaderSize(tc, MaxLine)
	return tc, nil
}

// commandWord says whether w looks like a command verb (USER, AUTH, A1): 1 to 12 ASCII letters or digits.
func commandWord(w string) bool {
	if w == "" || len(w) > 12 {
		return false
	}
	for _, c := range w {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ProtocolError is an answer that breaks the protocol's grammar.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return e.Msg }

// ReplyError is a well-formed refusal from the server, kept verbatim.
type ReplyError struct {
	// Command is what was refused ("STARTTLS"), empty for a greeting.
	Command string
	// Reply is the server's answer, all lines joined.
	Reply string
	// Temporary is true for SMTP 4xx and similar "try again later" answers.
	Temporary bool
}

func (e *ReplyError) Error() string {
	if e.Command == "" {
		return "server said: " + e.Reply
	}
	return e.Command + " refused: " + e.Reply
}

// Transcript records a protocol exchange for -v. Lines marked secret are replaced before they are stored,
// so a password never reaches it. It is safe for concurrent use: a protocol library reads on a goroutine of
// its own while the caller writes. Its size is bounded twice, per endpoint (MaxTranscriptBytes) and per run
// (the shared budget), and the cut says how much was left out.
type Transcript struct {
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

func NewTranscript(budget *atomic.Int64) *Transcript {
	return &Transcript{start: time.Now(), budget: budget}
}

func (t *Transcript) add(prefix, line string) {
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
	if t.cutLines == 0 && t.bytes+len(entry) <= MaxTranscriptBytes && len(t.lines) < maxTranscript && t.take(len(entry)) {
		t.lines = append(t.lines, entry)
		t.bytes += len(entry)
		return
	}
	t.cutLines++
	t.cutBytes += len(entry)
}

// take draws n bytes from the run's budget.
func (t *Transcript) take(n int) bool {
	if t.budget == nil {
		return true
	}
	if t.budget.Add(-int64(n)) < 0 {
		t.budget.Add(int64(n))
		return false
	}
	return true
}

// Snapshot returns the kept lines and, when some were cut, a last line saying how many and why.
func (t *Transcript) Snapshot() []string {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]string(nil), t.lines...)
	if t.cutLines > 0 {
		out = append(out, fmt.Sprintf("… transcript cut: %d more lines (%d bytes) not kept (limit %d bytes per endpoint, %d per run)",
			t.cutLines, t.cutBytes, MaxTranscriptBytes, MaxRunTranscriptBytes))
	}
	return out
}

// Append adds what o kept to t (a side conversation's transcript joining the endpoint's); nil does nothing.
func (t *Transcript) Append(o *Transcript) {
	if t == nil || o == nil || t == o {
		return
	}
	o.mu.Lock()
	lines := append([]string(nil), o.lines...)
	o.mu.Unlock()
	t.mu.Lock()
	t.lines = append(t.lines, lines...)
	t.mu.Unlock()
}

// Mark starts a new step for StepReply.
func (t *Transcript) Mark() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stepFirst, t.stepLast, t.stepServer = "", "", 0
}

// StepReply summarises the server's reply since the last mark: a multi-line reply (EHLO) is shown by its
// first line and a count.
func (t *Transcript) StepReply() string {
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

// WithholdServer replaces every server line kept so far with note: the exporter shows nothing of what a
// service that is not a mail server said (an SSH banner, a database's greeting), since whoever asks for
// a probe there could read it.
func (t *Transcript) WithholdServer(note string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, e := range t.lines {
		if j := strings.Index(e, "ms "); j >= 0 && strings.HasPrefix(e[j+3:], "S: ") {
			t.lines[i] = e[:j+3] + "S: " + note
		}
	}
	t.stepFirst, t.stepLast = "", ""
}

func (t *Transcript) Server(line string) { t.add("S: ", line) }
func (t *Transcript) Client(line string) { t.add("C: ", line) }
func (t *Transcript) Note(line string)   { t.add("-- ", line) }

// IsTimeout says whether err is a deadline that passed (a step's, the run's, or the dial's).
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}
