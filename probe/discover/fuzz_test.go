package discover

import (
	"testing"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

// The configuration files and Autodiscover answers come from web servers anyone can run: whatever they
// hold, parsing ends with servers that are valid endpoints, or an error, never a panic.
func FuzzAutoconfig(f *testing.F) {
	f.Add([]byte(`<clientConfig><emailProvider><incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType><authentication>OAuth2</authentication></incomingServer></emailProvider></clientConfig>`))
	f.Add([]byte(`<clientConfig><emailProvider><outgoingServer type="smtp"><hostname>%EMAILLOCALPART%.x</hostname><port>0x1</port></outgoingServer></emailProvider></clientConfig>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		servers, err := ParseConfig(body, "example.com", "alice@example.com")
		if err == nil && len(servers) == 0 {
			t.Fatal("no error and no servers")
		}
		checkServers(t, servers)
	})
}

func FuzzAutodiscover(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>IMAP</Type><Server>imap.example.com</Server><Port>993</Port><SSL>on</SSL><LoginName>bob</LoginName></Protocol></Account></Response></Autodiscover>`))
	f.Add([]byte(`<Autodiscover><Response><Account><Action>redirectAddr</Action><RedirectAddr>x@y</RedirectAddr></Account></Response></Autodiscover>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := parseAutodiscover(body)
		if err != nil || resp == nil {
			return
		}
		checkServers(t, autodiscoverServers(resp.Response.Account.Protocols, "example.com", "alice@example.com"))
	})
}

func checkServers(t *testing.T, servers []Server) {
	t.Helper()
	if len(servers) > maxServers {
		t.Fatalf("%d servers, more than the cap %d", len(servers), maxServers)
	}
	for _, s := range servers {
		if s.Port < 1 || s.Port > 65535 || endpoint.ValidateHost(s.Host) != nil {
			t.Fatalf("invalid endpoint accepted: %+v", s)
		}
	}
}
