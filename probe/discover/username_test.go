package discover

import (
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

// A login name from a discovery answer that holds a line break would inject a command ("USER
// alice\r\nSTAT" in POP3): it is dropped, with the reason recorded, and the server is kept.
func TestParseConfigDropsUnsafeUsername(t *testing.T) {
	file := `<clientConfig version="1.1"><emailProvider id="x">
<incomingServer type="pop3"><hostname>pop.example.com</hostname><port>995</port><socketType>SSL</socketType>
<username>alice&#13;&#10;STAT</username></incomingServer>
<incomingServer type="imap"><hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType>
<username>` + strings.Repeat("a", endpoint.MaxUser+1) + `</username></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>465</port><socketType>SSL</socketType>
<username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>`
	got, err := ParseConfig([]byte(file), "example.com", "alice@example.com")
	if err != nil || len(got) != 3 {
		t.Fatalf("got %+v, %v", got, err)
	}
	for _, s := range got[:2] {
		if s.Username != "" || s.UsernameRefused == "" {
			t.Errorf("%s: username %q kept (refused: %q)", s.Host, s.Username, s.UsernameRefused)
		}
	}
	if !strings.Contains(got[0].UsernameRefused, "line break") || strings.Contains(got[0].UsernameRefused, "\r") {
		t.Errorf("reason %q", got[0].UsernameRefused)
	}
	if got[2].Username != "alice@example.com" || got[2].UsernameRefused != "" {
		t.Errorf("a good name: %+v", got[2])
	}
}

func TestAutodiscoverDropsUnsafeUsername(t *testing.T) {
	got := autodiscoverServers([]autodiscoverProtocol{{Type: "POP3", Server: "pop.example.com", Port: "995", LoginName: "alice\x00x"}}, "example.com", "alice@example.com")
	if len(got) != 1 || got[0].Username != "" || !strings.Contains(got[0].UsernameRefused, "control character") {
		t.Errorf("got %+v", got)
	}
}
