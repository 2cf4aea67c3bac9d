package posture

import "testing"

// The record parsers this package owns read what any domain publishes: none may panic.
func FuzzRecords(f *testing.F) {
	for _, s := range []string{
		"v=DKIM1; k=rsa; p=MIIBIjAN", "v=DKIM1; p=", "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
		"v=TLSRPTv1; rua=mailto:a@b.example,https://r.example/x", "v=STSv1; id=abc",
		"version: STSv1\r\nmode: enforce\r\nmx: *.a.example\r\nmax_age: 86400\r\n", "v=spf1 +all", "v=spf1 mx all",
		"v=DMARC1; p=reject; rua=mailto:x@y.example!10m",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ParseDKIMKey(s)
		ParseTLSRPT(s)
		ParseSTSPolicy(s)
		parseSTSRecord(s)
		spfAllQualifier(s)
		spfRecords([]string{s})
		matchedBy([]string{s})
		FromBounce(s)
		stsMatch(s, []string{s, "*." + s})
	})
}
