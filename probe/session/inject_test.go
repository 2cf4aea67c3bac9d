package session

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

// TestPOP3UserLineBreakNotSent is the regression test for a user name with CR LF (from an autoconfig
// file's <username>): "USER alice\r\nSTAT" used to reach the server as two commands, putting the replies
// out of step (the +OK to STAT read as the answer to PASS). The session refuses to write such a line, so
// the server receives nothing at all.
func TestPOP3UserLineBreakNotSent(t *testing.T) {
	for _, tc := range []struct{ name, user, password string }{
		{"user CRLF", "alice\r\nSTAT", "pw-secret"},
		{"user LF", "alice\nSTAT", "pw-secret"},
		{"password CR", "alice", "pw-secret\rSTAT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, server := net.Pipe()
			received := make(chan []string, 1)
			go func() {
				defer server.Close()
				r := bufio.NewReader(server)
				var lines []string
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						received <- lines
						return
					}
					l = strings.TrimRight(l, "\r\n")
					lines = append(lines, l)
					// A lenient server: +OK to everything, as a STAT after USER would get on many.
					if _, err := server.Write([]byte("+OK\r\n")); err != nil {
						received <- lines
						return
					}
				}
			}()
			tr := NewTranscript(nil)
			red := NewRedactor(tc.password)
			s := NewConn(context.Background(), client, 5*time.Second, tr)
			s.Redactor = red
			// loginPOP3 itself, past Login's check of the user name: the guard at WriteLine is tested.
			err := loginPOP3(s, Login{User: tc.user, Password: tc.password, Mechanism: "USER"}, red)
			client.Close()
			lines := <-received
			var unsafe *UnsafeLineError
			if !errors.As(err, &unsafe) {
				t.Errorf("login error %v, want UnsafeLineError", err)
			}
			for _, l := range lines {
				if strings.Contains(l, "STAT") || !(strings.HasPrefix(l, "USER ") || strings.HasPrefix(l, "PASS ") || l == "QUIT") {
					t.Errorf("the server received the injected command %q (all: %q)", l, lines)
				}
			}
			if err != nil && strings.Contains(err.Error(), "pw-secret") {
				t.Errorf("the error shows the password: %v", err)
			}
			for _, l := range tr.Snapshot() {
				if strings.Contains(l, "pw-secret") {
					t.Errorf("the transcript shows the password: %q", l)
				}
			}
		})
	}
}

// Login checks the user name before anything is sent.
func TestLoginRefusesUnsafeUser(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	defer client.Close()
	s := NewConn(context.Background(), client, time.Second, NewTranscript(nil))
	err := s.Login("pop3", Login{User: "alice\r\nSTAT", Password: "pw", Mechanism: "USER"}, NewTranscript(nil), NewRedactor("pw"))
	if err == nil || !strings.Contains(err.Error(), "line break") {
		t.Errorf("Login = %v", err)
	}
}

func TestWriteLineRefusesLineBreaks(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	defer client.Close()
	s := NewConn(context.Background(), client, time.Second, NewTranscript(nil))
	for _, line := range []string{"USER a\r\nQUIT", "AUTH PLAIN x\ny", "\r", "c2VjcmV0\r\nNOOP"} {
		var unsafe *UnsafeLineError
		if err := s.WriteLine(line); !errors.As(err, &unsafe) {
			t.Errorf("WriteLine(%q) = %v", line, err)
		} else if strings.Contains(err.Error(), "c2VjcmV0") {
			t.Errorf("the error shows the line: %v", err)
		}
	}
}

// A protocol without its row (or its exchange) is refused before a byte is sent: it used to fall through
// to the POP3 exchange and send USER and PASS (issue 22).
func TestLoginRefusesUnknownProtocol(t *testing.T) {
	client, server := net.Pipe()
	received := make(chan string, 1)
	go func() {
		defer server.Close()
		l, _ := bufio.NewReader(server).ReadString('\n') // "" when the client closes without writing
		received <- l
	}()
	s := NewConn(context.Background(), client, 5*time.Second, NewTranscript(nil))
	err := s.Login(endpoint.Protocol("jmap"), Login{User: "alice", Password: "pw-secret", Mechanism: "PLAIN"}, NewTranscript(nil), NewRedactor("pw-secret"))
	client.Close()
	if !errors.Is(err, endpoint.ErrUnknownProtocol) {
		t.Errorf("login error %v, want ErrUnknownProtocol", err)
	}
	if l := <-received; l != "" {
		t.Errorf("the server received %q", l)
	}
}

// Every protocol with traits has a dialogue, and every dialogue a row of traits.
func TestEveryProtocolHasADialogue(t *testing.T) {
	for _, tr := range endpoint.Protocols {
		if Dialogues[tr.Protocol] == nil {
			t.Errorf("%s has no dialogue", tr.Protocol)
		}
	}
	for p := range Dialogues {
		if _, ok := endpoint.TraitsOf(p); !ok {
			t.Errorf("dialogue %s has no row in endpoint.Protocols", p)
		}
	}
}
