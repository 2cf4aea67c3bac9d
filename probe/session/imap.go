package session

import (
	"fmt"
	"strings"
)

// imapDialogue speaks IMAP4rev1/IMAP4rev2 up to LOGIN: greeting and CAPABILITY (RFC 3501 section 6.1.1,
// RFC 9051), STARTTLS and LOGINDISABLED (RFC 3501 section 6.2.1).
type imapDialogue struct{}

func (imapDialogue) Greeting(s *Conn, first string) (string, error) {
	u := strings.ToUpper(first)
	if strings.HasPrefix(u, "* BYE") {
		// RFC 3501 section 7.1.5: the server refuses the connection; RFC 5530 [UNAVAILABLE] says only
		// for now, like POP3 [SYS/TEMP] and SMTP 421.
		return first, &ReplyError{Reply: first, Temporary: IMAPResponseCode(first) == "UNAVAILABLE"}
	}
	return first, nil
}

// IMAPResponseCode returns the upper-cased response code of an untagged status line ("* BYE [UNAVAILABLE]
// …" gives "UNAVAILABLE"), or "" when there is none (RFC 3501 section 7.1).
func IMAPResponseCode(line string) string {
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

// IsPreauth says whether an IMAP greeting is PREAUTH (RFC 3501 section 7.1.4).
func IsPreauth(greeting string) bool {
	return strings.HasPrefix(strings.ToUpper(greeting), "* PREAUTH")
}

// GreetingCaps extracts "[CAPABILITY ...]" from a greeting, which saves a round trip (RFC 3501 7.1).
func GreetingCaps(greeting string) []string {
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
func IMAPCommand(s *Conn, tag, cmd string) (untagged []string, status string, err error) {
	if err := s.WriteLine(tag + " " + cmd); err != nil {
		return nil, "", err
	}
	for {
		line, err := s.ReadLine()
		if err != nil {
			return untagged, "", err
		}
		if len(untagged) >= MaxReplyLines {
			return untagged, "", &ProtocolError{Msg: fmt.Sprintf("no completion of %s after %d lines", cmd, MaxReplyLines)}
		}
		switch {
		case strings.HasPrefix(line, "* "):
			untagged = append(untagged, line[2:])
		case strings.HasPrefix(line, tag+" "):
			return untagged, line[len(tag)+1:], nil
		case strings.HasPrefix(line, "+"):
			return untagged, "", &ProtocolError{Msg: "unexpected continuation request: " + QuoteLine(line)}
		default:
			return untagged, "", &ProtocolError{Msg: "not an IMAP response: " + QuoteLine(line)}
		}
	}
}

func (imapDialogue) Capabilities(s *Conn, afterTLS bool) ([]string, error) {
	tag := "a1"
	if afterTLS {
		tag = "a3"
	}
	untagged, status, err := IMAPCommand(s, tag, "CAPABILITY")
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(strings.ToUpper(status), "OK") {
		return nil, &ProtocolError{Msg: fmt.Sprintf("CAPABILITY failed: %s", QuoteLine(status))}
	}
	var caps []string
	for _, u := range untagged {
		if f := strings.Fields(u); len(f) > 0 && strings.EqualFold(f[0], "CAPABILITY") {
			caps = append(caps, f[1:]...)
		}
	}
	return caps, nil
}

func (imapDialogue) OffersSTARTTLS(caps []string) bool { return HasCap(caps, "STARTTLS") }

func (imapDialogue) StartTLS(s *Conn) error {
	_, status, err := IMAPCommand(s, "a2", "STARTTLS")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(strings.ToUpper(status), "OK") {
		return &ReplyError{Command: "STARTTLS", Reply: status}
	}
	return nil
}

// AuthMechanisms lists the SASL mechanisms (AUTH=...). The LOGIN command is not one of them: whether a
// password login is possible shows in LOGINDISABLED (plaintext_login).
func (imapDialogue) AuthMechanisms(caps []string) []string {
	var mechs []string
	for _, c := range caps {
		if u := strings.ToUpper(c); strings.HasPrefix(u, "AUTH=") {
			mechs = append(mechs, u[len("AUTH="):])
		}
	}
	return uniqueUpper(mechs)
}

func (imapDialogue) LoginDisabled(caps []string) bool { return HasCap(caps, "LOGINDISABLED") }

func (imapDialogue) Quit(s *Conn) { _ = s.WriteLine("a9 LOGOUT") }
