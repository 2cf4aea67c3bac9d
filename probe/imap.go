package probe

import (
	"fmt"
	"strings"
)

// imapDialogue speaks IMAP4rev1/IMAP4rev2 up to LOGIN: greeting and CAPABILITY (RFC 3501 section 6.1.1,
// RFC 9051), STARTTLS and LOGINDISABLED (RFC 3501 section 6.2.1).
type imapDialogue struct{}

func (imapDialogue) greeting(s *session, first string) (string, error) {
	u := strings.ToUpper(first)
	if strings.HasPrefix(u, "* BYE") {
		// RFC 3501 section 7.1.5: the server refuses the connection; RFC 5530 [UNAVAILABLE] says only
		// for now, like POP3 [SYS/TEMP] and SMTP 421.
		return first, &replyError{Reply: first, Temporary: imapResponseCode(first) == "UNAVAILABLE"}
	}
	return first, nil
}

// imapResponseCode returns the upper-cased response code of an untagged status line ("* BYE [UNAVAILABLE]
// …" gives "UNAVAILABLE"), or "" when there is none (RFC 3501 section 7.1).
func imapResponseCode(line string) string {
	f := strings.Fields(line)
	if len(f) < 3 || !strings.HasPrefix(f[2], "[") {
		return ""
	}
	code := strings.TrimPrefix(f[2], "[")
	if i := strings.IndexByte(code, ']'); i >= 0 {
		code = code[:i]
	}
	return strings.ToUpper(code)
}

// isPreauth says whether an IMAP greeting is PREAUTH (RFC 3501 section 7.1.4).
func isPreauth(greeting string) bool {
	return strings.HasPrefix(strings.ToUpper(greeting), "* PREAUTH")
}

// greetingCaps extracts "[CAPABILITY ...]" from a greeting, which saves a round trip (RFC 3501 7.1).
func greetingCaps(greeting string) []string {
	u := strings.ToUpper(greeting)
	i := strings.Index(u, "[CAPABILITY ")
	if i < 0 {
		return nil
	}
	rest := greeting[i+len("[CAPABILITY "):]
	j := strings.IndexByte(rest, ']')
	if j < 0 {
		return nil
	}
	return strings.Fields(rest[:j])
}

// command sends one tagged command and collects untagged lines until the tagged completion.
func imapCommand(s *session, tag, cmd string) (untagged []string, status string, err error) {
	if err := s.writeLine(tag + " " + cmd); err != nil {
		return nil, "", err
	}
	for {
		line, err := s.readLine()
		if err != nil {
			return untagged, "", err
		}
		if len(untagged) >= maxReplyLines {
			return untagged, "", &protocolError{msg: fmt.Sprintf("no completion of %s after %d lines", cmd, maxReplyLines)}
		}
		switch {
		case strings.HasPrefix(line, "* "):
			untagged = append(untagged, line[2:])
		case strings.HasPrefix(line, tag+" "):
			return untagged, line[len(tag)+1:], nil
		case strings.HasPrefix(line, "+"):
			return untagged, "", &protocolError{msg: "unexpected continuation request: " + quoteLine(line)}
		default:
			return untagged, "", &protocolError{msg: "not an IMAP response: " + quoteLine(line)}
		}
	}
}

func (imapDialogue) capabilities(s *session, afterTLS bool) ([]string, error) {
	tag := "a1"
	if afterTLS {
		tag = "a3"
	}
	untagged, status, err := imapCommand(s, tag, "CAPABILITY")
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(strings.ToUpper(status), "OK") {
		return nil, &protocolError{msg: fmt.Sprintf("CAPABILITY failed: %s", quoteLine(status))}
	}
	var caps []string
	for _, u := range untagged {
		if f := strings.Fields(u); len(f) > 0 && strings.EqualFold(f[0], "CAPABILITY") {
			caps = append(caps, f[1:]...)
		}
	}
	return caps, nil
}

func (imapDialogue) offersSTARTTLS(caps []string) bool { return hasCap(caps, "STARTTLS") }

func (imapDialogue) startTLS(s *session) error {
	_, status, err := imapCommand(s, "a2", "STARTTLS")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(strings.ToUpper(status), "OK") {
		return &replyError{Command: "STARTTLS", Reply: status}
	}
	return nil
}

// authMechanisms lists the SASL mechanisms (AUTH=...). The LOGIN command is not one of them: whether a
// password login is possible shows in LOGINDISABLED (plaintext_login).
func (imapDialogue) authMechanisms(caps []string) []string {
	var mechs []string
	for _, c := range caps {
		if u := strings.ToUpper(c); strings.HasPrefix(u, "AUTH=") {
			mechs = append(mechs, u[len("AUTH="):])
		}
	}
	return uniqueUpper(mechs)
}

func (imapDialogue) loginDisabled(caps []string) bool { return hasCap(caps, "LOGINDISABLED") }

func (imapDialogue) quit(s *session) { _ = s.writeLine("a9 LOGOUT") }
