package session

import (
	"testing"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

func TestSniffProtocol(t *testing.T) {
	cases := map[string]endpoint.Protocol{
		"* OK [CAPABILITY IMAP4rev1] ready": endpoint.IMAP,
		"* PREAUTH welcome":                 endpoint.IMAP,
		"* BYE too many connections":        endpoint.IMAP,
		"+OK POP3 ready":                    endpoint.POP3,
		"-ERR [IN-USE] locked":              endpoint.POP3,
		"220 mx.example.com ESMTP":          endpoint.SMTP,
		"220-mx.example.com ESMTP":          endpoint.SMTP,
		"554 5.7.1 no service":              endpoint.SMTP,
		"SSH-2.0-OpenSSH_9.2":               "",
		"HTTP/1.1 400 Bad Request":          "",
		"":                                  "",
	}
	for in, want := range cases {
		if got := Sniff(in); got != want {
			t.Errorf("sniffProtocol(%q) = %q, want %q", in, got, want)
		}
	}
}
