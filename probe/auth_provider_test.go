package probe

import (
	"context"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/session"
)

// Exchange Online answers every password login on IMAP and POP with the words of a wrong password; the
// provider's policy decides what the probe reports (issue 12).
func TestAuthProblemAsksTheProvider(t *testing.T) {
	p := NewProber(Config{Credentials: &Credentials{User: "user@example.com", Password: "pw"}})
	refusal := &imap.Error{Type: imap.StatusResponseTypeNo, Text: "AUTHENTICATE failed."}
	cases := []struct {
		host, greeting string
		want           string
	}{
		{"outlook.office365.com", "", catalog.AuthBasicDisabled},
		// A custom name in front of Exchange Online: its greeting names the server.
		{"mail.example.com", "* OK The Microsoft Exchange IMAP4 service is ready. [TQBOADIAUABSADAANwBDAEEAMAAwADEAMgAuAG4AYQBtAHAAcgBkADAANwAuAHAAcgBvAGQALgBvAHUAdABsAG8AbwBrAC4AYwBvAG0A]", catalog.AuthBasicDisabled},
		{"imap.example.com", "* OK Dovecot ready.", catalog.AuthFailed},
	}
	for _, c := range cases {
		res := &Result{Endpoint: Endpoint{Protocol: IMAP, Host: c.host, Port: 993, Security: TLS}, Greeting: c.greeting}
		prob := p.authProblem(context.Background(), refusal, res, "PLAIN", session.NewRedactor("pw"))
		if prob.Code != c.want {
			t.Errorf("%s: code %s, want %s (%s)", c.host, prob.Code, c.want, prob.Summary)
		}
		if c.want == catalog.AuthBasicDisabled && !strings.Contains(prob.Summary, "wrong one") {
			t.Errorf("%s: the summary should name the policy and the wrong-password reading: %s", c.host, prob.Summary)
		}
	}
}

// Exchange Online's newer wording for a switched-off password login names a mechanism, not the password;
// the probe must still report basic authentication disabled, whatever the host (issue 21).
func TestAuthProblemExchangeMechanismWording(t *testing.T) {
	p := NewProber(Config{Credentials: &Credentials{User: "user@example.com", Password: "pw"}})
	refusal := &imap.Error{Type: imap.StatusResponseTypeNo, Text: "AUTHENTICATE failed. Provided authentication mechanism is not supported."}
	for _, host := range []string{"outlook.office365.com", "imap.example.com"} {
		res := &Result{Endpoint: Endpoint{Protocol: IMAP, Host: host, Port: 993, Security: TLS}}
		prob := p.authProblem(context.Background(), refusal, res, "PLAIN", session.NewRedactor("pw"))
		if prob.Code != catalog.AuthBasicDisabled {
			t.Errorf("%s: code %s, want %s (%s)", host, prob.Code, catalog.AuthBasicDisabled, prob.Summary)
		}
	}
}
