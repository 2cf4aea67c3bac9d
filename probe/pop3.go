package probe

import (
	"fmt"
	"strings"
)

// pop3Dialogue speaks POP3 up to login: RFC 1939 (greeting), RFC 2449 (CAPA), RFC 2595 (STLS),
// RFC 5034 (SASL).
type pop3Dialogue struct{}

func (pop3Dialogue) greeting(s *session, first string) (string, error) {
	if !strings.HasPrefix(strings.ToUpper(first), "+OK") {
		return first, &replyError{Reply: first, Temporary: strings.Contains(strings.ToUpper(first), "[SYS/TEMP]")}
	}
	return first, nil
}

// pop3Multiline reads a dot-terminated multi-line body (RFC 1939 section 3).
func pop3Multiline(s *session) ([]string, error) {
	var lines []string
	for {
		line, err := s.readLine()
		if err != nil {
			return lines, err
		}
		if line == "." {
			return lines, nil
		}
		lines = append(lines, strings.TrimPrefix(line, "."))
		if len(lines) >= maxReplyLines {
			return lines, &protocolError{msg: fmt.Sprintf("the CAPA answer does not end after %d lines", maxReplyLines)}
		}
	}
}

func (pop3Dialogue) capabilities(s *session, afterTLS bool) ([]string, error) {
	if err := s.writeLine("CAPA"); err != nil {
		return nil, err
	}
	line, err := s.readLine()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(line, "+OK") {
		// An RFC 1939-only server: no capabilities to report (RFC 2449 section 5).
		return nil, nil
	}
	return pop3Multiline(s)
}

func (pop3Dialogue) offersSTARTTLS(caps []string) bool {
	for _, c := range caps {
		if strings.EqualFold(firstWord(c), "STLS") {
			return true
		}
	}
	return false
}

func (pop3Dialogue) startTLS(s *session) error {
	if err := s.writeLine("STLS"); err != nil {
		return err
	}
	line, err := s.readLine()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+OK") {
		return &replyError{Command: "STARTTLS", Reply: line}
	}
	return nil
}

func (pop3Dialogue) authMechanisms(caps []string) []string {
	var mechs []string
	for _, c := range caps {
		f := strings.Fields(c)
		if len(f) == 0 {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "SASL":
			mechs = append(mechs, f[1:]...)
		case "USER":
			mechs = append(mechs, "USER")
		}
	}
	return uniqueUpper(mechs)
}

// loginDisabled: a server that refuses plaintext login before STLS leaves USER and SASL out of CAPA.
func (d pop3Dialogue) loginDisabled(caps []string) bool {
	return len(caps) > 0 && len(d.authMechanisms(caps)) == 0
}

func (pop3Dialogue) quit(s *session) { _ = s.writeLine("QUIT") }
