package sandbox

import "time"

// DemoWorld is the domain `mailcheck demo` shows a newcomer: small, but with the variety of a real
// provider, good settings next to the usual mistakes.
//
//   - imap.sandbox.test (127.0.0.2, 2001:db8::2): IMAPS 993 with a good certificate, IMAP 143 with
//     STARTTLS and no login before TLS; the IPv6 address has no route (IPv6 fails where IPv4 works).
//   - pop3.sandbox.test (127.0.0.3): POP3S 995 good; POP3 110 refused. _pop3._tcp is "." (RFC 6186:
//     POP3 without TLS is explicitly not offered).
//   - smtp.sandbox.test (127.0.0.4): submission 587 with STARTTLS, AUTH only after TLS; submissions 465
//     with an expired certificate; 25 black-holed, as ISPs block it: its dial fails with a connect
//     timeout after DemoBlackholeWait, so the prober keeps its normal budget for the working servers.
//   - mail.sandbox.test (127.0.0.5): IMAPS 993 with a certificate for another host
//     (hosting.example.net); IMAP 143 in clear text with login allowed; everything else refused.
//   - mx.sandbox.test (127.0.0.6): the MX, SMTP 25 with STARTTLS and no AUTH.
//   - autoconfig.sandbox.test (127.0.0.7): HTTPS 443 serving Thunderbird's config-v1.1.xml, which lists
//     IMAPS, POP3S and submission with %EMAILADDRESS% as the user name.
//   - sandbox.test itself has no address.
//
// The one user is alice@sandbox.test, password "correct horse battery staple".
//
// The demo's report does not depend on how fast the machine is: every working server answers within the
// prober's ordinary step budget, and the one port that never answers (25, black-holed) gives up on its
// own clock (DemoBlackholeWait), not on a short budget shared with the working servers.
func DemoWorld() World {
	const ttl = " 300 IN "
	return World{
		Domain: "sandbox.test",
		Records: []string{
			"sandbox.test." + ttl + "SOA ns.sandbox.test. hostmaster.sandbox.test. 2024010101 3600 600 86400 300",
			"sandbox.test." + ttl + "MX 10 mx.sandbox.test.",
			"sandbox.test." + ttl + `TXT "v=spf1 mx -all"`,
			"_imaps._tcp.sandbox.test." + ttl + "SRV 0 1 993 imap.sandbox.test.",
			"_submission._tcp.sandbox.test." + ttl + "SRV 0 1 587 smtp.sandbox.test.",
			"_submissions._tcp.sandbox.test." + ttl + "SRV 0 1 465 smtp.sandbox.test.",
			"_pop3._tcp.sandbox.test." + ttl + "SRV 0 0 0 .",
			"_pop3s._tcp.sandbox.test." + ttl + "SRV 0 1 995 pop3.sandbox.test.",
			"imap.sandbox.test." + ttl + "A 127.0.0.2",
			"imap.sandbox.test." + ttl + "AAAA 2001:db8::2",
			"pop3.sandbox.test." + ttl + "A 127.0.0.3",
			"smtp.sandbox.test." + ttl + "A 127.0.0.4",
			"mail.sandbox.test." + ttl + "A 127.0.0.5",
			"mx.sandbox.test." + ttl + "A 127.0.0.6",
			"autoconfig.sandbox.test." + ttl + "A 127.0.0.7",
		},
		Services: []Service{
			{IP: "127.0.0.2", Port: 993, Proto: ProtoIMAP, Mode: ModeTLS, Cert: CertGood},
			{IP: "127.0.0.2", Port: 143, Proto: ProtoIMAP, Mode: ModeSTARTTLS, Cert: CertGood},
			{IP: "2001:db8::2", Behavior: BehaveUnreachable},
			{IP: "127.0.0.3", Port: 995, Proto: ProtoPOP3, Mode: ModeTLS, Cert: CertGood},
			{IP: "127.0.0.3", Port: 110, Behavior: BehaveRefuse},
			{IP: "127.0.0.4", Port: 587, Proto: ProtoSMTP, Mode: ModeSTARTTLS, Cert: CertGood},
			{IP: "127.0.0.4", Port: 465, Proto: ProtoSMTP, Mode: ModeTLS, Cert: CertExpired},
			{IP: "127.0.0.4", Port: 25, Behavior: BehaveBlackhole, GiveUpAfter: DemoBlackholeWait},
			{IP: "127.0.0.5", Port: 993, Proto: ProtoIMAP, Mode: ModeTLS, Cert: CertWrongHost, CertHost: "hosting.example.net"},
			{IP: "127.0.0.5", Port: 143, Proto: ProtoIMAP, Mode: ModePlain, PlaintextAuth: true},
			{IP: "127.0.0.6", Port: 25, Proto: ProtoSMTP, Mode: ModeSTARTTLS, Cert: CertGood},
			{IP: "127.0.0.7", Port: 443, Proto: ProtoHTTPS, Mode: ModeTLS, Cert: CertGood,
				Files: map[string]string{"/mail/config-v1.1.xml": demoAutoconfig}},
		},
		Users: map[string]string{"alice@sandbox.test": "correct horse battery staple"},
	}
}

// DemoBlackholeWait is how long the demo's black-holed port 25 takes to fail with a connect timeout: what
// a dropped SYN costs a real probe is its --timeout (5 s); the demo keeps that budget for the servers
// that work and lets the black hole give up after one second.
const DemoBlackholeWait = time.Second

// demoAutoconfig is the sandbox's mail client configuration file (Thunderbird's format).
const demoAutoconfig = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="sandbox.test">
    <domain>sandbox.test</domain>
    <displayName>mailcheck sandbox</displayName>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop3.sandbox.test</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.sandbox.test</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`
