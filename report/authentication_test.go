package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe"
)

func TestSettingShowsAutoconfigAuthentication(t *testing.T) {
	rep := &probe.Report{Domain: "oa.test", Endpoints: []probe.Result{}, Settings: probe.Settings{
		Incoming: &probe.Setting{Protocol: probe.IMAP, Server: "in.oa.test", Port: 993, Security: probe.TLS, SecurityLabel: "SSL/TLS",
			RequiresAuth: true, Authentication: []string{"OAuth2 (modern authentication)", "normal password"}},
	}}
	var b bytes.Buffer
	if err := Text(&b, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "authentication: OAuth2 (modern authentication), normal password") {
		t.Errorf("settings line lacks the autoconfig authentication:\n%s", b.String())
	}
}

func TestOAuthLoginShown(t *testing.T) {
	rep := &probe.Report{Domain: "oa.test", Endpoints: []probe.Result{{Endpoint: probe.Endpoint{Protocol: probe.SMTP, Host: "out.oa.test", Port: 465, Security: probe.TLS},
		Status: probe.StatusOK, Auth: &probe.AuthResult{Tested: true, OK: true, Mechanism: "XOAUTH2"}}}, Settings: probe.Settings{
		Outgoing: &probe.Setting{Protocol: probe.SMTP, Server: "out.oa.test", Port: 465, Security: probe.TLS, SecurityLabel: "SSL/TLS",
			RequiresAuth: true, LoginVerified: true, LoginMechanism: "XOAUTH2"},
	}}
	var b, v bytes.Buffer
	if err := Text(&b, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"requires authentication (OAuth2 sign-in of the same account as incoming)", "login verified (XOAUTH2)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	// The endpoint lines are -v's.
	if err := Text(&v, rep, TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.String(), "login OK (XOAUTH2)") {
		t.Errorf("-v report lacks %q:\n%s", "login OK (XOAUTH2)", v.String())
	}
}
