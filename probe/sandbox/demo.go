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
//   - ispdb.sandbox.test (127.0.0.8): HTTPS 443, a mirror of Mozilla's ISPDB (DemoISPDB) with an
//     out-of-date entry for sandbox.test (IMAP on mail.sandbox.test 143 STARTTLS, which fails: the
//     sources disagree) and the entry of the mail provider mailhost.test.
//   - autodiscover.sandbox.test (127.0.0.9): HTTPS 443, Microsoft Autodiscover (POX) naming the same
//     servers as the autoconfig file.
//   - mta-sts.sandbox.test (127.0.0.10): HTTPS 443 serving the MTA-STS policy (mode enforce, mx
//     mx.sandbox.test), so `mailcheck demo --posture` shows the domain's posture: SPF "mx -all" (ok),
//     DMARC p=none (monitoring only: a warning with the record to publish next), MTA-STS enforce (ok)
//     and no TLS-RPT record (absent, with the record to publish).
//   - sandbox.test itself has no address.
//
// Two more domains show a mail provider and its customer:
//   - mailhost.test, the provider: mx.mailhost.test (127.0.0.20, SMTP 25), imap.mailhost.test
//     (127.0.0.21, IMAPS 993), smtp.mailhost.test (127.0.0.22, submission 587), and
//     autodiscover.mailhost.test (127.0.0.23, Autodiscover with LoginName).
//   - customer.test hosts nothing itself: its MX is mx.mailhost.test and its _autodiscover._tcp SRV
//     record points at autodiscover.mailhost.test. Its settings come from the provider (ISPDB entry of
//     mailhost.test, found through the MX).
//
// The users are alice@sandbox.test and bob@customer.test, password "correct horse battery staple".
//
// The demo's report does not depend on how fast the machine is: every working server answers within the
// prober's ordinary step budget, and the one port that never answers (25, black-holed) gives up on its
// own clock (DemoBlackholeWait), not on a short budget shared with the working servers.
func DemoWorld() World {
	const ttl = " 300 IN "
	return World{
		Domain: "sandbox.test",
		// 6.0.0.127.in-addr.arpa: the MX's reverse DNS, for `demo --posture --sending-ip 127.0.0.6`.
		OtherZones: []string{"mailhost.test", "customer.test", "6.0.0.127.in-addr.arpa"},
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
			"ispdb.sandbox.test." + ttl + "A 127.0.0.8",
			"autodiscover.sandbox.test." + ttl + "A 127.0.0.9",
			"mta-sts.sandbox.test." + ttl + "A 127.0.0.10",
			"6.0.0.127.in-addr.arpa." + ttl + "PTR mx.sandbox.test.",
			"_dmarc.sandbox.test." + ttl + `TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@sandbox.test"`,
			"_mta-sts.sandbox.test." + ttl + `TXT "v=STSv1; id=20260101"`,

			"mailhost.test." + ttl + "MX 10 mx.mailhost.test.",
			"mx.mailhost.test." + ttl + "A 127.0.0.20",
			"imap.mailhost.test." + ttl + "A 127.0.0.21",
			"smtp.mailhost.test." + ttl + "A 127.0.0.22",
			"autodiscover.mailhost.test." + ttl + "A 127.0.0.23",

			"customer.test." + ttl + "MX 10 mx.mailhost.test.",
			"customer.test." + ttl + `TXT "v=spf1 include:mailhost.test -all"`,
			"_autodiscover._tcp.customer.test." + ttl + "SRV 0 0 443 autodiscover.mailhost.test.",
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
			{IP: "127.0.0.8", Port: 443, Proto: ProtoHTTPS, Mode: ModeTLS, Cert: CertGood,
				Files: map[string]string{"/v1.1/sandbox.test": demoISPDBSandbox, "/v1.1/mailhost.test": demoISPDBMailhost}},
			{IP: "127.0.0.9", Port: 443, Proto: ProtoHTTPS, Mode: ModeTLS, Cert: CertGood,
				Files: map[string]string{"/autodiscover/autodiscover.xml": demoAutodiscoverSandbox}},
			{IP: "127.0.0.10", Port: 443, Proto: ProtoHTTPS, Mode: ModeTLS, Cert: CertGood,
				Files: map[string]string{"/.well-known/mta-sts.txt": demoMTASTSPolicy}},
			{IP: "127.0.0.20", Port: 25, Proto: ProtoSMTP, Mode: ModeSTARTTLS, Cert: CertGood},
			{IP: "127.0.0.21", Port: 993, Proto: ProtoIMAP, Mode: ModeTLS, Cert: CertGood},
			{IP: "127.0.0.22", Port: 587, Proto: ProtoSMTP, Mode: ModeSTARTTLS, Cert: CertGood},
			{IP: "127.0.0.23", Port: 443, Proto: ProtoHTTPS, Mode: ModeTLS, Cert: CertGood,
				Files: map[string]string{"/autodiscover/autodiscover.xml": demoAutodiscoverMailhost}},
		},
		Users: map[string]string{"alice@sandbox.test": "correct horse battery staple", "bob@customer.test": "correct horse battery staple"},
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

// demoMTASTSPolicy is sandbox.test's MTA-STS policy (RFC 8461 section 3.2).
const demoMTASTSPolicy = "version: STSv1\r\nmode: enforce\r\nmx: mx.sandbox.test\r\nmax_age: 604800\r\n"

// DemoISPDB is the URL of the sandbox's ISPDB mirror (the --ispdb the demo uses).
const DemoISPDB = "https://ispdb.sandbox.test/v1.1/"

// demoISPDBSandbox is an out-of-date ISPDB entry: the provider moved IMAP to imap.sandbox.test 993 and
// nobody told Mozilla.
const demoISPDBSandbox = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="sandbox.test">
    <domain>sandbox.test</domain>
    <incomingServer type="imap">
      <hostname>mail.sandbox.test</hostname>
      <port>143</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.sandbox.test</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`

// demoISPDBMailhost is the provider's ISPDB entry, as big providers have them.
const demoISPDBMailhost = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="mailhost.test">
    <domain>mailhost.test</domain>
    <displayName>Mailhost</displayName>
    <incomingServer type="imap">
      <hostname>imap.mailhost.test</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.mailhost.test</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`

// demoAutodiscoverSandbox is sandbox.test's Autodiscover answer (POX, response schema 2006a).
const demoAutodiscoverSandbox = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol><Type>IMAP</Type><Server>imap.sandbox.test</Server><Port>993</Port><SSL>on</SSL><SPA>off</SPA><AuthRequired>on</AuthRequired></Protocol>
      <Protocol><Type>SMTP</Type><Server>smtp.sandbox.test</Server><Port>587</Port><Encryption>TLS</Encryption><SPA>off</SPA><AuthRequired>on</AuthRequired></Protocol>
    </Account>
  </Response>
</Autodiscover>
`

// demoAutodiscoverMailhost is the provider's Autodiscover answer, reached by customers through SRV.
const demoAutodiscoverMailhost = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol><Type>IMAP</Type><Server>imap.mailhost.test</Server><Port>993</Port><SSL>on</SSL><AuthRequired>on</AuthRequired></Protocol>
      <Protocol><Type>SMTP</Type><Server>smtp.mailhost.test</Server><Port>587</Port><Encryption>TLS</Encryption><AuthRequired>on</AuthRequired></Protocol>
    </Account>
  </Response>
</Autodiscover>
`
