package probe

import (
	"bytes"
	"encoding/base64"
	"net"
	"regexp"
	"strings"
	"sync"
)

const redacted = "[redacted]"

// redactor removes secrets from transcript lines. It knows the password and every SASL response mailcheck
// sent (in raw and base64 form), and it also blanks the arguments of the commands that carry secrets, so a
// password never reaches a transcript even when a server echoes it back.
type redactor struct {
	mu      sync.Mutex
	secrets []string
	// nextClientSecret is set after a server continuation ("+ ", "334 "), whose answer is a SASL response.
	nextClientSecret bool
}

func newRedactor(password string) *redactor {
	r := &redactor{}
	r.add(password)
	return r
}

// add registers a secret and the forms it takes on the wire.
func (r *redactor) add(secret string) {
	if secret == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(secret) // IMAP quoted string, RFC 3501 4.3
	r.secrets = append(r.secrets, secret, quoted, base64.StdEncoding.EncodeToString([]byte(secret)))
}

// addToken registers an OAuth2 access token. Besides the forms add knows, a token travels base64-encoded
// inside a longer SASL response (XOAUTH2, OAUTHBEARER) at any offset, so the three base64 encodings of its
// middle, one per alignment, are registered too: a server that echoes the response, or a part of it,
// cannot reveal the token.
func (r *redactor) addToken(token string) {
	if token == "" {
		return
	}
	r.add(token)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for shift := 0; shift < 3; shift++ {
			b := enc.EncodeToString(append(make([]byte, shift), token...))
			// Drop the first quantum (it mixes in the bytes before the token) and the last one (it mixes
			// in the bytes after it); what is left appears verbatim in any encoding with this alignment.
			if len(b) > 12 {
				r.secrets = append(r.secrets, b[4:len(b)-4])
			}
		}
	}
}

var secretCommands = regexp.MustCompile(`(?i)^((?:\S+ )?(?:AUTHENTICATE|AUTH)\s+\S+|(?:\S+ )?LOGIN|PASS)\s+.*$`)

// client redacts a line the client sends.
func (r *redactor) client(line string) string {
	r.mu.Lock()
	cont := r.nextClientSecret
	r.nextClientSecret = false
	r.mu.Unlock()
	if cont && line != "*" {
		return redacted
	}
	if m := secretCommands.FindStringSubmatch(line); m != nil {
		line = m[1] + " " + redacted
	}
	return r.scrub(line)
}

// server redacts a server line and notes continuations that invite a secret.
func (r *redactor) server(line string) string {
	if strings.HasPrefix(line, "+") && !strings.HasPrefix(line, "+OK") || strings.HasPrefix(line, "334") {
		r.mu.Lock()
		r.nextClientSecret = true
		r.mu.Unlock()
	}
	return r.scrub(line)
}

func (r *redactor) scrub(line string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if s != "" {
			line = strings.ReplaceAll(line, s, redacted)
		}
	}
	return line
}

// recordingConn writes each line read or written to a transcript, redacted, with its direction. It sits
// above TLS, so the transcript shows what the protocol library said, never ciphertext.
type recordingConn struct {
	net.Conn
	tr       *transcript
	red      *redactor
	in, out  bytes.Buffer
	inMu     sync.Mutex
	outMu    sync.Mutex
	disabled bool
}

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && c.tr != nil {
		c.inMu.Lock()
		c.in.Write(b[:n])
		flushLines(&c.in, func(l string) { c.tr.server(c.red.server(l)) })
		c.inMu.Unlock()
	}
	return n, err
}

func (c *recordingConn) Write(b []byte) (int, error) {
	if c.tr != nil {
		c.outMu.Lock()
		c.out.Write(b)
		flushLines(&c.out, func(l string) { c.tr.client(c.red.client(l)) })
		c.outMu.Unlock()
	}
	return c.Conn.Write(b)
}

// flushLines hands every complete line in buf to emit and keeps the rest. Overlong partial lines are cut
// so that a literal or a large body cannot grow the buffer without bound.
func flushLines(buf *bytes.Buffer, emit func(string)) {
	for {
		i := bytes.IndexByte(buf.Bytes(), '\n')
		if i < 0 {
			if buf.Len() > maxLine {
				emit(strings.TrimRight(buf.String()[:maxLine], "\r") + " …")
				buf.Reset()
			}
			return
		}
		line := string(buf.Next(i + 1))
		emit(strings.TrimRight(line, "\r\n"))
	}
}
