package posture

import "testing"

func TestFromBounce(t *testing.T) {
	for _, tc := range []struct {
		name, text, domain, ip string
	}{
		{"gmail", "550-5.7.26 Your email has been blocked because the sender is unauthenticated.\n550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.\n550-5.7.26 \n550-5.7.26  Authentication results:\n550-5.7.26  DKIM = did not pass\n550-5.7.26  SPF [example.org] with ip: [192.0.2.7] = did not pass", "example.org", "192.0.2.7"},
		{"microsoft", "550 5.7.515 Access denied, sending domain [Example.NET] doesn't meet the required authentication level.", "example.net", ""},
		{"openspf", "550 5.7.23 Message rejected due to: SPF fail - not authorized. Please see http://www.openspf.net/Why?s=mfrom;id=bob@example.com;ip=198.51.100.4;r=mx.example.org", "example.com", "198.51.100.4"},
		{"authres", "Authentication-Results: mx.google.com;\n       spf=fail (google.com: domain of bob@shop.example.co.uk does not designate 203.0.113.9 as permitted sender) smtp.mailfrom=bob@shop.example.co.uk;\n       dmarc=fail (p=REJECT) header.from=shop.example.co.uk", "shop.example.co.uk", "203.0.113.9"},
		{"from header", "Diagnostic-Code: smtp; 550 5.7.1 DMARC policy\n\nFrom: Bob <bob@example.org>\nTo: x@example.com", "example.org", ""},
	} {
		got, ev, ok := FromBounce(tc.text)
		ip := ""
		if got.SendingIP.IsValid() {
			ip = got.SendingIP.String()
		}
		if !ok || got.Domain != tc.domain || ip != tc.ip || len(ev) == 0 {
			t.Errorf("%s: %q %q %v (evidence %q), want %q %q", tc.name, got.Domain, ip, ok, ev, tc.domain, tc.ip)
		}
	}
	got, _, _ := FromBounce("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;\n s=sel2026; h=from:to;\nFrom: bob@example.org\n")
	if got.DKIMSelector != "sel2026" || got.Domain != "example.org" {
		t.Errorf("DKIM selector %q domain %q, want sel2026 example.org", got.DKIMSelector, got.Domain)
	}
	if _, _, ok := FromBounce("550 5.1.1 user unknown"); ok {
		t.Error("a bounce that names no domain gave one")
	}
}
