package session

import (
	"regexp"
	"strings"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

// Dialogue is one protocol's conversation up to the login: the only part that differs between IMAP, POP3
// and SMTP. Adding a protocol is adding one implementation to Dialogues.
type Dialogue interface {
	// Greeting reads the rest of the Greeting after its first line (SMTP greetings can span lines) and
	// returns a *replyError when the server refuses service.
	Greeting(s *Conn, first string) (string, error)
	// Capabilities asks for the server's capability list (IMAP CAPABILITY, POP3 CAPA, SMTP EHLO).
	// afterTLS says whether the connection is now encrypted.
	Capabilities(s *Conn, afterTLS bool) ([]string, error)
	// OffersSTARTTLS says whether the capability list offers an upgrade.
	OffersSTARTTLS(caps []string) bool
	// StartTLS sends the upgrade command and reads the server's agreement.
	StartTLS(s *Conn) error
	// AuthMechanisms lists the SASL mechanisms (and USER/LOGIN where the protocol has them) in caps.
	AuthMechanisms(caps []string) []string
	// LoginDisabled says whether caps show that password login is refused on this connection.
	LoginDisabled(caps []string) bool
	// Quit ends the session politely without waiting for the answer.
	Quit(s *Conn)
}

var Dialogues = map[endpoint.Protocol]Dialogue{
	endpoint.IMAP: imapDialogue{},
	endpoint.POP3: pop3Dialogue{},
	endpoint.SMTP: smtpDialogue{},
}

var smtpReplyLine = regexp.MustCompile(`^[2-5][0-9][0-9]([ -]|$)`)

// Sniff recognises which mail protocol a greeting line belongs to, or "" when it is none of them.
func Sniff(line string) endpoint.Protocol {
	u := strings.ToUpper(line)
	switch {
	case strings.HasPrefix(u, "* OK"), strings.HasPrefix(u, "* PREAUTH"), strings.HasPrefix(u, "* BYE"):
		return endpoint.IMAP
	case strings.HasPrefix(u, "+OK"), strings.HasPrefix(u, "-ERR"):
		return endpoint.POP3
	case smtpReplyLine.MatchString(line):
		return endpoint.SMTP
	}
	return ""
}

// HasCap reports whether caps contains name (case-insensitive).
func HasCap(caps []string, name string) bool {
	for _, c := range caps {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// uniqueUpper returns the upper-cased, de-duplicated words in order.
func uniqueUpper(words []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range words {
		w = strings.ToUpper(w)
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
