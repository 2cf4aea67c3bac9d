package endpoint

import "testing"

// Every protocol has its row, and the rows agree with the port table: a protocol is never a missing case.
func TestEveryProtocolHasTraits(t *testing.T) {
	for _, p := range []Protocol{IMAP, POP3, SMTP} {
		if _, ok := TraitsOf(p); !ok {
			t.Errorf("%s has no row in Protocols", p)
		}
	}
	for _, s := range Services {
		if _, ok := TraitsOf(s.Protocol); !ok {
			t.Errorf("service %s: protocol %s has no row in Protocols", s.Scheme, s.Protocol)
		}
	}
	for i, tr := range Protocols {
		if svc, ok := ServiceByScheme(tr.ClientScheme); !ok || svc.Protocol != tr.Protocol {
			t.Errorf("%s: client scheme %q is not one of its services", tr.Protocol, tr.ClientScheme)
		}
		if len(tr.GuessLabels) == 0 || len(tr.OAuthScopes) == 0 {
			t.Errorf("%s: no guessed names or OAuth scopes", tr.Protocol)
		}
		if tr.Protocol.Incoming() == tr.Protocol.Outgoing() {
			t.Errorf("%s is both or neither incoming and outgoing", tr.Protocol)
		}
		if tr.Protocol.Rank() != i {
			t.Errorf("%s ranks %d, want %d", tr.Protocol, tr.Protocol.Rank(), i)
		}
		if p, ok := ProtocolNamed(string(tr.Protocol)); !ok || p != tr.Protocol {
			t.Errorf("ProtocolNamed(%s) = %q, %v", tr.Protocol, p, ok)
		}
	}
	if !SMTP.Outgoing() || !IMAP.Incoming() || !POP3.Incoming() {
		t.Error("directions")
	}
}

func TestUnknownProtocolHasNoTraits(t *testing.T) {
	jmap := Protocol("jmap")
	if _, ok := TraitsOf(jmap); ok || jmap.Incoming() || jmap.Outgoing() || jmap.Rank() != len(Protocols) {
		t.Error("an unknown protocol has traits")
	}
	if _, ok := ProtocolNamed("jmap"); ok {
		t.Error("ProtocolNamed accepts an unknown protocol")
	}
}
