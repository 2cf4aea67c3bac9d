package session

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// smtpDialogue speaks ESMTP up to AUTH: RFC 5321 (greeting, EHLO), RFC 3207 (STARTTLS), RFC 4954 (AUTH).
type smtpDialogue struct{}

// ReadSMTPReply reads one reply; multi-line replies use "NNN-" on all lines but the last (RFC 5321 4.2.1).
func ReadSMTPReply(s *Conn, first string) (code int, lines []string, err error) {
	line := first
	for {
		if line == "" {
			if line, err = s.ReadLine(); err != nil {
				return 0, lines, err
			}
		}
		if !smtpReplyLine.MatchString(line) {
			return 0, lines, &ProtocolError{Msg: "not an SMTP reply: " + QuoteLine(line)}
		}
		c, _ := strconv.Atoi(line[:3])
		if code != 0 && c != code {
			return 0, lines, &ProtocolError{Msg: "SMTP reply changed its code mid-way: " + QuoteLine(line)}
		}
		code = c
		text := ""
		if len(line) > 4 {
			text = line[4:]
		}
		lines = append(lines, text)
		if len(line) == 3 || line[3] == ' ' {
			return code, lines, nil
		}
		if len(lines) >= MaxReplyLines {
			return 0, lines, &ProtocolError{Msg: fmt.Sprintf("the SMTP reply does not end after %d lines", MaxReplyLines)}
		}
		line = ""
	}
}

func SMTPCommand(s *Conn, cmd string) (int, []string, error) {
	if err := s.WriteLine(cmd); err != nil {
		return 0, nil, err
	}
	return ReadSMTPReply(s, "")
}

func (smtpDialogue) Greeting(s *Conn, first string) (string, error) {
	code, lines, err := ReadSMTPReply(s, first)
	if err != nil {
		return first, err
	}
	text := strconv.Itoa(code) + " " + strings.Join(lines, " / ")
	if code != 220 {
		// 554 "no SMTP service here" and 421 "service not available" (RFC 5321 section 3.1).
		return text, &ReplyError{Reply: text, Temporary: code/100 == 4}
	}
	return text, nil
}

func (smtpDialogue) Capabilities(s *Conn, afterTLS bool) ([]string, error) {
	code, lines, err := SMTPCommand(s, "EHLO "+EHLOName(s.NetConn))
	if err != nil {
		return nil, err
	}
	if code != 250 {
		// RFC 5321 section 3.2: a server without extensions; fall back to HELO.
		if code2, _, err := SMTPCommand(s, "HELO "+EHLOName(s.NetConn)); err != nil {
			return nil, err
		} else if code2 != 250 {
			return nil, &ReplyError{Command: "HELO", Reply: strconv.Itoa(code2), Temporary: code2/100 == 4}
		}
		return nil, nil
	}
	if len(lines) <= 1 {
		return nil, nil
	}
	return lines[1:], nil
}

// EHLOName is the client's address literal (RFC 5321 section 4.1.3): always valid, unlike a made-up name.
func EHLOName(conn net.Conn) string {
	if a, ok := conn.LocalAddr().(*net.TCPAddr); ok {
		if a.IP.To4() != nil {
			return "[" + a.IP.String() + "]"
		}
		return "[IPv6:" + a.IP.String() + "]"
	}
	return "[127.0.0.1]"
}

func (smtpDialogue) OffersSTARTTLS(caps []string) bool {
	for _, c := range caps {
		if strings.EqualFold(firstWord(c), "STARTTLS") {
			return true
		}
	}
	return false
}

func (smtpDialogue) StartTLS(s *Conn) error {
	code, lines, err := SMTPCommand(s, "STARTTLS")
	if err != nil {
		return err
	}
	if code != 220 {
		reply := strconv.Itoa(code) + " " + strings.Join(lines, " / ")
		return &ReplyError{Command: "STARTTLS", Reply: reply, Temporary: code/100 == 4}
	}
	return nil
}

func (smtpDialogue) AuthMechanisms(caps []string) []string {
	var mechs []string
	for _, c := range caps {
		f := strings.Fields(c)
		if len(f) == 0 {
			continue
		}
		kw := strings.ToUpper(f[0])
		switch {
		case kw == "AUTH":
			mechs = append(mechs, f[1:]...)
		case strings.HasPrefix(kw, "AUTH="): // pre-RFC 2554 servers
			mechs = append(mechs, strings.TrimPrefix(kw, "AUTH="))
			mechs = append(mechs, f[1:]...)
		}
	}
	return uniqueUpper(mechs)
}

// LoginDisabled: RFC 4954 servers that refuse plaintext AUTH simply do not advertise it before TLS.
func (d smtpDialogue) LoginDisabled(caps []string) bool { return len(d.AuthMechanisms(caps)) == 0 }

func (smtpDialogue) Quit(s *Conn) { _ = s.WriteLine("QUIT") }

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// QuoteLine shortens a server line for messages.
func QuoteLine(s string) string {
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return strconv.Quote(s)
}
