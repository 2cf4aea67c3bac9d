package session

import (
	"fmt"
	"strings"
)

// pop3Dialogue speaks POP3 up to login: RFC 1939 (greeting), RFC 2449 (CAPA), RFC 2595 (STLS),
// RFC 5034 (SASL).
type pop3Dialogue struct{}

func (pop3Dialogue) Greeting(s *Conn, first string) (string, error) {
	if !strings.HasPrefix(strings.ToUpper(first), "+OK") {
		return first, &ReplyError{Reply: first, Temporary: strings.Contains(strings.ToUpper(first), "[SYS/TEMP]")}
	}
	return first, nil
}

// POP3Multiline reads a dot-terminated multi-line body (RFC 1939 section 3).
func POP3Multiline(s *Conn) ([]string, error) {
	var lines []string
	for {
		line, err := s.ReadLine()
		if err != nil {
			return lines, err
		}
		if line == "." {
			return lines, nil
		}
		lines = append(lines, strings.TrimPrefix(line, "."))
		if len(lines) >= MaxReplyLines {
			return lines, &ProtocolError{Msg: fmt.Sprintf("the CAPA answer does not end after %d lines", MaxReplyLines)}
		}
	}
}

func (pop3Dialogue) Capabilities(s *Conn, afterTLS bool) ([]string, error) {
	if err := s.WriteLine("CAPA"); err != nil {
		return nil, err
	}
	line, err := s.ReadLine()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(line, "+OK") {
		// An RFC 1939-only server: no capabilities to report (RFC 2449 section 5).
		return nil, nil
	}
	return POP3Multiline(s)
}

func (pop3Dialogue) OffersSTARTTLS(caps []string) bool {
	for _, c := range caps {
		if strings.EqualFold(firstWord(c), "STLS") {
			return true
		}
	}
	return false
}

func (pop3Dialogue) StartTLS(s *Conn) error {
	if err := s.WriteLine("STLS"); err != nil {
		return err
	}
	line, err := s.ReadLine()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+OK") {
		return &ReplyError{Command: "STARTTLS", Reply: line}
	}
	return nil
}

func (pop3Dialogue) AuthMechanisms(caps []string) []string {
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

// LoginDisabled: a server that refuses plaintext login before STLS leaves USER and SASL out of CAPA.
func (d pop3Dialogue) LoginDisabled(caps []string) bool {
	return len(caps) > 0 && len(d.AuthMechanisms(caps)) == 0
}

func (pop3Dialogue) Quit(s *Conn) { _ = s.WriteLine("QUIT") }
