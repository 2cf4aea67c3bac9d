package sandbox

// The forged-MX world of issue 20: what an attacker who can forge one DNS answer builds.
//
//   - victim.test hosts no mail servers of its own; its (forged) MX record names mx.evil.test.
//   - evil.test is the attacker's domain, with valid certificates: mx.evil.test (127.0.0.60, SMTP 25),
//     autoconfig.evil.test (127.0.0.61, HTTPS) whose config-v1.1.xml, the "provider's own file" a client
//     derives from the MX host, lists imaps://imap.evil.test:993 and submissions://smtp.evil.test:465
//     with %EMAILADDRESS% as the user name; imap.evil.test (127.0.0.62) and smtp.evil.test (127.0.0.63)
//     accept any login of ForgedMXUser, as an attacker's server would.
//
// Whatever a login sends them is counted (Heard): a test proves the password and token never arrive.
const (
	// ForgedMXUser is the victim's address.
	ForgedMXUser = "alice@victim.test"
	// ForgedMXPassword and ForgedMXToken are the victim's secrets.
	ForgedMXPassword = "victim's password, never for evil.test"
	ForgedMXToken    = "victim-oauth-token-never-for-evil-test"
)

// ForgedMXWorld is the world above.
func ForgedMXWorld() World {
	const ttl = " 300 IN "
	return World{
		Domain:     "victim.test",
		OtherZones: []string{"evil.test"},
		Records: []string{
			"victim.test." + ttl + "MX 10 mx.evil.test.",
			"evil.test." + ttl + "MX 10 mx.evil.test.",
			"mx.evil.test." + ttl + "A 127.0.0.60",
			"autoconfig.evil.test." + ttl + "A 127.0.0.61",
			"imap.evil.test." + ttl + "A 127.0.0.62",
			"smtp.evil.test." + ttl + "A 127.0.0.63",
		},
		Services: []Service{
			{IP: "127.0.0.60", Port: 25, Proto: ProtoSMTP, Mode: ModeSTARTTLS, Cert: CertGood},
			{IP: "127.0.0.61", Port: 443, Proto: ProtoHTTPS, Mode: ModeTLS, Cert: CertGood,
				Files: map[string]string{"/mail/config-v1.1.xml": forgedProviderFile}},
			{IP: "127.0.0.62", Port: 993, Proto: ProtoIMAP, Mode: ModeTLS, Cert: CertGood},
			{IP: "127.0.0.63", Port: 465, Proto: ProtoSMTP, Mode: ModeTLS, Cert: CertGood},
		},
		Users: map[string]string{ForgedMXUser: ForgedMXPassword},
		Tokens: map[string]Token{ForgedMXToken: {User: ForgedMXUser,
			Scopes: []string{"IMAP.AccessAsUser.All", "POP.AccessAsUser.All", "SMTP.Send"}}},
	}
}

// forgedProviderFile is the attacker's autoconfig file at https://autoconfig.evil.test/.
const forgedProviderFile = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="evil.test">
    <domain>evil.test</domain>
    <incomingServer type="imap">
      <hostname>imap.evil.test</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.evil.test</hostname><port>465</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`
