package session

import (
	"bytes"
	"encoding/base64"
	"net"
	"regexp"
	"strings"
	"sync"
)

const Redacted = "[redacted]"

// Redactor removes secrets from transcript lines and server replies. It knows the password and every SASL
// response mailcheck sent (in raw and base64 form), and it also blanks the arguments of the commands that
// carry secrets, so a password never reaches a transcript even when a server echoes it back.
//
// A server can echo a secret in a form mailcheck never sent: upper- or lower-cased, spaced out, hex,
// percent-encoded, or base64 at another offset inside a longer blob (its own decoding of the SASL PLAIN
// response "\0user\0pass", re-encoded). Rather than list every encoding of every secret, the redactor
// decodes what the server wrote (see echoes) and looks for the secret, folded, in each reading; a line
// where it is found is dropped whole, since cutting out an encoded secret leaves the bits of it that
// share a base64 quantum or a hex pair with the text around it.
type Redactor struct {
	mu      sync.Mutex
	secrets []string
	// keys are the secrets proper (the password, the token), folded (fold), looked for in every
	// reading of a server's text.
	keys []string
	// nextClientSecret is set after a server continuation ("+ ", "334 "), whose answer is a SASL response.
	nextClientSecret bool
}

func NewRedactor(password string) *Redactor {
	r := &Redactor{}
	r.Add(password)
	r.addKey(password)
	return r
}

// minKey is the shortest folded secret looked for in decoded and folded readings: shorter ones would
// match ordinary words. The exact forms are redacted whatever their length.
const minKey = 4

// addKey registers a secret proper for echoes.
func (r *Redactor) addKey(secret string) {
	k := fold(secret)
	if len(k) < minKey {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys = append(r.keys, k)
}

// Add registers a secret and the forms it takes on the wire.
func (r *Redactor) Add(secret string) {
	if secret == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(secret) // IMAP quoted string, RFC 3501 4.3
	r.secrets = append(r.secrets, secret, quoted, base64.StdEncoding.EncodeToString([]byte(secret)))
}

// AddToken registers an OAuth2 access token. Besides the forms add knows, a token travels base64-encoded
// inside a longer SASL response (XOAUTH2, OAUTHBEARER) at any offset, so the three base64 encodings of its
// middle, one per alignment, are registered too: a server that echoes the response, or a part of it,
// cannot reveal the token.
func (r *Redactor) AddToken(token string) {
	if token == "" {
		return
	}
	r.Add(token)
	r.addKey(token)
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

// Client redacts a line the Client sends.
func (r *Redactor) Client(line string) string {
	r.mu.Lock()
	cont := r.nextClientSecret
	r.nextClientSecret = false
	r.mu.Unlock()
	if cont && line != "*" {
		return Redacted
	}
	if m := secretCommands.FindStringSubmatch(line); m != nil {
		line = m[1] + " " + Redacted
	}
	// What mailcheck sends holds its secrets only in the forms it registered (Add), so the exact
	// forms suffice: a message body of many megabytes is not decoded line by line.
	return r.scrubExact(line)
}

// Server redacts a Server line and notes continuations that invite a secret.
func (r *Redactor) Server(line string) string {
	if strings.HasPrefix(line, "+") && !strings.HasPrefix(line, "+OK") || strings.HasPrefix(line, "334") {
		r.mu.Lock()
		r.nextClientSecret = true
		r.mu.Unlock()
	}
	return r.Scrub(line)
}

// Scrub removes every secret from a line of server text: the exact forms are cut out, and a line that
// still carries a secret in another encoding (echoes) is dropped whole.
func (r *Redactor) Scrub(line string) string {
	line = r.scrubExact(line)
	if line != Redacted && r.echoes(line) {
		return Redacted
	}
	return line
}

func (r *Redactor) scrubExact(line string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if s != "" {
			line = strings.ReplaceAll(line, s, Redacted)
		}
	}
	// The marker next to the text around it can spell a secret again ("]abc" + "abc" leaves
	// "[redacted]abc"), so replace until nothing is found; a line that still carries one is dropped
	// whole. A secret inside the marker itself ("dact") cannot be told apart from it and is not looked for.
	for range 4 {
		found := false
		for _, s := range r.secrets {
			if s != "" && !strings.Contains(Redacted, s) && strings.Contains(line, s) {
				line = strings.ReplaceAll(line, s, Redacted)
				found = true
			}
		}
		if !found {
			return line
		}
	}
	return Redacted
}

// RecordingConn writes each line read or written to a transcript, redacted, with its direction. It sits
// above TLS, so the transcript shows what the protocol library said, never ciphertext.
type RecordingConn struct {
	net.Conn
	Transcript *Transcript
	Redactor   *Redactor
	in, out    bytes.Buffer
	inMu       sync.Mutex
	outMu      sync.Mutex
	Disabled   bool
}

func (c *RecordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && c.Transcript != nil {
		c.inMu.Lock()
		c.in.Write(b[:n])
		flushLines(&c.in, func(l string) { c.Transcript.Server(c.Redactor.Server(l)) })
		c.inMu.Unlock()
	}
	return n, err
}

func (c *RecordingConn) Write(b []byte) (int, error) {
	if c.Transcript != nil {
		c.outMu.Lock()
		c.out.Write(b)
		flushLines(&c.out, func(l string) { c.Transcript.Client(c.Redactor.Client(l)) })
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
			if buf.Len() > MaxLine {
				emit(strings.TrimRight(buf.String()[:MaxLine], "\r") + " …")
				buf.Reset()
			}
			return
		}
		line := string(buf.Next(i + 1))
		emit(strings.TrimRight(line, "\r\n"))
	}
}
