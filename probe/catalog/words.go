package catalog

// Cue entries name a cause by the plain words of a reply, an exception or a dialog, whatever program or
// server wrote them: "message too big", "storage limit", "already locked", "No appropriate protocol". They
// are how explain reads a wording nobody catalogued before (issue 21): the reply's words outvote the class
// digits next to them (550 "Message too big!" is a size limit, not a refused recipient), and an inner
// exception's words are read wherever they stand in a stack trace. A cue says "likely", never "certain":
// it is a reading of words, not a code with one meaning.
//
// Facts come from the sources of the corpus rows that show each wording (testdata/explain/cases.json names
// them) and from the libraries' own texts (JSSE, Go crypto/x509, .NET SslStream, MailKit, lettre); the
// sentences are mailcheck's.
var cueCodes = []Code{
	// ----- The reply's words name a cause -----
	cue(KindProvider, "words-message-size", "Message too large (from the words)", MessageTooLarge,
		"The reply says the message is larger than the server accepts, whatever its code says.",
		[]string{"The attachments make the message larger than the server's or the recipient's limit.", "Attachments grow by about a third when encoded for sending."},
		"message too big", "message is too big", "message too large", "message is too large", "message size exceeds",
		"size exceeds fixed", "exceeds fixed limit", "max message size", "maximum message size", "message file too big",
		"MaxSubmissionExceeded", "Stream is more than", "exceeds the maximum allowed size", "message exceeded * size limit",
		"message exceeds * size limit", "exceeded the maximum incoming message size"),
	cue(KindProvider, "words-auth-required", "Authentication required (from the words)", AuthRequired,
		"The reply says the server wants a login before it takes mail, whatever its code says.",
		[]string{"Outgoing-server authentication is off in the program, or it logs in after trying to send.", "The program sends to a submission port without credentials."},
		"SMTP AUTH is required", "smtp auth required", "auth required", "authentication is required", "must authenticate",
		"please authenticate", "requires authentication", "authentication needed"),
	cue(KindProvider, "words-login-rate", "Too many login attempts (from the words)", RateLimited,
		"The server is refusing logins for a while because too many were attempted in a short time; the password is not judged.",
		[]string{"A program logs in again for every message instead of keeping one connection (no pooling).", "Several devices or scripts retry a login in a loop, for example with an old password."},
		"too many login attempts", "too many failed login", "too many authentication failures", "too many auth attempts",
		"too many invalid authentication", "too many logins", "login rate limit"),
	cue(KindProvider, "words-send-rate", "Sending too fast (from the words)", RateLimited,
		"The server is slowing this sender down because it sends many messages in a short time.",
		[]string{"A script or newsletter sends faster than the server allows.", "Several programs send through the same account at once."},
		"too many emails too fast", "too many messages too fast", "sending too many emails", "sending too many messages",
		"too many emails per", "too many messages per", "sending rate exceeded", "message rate exceeded"),
	cue(KindProvider, "words-quota", "Mailbox over quota (from the words)", MailboxFull,
		"The reply says the recipient's mailbox has used up its storage.",
		[]string{causeQuotaFull, causeQuotaLarge},
		"storage limit", "storage quota", "quota exceeded", "exceeded * quota", "mailbox quota", "over its quota",
		"mailbox is over", "insufficient mailbox space", "not enough storage"),
	cue(KindProvider, "words-mailbox-locked", "Mailbox locked (from the words)", MailboxInUse,
		"The mailbox is locked by another session, usually another program or device fetching the same account.",
		[]string{"Another mail program or phone fetches the same POP3 account at the same moment.", "A previous session did not end cleanly and the lock is still held."},
		"already locked", "mailbox is locked", "mailbox locked", "mailbox already in use", "mailbox is already in use",
		"locked by another", "in use by another"),
	cue(KindProvider, "words-auth-temporary", "Login system temporarily failing (from the words)", AuthTemporary,
		"The reply says the login could not be checked because the server's authentication back end is failing for now; the password was not judged.",
		[]string{"The provider's login service has a temporary fault.", "The mail server lost its connection to its authentication service (Dovecot auth, LDAP), often under load."},
		"Cannot authenticate due to temporary system problem",
		"Connection lost to authentication server", "authentication server is unavailable", "authentication service is unavailable"),
	cue(KindProvider, "words-sender-authentication", "SPF, DKIM or DMARC did not pass (from the words)", AuthenticationPolicy,
		"The reply says the message failed the receiver's sender-authentication checks (SPF, DKIM or DMARC alignment).",
		[]string{"The sending server is not in the sender domain's SPF record.", "The message is not DKIM-signed by the From domain, or the signature broke on the way.", "Neither SPF nor DKIM aligns with the From domain, as DMARC requires."},
		"does not pass SPF", "did not pass SPF", "SPF check", "SPF authentication", "Spf= Fail", "DKIM authentication",
		"DKIM checks did not pass", "didn't pass DKIM", "DKIM check", "authentication level", "sender is unauthenticated",
		"mail is unauthenticated", "Unauthenticated email", "not aligned with", "isn't aligned with", "prohibited by SPF",
		"SPF fail", "fails to pass authentication checks", "does not have authentication information"),
	cue(KindProvider, "words-tls-required", "The message must be sent over TLS (from the words)", PolicyRejected,
		"The reply says the receiver wants the message delivered over an encrypted (TLS) connection.",
		[]string{"The sending server delivered without STARTTLS, or its TLS attempt failed and it fell back to plain text."},
		"wasn't sent over a TLS connection", "not sent over a TLS", "must be sent over TLS", "TLS is required", "requires TLS"),

	// ----- TLS, as the stacks word it -----
	cue(KindTLS, "words-tls-version", "No TLS version in common (from the words)", TLSVersionOld,
		"The two sides found no TLS version they both allow: one of them only speaks an old version (TLS 1.0/1.1) or the program pins a version the other refuses.",
		[]string{causeOldTLSRuntime, "The server only offers TLS 1.0/1.1, which the program's runtime has disabled (Java's jdk.tls.disabledAlgorithms, OpenSSL's security level).", "The program allows only TLS 1.3 and the server stops at TLS 1.2 (rustls without its tls12 feature)."},
		"No appropriate protocol", "protocol is disabled or cipher suites are inappropriate", "protocol_version",
		"ProtocolVersion"),
	cue(KindTLS, "words-cert-name", "Certificate for another name (from the words)", CertHostMismatch,
		"The certificate does not name the server the program connected to (or names it only in the deprecated Common Name field).",
		[]string{"The account uses a custom name while the certificate carries the hosting provider's name.", "The certificate has no Subject Alternative Name; Go since 1.15 and other modern stacks ignore the Common Name."},
		"legacy Common Name", "doesn't match certificate", "does not match certificate",
		"not in the cert's altnames", "certificate name mismatch", "No subject alternative DNS name",
		"hostname * doesn't match", "host name * does not match"),
	cue(KindTLS, "words-cert-untrusted", "Certificate not trusted (from the words)", CertUntrusted,
		"The program's certificate check failed: the chain does not lead to an authority it trusts, or the certificate is otherwise invalid.",
		[]string{"A self-signed or private-CA certificate, or a missing intermediate certificate.", "An antivirus or proxy that intercepts TLS presents its own certificate.", "The certificate expired or names another host (the check lumps these together)."},
		"remote certificate is invalid", "according to the validation procedure", "RemoteCertificateChainErrors", "self signed certificate in certificate chain", "UnknownIssuer"),

	cue(KindTLS, "words-tls-plaintext-reply", "Plain text where TLS was expected (from the words)", TLSOnPlainPort,
		"The program started TLS at once, but the server answered in plain text, as a STARTTLS or plain port does (GnuTLS words this as an unexpected packet).",
		[]string{"SSL/TLS is switched on for a port that expects STARTTLS (587, 143, 110) or no encryption (25)."},
		"unexpected TLS packet was received", "unexpected TLS packet"),
	// ----- Network words inside stack traces -----
	cue(KindNetwork, "words-connection-reset", "Connection reset (from the words)", ConnectionReset,
		"The other side (or something between) cut the connection abruptly.",
		[]string{"The security setting does not match the port, so the server drops the handshake.", "A firewall, antivirus or proxy breaks the connection.", "The server drops clients it has banned or limited."},
		"SocketException: Connection reset", "Connection reset", "connection was reset"),

	cue(KindNetwork, "words-connection-closed", "Connection closed (from the words)", ConnectionClosed,
		"The other side closed the connection in the middle of the conversation, without an error reply.",
		[]string{"The server dropped an idle or overloaded session, or closed it after a refusal it did not word.", "The encryption setting does not match the port, so the server hangs up.", "A firewall or proxy ends long connections."},
		"socket error: EOF", "closed the connection unexpectedly", "server closed the connection",
		"connection closed by server", "connection closed by the server"),
	cue(KindNetwork, "words-read-timeout", "No answer in time (from the words)", ResponseTimeout,
		"The connection was open, but the server did not answer within the program's time limit.",
		[]string{"The server is slow or overloaded.", "The encryption setting does not match the port, so both sides wait for the other.", "A firewall or antivirus holds the connection open without passing data."},
		"while trying to read from", "timeout while reading", "timed out while reading",
		"timeout waiting for response", "timeout waiting for the server", "Greeting never received"),
	cue(KindNetwork, "words-dns-refused", "DNS server refused the query (from the words)", DNSRefused,
		"The DNS server the computer uses refused to answer the name lookup (Node.js reports EREFUSED).",
		[]string{"The configured DNS server does not serve this network (a container or VPN with a foreign resolver).", "A firewall or filter on the DNS server refuses the query."},
		"queryA EREFUSED", "queryAaaa EREFUSED", "EREFUSED"),
	cue(KindNetwork, "words-dns-lookup-failed", "Name lookup failed (from the words)", DNSNotFound,
		"The library could not turn the server name into an address (Nodemailer's EDNS error).",
		[]string{"The server name is mistyped or has stray characters (quotes, a comma or a space) from the configuration.", "The computer's DNS does not work."},
		"'EDNS'", "\"EDNS\""),

	// ----- Libraries and programs -----
	cue(KindClient, "words-no-common-mechanism", "No login method in common (from the words)", NoAuthMechanism,
		"The library found no login method that both it and the server support, so it did not try to log in.",
		[]string{"The server offers no AUTH on this port (port 25, or before STARTTLS).", "The server only offers methods the library does not implement (NTLM, GSSAPI, XOAUTH2 without a token)."},
		"No compatible authentication mechanisms", "No authenticators available", "No supported authentication",
		"no suitable authentication", "SMTP AUTH extension not supported", "server does not support authentication"),
	cue(KindProvider, "words-auth-mechanism", "Login method not accepted (from the words)", AuthMechanism,
		"The reply says the server does not accept the login method the program chose, whatever its status code says (Exchange answers 504 5.7.4, which the registry calls a missing security feature).",
		[]string{"The program sends AUTH PLAIN or LOGIN and the server only offers others (NTLM, GSSAPI, XOAUTH2).", "Password logins are switched off for the account or the connector, so no password method is offered."},
		"Unrecognized authentication type", "AUTH mechanism * not available", "unsupported authentication mechanism"),
	cue(KindClient, "words-starttls-not-offered", "STARTTLS not offered (from the words)", STARTTLSNotOffered,
		"The library wants STARTTLS, but the server did not list it among its extensions, so the library stopped before sending the password.",
		[]string{"The port or server does not offer STARTTLS (a test server, a local relay, or port 465, which wants TLS at once).", "Something between (an antivirus or a firewall) removes STARTTLS from the server's list."},
		"STARTTLS extension not supported", "does not support the STARTTLS", "does not support STARTTLS",
		"STARTTLS is not supported", "StartTLS is not offered", "STARTTLS not offered"),
	cue(KindClient, "words-outlook-data-file", "Outlook data file (from the words)", LocalStore,
		"Outlook could not open or read its data file (.pst or .ost) on the computer; the server is not involved.",
		[]string{"The data file is damaged, after a crash or a full disk.", "The file was moved, is on a network drive or is open in another program.", "An old-format file reached its 2 GB limit."},
		"set of folders could not be opened", "Errors have been detected in the file", "is not a personal folders file",
		"Inbox Repair Tool", "scanpst"),
	cue(KindClient, "words-antivirus-port-block", "Antivirus blocks the mail port (from the words)", LocalSoftware,
		"Security software on the computer blocked the program from opening the mail port.",
		[]string{"An antivirus rule against mass-mailing worms blocks port 25 (or 587) for programs not on its list."},
		"port blocking rule", "mass mailing worms", "Blocked by port blocking", "blocked by your antivirus"),
	{Kind: KindProvider, Code: "exchange-authenticate-mechanism-refused", Name: "Exchange Online: password login switched off", Problem: AuthBasicDisabled, Confidence: "B",
		Meaning: "Exchange Online refuses password logins on IMAP and POP and words it as an unsupported mechanism.",
		Causes:  []string{"Basic authentication (password and app-password logins) is switched off for IMAP and POP in Exchange Online; only OAuth2 sign-in works."},
		Step:    "Use a mail program that signs in to Microsoft 365 with OAuth2 (modern authentication); for scripts, register an application for OAuth2 IMAP/POP access.",
		Match:   []string{"Provided authentication mechanism is not supported"}},
}

// cue builds a words entry (see cueCodes).
func cue(kind CodeKind, code, name, problem, meaning string, causes []string, match ...string) Code {
	return Code{Kind: kind, Code: code, Name: name, Problem: problem, Meaning: meaning, Causes: causes, Match: match, Confidence: "B", Cue: true}
}

// ProviderStatus is an enhanced status code that one provider uses with its own meaning, which replaces the
// IANA registry's meaning when the paste comes from that provider (Gmail's 5.7.27 is SPF, the registry's is
// a null MX).
type ProviderStatus struct {
	Providers []string
	Code      Code
}

// providerStatuses: Google's "SMTP errors and codes" reference and sender-guidelines FAQ (4.7.27/5.7.27 SPF,
// 4.7.29 TLS, 4.7.30/5.7.30 DKIM, 4.7.32/5.7.32 DMARC alignment, 4.7.40/5.7.40 DMARC policy); Microsoft's
// Exchange Online NDR reference (5.7.515 authentication level, 2025) and its outbound DANE codes after
// RFC 7672 (X.7.321 starttls-not-supported … X.7.325 cert-host-mismatch).
var providerStatuses = []ProviderStatus{
	{[]string{ProviderGoogle}, status("X.7.27", "SPF did not pass (Gmail)", AuthenticationPolicy,
		"Gmail limited or blocked the message because SPF did not pass for the sending server (the registry's meaning, a null MX, does not apply to Gmail).",
		"The sending server's address is not in the envelope sender domain's SPF record.")},
	{[]string{ProviderGoogle}, status("X.7.29", "Message not sent over TLS (Gmail)", PolicyRejected,
		"Gmail limited the message because it was delivered without TLS (the registry's meaning, ARC, does not apply to Gmail).",
		"The sending server does not use STARTTLS toward Gmail, or its TLS attempt failed.")},
	{[]string{ProviderGoogle}, status("X.7.30", "DKIM did not pass (Gmail)", AuthenticationPolicy,
		"Gmail limited or blocked the message because DKIM did not pass (the registry's meaning, REQUIRETLS, does not apply to Gmail).",
		"The sending platform does not sign with DKIM, or the DKIM key in DNS does not match the signature.")},
	{[]string{ProviderGoogle}, status("X.7.32", "From domain not aligned (Gmail)", AuthenticationPolicy,
		"Gmail limited or blocked the message because neither SPF nor DKIM passes for the From domain, as DMARC alignment requires.",
		"The message is signed or sent for another domain than the one in From.")},
	{[]string{ProviderGoogle}, status("X.7.40", "DMARC policy missing (Gmail)", AuthenticationPolicy,
		"Gmail limited or blocked the message because the sender domain publishes no usable DMARC record.",
		"The sender domain has no DMARC record (a bulk sender needs at least p=none).")},
}

// daneStatuses are the DANE refusals (RFC 7672) Exchange Online reports with codes of its own; no other
// sender uses X.7.321–X.7.325, so they apply whatever the provider.
var daneStatuses = []Code{
	status("X.7.321", "DANE: STARTTLS not supported", STARTTLSNotOffered,
		"The receiving server publishes DANE (TLSA) records but did not offer STARTTLS, so the sender may not deliver (RFC 7672 section 2.2).",
		"The receiving server's STARTTLS is switched off or broken while its domain still publishes TLSA records."),
	status("X.7.322", "DANE: certificate expired", CertExpired,
		"The receiving server's certificate has expired, which DANE validation does not accept here.",
		"The receiving server's certificate was not renewed."),
	status("X.7.323", "DANE: TLSA records do not match", CertUntrusted,
		"The receiving server's certificate matches none of the TLSA records its domain publishes, so DANE validation failed (RFC 7672 section 3).",
		"The certificate or key was replaced without updating the TLSA records first."),
	status("X.7.324", "DANE: DNSSEC validation failed", DNSServerFailure,
		"The DNSSEC signatures of the receiving domain's MX or TLSA records did not validate.",
		"Expired DNSSEC signatures or a broken key rollover at the receiving domain."),
	status("X.7.325", "DANE: certificate name mismatch", CertHostMismatch,
		"The receiving server's certificate does not name the MX host, so DANE validation failed.",
		"The certificate was issued for another name than the MX host."),
	status("5.7.515", "Sender authentication level not met (Microsoft)", AuthenticationPolicy,
		"Outlook.com refused the message because the sending domain does not meet its authentication requirements for high-volume senders (SPF, DKIM and DMARC).",
		"The sending domain lacks a passing SPF or DKIM result aligned with the From domain, or has no DMARC record."),
}

// LookupProviderStatus finds the meaning a provider gives an enhanced status code (the code itself, then
// the same detail in any class), when it has one of its own.
func LookupProviderStatus(provider, code string) (Code, bool) {
	if provider == "" || len(code) < 2 {
		return Code{}, false
	}
	anyClass := "X" + code[1:]
	for _, s := range providerStatuses {
		if !contains(s.Providers, provider) {
			continue
		}
		if s.Code.Code == code || s.Code.Code == anyClass {
			return s.Code, true
		}
	}
	return Code{}, false
}

// HasOwnMeaning says whether an enhanced status code entry is one a provider or a later RFC defined with a
// meaning of its own (Microsoft's 5.7.515, the DANE codes): it outranks the words next to it, as a
// provider status does.
func HasOwnMeaning(c Code) bool {
	for _, d := range daneStatuses {
		if d.Kind == c.Kind && d.Code == c.Code {
			return true
		}
	}
	return false
}

// ProviderStatuses lists the provider meanings, for tests and the README.
func ProviderStatuses() []ProviderStatus {
	return append([]ProviderStatus(nil), providerStatuses...)
}
