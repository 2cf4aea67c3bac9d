package probe

import (
	"regexp"
	"strings"
)

// dialogue is one protocol's conversation up to the login: the only part that differs between IMAP, POP3
// and SMTP. Adding a protocol is adding one implementation to dialogues.
type dialogue interface {
	// greeting reads the rest of the greeting after its first line (SMTP greetings can span lines) and
	// returns a *replyError when the server refuses service.
	greeting(s *session, first string) (string, error)
	// capabilities asks for the server's capability list (IMAP CAPABILITY, POP3 CAPA, SMTP EHLO).
	// afterTLS says whether the connection is now encrypted.
	capabilities(s *session, afterTLS bool) ([]string, error)
	// offersSTARTTLS says whether the capability list offers an upgrade.
	offersSTARTTLS(caps []string) bool
	// startTLS sends the upgrade command and reads the server's agreement.
	startTLS(s *session) error
	// authMechanisms lists the SASL mechanisms (and USER/LOGIN where the protocol has them) in caps.
	authMechanisms(caps []string) []string
	// loginDisabled says whether caps show that password login is refused on this connection.
	loginDisabled(caps []string) bool
	// quit ends the session politely without waiting for the answer.
	quit(s *session)
}

var dialogues = map[Protocol]dialogue{
	IMAP: imapDialogue{},
	POP3: pop3Dialogue{},
	SMTP: smtpDialogue{},
}

var smtpReplyLine = regexp.MustCompile(`^[2-5][0-9][0-9]([ -]|$)`)

// sniffProtocol recognises which mail protocol a greeting line belongs to, or "" when it is none of them.
func sniffProtocol(line string) Protocol {
	u := strings.ToUpper(line)
	switch {
	case strings.HasPrefix(u, "* OK"), strings.HasPrefix(u, "* PREAUTH"), strings.HasPrefix(u, "* BYE"):
		return IMAP
	case strings.HasPrefix(u, "+OK"), strings.HasPrefix(u, "-ERR"):
		return POP3
	case smtpReplyLine.MatchString(line):
		return SMTP
	}
	return ""
}

// hasCap reports whether caps contains name (case-insensitive).
func hasCap(caps []string, name string) bool {
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
