package session

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

func TestParseOAuthChallenge(t *testing.T) {
	if e := parseOAuthChallenge([]byte(`{"status":"invalid_token","schemes":"bearer","scope":"mail\u001b[31m"}`)); e == nil || e.Status != "invalid_token" || e.Scope != "mail[31m" {
		t.Errorf("got %+v", e)
	}
	for _, bad := range []string{"", "not json", `{"schemes":"bearer"}`, `{"status":"` + strings.Repeat("x", maxOAuthChallenge) + `"}`} {
		if e := parseOAuthChallenge([]byte(bad)); e != nil {
			t.Errorf("%q: got %+v", bad, e)
		}
	}
}

// TestIMAPOAuthEmptyResponse pins the exchange Dovecot needs: after an XOAUTH2 error challenge the client
// sends an empty line (not "=", which is only an empty initial response), after an OAUTHBEARER one %x01.
func TestIMAPOAuthEmptyResponse(t *testing.T) {
	for mech, wantAnswer := range map[string]string{MechXOAUTH2: "", MechOAUTHBEARER: "AQ=="} {
		t.Run(mech, func(t *testing.T) {
			client, server := net.Pipe()
			defer client.Close()
			got := make(chan []string, 1)
			go func() {
				defer server.Close()
				r := bufio.NewReader(server)
				var lines []string
				read := func() string {
					l, _ := r.ReadString('\n')
					l = strings.TrimRight(l, "\r\n")
					lines = append(lines, l)
					return l
				}
				read() // T1 CAPABILITY
				_, _ = server.Write([]byte("* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER\r\nT1 OK done\r\n"))
				read() // T2 AUTHENTICATE MECH IR
				challenge := base64.StdEncoding.EncodeToString([]byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`))
				_, _ = server.Write([]byte("+ " + challenge + "\r\n"))
				read() // the answer to the challenge
				_, _ = server.Write([]byte("T2 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n"))
				got <- lines
			}()
			red := NewRedactor("")
			red.AddToken("tok-" + mech)
			s := NewConn(context.Background(), client, 2*time.Second, NewTranscript(nil))
			s.Redactor = red
			err := loginIMAPOAuth(s, Login{User: "alice@a.test", Token: "tok-" + mech, Mechanism: mech}, red)
			client.Close() // a client that stopped early must not leave the server waiting
			lines := <-got
			var imapErr *imap.Error
			if !errors.As(err, &imapErr) || imapErr.Code != imap.ResponseCodeAuthenticationFailed || imapErr.Text != "Invalid credentials (Failure)" {
				t.Errorf("error %v", err)
			}
			if ch := ChallengeOf(err); ch == nil || ch.Status != "401" || ch.Scope != "https://mail.google.com/" {
				t.Errorf("challenge %+v", ch)
			}
			if len(lines) != 3 || !strings.HasPrefix(lines[1], "T2 AUTHENTICATE "+mech+" ") || lines[2] != wantAnswer {
				t.Errorf("client sent %q, want the answer %q", lines, wantAnswer)
			}
		})
	}
}

// A Login printed by mistake shows neither secret.
func TestLoginPrintsNoSecret(t *testing.T) {
	l := Login{User: "alice@a.test", Password: "hunter2-pw", Token: "tok-secret", Mechanism: "PLAIN"}
	for _, s := range []string{fmt.Sprint(l), fmt.Sprintf("%+v", l), fmt.Sprintf("%#v", l), fmt.Sprint(&l)} {
		if strings.Contains(s, "hunter2-pw") || strings.Contains(s, "tok-secret") || !strings.Contains(s, "alice@a.test") {
			t.Errorf("printed %q", s)
		}
	}
}
