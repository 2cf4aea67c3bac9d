package probe

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

func TestSend(t *testing.T) {
	submission := Endpoint{Protocol: SMTP, Host: "mail.a.test", Port: 587, Security: STARTTLS}
	cases := []struct {
		name     string
		creds    *Credentials
		from, to string
		dryRun   bool
		want     string // problem code, "" for success
		step     string // the step that failed
	}{
		{"delivered", &Credentials{User: alice, Password: alicePW}, alice, alice, false, "", ""},
		{"dry run", &Credentials{User: alice, Password: alicePW}, alice, alice, true, "", ""},
		{"relay denied without login", nil, "someone@elsewhere.test", "bob@example.org", false, catalog.RelayDenied, "rcpt"},
		{"sender not owned", &Credentials{User: alice, Password: alicePW}, "ceo@a.test", alice, false, catalog.SenderNotPermitted, "mail"},
		{"unknown recipient", &Credentials{User: alice, Password: alicePW}, alice, "nobody@a.test", false, catalog.RecipientRejected, "rcpt"},
		{"wrong password", &Credentials{User: alice, Password: wrongPW}, alice, alice, false, catalog.AuthFailed, "auth"},
		{"bad address syntax", &Credentials{User: alice, Password: alicePW}, alice, "bob@@example.org", false, catalog.AddressSyntax, ""},
		{"address with a space", &Credentials{User: alice, Password: alicePW}, "alice @a.test", alice, false, catalog.AddressSyntax, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sb, p := world(t, authWorld(), c.creds)
			before := len(sb.Messages(alice))
			res := p.Send(context.Background(), SendRequest{Server: submission, From: c.from, To: []string{c.to}, Subject: "test " + c.name, DryRun: c.dryRun})
			if c.want == "" {
				if res.Problem != nil || !res.Accepted {
					t.Fatalf("refused: %+v\n%s", res.Problem, strings.Join(res.Transcript, "\n"))
				}
				// RFC 5321 section 4.1.3: the address literal goes in brackets.
				if all := strings.Join(res.Transcript, "\n"); strings.Contains(all, "C: EHLO 127.") || !strings.Contains(all, "C: EHLO [127.0.0.1]") {
					t.Errorf("an EHLO without the address literal's brackets:\n%s", all)
				}
				delivered := len(sb.Messages(alice)) - before
				if c.dryRun && (delivered != 0 || res.Delivered) {
					t.Errorf("dry run delivered %d messages", delivered)
				}
				if !c.dryRun {
					msgs := sb.Messages(alice)
					if delivered != 1 || !res.Delivered || !strings.Contains(msgs[len(msgs)-1], "Subject: test "+c.name) || !strings.Contains(msgs[len(msgs)-1], res.MessageID) {
						t.Errorf("delivered %d, result %+v", delivered, res)
					}
				}
			} else {
				if res.Problem == nil || res.Problem.Code != c.want {
					t.Fatalf("problem %+v, want %s\n%s", res.Problem, c.want, strings.Join(res.Transcript, "\n"))
				}
				if res.Accepted || res.Delivered {
					t.Errorf("a refused send is marked accepted")
				}
				if c.step != "" {
					last := res.Steps[len(res.Steps)-1]
					if last.Step != c.step || last.OK || last.Reply == "" {
						t.Errorf("last step %+v, want a failed %s with the server's reply", last, c.step)
					}
				}
			}
			b, _ := json.Marshal(res)
			for _, pw := range []string{alicePW, wrongPW} {
				if strings.Contains(string(b), pw) {
					t.Errorf("send result contains a password")
				}
			}
		})
	}
}

func TestClassifySMTPSend(t *testing.T) {
	cases := []struct {
		stage         string
		code          int
		enh           [3]int
		authenticated bool
		want          string
	}{
		{"mail", 501, [3]int{5, 1, 7}, true, catalog.AddressSyntax},
		{"rcpt", 501, [3]int{5, 1, 3}, true, catalog.AddressSyntax},
		{"rcpt", 554, [3]int{5, 7, 1}, false, catalog.RelayDenied},
		{"rcpt", 550, [3]int{5, 7, 1}, false, catalog.RelayDenied},
		{"mail", 553, [3]int{5, 7, 1}, true, catalog.SenderRejected},
		{"rcpt", 550, [3]int{5, 1, 1}, true, catalog.RecipientRejected},
		{"data", 552, [3]int{5, 3, 4}, true, catalog.MessageTooLarge},
		{"rcpt", 552, [3]int{5, 2, 2}, true, catalog.MailboxFull},
		{"rcpt", 452, [3]int{4, 2, 2}, true, catalog.MailboxFull},
		{"data", 550, [3]int{5, 4, 5}, true, catalog.SendingLimit},
		{"mail", 530, [3]int{5, 7, 0}, false, catalog.AuthRequired},
		{"rcpt", 450, [3]int{4, 2, 0}, false, catalog.ServerTemporary},
		{"rcpt", 451, [3]int{4, 7, 1}, false, catalog.ServerTemporary},
		{"rcpt", 452, [3]int{4, 5, 3}, true, catalog.RateLimited},
		{"mail", 421, [3]int{4, 7, 0}, true, catalog.RateLimited},
		{"data", 550, [3]int{5, 7, 26}, true, catalog.AuthenticationPolicy},
		{"data", 554, [3]int{5, 7, 1}, true, catalog.PolicyRejected},
		{"auth", 535, [3]int{5, 7, 8}, false, catalog.AuthFailed},
	}
	for _, c := range cases {
		if got := classifySMTPSend(c.stage, smtpErrorFor(c.code, c.enh, "x"), c.authenticated); got != c.want {
			t.Errorf("%s %d %v (auth %v): %s, want %s", c.stage, c.code, c.enh, c.authenticated, got, c.want)
		}
	}
}
