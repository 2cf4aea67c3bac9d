package catalog

import (
	"slices"
	"testing"
)

// Every problem declares its attributes, at least an area the engine knows: the engine and the checks
// decide by them, so a code without them would silently change a verdict (issue 22).
func TestEveryProblemHasAttributes(t *testing.T) {
	for _, p := range Problems() {
		a := p.Attributes
		if !slices.Contains(Areas, a.Area) {
			t.Errorf("%s: area %q is not one of %v", p.Code, a.Area, Areas)
		}
		if a.JudgesCredentials && a.Area != AreaLogin {
			t.Errorf("%s: judges the credentials but is not a login problem", p.Code)
		}
		if a.ConnectFailure && (a.Area != AreaConnect || !a.NotOffered) {
			t.Errorf("%s: a connect failure is in the connect area and means nothing is offered", p.Code)
		}
		if a.LoginStillPossible && a.Area != AreaTLS {
			t.Errorf("%s: only a TLS failure leaves a connection to log in on", p.Code)
		}
	}
}

// The attributes that used to be hand-kept lists in the engine, pinned for the codes they were about.
func TestProblemAttributes(t *testing.T) {
	for _, tc := range []struct {
		code string
		want Attributes
	}{
		{AuthFailed, Attributes{Area: AreaLogin, JudgesCredentials: true}},
		{OAuthTokenExpired, Attributes{Area: AreaLogin, JudgesCredentials: true}},
		{AuthTemporary, Attributes{Area: AreaLogin}},
		{AuthMechanism, Attributes{Area: AreaLogin}},
		{CertUntrusted, Attributes{Area: AreaTLS, LoginStillPossible: true}},
		{STARTTLSNotOffered, Attributes{Area: AreaTLS, LoginStillPossible: true}},
		{TLSHandshake, Attributes{Area: AreaTLS}},
		{ConnectRefused, Attributes{Area: AreaConnect, ConnectFailure: true, NotOffered: true}},
		{ConnectionClosed, Attributes{Area: AreaConnect, NotOffered: true}},
		{GreetingRejected, Attributes{Area: AreaProtocol, NotOffered: true}},
		{ResponseTimeout, Attributes{Area: AreaConnect}},
		{DNSNotFound, Attributes{Area: AreaDNS}},
	} {
		if got, ok := Is(tc.code); !ok || got != tc.want {
			t.Errorf("Is(%s) = %+v, %v; want %+v", tc.code, got, ok, tc.want)
		}
	}
	if _, ok := Is("no_such_code"); ok {
		t.Error("Is knows an unknown code")
	}
	if JudgesCredentials("no_such_code") || InArea("no_such_code", "") {
		t.Error("an unknown code has attributes")
	}
}
