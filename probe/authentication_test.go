package probe

import (
	"context"
	"reflect"
	"testing"

	"github.com/mailcheck/mailcheck/probe/sandbox"
)

func TestAutoconfigAuthenticationInSettings(t *testing.T) {
	const cfg = `<clientConfig version="1.1"><emailProvider id="oa.test">
	  <incomingServer type="imap"><hostname>in.oa.test</hostname><port>993</port><socketType>SSL</socketType>
	    <authentication>OAuth2</authentication><authentication>password-cleartext</authentication>
	    <authentication>OAuth2</authentication><authentication>made-up-method</authentication></incomingServer>
	  <outgoingServer type="smtp"><hostname>out.oa.test</hostname><port>465</port><socketType>SSL</socketType>
	    <authentication>oauth2</authentication></outgoingServer>
	</emailProvider></clientConfig>`
	_, p := world(t, sandbox.World{
		Domain: "oa.test",
		Records: []string{
			"autoconfig.oa.test." + ttl + "A 127.0.0.94",
			"in.oa.test." + ttl + "A 127.0.0.95",
			"out.oa.test." + ttl + "A 127.0.0.96",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.94", Port: 443, Proto: sandbox.ProtoHTTPS, Mode: sandbox.ModeTLS, Files: map[string]string{"/mail/config-v1.1.xml": cfg}},
			{IP: "127.0.0.95", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "127.0.0.96", Port: 465, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeTLS},
		},
	}, nil)
	rep := p.Run(context.Background(), Request{Target: "bob@oa.test", Domain: "oa.test", Address: "bob@oa.test"})
	in, out := rep.Settings.Incoming, rep.Settings.Outgoing
	if in == nil || !reflect.DeepEqual(in.Authentication, []string{"OAuth2 (modern authentication)", "normal password"}) {
		t.Errorf("incoming %+v", in)
	}
	if out == nil || !reflect.DeepEqual(out.Authentication, []string{"OAuth2 (modern authentication)"}) {
		t.Errorf("outgoing %+v", out)
	}
}
