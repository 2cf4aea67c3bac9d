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
