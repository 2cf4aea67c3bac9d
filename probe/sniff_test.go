package probe

import "testing"

func TestSniffProtocol(t *testing.T) {
	cases := map[string]Protocol{
		"* OK [CAPABILITY IMAP4rev1] ready": IMAP,
		"* PREAUTH welcome":                 IMAP,
		"* BYE too many connections":        IMAP,
		"+OK POP3 ready":                    POP3,
		"-ERR [IN-USE] locked":              POP3,
		"220 mx.example.com ESMTP":          SMTP,
		"220-mx.example.com ESMTP":          SMTP,
		"554 5.7.1 no service":              SMTP,
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
