// Package catalog is mailcheck's knowledge of mail failures, kept as data in one place.
//
// It has two halves that point at each other:
//   - Problems: the closed set of problem codes that `mailcheck probe` reports. Each has one plain-language
//     explanation and one fix. The codes are a stable API (JSON "code" field): never rename one; add new ones.
//   - Codes: the error numbers and texts users paste (0x800CCC0D, 11001, 535 5.7.8, ...), each tied to the
//     problem that explains it, so that `probe` and `explain` never say different things about one failure.
package catalog

// Severity says how bad a problem is for the user's settings.
type Severity string

const (
	// Fail means this endpoint cannot be used as configured.
	Fail Severity = "fail"
	// Warn means it works, but something needs attention (an expiring certificate, a missing IPv6 route).
	Warn Severity = "warn"
	// Info is a fact worth knowing that needs no action (a service explicitly not offered).
	Info Severity = "info"
)

// Problem is one kind of failure with its shared explanation and fix.
type Problem struct {
	// Code is the stable machine code, snake_case.
	Code string
	// Severity is how the probe rates it by default.
	Severity Severity
	// Title is a short name for the failure ("Server name not found").
	Title string
	// Explanation says what it means, in words a helpdesk can repeat to a user.
	Explanation string
	// Fix says what to do next.
	Fix string
	// Attributes are the facts the engine and the checks decide by. Every entry sets them (at least the
	// area): a code missing from a hand-kept list once silently changed a verdict (issue 22).
	Attributes
}

// Area is the step of a probe a problem belongs to. check's tls and login checks own the problems of
// their area; everything else is the reachable check's.
type Area string

const (
	AreaDNS       Area = "dns"       // resolving a host name
	AreaDiscovery Area = "discovery" // finding the settings (sources, their agreement, fan-out)
	AreaConnect   Area = "connect"   // the TCP connection and the network under it
	AreaProtocol  Area = "protocol"  // the greeting and the mail protocol on the port
	AreaTLS       Area = "tls"       // STARTTLS, the TLS handshake and the certificate
	AreaLogin     Area = "login"     // login methods, the login itself (password or OAuth2 token)
	AreaSend      Area = "send"      // a message refused on MAIL, RCPT or DATA
	AreaRun       Area = "run"       // mailcheck's own limits (interrupted, time limit, resources)
	AreaClient    Area = "client"    // only seen in pasted errors of a mail program
)

// Areas is every area, in the order of a probe.
var Areas = []Area{AreaDNS, AreaDiscovery, AreaConnect, AreaProtocol, AreaTLS, AreaLogin, AreaSend, AreaRun, AreaClient}

// Attributes are what a problem code means for the run, declared once with the code instead of in lists
// spread over the engine.
type Attributes struct {
	// Area is the step the problem belongs to. Required.
	Area Area
	// JudgesCredentials: the answer judged the password or token itself (rejected, app password needed,
	// account disabled, token expired...), so it holds for every endpoint of the server. A connection, TLS or
	// mechanism failure says nothing about the password.
	JudgesCredentials bool
	// LoginStillPossible: the failure still leaves a working connection a login can be tried on (a
	// certificate a user may choose to accept, STARTTLS missing where plain-text login is allowed).
	LoginStillPossible bool
	// ConnectFailure: the probe failed at the TCP connect, the only step clients retry on the other address
	// family.
	ConnectFailure bool
	// NotOffered: the outcome shows that nothing serves the port (refused, filtered, closed without a
	// greeting, refused in the greeting, or an SRV record saying "not offered"): the pass conditions of a
	// check expecting a service to be absent.
	NotOffered bool
}

// Is returns the attributes of a problem code, and false for a code the catalogue does not know.
func Is(code string) (Attributes, bool) {
	p, ok := byCode[code]
	if !ok {
		return Attributes{}, false
	}
	return p.Attributes, true
}

// JudgesCredentials says whether a login refused with this code judged the password or token itself.
func JudgesCredentials(code string) bool { a, _ := Is(code); return a.JudgesCredentials }

// InArea says whether a problem code belongs to an area. An unknown code belongs to none.
func InArea(code string, area Area) bool {
	a, ok := Is(code)
	return ok && a.Area == area
}

// Problem codes. Stable API: see README "Problem codes".
const (
	DNSNotFound       = "dns_not_found"
	DNSNoAddress      = "dns_no_address"
	DNSServerFailure  = "dns_server_failure"
	DNSTimeout        = "dns_timeout"
	DNSRefused        = "dns_refused"
	ServiceNotOffered = "service_not_offered"
	NoMailServers     = "no_mail_servers"
	NoIncomingServer  = "no_incoming_server"
	NoOutgoingServer  = "no_outgoing_server"
	SourcesDisagree   = "sources_disagree"
	// SettingsUnconfirmed: the recommended server lies outside the domain and only DNS answers, or a file
	// they led to, name it (README "Who receives your password or token").
	SettingsUnconfirmed = "settings_unconfirmed"

	ConnectRefused     = "connect_refused"
	ConnectTimeout     = "connect_timeout"
	NetworkUnreachable = "network_unreachable"
	ConnectionReset    = "connection_reset"
	ConnectionClosed   = "connection_closed"
	ResponseTimeout    = "response_timeout"
	TimeLimit          = "time_limit"
	Interrupted        = "interrupted"
	IPv6Unreachable    = "ipv6_unreachable"

	TLSOnPlainPort   = "tls_on_plain_port"
	PlainOnTLSPort   = "plain_on_tls_port"
	WrongProtocol    = "wrong_protocol"
	GreetingRejected = "greeting_rejected"
	GreetingTempFail = "greeting_temporary_failure"
	ProtocolError    = "protocol_error"

	STARTTLSNotOffered = "starttls_not_offered"
	STARTTLSFailed     = "starttls_failed"
	STARTTLSSkipped    = "starttls_skipped"
	TLSHandshake       = "tls_handshake_failed"
	TLSVersionOld      = "tls_version_old"
	CertExpired        = "cert_expired"
	CertNotYetValid    = "cert_not_yet_valid"
	CertExpiringSoon   = "cert_expiring_soon"
	CertUntrusted      = "cert_untrusted"
	CertHostMismatch   = "cert_hostname_mismatch"
	PlaintextAuth      = "plaintext_auth_offered"
	NoAuthMechanism    = "no_auth_mechanism"

	AuthFailed           = "auth_failed"
	AuthPlaintextRefused = "auth_plaintext_refused"
	AuthNotAttempted     = "auth_not_attempted"
	AuthMechanism        = "auth_mechanism_unsupported"
	AuthAccountDisabled  = "auth_account_disabled"
	AuthTemporary        = "auth_temporary_failure"
	AuthAppPassword      = "auth_app_password_required"
	AuthBasicDisabled    = "auth_basic_disabled"
	AuthRequired         = "auth_required"
	MailboxInUse         = "mailbox_in_use"
	RelayDenied          = "relay_denied"
	SenderRejected       = "sender_rejected"
	RecipientRejected    = "recipient_rejected"
	AddressSyntax        = "address_syntax"
	MessageTooLarge      = "message_too_large"
	PolicyRejected       = "policy_rejected"
	AuthenticationPolicy = "sender_authentication_failed"
	RateLimited          = "rate_limited"
	ServerTemporary      = "server_temporary_failure"
	SendingLimit         = "sending_limit_reached"
	TooManyConnections   = "too_many_connections"
	SenderNotPermitted   = "sender_not_permitted"
	SenderBlocklisted    = "sender_blocklisted"
	AccountBlockedSpam   = "account_blocked_for_spam"
	ContentRejected      = "content_rejected"
	MailboxFull          = "mailbox_full"
	ClientFeatureMissing = "client_feature_missing"
	LocalStore           = "local_store"
	LocalSoftware        = "local_software"
	UserCancelled        = "user_cancelled"

	// Added by the hostile-server work (issue 13).
	DNSUnreachable     = "dns_unreachable"
	ReplyTooLarge      = "reply_too_large"
	PreauthUnencrypted = "preauth_unencrypted"
	LocalResources     = "local_resources"
	FanoutLimited      = "fanout_limited"

	// Added by the connection policy (issue 20, finding 4).
	AddressNotAllowed = "address_not_allowed"
	InternalAddress   = "internal_address"
	NotMailService    = "not_mail_service"
)

// problems is the catalogue. Wording rule: explanation = what happened and what it means;
// fix = the next step, concrete enough to act on.
var problems = append([]Problem{
	// --- DNS and discovery ---
	{DNSNotFound, Fail, "Server name not found",
		"The server name does not exist in DNS (NXDOMAIN), so the mail client cannot find the server. Usually the name is misspelt, is a short name such as 'pop3' that only worked inside an old network, or the domain has expired.",
		"Check the spelling of the server name in the account settings and use the full name the provider publishes (for example mail.example.com). Run `mailcheck probe user@domain` to see the names the domain really uses.",
		Attributes{Area: AreaDNS}},
	{DNSNoAddress, Fail, "Server name has no address",
		"The name exists in DNS but has no address (no A or AAAA record). A common case is typing the bare domain, which has mail (MX) records but no server address of its own.",
		"Use the host name of the mail server rather than the domain; `mailcheck probe user@domain` lists the servers the domain publishes.",
		Attributes{Area: AreaDNS}},
	{DNSServerFailure, Fail, "DNS server failure",
		"The DNS server could not answer for this name (SERVFAIL). The domain's DNS may be broken (for example a DNSSEC error or unreachable name servers), or the local resolver is failing.",
		"Try again in a few minutes and from another network. If it persists, the domain owner must fix the domain's DNS; try `--resolver` with another DNS server to tell the two apart.",
		Attributes{Area: AreaDNS}},
	{DNSTimeout, Fail, "DNS did not answer",
		"No DNS answer arrived in time. The configured DNS server is unreachable or blocked, or the network is down.",
		"Check the network connection and the DNS servers configured on the device (VPNs often change them); try `--resolver` with another DNS server.",
		Attributes{Area: AreaDNS}},
	{DNSRefused, Fail, "DNS query refused",
		"The DNS server refused to answer (REFUSED, FORMERR or NOTIMP). It is not willing to resolve names for this client.",
		"Use a DNS server that resolves for this network (`--resolver`), or fix the resolver's access rules.",
		Attributes{Area: AreaDNS}},
	{DNSUnreachable, Fail, "DNS server unreachable",
		"Nothing answers DNS at the configured DNS server's address: the port is closed (the query was refused with an ICMP error) or there is no route to it. The domain itself may be fine.",
		"Check the DNS servers configured on the device (VPNs often change them) and try `--resolver` with another DNS server.",
		Attributes{Area: AreaDNS}},
	{FanoutLimited, Info, "Some servers were not probed",
		"The domain names more servers (MX hosts, SRV targets, autoconfig entries or addresses) than mailcheck probes in one run. It probed the most preferred ones, as a mail client would, so that a domain cannot turn mailcheck into a flood of connections against its servers or someone else's.",
		"Nothing to do for the probed servers; probe others by URL (`mailcheck probe imaps://HOST:993`) if they matter.",
		Attributes{Area: AreaDiscovery}},
	{ServiceNotOffered, Info, "Service explicitly not offered",
		"The domain publishes an SRV record with target \".\", which says (RFC 6186 section 3.4 / RFC 2782) that this service is deliberately not offered.",
		"Use one of the services the domain does offer; the settings section lists them.",
		Attributes{Area: AreaDiscovery, NotOffered: true}},
	{SourcesDisagree, Warn, "Discovery sources disagree",
		"The places mail clients read settings from (the domain's autoconfig file, its SRV records, Mozilla's ISPDB, the MX provider, Microsoft Autodiscover) name different servers, ports or security modes for the same service, or one of them names a server that does not work. Each mail client follows its own order, so users of different programs end up with different settings, and some with broken ones.",
		"Trust the setting the probe found working and correct or remove the source that says otherwise (the summary names it): update the autoconfig file or Autodiscover answer, fix the SRV record, or ask Mozilla to update the ISPDB entry (github.com/thunderbird/autoconfig).",
		Attributes{Area: AreaDiscovery}},
	{InternalAddress, Warn, "Public domain points at an internal address",
		"A record of this public domain (an MX or SRV record, an autoconfig or Autodiscover file, or the address of one of the names mail clients guess) leads to an internal address: loopback, a private network (10/8, 172.16/12, 192.168/16), carrier-grade NAT, link local, an IPv6 unique local address and the like. mailcheck reached it from here, but no user's device outside that network can, so mail clients that follow the record fail or hang.",
		"The domain owner should publish the server's public address (or a public name) in that record, and keep internal names in an internal DNS view.",
		Attributes{Area: AreaDiscovery}},
	{SettingsUnconfirmed, Warn, "Settings found only through forgeable answers",
		"The recommended server lies outside the domain, and only DNS answers (SRV or MX records) or a file those answers led to (the MX host's own autoconfig file) name it. Anyone who can forge the domain's DNS answers could have chosen it: a valid certificate only proves the server is the one named, not that it is your provider's. mailcheck did not send it the password or token.",
		"Confirm with your provider that these are its servers before typing your password. A domain owner can publish the settings where clients can verify them: an autoconfig file at https://autoconfig.DOMAIN/mail/config-v1.1.xml, Autodiscover, or the provider's entry in Mozilla's ISPDB. To test the login there anyway, name the server: `mailcheck probe imaps://HOST:993 --user ADDRESS`.",
		Attributes{Area: AreaDiscovery}},
	{NoMailServers, Fail, "No mail servers found",
		"No mail server could be found for this domain: no SRV records, no MX host and none of the usual host names (imap., pop., smtp., mail.) answered.",
		"Check the domain name. Ask the mail provider for the server names, then test them directly, e.g. `mailcheck probe imaps://mail.example.com:993`.",
		Attributes{Area: AreaDiscovery}},
	{NoIncomingServer, Fail, "No incoming mail server works",
		"None of the IMAP and POP3 servers found for the domain gave a working connection with a valid certificate, so there is no incoming setting to type. The summary says what was tried and how it failed.",
		"Fix what the other problems name for those servers. If the domain's mail is hosted elsewhere, ask the provider for its server names and test them directly, e.g. `mailcheck probe imaps://imap.provider.example:993`.",
		Attributes{Area: AreaDiscovery}},
	{NoOutgoingServer, Fail, "No outgoing mail server works",
		"None of the SMTP submission servers found for the domain (ports 587 and 465, or 25 with a login) gave a working connection with a valid certificate, so there is no outgoing setting to type. The summary says what was tried and how it failed.",
		"Fix what the other problems name for those servers. If the domain's mail is hosted elsewhere, ask the provider for its outgoing server name and test it directly, e.g. `mailcheck probe submission://smtp.provider.example:587`.",
		Attributes{Area: AreaDiscovery}},

	// --- Connecting ---
	{AddressNotAllowed, Fail, "Address not allowed by the connection policy",
		"mailcheck did not connect to this address: it runs as an exporter whose targets others choose, and its connection policy refuses internal addresses (loopback, private networks, link local including the cloud metadata address 169.254.169.254, unique local, multicast, reserved, documentation ranges and their IPv4-mapped and NAT64 forms), ports other than the mail and web ports, and its own listening address. Otherwise a DNS record or a redirect could turn it into a scanner of the network it runs in.",
		"If the server really is internal and meant to be monitored, the exporter's operator can allow its range with --allow-private CIDR (e.g. --allow-private 10.1.0.0/16). If the domain is public, its record should name a public address. Probe internal servers from the command line, which has no such policy.",
		Attributes{Area: AreaConnect}},
	{ConnectRefused, Fail, "Connection refused",
		"The server's address answered, but nothing accepts connections on this port: the mail service is not running there, or the port is wrong (for example SSL/TLS ticked on a port the server does not offer).",
		"Check the port and security setting against the provider's documentation: IMAP 993 (SSL/TLS) or 143 (STARTTLS), POP3 995 or 110, SMTP 465 (SSL/TLS) or 587 (STARTTLS).",
		Attributes{Area: AreaConnect, ConnectFailure: true, NotOffered: true}},
	{ConnectTimeout, Fail, "Connection timed out",
		"The connection attempt got no answer at all. A firewall is silently dropping it (many networks and ISPs block outgoing SMTP on port 25, some also other mail ports), the server is down, or the address is wrong.",
		"Try the service's other port (SMTP from a mail program: 587 or 465; IMAP 993 or 143; POP3 995 or 110), try from another network to rule out a local firewall, and check that the server is up.",
		Attributes{Area: AreaConnect, ConnectFailure: true, NotOffered: true}},
	{NetworkUnreachable, Fail, "Network unreachable",
		"The device has no route to the server's address: no working network, a VPN changing the routes, or an IPv6 address on a network without IPv6.",
		"Check the network connection and VPN. If only IPv6 fails, see whether the network offers IPv6 at all.",
		Attributes{Area: AreaConnect, ConnectFailure: true, NotOffered: true}},
	{ConnectionReset, Fail, "Connection reset",
		"The server or something in between (a firewall, an antivirus mail scanner) cut the connection with a reset. Servers also do this to addresses they have temporarily banned after failed logins.",
		"Retry from another network; disable antivirus e-mail scanning to test; ask the provider whether the address is blocked.",
		Attributes{Area: AreaConnect, NotOffered: true}},
	{ConnectionClosed, Fail, "Connection closed by the server",
		"The server closed the connection unexpectedly. Causes include a mismatch of security mode and port, an overloaded server, or a server that refuses this client's address.",
		"Check the security setting matches the port (SSL/TLS on 993/995/465, STARTTLS on 143/110/587), then retry later.",
		Attributes{Area: AreaConnect, NotOffered: true}},
	{ResponseTimeout, Fail, "Server did not answer",
		"The connection opened but the server did not send its answer in time. The server is overloaded or stuck, or a middlebox holds the connection.",
		"Retry later; if it persists, the server operator must look at the server's load and logs.",
		Attributes{Area: AreaConnect}},
	{Interrupted, Fail, "Interrupted",
		"The run was interrupted (Ctrl-C or SIGTERM) before this test was finished; it says nothing about the server. What the report shows was learned until then.",
		"Run the command again and let it finish (it ends on its own within --max-time).",
		Attributes{Area: AreaRun}},
	{TimeLimit, Fail, "Stopped by mailcheck's time limit",
		"mailcheck's own limit for the whole run (--max-time) ended this test before it was finished; it says nothing about the server.",
		"Run again with a larger --max-time (and --timeout), or probe fewer endpoints at once.",
		Attributes{Area: AreaRun}},
	{IPv6Unreachable, Warn, "IPv6 fails where IPv4 works",
		"The server publishes an IPv6 address (AAAA) that does not work, while its IPv4 address does. Devices that prefer IPv6 will see slow or failing connections.",
		"The server operator should fix IPv6 on the server or remove the AAAA record; users can meanwhile use a network without IPv6.",
		Attributes{Area: AreaConnect}},

	// --- Protocol and security mode mismatches ---
	{TLSOnPlainPort, Fail, "SSL/TLS used on a plain-text port",
		"The client started an encrypted (SSL/TLS) connection, but the server on this port speaks plain text first and expects STARTTLS or no encryption. Go reports this as 'first record does not look like a TLS handshake', OpenSSL as 'wrong version number'.",
		"Set the security to STARTTLS for this port, or use the SSL/TLS port: IMAP 993, POP3 995, SMTP 465.",
		Attributes{Area: AreaTLS}},
	{PlainOnTLSPort, Fail, "Plain text used on an SSL/TLS port",
		"The client spoke plain text (or STARTTLS) to a port that expects encryption from the first byte, so both sides waited for the other. This usually shows up as a timeout.",
		"Set the security to SSL/TLS for this port (993, 995 and 465 use SSL/TLS from the start), or use the STARTTLS port (143, 110, 587).",
		Attributes{Area: AreaTLS}},
	{WrongProtocol, Fail, "A different mail service answers on this port",
		"The service on this port is not the one configured: for example an SMTP server answers where IMAP was expected. The port number in the account is wrong.",
		"Use the right port for the protocol: IMAP 993/143, POP3 995/110, SMTP 465/587/25.",
		Attributes{Area: AreaProtocol}},
	{GreetingRejected, Fail, "Server refused the session",
		"The server answered but refused to serve this client in its greeting (for example SMTP '554 No SMTP service here' or IMAP BYE). The client's address may be blocked, or the service is closed.",
		"Read the server's words quoted below; ask the provider whether the address is blocked or the service moved.",
		Attributes{Area: AreaProtocol, NotOffered: true}},
	{GreetingTempFail, Fail, "Server temporarily unavailable",
		"The server answered with a temporary refusal (for example SMTP 421): it is overloaded, rate-limiting this address, or shutting down.",
		"Retry in a few minutes; if it persists, contact the provider.",
		Attributes{Area: AreaProtocol}},
	{ReplyTooLarge, Fail, "Server sent far too much",
		"The server sent a line or an answer far longer than any mail server sends (more than mailcheck reads), so mailcheck stopped reading. Real greetings, capability lists and login answers are a few hundred bytes; this is a broken or hostile server, or not a mail server at all.",
		"Check the port and server name; the server operator should look at what the service on this port sends (`-v` shows the start of it).",
		Attributes{Area: AreaProtocol}},
	{PreauthUnencrypted, Fail, "Logged in without encryption (IMAP PREAUTH)",
		"The IMAP server greeted the connection as already logged in (PREAUTH) before any encryption. STARTTLS is then impossible (RFC 3501 section 6.2.1), so a mail client that insists on STARTTLS must give up, and one that does not reads the mailbox in clear text. An attacker on the network can also inject PREAUTH to strip STARTTLS.",
		"Use the SSL/TLS port (993). The server operator should not pre-authenticate clear-text connections.",
		Attributes{Area: AreaProtocol}},
	{NotMailService, Fail, "Not a mail service",
		"Something answers on this port, but its first words are no mail protocol's greeting (IMAP '* OK', POP3 '+OK', SMTP '220'): another kind of service listens there, such as SSH, a database or a web server. The exporter reports this without the service's words.",
		"Check the host name and port against the provider's documentation: IMAP 993/143, POP3 995/110, SMTP 465/587/25. If a DNS record or settings file points here, it names the wrong server.",
		Attributes{Area: AreaProtocol}},
	{ProtocolError, Fail, "Unexpected answer from the server",
		"The server's answer did not follow the mail protocol. A proxy, an antivirus scanner or a non-mail service may sit on this port.",
		"Check the port, disable antivirus e-mail scanning to test, and compare with `-v` to see the exchange.",
		Attributes{Area: AreaProtocol}},

	// --- TLS ---
	{STARTTLSNotOffered, Fail, "STARTTLS not offered",
		"The server does not offer STARTTLS on this port, so the connection cannot be encrypted here. Either the server has no TLS configured on this port, the port expects SSL/TLS instead, or a middlebox strips STARTTLS.",
		"Use the SSL/TLS port (993, 995, 465) if the provider offers it; otherwise the provider must enable STARTTLS. Never send a password over this connection unencrypted.",
		Attributes{Area: AreaTLS, LoginStillPossible: true}},
	{STARTTLSFailed, Fail, "STARTTLS refused",
		"The server advertised STARTTLS but refused the command or failed to start encryption.",
		"Report it to the server operator with the quoted reply; meanwhile try the SSL/TLS port.",
		Attributes{Area: AreaTLS}},
	{STARTTLSSkipped, Warn, "Encryption not used",
		"This endpoint was tested without encryption, so passwords and mail would travel in clear text.",
		"Configure the client with STARTTLS on this port, or SSL/TLS on the implicit-TLS port.",
		Attributes{Area: AreaTLS}},
	{TLSHandshake, Fail, "TLS handshake failed",
		"The encrypted connection could not be set up: client and server share no TLS version or cipher, or the server's TLS setup is broken.",
		"Update the mail client or operating system to one that supports TLS 1.2 or newer; the server operator should check its certificate and TLS settings.",
		Attributes{Area: AreaTLS}},
	{TLSVersionOld, Fail, "Outdated TLS version",
		"One side of the connection only speaks TLS 1.0 or 1.1, which are no longer considered safe: either the server offers nothing newer and the client refuses it, or the client (an old program or operating system, or a setting pinned to an old version) offers nothing newer and the server refuses it.",
		"If the server refused the client, update the mail program or operating system, or set it to TLS 1.2 or newer; if the server only offers TLS 1.0/1.1, its operator must enable TLS 1.2 and 1.3.",
		Attributes{Area: AreaTLS, LoginStillPossible: true}},
	{CertExpired, Fail, "Certificate expired",
		"The server's certificate has expired, so clients refuse the connection (Outlook 0x800CCC02, iOS 'Cannot Verify Server Identity'). If the certificate looks current elsewhere, the device's clock is wrong.",
		"Check the device's date and time first; otherwise the server operator must renew the certificate.",
		Attributes{Area: AreaTLS, LoginStillPossible: true}},
	{CertNotYetValid, Fail, "Certificate not yet valid",
		"The server's certificate is not valid yet. Usually the device's or server's clock is wrong.",
		"Check the date and time on the device and the server.",
		Attributes{Area: AreaTLS, LoginStillPossible: true}},
	{CertExpiringSoon, Warn, "Certificate expires soon",
		"The server's certificate is still valid but expires soon; after that every client will refuse to connect.",
		"The server operator should renew the certificate now.",
		Attributes{Area: AreaTLS}},
	{CertUntrusted, Fail, "Certificate not trusted",
		"The server's certificate is self-signed or issued by an authority the client does not trust, or an intermediate certificate is missing. An antivirus or corporate proxy that intercepts TLS causes the same error.",
		"The server operator should install a certificate from a public authority with its full chain. If only some networks show this, look for a TLS-intercepting proxy or antivirus.",
		Attributes{Area: AreaTLS, LoginStillPossible: true}},
	{CertHostMismatch, Fail, "Certificate is for another name",
		"The server's certificate does not name the server name configured in the client (Outlook 0x800CCC01). Typical: a custom domain name on shared hosting whose certificate carries the hosting provider's name.",
		"Use the server name that is on the certificate (named above) in the account settings, or have the operator add this name to the certificate.",
		Attributes{Area: AreaTLS, LoginStillPossible: true}},
	{PlaintextAuth, Warn, "Password login offered without encryption",
		"The server offers to log in before the connection is encrypted, so a client configured without encryption sends the password in clear text.",
		"Always configure SSL/TLS or STARTTLS. The server operator should refuse plain-text logins (Dovecot disable_plaintext_auth, Postfix smtpd_tls_auth_only).",
		Attributes{Area: AreaLogin}},
	{NoAuthMechanism, Warn, "No login method offered",
		"The server offers no way to log in on this endpoint (no AUTH mechanism). For SMTP this usually means the port is for server-to-server mail (25), not for sending from a mail client.",
		"For sending, use the submission port 587 (STARTTLS) or 465 (SSL/TLS) with authentication.",
		Attributes{Area: AreaLogin}},

	// --- Login ---
	{AuthFailed, Fail, "User name or password rejected",
		"The server refused the user name or password (IMAP [AUTHENTICATIONFAILED], POP3 -ERR [AUTH], SMTP 535 5.7.8).",
		"Check the user name (often the full e-mail address) and retype the password. If the account has two-factor sign-in, the provider may require an app password.",
		Attributes{Area: AreaLogin, JudgesCredentials: true}},
	{AuthPlaintextRefused, Fail, "Login refused without encryption",
		"The server refuses passwords over an unencrypted connection (IMAP LOGINDISABLED or [PRIVACYREQUIRED], SMTP 530/538 5.7.0 'Must issue a STARTTLS command first').",
		"Turn on STARTTLS or SSL/TLS in the account settings.",
		Attributes{Area: AreaLogin}},
	{AuthNotAttempted, Info, "Login not tested",
		"The login was not tried on this endpoint because the password would have been exposed: the connection was not encrypted, or its certificate was not valid.",
		"Fix the encryption problem first (see the other problems of this endpoint); to test an unencrypted login on purpose, pass --allow-plaintext-auth.",
		Attributes{Area: AreaLogin}},
	{AuthMechanism, Fail, "Login method not supported",
		"The server and client share no login method (for example the server only offers OAuth2, or the client insists on a method the server lacks).",
		"Choose another authentication method in the client (normal password, OAuth2), or ask the provider which methods it allows.",
		Attributes{Area: AreaLogin}},
	{AuthAccountDisabled, Fail, "Account disabled or expired",
		"The server says the account or its password is disabled or expired ([EXPIRED], [CONTACTADMIN], 5.7.13).",
		"The account owner must contact the provider or administrator to re-enable the account or reset the password.",
		Attributes{Area: AreaLogin, JudgesCredentials: true}},
	{AuthTemporary, Fail, "Login temporarily unavailable",
		"The server could not check the login right now (IMAP [UNAVAILABLE], POP3 [SYS/TEMP], SMTP 454 4.7.0). This is not a wrong password.",
		"Retry in a few minutes; if it persists, the provider's authentication back end is failing.",
		Attributes{Area: AreaLogin}},
	{AuthAppPassword, Fail, "App password or browser sign-in required",
		"The provider refuses the normal password for mail clients: the account has two-step verification and needs an app password, or the sign-in must first be confirmed in a web browser (Gmail 534 5.7.9 / 5.7.14).",
		"Create an app password in the provider's account security settings and use it instead of the normal password, or sign in once through the provider's web page.",
		Attributes{Area: AreaLogin, JudgesCredentials: true}},
	{AuthBasicDisabled, Fail, "Password login switched off by the provider",
		"The provider has turned off password (basic) authentication for this protocol and only accepts modern (OAuth2) sign-in. Microsoft 365 says so for SMTP ('5.7.139 … SmtpClientAuthentication is disabled'), but answers IMAP and POP with the same bare 'AUTHENTICATE failed' it gives a wrong password.",
		"Use a mail client that signs in with OAuth2 (modern authentication). On Microsoft 365 the administrator can still enable authenticated SMTP for a mailbox; password logins for IMAP and POP cannot be switched back on.",
		Attributes{Area: AreaLogin, JudgesCredentials: true}},
	{AuthRequired, Fail, "Authentication required",
		"The server requires a login before it accepts mail from this client (SMTP 530 5.7.0 Authentication required).",
		"Tick 'My outgoing server requires authentication' in the account settings and use the same user name and password as for incoming mail.",
		Attributes{Area: AreaLogin}},
	{MailboxInUse, Fail, "Mailbox in use",
		"The mailbox is locked by another session ([IN-USE]): another device or program is checking the same POP3 mailbox at the same time.",
		"Close other mail programs and devices using this account, wait a few minutes and retry.",
		Attributes{Area: AreaLogin}},

	// --- Sending ---
	{RelayDenied, Fail, "Relaying refused",
		"The server refused to pass the message on to another domain because the client did not log in (SMTP 554/550 5.7.1 Relay access denied).",
		"Turn on 'My outgoing server requires authentication', and send through the submission port 587 or 465.",
		Attributes{Area: AreaSend}},
	{SenderRejected, Fail, "Sender address refused",
		"The server refused the sender (From) address itself: its domain does not exist or cannot receive replies, or the server does not accept mail from it (SMTP 553, 5.1.8).",
		"Check the e-mail address in the account settings for typos and make sure its domain has working mail (MX) records; if it is right, ask the receiving side why they refuse it.",
		Attributes{Area: AreaSend}},
	{SenderNotPermitted, Fail, "Sender address not permitted for this account",
		"The login worked, but this account may not send with the From address used: it belongs to another user, to a shared mailbox or to an alias without 'send as' permission (Microsoft 365 SendAsDenied and 5.7.60, Postfix 'not owned by user').",
		"Send from the account's own address, or have the administrator grant this account 'send as' (or 'send on behalf') permission for the address, or add the address to the account as an alias.",
		Attributes{Area: AreaSend}},
	{RecipientRejected, Fail, "Recipient refused",
		"The receiving server does not accept this recipient: the mailbox does not exist or is disabled (SMTP 550 5.1.1).",
		"Check the recipient's address for typos; ask the recipient for the right address.",
		Attributes{Area: AreaSend}},
	{AddressSyntax, Fail, "Address syntax rejected",
		"The server rejected an address as malformed (SMTP 501 5.1.3 / 5.1.7): a typo, a space or stray character, or an address without a domain.",
		"Correct the e-mail address in the account settings (sender) or the recipient list.",
		Attributes{Area: AreaSend}},
	{MessageTooLarge, Fail, "Message too large",
		"The message is larger than the server or the recipient's mailbox accepts (SMTP 552, 5.3.4, 5.2.3).",
		"Send smaller attachments, or share large files through a link instead.",
		Attributes{Area: AreaSend}},
	{MailboxFull, Fail, "Recipient's mailbox full",
		"The recipient's mailbox has reached its storage quota (5.2.2 'over quota', 'mailbox full'), so it takes no more mail until space is freed. The message itself is not the problem.",
		"Tell the recipient another way that their mailbox is full; they (or their administrator) must delete mail or raise the quota. Send again afterwards; a temporary (4.2.2) refusal is retried by the server.",
		Attributes{Area: AreaSend}},
	{PolicyRejected, Fail, "Refused by policy",
		"The server refused the message or session by a rule of its own (SMTP 5.7.1) without saying more precisely which: a missing reverse DNS name, a header it does not accept, a rule of the recipient's organisation.",
		"Read the server's words for the rule it names; if they give none, ask the recipient's administrator or provider which rule refused the message.",
		Attributes{Area: AreaSend}},
	{SenderBlocklisted, Fail, "Sending server blocklisted or of bad reputation",
		"The receiving server refused or throttled mail because of the sending server's IP address or the sender's domain: it is on a blocklist (Spamhaus, Microsoft, Cloudmark, Barracuda and others) or has a poor reputation from spam complaints or unusual volume. Nothing in the message or the account settings causes it.",
		"Find the address or domain the reply names and check it on the blocklist's own lookup page; the operator of the sending server (the provider or hosting company, or the administrator of your own mail server) must stop the cause and request delisting. Users of a home connection should send through their provider's submission server (587/465) instead of directly.",
		Attributes{Area: AreaSend}},
	{AccountBlockedSpam, Fail, "Account blocked from sending",
		"The provider has stopped this account (or the whole organisation) from sending, usually because it sent mail its filters classified as spam, sent an unusual volume, or looks compromised; receiving often still works.",
		"Change the account's password and check it for unknown forwarding rules or apps; then follow the provider's unblock procedure (Microsoft 365: the Restricted entities page of the Defender portal; Outlook.com, Zoho and others: verify the account or contact support).",
		Attributes{Area: AreaSend}},
	{ContentRejected, Fail, "Message content refused",
		"The receiving server refused this message because of what is in it: its spam filter scored it as spam, an attachment type is blocked or carries malware, or a link or header is judged dangerous or malformed. The account and server settings are fine.",
		"Remove or zip-and-share the attachment, drop suspicious links and wording, make sure the message has proper From, Date and Message-ID headers, then send again; if legitimate mail keeps being refused, ask the recipient to allow-list the sender.",
		Attributes{Area: AreaSend}},
	{AuthenticationPolicy, Fail, "Sender authentication (SPF/DKIM/DMARC) failed",
		"The receiving server refused the message because the sender's domain failed SPF, DKIM or DMARC checks (SMTP 550 5.7.26).",
		"The sender domain's administrator must publish SPF and DKIM records that cover this sending server and align them with DMARC.",
		Attributes{Area: AreaSend}},
	{RateLimited, Fail, "Too many messages or connections",
		"The server is slowing this sender down for now: too many messages or recipients in a short time, or the recipient is receiving mail faster than it accepts (SMTP 421/450/452 4.7.0, 4.5.3).",
		"Wait and retry later (mail servers retry by themselves); send to fewer recipients per message.",
		Attributes{Area: AreaSend}},
	{SendingLimit, Fail, "Sending limit reached",
		"The account has reached its provider's limit on messages or recipients per day or per hour (Gmail 5.4.5 'Daily user sending quota exceeded', Microsoft 365 5.1.90 and SubmissionQuotaExceeded, Amazon SES 'Daily message quota exceeded'). Nothing is wrong with the settings; sending works again when the period ends.",
		"Wait until the limit resets (usually 24 hours), send fewer or smaller batches, and for newsletters or bulk mail use a service meant for it or ask the provider for a higher limit.",
		Attributes{Area: AreaSend}},
	{TooManyConnections, Fail, "Too many simultaneous connections",
		"The server refuses more connections from this address or account because too many are already open at once (Exim 'Too many concurrent SMTP connections', Postfix 'too many connections from', IMAP servers' per-user connection limits).",
		"Close other mail programs and devices using the account, lower the number of parallel connections in the sending program (connection pooling, 'maximum number of server connections to cache'), and retry a few minutes later.",
		Attributes{Area: AreaSend}},
	{ServerTemporary, Fail, "Temporary server failure",
		"The server had a temporary problem (a 4xx reply, greylisting, or a full disk) and asks the client to try again later.",
		"Retry later; a mail client retries by itself. If it lasts more than an hour, contact the provider.",
		Attributes{Area: AreaSend}},

	{LocalResources, Fail, "This computer ran out of resources",
		"The computer running the test ran out of open files, sockets or network buffers (EMFILE, ENFILE, ENOBUFS; Windows socket errors 10024 and 10055). The server was not at fault; the test said nothing about it.",
		"Close programs that hold many connections, raise the open-file limit (`ulimit -n`), or probe fewer servers at once, then retry.",
		Attributes{Area: AreaRun}},

	// --- Only seen in pasted client errors ---
	{LocalStore, Fail, "Mail program's data file damaged or full",
		"The error comes from the mail program's own data file on the computer (Outlook PST/OST, Outlook Express DBX), not from the server: the file is damaged, or it has reached its maximum size and accepts no more data.",
		"If the file is full, archive or permanently delete old items and compact it (or raise the size limit); if it is damaged, close the program and repair it (Outlook: scanpst.exe) or create a new profile. The server settings are not the cause.",
		Attributes{Area: AreaClient}},
	{ClientFeatureMissing, Fail, "Server lacks a feature the client setting needs",
		"A setting of the mail program needs a server feature this server does not offer, for example POP3 UIDL, without which 'Leave messages on server', 'Fetch headers only' and size limits cannot work. The account and password are fine.",
		"Turn off the setting that needs the feature (for POP3: 'Leave messages on server' and related options), or use IMAP instead of POP3 if the provider offers it.",
		Attributes{Area: AreaClient}},
	{LocalSoftware, Fail, "Local software interferes",
		"Software on the computer (firewall, antivirus e-mail scanning, VPN) blocked or broke the connection before it reached the server.",
		"Temporarily disable antivirus mail scanning and the firewall's mail rules, then retry; `mailcheck probe` from the same computer shows whether the server itself works.",
		Attributes{Area: AreaClient}},
	{UserCancelled, Info, "Cancelled",
		"The operation was cancelled by the user or the program; nothing failed on the server.",
		"Retry the operation.",
		Attributes{Area: AreaClient}},
}, oauthProblems...) // the OAuth2 problems live in oauth.go

var byCode = func() map[string]*Problem {
	m := make(map[string]*Problem, len(problems))
	for i := range problems {
		m[problems[i].Code] = &problems[i]
	}
	return m
}()

// Lookup returns the catalogue entry for a problem code.
func Lookup(code string) (Problem, bool) {
	p, ok := byCode[code]
	if !ok {
		return Problem{}, false
	}
	return *p, true
}

// Problems returns every problem in catalogue order.
func Problems() []Problem {
	return append([]Problem(nil), problems...)
}
