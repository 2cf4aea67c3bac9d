package sandbox

// DemoWorld is the domain `mailcheck demo` shows a newcomer: small, but with the variety of a real
// provider, good settings next to the usual mistakes.
//
//   - imap.sandbox.test (127.0.0.2, 2001:db8::2): IMAPS 993 with a good certificate, IMAP 143 with
//     STARTTLS and no login before TLS; the IPv6 address has no route (IPv6 fails where IPv4 works).
//   - pop3.sandbox.test (127.0.0.3): POP3S 995 good; POP3 110 refused. _pop3._tcp is "." (RFC 6186:
//     POP3 without TLS is explicitly not offered).
//   - smtp.sandbox.test (127.0.0.4): submission 587 with STARTTLS, AUTH only after TLS; submissions 465
//     with an expired certificate; 25 black-holed, as ISPs block it.
//   - mail.sandbox.test (127.0.0.5): IMAPS 993 with a certificate for another host
//     (hosting.example.net); IMAP 143 in clear text with login allowed; everything else refused.
//   - mx.sandbox.test (127.0.0.6): the MX, SMTP 25 with STARTTLS and no AUTH.
//   - sandbox.test itself has no address.
//
// The one user is alice@sandbox.test, password "correct horse battery staple".
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
		},
		Services: []Service{
			{IP: "127.0.0.2", Port: 993, Proto: ProtoIMAP, Mode: ModeTLS, Cert: CertGood},
			{IP: "127.0.0.2", Port: 143, Proto: ProtoIMAP, Mode: ModeSTARTTLS, Cert: CertGood},
			{IP: "2001:db8::2", Behavior: BehaveUnreachable},
			{IP: "127.0.0.3", Port: 995, Proto: ProtoPOP3, Mode: ModeTLS, Cert: CertGood},
			{IP: "127.0.0.3", Port: 110, Behavior: BehaveRefuse},
			{IP: "127.0.0.4", Port: 587, Proto: ProtoSMTP, Mode: ModeSTARTTLS, Cert: CertGood},
			{IP: "127.0.0.4", Port: 465, Proto: ProtoSMTP, Mode: ModeTLS, Cert: CertExpired},
			{IP: "127.0.0.4", Port: 25, Behavior: BehaveBlackhole},
			{IP: "127.0.0.5", Port: 993, Proto: ProtoIMAP, Mode: ModeTLS, Cert: CertWrongHost, CertHost: "hosting.example.net"},
			{IP: "127.0.0.5", Port: 143, Proto: ProtoIMAP, Mode: ModePlain, PlaintextAuth: true},
			{IP: "127.0.0.6", Port: 25, Proto: ProtoSMTP, Mode: ModeSTARTTLS, Cert: CertGood},
		},
		Users: map[string]string{"alice@sandbox.test": "correct horse battery staple"},
	}
}
