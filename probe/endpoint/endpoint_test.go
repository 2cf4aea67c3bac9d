package endpoint

import (
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	good := []struct {
		in   string
		want Endpoint
	}{
		{"imaps://mail.example.com:993", Endpoint{IMAP, "mail.example.com", 993, TLS}},
		{"imaps://Mail.Example.com", Endpoint{IMAP, "mail.example.com", 993, TLS}},
		{"imap://mail.example.com", Endpoint{IMAP, "mail.example.com", 143, STARTTLS}},
		{"pop3://pop3:110", Endpoint{POP3, "pop3", 110, STARTTLS}},
		{"pop3s://pop.example.com", Endpoint{POP3, "pop.example.com", 995, TLS}},
		{"smtp://mx.example.com", Endpoint{SMTP, "mx.example.com", 25, STARTTLS}},
		{"submission://smtp.example.com:587", Endpoint{SMTP, "smtp.example.com", 587, STARTTLS}},
		{"submissions://smtp.example.com", Endpoint{SMTP, "smtp.example.com", 465, TLS}},
		{"smtps://smtp.example.com", Endpoint{SMTP, "smtp.example.com", 465, TLS}},
		{"imaps://[2001:db8::1]:993", Endpoint{IMAP, "2001:db8::1", 993, TLS}},
		{"imaps://192.0.2.1", Endpoint{IMAP, "192.0.2.1", 993, TLS}},
		{"IMAPS://mail.example.com/", Endpoint{IMAP, "mail.example.com", 993, TLS}},
		{"imaps://mail.münchen.de", Endpoint{IMAP, "mail.xn--mnchen-3ya.de", 993, TLS}},
	}
	for _, tc := range good {
		got, err := ParseEndpoint(tc.in)
		if err != nil {
			t.Errorf("ParseEndpoint(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseEndpoint(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	bad := []struct{ in, wantErr string }{
		{"mail.example.com:993", "not an endpoint URL"},
		{"ftp://mail.example.com", "unknown scheme"},
		{"imaps://mail.example.com:99999", "out of range"},
		{"imaps://mail.example.com:0", "out of range"},
		{"imaps://mail.example.com:abc", "not a valid URL"},
		{"imaps://:993", "empty"},
		{"imaps://user:secret@mail.example.com", "user name or password"},
		{"imaps://mail..example.com", "empty label"},
		{"imaps://mail_ex ample.com", "not a valid URL"},
		{"imaps://mail.example.com/INBOX", "path"},
		{"imaps://mail.example.com:", "empty port"},
	}
	for _, tc := range bad {
		_, err := ParseEndpoint(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParseEndpoint(%q) error = %v, want it to mention %q", tc.in, err, tc.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseEndpoint(%q) error leaks the password: %v", tc.in, err)
		}
	}
}

func TestParseTarget(t *testing.T) {
	good := []struct{ in, domain, addr string }{
		{"alice@example.com", "example.com", "alice@example.com"},
		{"Alice@Example.COM", "example.com", "Alice@Example.COM"},
		{"example.com", "example.com", ""},
		{"example.com.", "example.com", ""},
		{" sub.example.co.uk ", "sub.example.co.uk", ""},
		{"hans@münchen.de", "xn--mnchen-3ya.de", "hans@münchen.de"},
		{"bücher.example", "xn--bcher-kva.example", ""},
	}
	for _, tc := range good {
		d, a, err := ParseTarget(tc.in)
		if err != nil || d != tc.domain || a != tc.addr {
			t.Errorf("ParseTarget(%q) = %q, %q, %v; want %q, %q", tc.in, d, a, err, tc.domain, tc.addr)
		}
	}
	bad := []struct{ in, wantErr string }{
		{"", "nothing to probe"},
		{"@example.com", "nothing before the @"},
		{"alice@", "no domain"},
		{"al ice@example.com", "not a valid e-mail address"},
		{"alice@exa mple.com", "not allowed"},
		{"localhost", "not a domain"},
		{"192.0.2.1", "IP address"},
		{"alice@@example.com", "not a valid e-mail address"},
	}
	for _, tc := range bad {
		_, _, err := ParseTarget(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParseTarget(%q) error = %v, want it to mention %q", tc.in, err, tc.wantErr)
		}
	}
}

func TestServicesTableIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Services {
		if seen[s.Scheme] {
			t.Errorf("scheme %s twice", s.Scheme)
		}
		seen[s.Scheme] = true
		got, ok := ServiceByScheme(s.Scheme)
		if !ok || got != s {
			t.Errorf("ServiceByScheme(%s) = %+v", s.Scheme, got)
		}
		for _, port := range []int{s.Port, 2000 + s.Port} {
			ep := Endpoint{s.Protocol, "h.example", port, s.Security}
			back, err := ParseEndpoint(ep.URL())
			if err != nil || back != ep {
				t.Errorf("round trip of %+v via %s = %+v, %v", ep, ep.URL(), back, err)
			}
		}
	}
}
