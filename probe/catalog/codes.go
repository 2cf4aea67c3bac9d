package catalog

import (
	"regexp"
	"strings"
)

// CodeKind says where an external error code comes from, which decides how it is written and looked up.
type CodeKind string

const (
	// KindOutlook: Outlook Express, Windows Live Mail and Outlook HRESULTs (0x800CCCxx from imnxport.h,
	// 0x8004xxxx MAPI and Outlook send/receive codes).
	KindOutlook CodeKind = "outlook"
	// KindWinsock: Windows socket errors (the "Socket Error: 11001" of Outlook Express dialogs).
	KindWinsock CodeKind = "winsock"
	// KindSMTP: basic SMTP reply codes (RFC 5321 section 4.2, RFC 3207, RFC 4954).
	KindSMTP CodeKind = "smtp"
	// KindEnhanced: enhanced mail system status codes (RFC 3463, IANA registry), class.subject.detail.
	KindEnhanced CodeKind = "enhanced"
	// KindIMAP: IMAP response codes in brackets (RFC 3501 section 7.1, RFC 5530).
	KindIMAP CodeKind = "imap"
	// KindPOP3: POP3 extended response codes in brackets (RFC 2449 section 8, RFC 3206).
	KindPOP3 CodeKind = "pop3"
	// KindProvider: a well-known message of one provider or server (Gmail, Microsoft 365, Yahoo, Postfix, ...).
	KindProvider CodeKind = "provider"
	// KindTLS: a TLS failure as Go, OpenSSL, Python, Java or Node.js word it.
	KindTLS CodeKind = "tls"
	// KindNetwork: an operating-system or library network error text ("no such host", "connection refused").
	KindNetwork CodeKind = "network"
	// KindClient: a message of a mail program (Thunderbird, Apple Mail, Outlook wording, .NET SmtpClient).
	KindClient CodeKind = "client"
)

// Context describes where an error was seen, as read from a pasted dialog. Empty fields match anything;
// a non-empty field must match one of its values.
type Context struct {
	// Protocols are "smtp", "imap" or "pop3".
	Protocols []string
	// Ports are the port numbers the client used.
	Ports []int
	// Security is how the client protected the connection: "plain", "starttls" or "tls".
	Security string
	// ReplyCodes are basic SMTP reply codes ("454") the code appeared with.
	ReplyCodes []string
	// NoSocketError requires that the paste shows no Winsock error (none, or "Socket Error: 0"). A socket
	// error says exactly how the connection failed and overrides guesses from the settings.
	NoSocketError bool
}

// Refinement adjusts a code's diagnosis for a context: the same Outlook number means different things on
// port 25 and on port 465.
type Refinement struct {
	When Context
	// Problem replaces the code's problem when set.
	Problem string
	// Causes are ranked before the code's own causes.
	Causes []string
	// Step is an extra first step for this context.
	Step string
	// Meaning, when set, replaces the code's meaning in this context (554 5.7.9 refuses a message, while
	// the code's own meaning is about logins); the code's own causes are then not shown.
	Meaning string
}

// Code is one error code or message users paste, tied to the problem that explains it.
type Code struct {
	Kind CodeKind
	// Code is the canonical spelling: "0x800CCC0D", "11001", "535", "X.7.8" (any class) or "5.7.139"
	// (one class), "AUTHENTICATIONFAILED", "SYS/TEMP", or a key such as "gmail-app-password".
	Code string
	// Name is the symbol (IXP_E_CANT_FIND_HOST, WSAHOST_NOT_FOUND) or the registry title.
	Name string
	// Meaning says what the code means, in words a helpdesk can repeat.
	Meaning string
	// Problem is the problem code (problems.go) that gives the shared explanation and fix. Empty only for
	// Info codes.
	Problem string
	// Also are other problems this code can stand for that its text cannot tell apart (0x800CCC02 is an
	// expired or a not-yet-valid certificate). They feed ClientErrorsFor.
	Also []string
	// Causes are the likely causes, most likely first.
	Causes []string
	// Step is an optional step specific to this code, shown before the problem's fix.
	Step string
	// Refine adjusts the diagnosis to the context the code was seen in.
	Refine []Refinement
	// Match are case-insensitive texts that identify this entry in a paste. A "*" stands for up to 200
	// characters on the same line ("Login to server * failed").
	Match []string
	// Confidence grades the meaning: A primary source (RFC, vendor header or documentation), B vendor text
	// seen verbatim in public reports, C secondary compilations, D unsourced.
	Confidence string
	// Generic marks catch-all codes (0x800CCC60, 550, X.7.0) that say little on their own: any more specific
	// code in the same paste decides the diagnosis.
	Generic bool
	// Common marks the numbers mail clients most often show for the problem; ClientErrorsFor lists them.
	Common bool
	// Info marks codes that report success or a harmless condition; they have no Problem.
	Info bool
	// Cue marks entries that read a cause from plain words rather than from one program's exact message
	// (words.go): explain rates a diagnosis resting on them "likely", never "certain".
	Cue bool
	// Preamble marks a wording that introduces a reason rather than giving one ("Recipient address
	// rejected: …"): another text of its kind that names the reason ("Mailbox full") decides.
	Preamble bool
}

var (
	codeIndex = func() map[CodeKind]map[string]int {
		m := map[CodeKind]map[string]int{}
		for i, c := range codes {
			if m[c.Kind] == nil {
				m[c.Kind] = map[string]int{}
			}
			m[c.Kind][c.Code] = i
		}
		return m
	}()
	outlookCode  = regexp.MustCompile(`^(?:0X)?([0-9A-F]{8})$`)
	enhancedCode = regexp.MustCompile(`^([245X])\.(\d{1,3}|X)\.(\d{1,3}|X)$`)
)

// Codes returns every catalogued code in catalogue order.
func Codes() []Code {
	return append([]Code(nil), codes...)
}

// LookupCode finds the entry for a code of one kind. Spelling is forgiving: "0x800ccc0d" and "800CCC0D"
// find 0x800CCC0D, "[in-use]" finds IN-USE. An enhanced code finds its most specific entry: the code itself
// (5.7.139), then the detail for any class (X.7.8), then the subject (X.7.X), then the class (5.X.X); a
// success code (2.x.x) finds the success entry unless its detail is informational (2.1.5).
func LookupCode(kind CodeKind, code string) (Code, bool) {
	code = strings.TrimSpace(code)
	var keys []string
	switch kind {
	case KindOutlook:
		m := outlookCode.FindStringSubmatch(strings.ToUpper(code))
		if m == nil {
			return Code{}, false
		}
		keys = []string{"0x" + m[1]}
	case KindEnhanced:
		m := enhancedCode.FindStringSubmatch(strings.ToUpper(code))
		if m == nil {
			return Code{}, false
		}
		keys = []string{
			m[1] + "." + m[2] + "." + m[3],
			"X." + m[2] + "." + m[3],
			"X." + m[2] + ".X",
			m[1] + ".X.X",
		}
	case KindIMAP, KindPOP3:
		keys = []string{strings.ToUpper(strings.Trim(code, "[]"))}
	default:
		keys = []string{code}
	}
	for _, k := range keys {
		i, ok := codeIndex[kind][k]
		if !ok {
			continue
		}
		// A success code (2.x.x) only keeps a detail entry that is itself informational: "250 2.0.0 Ok" is
		// not the failure X.0.0 describes.
		if kind == KindEnhanced && keys[0][0] == '2' && !codes[i].Info {
			return codes[codeIndex[kind]["2.X.X"]], true
		}
		// A failure (4.x.x, 5.x.x) skips informational details: "501 5.1.5 Recipient address reserved" is
		// a refusal of the address, not the success X.1.5 names; the subject entry (X.1.X) explains it.
		if kind == KindEnhanced && keys[0][0] != '2' && codes[i].Info {
			continue
		}
		return codes[i], true
	}
	return Code{}, false
}

// ClientErrorsFor returns the Outlook numbers and socket errors users most often see for a problem, at most
// three, Outlook numbers first: dns_not_found gives ["0x800CCC0D", "socket error 11001"]. The probe report
// shows them so that a helpdesk can match its finding to what the user's screen says.
func ClientErrorsFor(problem string) []string {
	var outlook, winsock []string
	add := func(c Code) {
		switch c.Kind {
		case KindOutlook:
			outlook = appendNew(outlook, c.Code)
		case KindWinsock:
			winsock = appendNew(winsock, "socket error "+c.Code)
		}
	}
	// Direct entries first, then codes that reach the problem only in some context or as an alternative.
	for _, c := range codes {
		if c.Common && c.Problem == problem {
			add(c)
		}
	}
	for _, c := range codes {
		if !c.Common || c.Problem == problem {
			continue
		}
		reaches := contains(c.Also, problem)
		for _, r := range c.Refine {
			reaches = reaches || r.Problem == problem
		}
		if reaches {
			add(c)
		}
	}
	out := append(outlook, winsock...)
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

func appendNew(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Port groups used by refinements. Implicit-TLS ports expect TLS from the first byte (RFC 8314); on the
// plain ports the server greets in clear text and the client upgrades with STARTTLS/STLS (RFC 2595, RFC 3207).
// "Secure(SSL): Yes" on SMTP 25/587 means STARTTLS in Outlook Express (imnxport.h ISF_SSLONSAMEPORT), so
// only the IMAP and POP3 plain ports are a sure sign of TLS spoken to a plain port.
var (
	implicitTLSPorts = []int{465, 993, 995}
	plainIncoming    = []int{110, 143}
	smtpPort25       = []int{25}
)

// Causes and steps shared by several codes.
const (
	causePort25Blocked  = "The network or Internet provider blocks outgoing connections to port 25, as many do to stop spam; mail clients should send on 587 or 465."
	stepPort25          = "Change the outgoing (SMTP) server port to 587 with STARTTLS, or 465 with SSL/TLS, and turn on authentication."
	causePlainOnTLSPort = "The port expects SSL/TLS from the first byte, but encryption is switched off in the account (or set to STARTTLS), so client and server wait for each other."
	stepPlainOnTLSPort  = "Tick 'This server requires an encrypted connection (SSL/TLS)' for this port, or keep encryption off/STARTTLS and use port 587, 143 or 110 instead."
	causeTLSOnPlain     = "SSL is ticked for a port where the server greets in plain text (110 or 143); that port needs STARTTLS or no encryption."
	stepTLSOnPlain      = "Either untick SSL (use STARTTLS if the client offers it) or change the port to 995 (POP3) or 993 (IMAP)."
	causeInternalClient = "The mail program ran into an internal error; it is not caused by the server."
	stepRestartClient   = "Close the mail program completely and start it again; if it keeps happening, repair or update it."
	stepWinsockReset    = "Reset the Windows network stack (run `netsh winsock reset` as administrator, then restart), and remove leftover VPN or antivirus network filters."
	stepSPA             = "Untick 'Log on using Secure Password Authentication (SPA)' in the account settings and log on with the normal password."
	stepScanPST         = "Close Outlook and run the Inbox Repair Tool (scanpst.exe) on the data file, or create a new profile."
	stepHTTPMail        = "This account uses Hotmail's retired HTTP access; remove it and add the mailbox again as IMAP or Outlook.com/Exchange."
	causeAVScanner      = "Antivirus e-mail scanning or a firewall sits between the mail program and the server and breaks the connection."
	causeWrongPassword  = "The password is wrong or was changed recently."
	causeAppPassword    = "The account uses two-step verification and the provider wants an app password instead of the normal password."
	causeMailboxLocked  = "Another device or program (a phone, a second computer) is checking the same POP3 mailbox at the same moment."
)

// codes is the catalogue of external codes. Meanings follow the sources named in the reference catalogue
// (imnxport.h, Microsoft KB articles, RFCs 5321/3463/5530/2449/3206, the IANA registries, vendor strings);
// the wording is mailcheck's own.
// The OAuth2 entries live in oauth.go, the provider and reply-wording entries in replies.go.
var codes = append([]Code{
	// ----- Outlook Express / Windows Live Mail / Outlook: general and connection (imnxport.h IXP_E_*) -----
	{Kind: KindOutlook, Code: "0x800CCC00", Name: "IXP_E_LOAD_SICILY_FAILED", Problem: AuthMechanism, Confidence: "A",
		Meaning: "The Secure Password Authentication (SPA, NTLM) login components could not be loaded.",
		Causes:  []string{"'Log on using Secure Password Authentication' is ticked but the server does not offer SPA.", "The SPA components of Windows or the mail program are damaged."},
		Step:    stepSPA},
	{Kind: KindOutlook, Code: "0x800CCC01", Name: "IXP_E_INVALID_CERT_CN", Problem: CertHostMismatch, Common: true, Confidence: "A",
		Meaning: "The server's certificate carries a different name from the server name in the account.",
		Causes:  []string{"The account uses a custom domain name (mail.yourdomain) on shared hosting whose certificate names the hosting server.", "The server is entered as an IP address or a short name."}},
	{Kind: KindOutlook, Code: "0x800CCC02", Name: "IXP_E_INVALID_CERT_DATE", Problem: CertExpired, Also: []string{CertNotYetValid}, Common: true, Confidence: "A",
		Meaning: "The server's certificate is outside its validity dates: expired, or not valid yet.",
		Causes:  []string{"The computer's date or time is wrong.", "The server's certificate has expired and was not renewed."}},
	{Kind: KindOutlook, Code: "0x800CCC03", Name: "IXP_E_ALREADY_CONNECTED", Problem: LocalSoftware, Confidence: "A",
		Meaning: "The mail program thinks it is already connected to this server.",
		Causes:  []string{causeInternalClient, "Two send/receive runs overlapped."}, Step: stepRestartClient},
	{Kind: KindOutlook, Code: "0x800CCC04", Name: "IXP_E_CONN", Problem: ConnectRefused, Also: []string{ConnectTimeout}, Generic: true, Confidence: "A",
		Meaning: "A connection error with no further detail; it is handled like 0x800CCC0E.",
		Causes:  []string{"Wrong server name, port or SSL setting.", "A firewall or antivirus blocks the connection.", "The server is down."}},
	{Kind: KindOutlook, Code: "0x800CCC05", Name: "IXP_E_NOT_CONNECTED", Problem: ConnectionClosed, Confidence: "A",
		Meaning: "The mail program tried to use a connection that was already gone.",
		Causes:  []string{"The connection dropped earlier in the session (network change, server time-out)."}},
	{Kind: KindOutlook, Code: "0x800CCC06", Name: "IXP_E_CONN_SEND", Problem: ConnectionReset, Confidence: "A",
		Meaning: "Sending data on the connection failed.",
		Causes:  []string{"The network dropped during the transfer.", causeAVScanner}},
	{Kind: KindOutlook, Code: "0x800CCC07", Name: "IXP_E_WOULD_BLOCK", Problem: LocalSoftware, Confidence: "A",
		Meaning: "An internal socket state of the mail program; not a server error.",
		Causes:  []string{causeInternalClient}, Step: stepRestartClient},
	{Kind: KindOutlook, Code: "0x800CCC08", Name: "IXP_E_INVALID_STATE", Problem: LocalSoftware, Confidence: "A",
		Meaning: "The mail program sent a command at the wrong moment of the session.",
		Causes:  []string{causeInternalClient, "A timing glitch; it often goes away on retry."}, Step: stepRestartClient},
	{Kind: KindOutlook, Code: "0x800CCC09", Name: "IXP_E_CONN_RECV", Problem: ConnectionReset, Confidence: "A",
		Meaning: "Receiving data on the connection failed.",
		Causes:  []string{"The network dropped during the transfer.", causeAVScanner}},
	{Kind: KindOutlook, Code: "0x800CCC0A", Name: "IXP_E_INCOMPLETE", Problem: ConnectionClosed, Confidence: "A",
		Meaning: "A message download stopped before the whole message arrived.",
		Causes:  []string{"The connection dropped while a large message was downloading.", "A damaged or very large message is waiting on the server.", "Outlook Express's record of messages left on the server (pop3uidl) is damaged."}},
	{Kind: KindOutlook, Code: "0x800CCC0B", Name: "IXP_E_BUSY", Problem: MailboxInUse, Common: true, Confidence: "A",
		Meaning: "The server or the mailbox is busy: another session holds it.",
		Causes:  []string{causeMailboxLocked, "An earlier session did not end cleanly and the server still holds its lock for a few minutes."}},
	{Kind: KindOutlook, Code: "0x800CCC0C", Name: "IXP_E_NOT_INIT", Problem: LocalSoftware, Confidence: "A",
		Meaning: "The mail program's mail transport was not initialised.",
		Causes:  []string{causeInternalClient}, Step: stepRestartClient},
	{Kind: KindOutlook, Code: "0x800CCC0D", Name: "IXP_E_CANT_FIND_HOST", Problem: DNSNotFound, Common: true, Confidence: "A",
		Meaning: "The mail program cannot find the server: its name does not resolve to an address. Usually shown with socket error 11001.",
		Causes:  []string{"The server name is misspelt or is a short name such as 'pop3' or 'mail'.", "The computer has no working Internet connection or DNS.", "A firewall blocks the name lookup."}},
	{Kind: KindOutlook, Code: "0x800CCC0E", Name: "IXP_E_FAILED_TO_CONNECT", Problem: ConnectRefused, Also: []string{ConnectTimeout}, Common: true, Confidence: "A",
		Meaning: "The mail program found the server's address but could not open a connection to it. The socket error next to it says how: 10061 refused, 10060 timed out.",
		Causes:  []string{"The port is wrong, or SSL is ticked for a port where the server does not offer it.", "A firewall, antivirus or the Internet provider blocks the port.", "The mail service on the server is down."},
		Refine: []Refinement{
			{When: Context{Security: "plain", Ports: implicitTLSPorts, NoSocketError: true}, Problem: PlainOnTLSPort, Causes: []string{causePlainOnTLSPort}, Step: stepPlainOnTLSPort},
			{When: Context{Ports: smtpPort25}, Causes: []string{causePort25Blocked}, Step: stepPort25},
			{When: Context{Security: "tls"}, Causes: []string{"SSL is ticked and the server does not accept SSL connections on this port; the provider's SSL port may be a different one."}},
		}},
	{Kind: KindOutlook, Code: "0x800CCC0F", Name: "IXP_E_CONNECTION_DROPPED", Problem: ConnectionClosed, Common: true, Confidence: "A",
		Meaning: "The server ended the connection unexpectedly, in the middle of the conversation.",
		Causes:  []string{"The SSL/encryption setting does not match the port.", "Antivirus e-mail scanning breaks the connection.", "An old mail program or Windows version cannot use the TLS versions the server requires (TLS 1.2 or newer).", "The server temporarily bans the address after repeated wrong passwords, or throttles it."},
		Refine: []Refinement{
			{When: Context{Security: "plain", Ports: implicitTLSPorts}, Problem: PlainOnTLSPort, Causes: []string{causePlainOnTLSPort}, Step: stepPlainOnTLSPort},
			{When: Context{Security: "tls", Ports: plainIncoming}, Problem: TLSOnPlainPort, Causes: []string{causeTLSOnPlain}, Step: stepTLSOnPlain},
		}},
	{Kind: KindOutlook, Code: "0x800CCC10", Name: "IXP_E_INVALID_ADDRESS", Problem: RecipientRejected, Confidence: "A",
		Meaning: "The server does not accept one of the addresses of the message.",
		Causes:  []string{"A recipient address is mistyped.", "The sender address in the account settings is wrong."}},
	{Kind: KindOutlook, Code: "0x800CCC11", Name: "IXP_E_INVALID_ADDRESS_LIST", Problem: RecipientRejected, Confidence: "A",
		Meaning: "The server does not know the mailing list the message is addressed to.",
		Causes:  []string{"The distribution list's address is wrong or the list no longer exists."}},
	{Kind: KindOutlook, Code: "0x800CCC12", Name: "IXP_E_SOCKET_READ_ERROR", Problem: ConnectionReset, Confidence: "A",
		Meaning: "Reading from the network connection failed.",
		Causes:  []string{"The network dropped.", causeAVScanner}},
	{Kind: KindOutlook, Code: "0x800CCC13", Name: "IXP_E_SOCKET_WRITE_ERROR", Problem: ConnectionReset, Common: true, Confidence: "A",
		Meaning: "Writing to the network connection failed. Newer Outlook versions word it as not being able to connect to the network.",
		Causes:  []string{"The network dropped or is not connected.", causeAVScanner, "Damaged Windows network components."}},
	{Kind: KindOutlook, Code: "0x800CCC14", Name: "IXP_E_SOCKET_INIT_ERROR", Problem: LocalSoftware, Confidence: "A",
		Meaning: "Windows Sockets (Winsock) could not be started.",
		Causes:  []string{"The Windows network stack is damaged, often after removing VPN, antivirus or malware."}, Step: stepWinsockReset},
	{Kind: KindOutlook, Code: "0x800CCC15", Name: "IXP_E_SOCKET_CONNECT_ERROR", Problem: LocalSoftware, Confidence: "A",
		Meaning: "A network socket could not be opened on this computer.",
		Causes:  []string{"The Windows network stack is damaged or blocked by security software."}, Step: stepWinsockReset},
	{Kind: KindOutlook, Code: "0x800CCC16", Name: "IXP_E_INVALID_ACCOUNT", Problem: AuthFailed, Confidence: "A",
		Meaning: "The server does not recognise the user account.",
		Causes:  []string{"The user name is wrong (many providers want the full e-mail address).", "The account does not exist on this server."}},
	{Kind: KindOutlook, Code: "0x800CCC17", Name: "IXP_E_USER_CANCEL", Problem: UserCancelled, Common: true, Confidence: "A",
		Meaning: "The operation was cancelled on this computer.",
		Causes:  []string{"Cancel was pressed, or a password prompt was closed without answering."}},
	{Kind: KindOutlook, Code: "0x800CCC18", Name: "IXP_E_SICILY_LOGON_FAILED", Problem: AuthMechanism, Common: true, Confidence: "A",
		Meaning: "The Secure Password Authentication (SPA, NTLM) logon failed.",
		Causes:  []string{"'Log on using Secure Password Authentication' is ticked but the server or account does not support it.", "The user name or mailbox alias does not match the account."},
		Step:    stepSPA},
	{Kind: KindOutlook, Code: "0x800CCC19", Name: "IXP_E_TIMEOUT", Problem: ResponseTimeout, Common: true, Confidence: "A",
		Meaning: "The server did not answer within the mail program's time limit.",
		Causes:  []string{"The SSL/encryption setting does not match the port, so both sides wait.", "The server is slow or overloaded, or a large message is moving over a slow link.", "Antivirus scanning delays the mail.", "The 'Server timeouts' setting is very short."},
		Refine: []Refinement{
			{When: Context{Security: "plain", Ports: implicitTLSPorts}, Problem: PlainOnTLSPort, Causes: []string{causePlainOnTLSPort}, Step: stepPlainOnTLSPort},
			{When: Context{Security: "tls", Ports: plainIncoming}, Problem: TLSOnPlainPort, Causes: []string{causeTLSOnPlain}, Step: stepTLSOnPlain},
		}},
	{Kind: KindOutlook, Code: "0x800CCC1A", Name: "IXP_E_SECURE_CONNECT_FAILED", Problem: TLSHandshake, Common: true, Confidence: "A",
		Meaning: "The encrypted (SSL/TLS) connection could not be set up. Outlook 2010 and later word it as the server not supporting the encryption type.",
		Causes:  []string{"The encryption type does not match the port (SSL/TLS on a STARTTLS port or the reverse).", "Windows 7 or Outlook 2010/2013 without TLS 1.2 against a server that requires TLS 1.2 or newer.", "Antivirus e-mail scanning interferes with the encrypted connection."},
		Refine: []Refinement{
			{When: Context{Security: "tls", Ports: plainIncoming}, Problem: TLSOnPlainPort, Causes: []string{causeTLSOnPlain}, Step: stepTLSOnPlain},
			{When: Context{Security: "starttls", Protocols: []string{"smtp"}}, Causes: []string{"The outgoing server does not offer STARTTLS on this port, or its STARTTLS is broken."}},
		}},

	// ----- HTTPMail (Hotmail's retired WebDAV access): HTTP statuses wrapped as 0x800CCC30-3F, F0-F4 -----
	httpMail("0x800CCC30", "305 Use Proxy"),
	httpMail("0x800CCC31", "400 Bad Request"),
	{Kind: KindOutlook, Code: "0x800CCC32", Name: "IXP_E_HTTP_UNAUTHORIZED", Problem: AuthFailed, Confidence: "A",
		Meaning: "Hotmail's old HTTP mail access answered 401 Unauthorized: the user name or password was refused.",
		Causes:  []string{causeWrongPassword, "The account still uses Hotmail's retired HTTP access."}, Step: stepHTTPMail},
	httpMail("0x800CCC33", "403 Forbidden"),
	httpMail("0x800CCC34", "404 Not Found"),
	httpMail("0x800CCC35", "405 Method Not Allowed"),
	httpMail("0x800CCC36", "406 Not Acceptable"),
	httpMail("0x800CCC37", "407 Proxy Authentication Required"),
	httpMail("0x800CCC38", "408 Request Timeout"),
	httpMail("0x800CCC39", "409 Conflict"),
	httpMail("0x800CCC3A", "410 Gone"),
	httpMail("0x800CCC3B", "411 Length Required"),
	httpMail("0x800CCC3C", "412 Precondition Failed"),
	httpMail("0x800CCC3D", "500 Internal Server Error"),
	httpMail("0x800CCC3E", "501 Not Implemented"),
	httpMail("0x800CCC3F", "502 Bad Gateway"),
	httpMail("0x800CCCF0", "503 Service Unavailable"),
	httpMail("0x800CCCF1", "504 Gateway Timeout"),
	httpMail("0x800CCCF2", "505 HTTP Version Not Supported"),
	httpMail("0x800CCCF3", "507 Insufficient Storage"),

	// ----- Winsock failures wrapped by the mail transport (0x800CCC40-45) -----
	winsockLayer("0x800CCC40", "IXP_E_WINSOCK_WSASYSNOTREADY", "The Windows network subsystem is not usable."),
	winsockLayer("0x800CCC41", "IXP_E_WINSOCK_WSAVERNOTSUPPORTED", "The Windows Sockets version the mail program needs is not available."),
	winsockLayer("0x800CCC42", "IXP_E_WINSOCK_WSAEPROCLIM", "Windows Sockets reached its limit of programs using it."),
	winsockLayer("0x800CCC43", "IXP_E_WINSOCK_WSAEFAULT", "Windows Sockets was given an invalid address internally."),
	winsockLayer("0x800CCC44", "IXP_E_WINSOCK_FAILED_WSASTARTUP", "Windows Sockets could not be loaded."),
	winsockLayer("0x800CCC45", "IXP_E_WINSOCK_WSAEINPROGRESS", "Another blocking network operation was still running."),

	// ----- Outgoing mail (SMTP) 0x800CCC60-7F: each stands for an SMTP reply -----
	{Kind: KindOutlook, Code: "0x800CCC60", Name: "IXP_E_SMTP_RESPONSE_ERROR", Problem: PolicyRejected, Generic: true, Confidence: "A",
		Meaning: "The outgoing server answered with an error; its own words (Server Response) say which.",
		Causes:  []string{"Read the server response shown with the error: it names the real reason."}},
	{Kind: KindOutlook, Code: "0x800CCC61", Name: "IXP_E_SMTP_UNKNOWN_RESPONSE_CODE", Problem: ProtocolError, Confidence: "A",
		Meaning: "The outgoing server answered with a reply code the mail program does not know.",
		Causes:  []string{"A non-standard server, proxy or antivirus scanner answers on this port."}},
	{Kind: KindOutlook, Code: "0x800CCC62", Name: "IXP_E_SMTP_500_SYNTAX_ERROR", Problem: ProtocolError, Confidence: "A",
		Meaning: "The outgoing server did not understand a command (SMTP 500).",
		Causes:  []string{"A proxy or antivirus scanner alters the commands.", "Something other than an SMTP server answers on this port."}},
	{Kind: KindOutlook, Code: "0x800CCC63", Name: "IXP_E_SMTP_501_PARAM_SYNTAX", Problem: AddressSyntax, Common: true, Confidence: "A",
		Meaning: "The outgoing server rejected the syntax of a command's argument, usually an address (SMTP 501).",
		Causes:  []string{"The sender address in the account settings or a recipient address contains a typo, a space or a stray character."}},
	{Kind: KindOutlook, Code: "0x800CCC64", Name: "IXP_E_SMTP_502_COMMAND_NOTIMPL", Problem: ProtocolError, Confidence: "A",
		Meaning: "The outgoing server does not implement a command the mail program used (SMTP 502).",
		Causes:  []string{"The client asks for a feature such as authentication that the server does not offer on this port."}},
	{Kind: KindOutlook, Code: "0x800CCC65", Name: "IXP_E_SMTP_503_COMMAND_SEQ", Problem: AuthRequired, Confidence: "A",
		Meaning: "The outgoing server received commands in the wrong order (SMTP 503), most often mail before a login.",
		Causes:  []string{"The server wants a login first and 'My outgoing server requires authentication' is off.", "A proxy or scanner reorders the commands."}},
	{Kind: KindOutlook, Code: "0x800CCC66", Name: "IXP_E_SMTP_504_COMMAND_PARAM_NOTIMPL", Problem: AuthMechanism, Confidence: "A",
		Meaning: "The outgoing server does not support a parameter the mail program used (SMTP 504), typically the login method.",
		Causes:  []string{"The chosen authentication method is not offered by the server."}},
	{Kind: KindOutlook, Code: "0x800CCC67", Name: "IXP_E_SMTP_421_NOT_AVAILABLE", Problem: GreetingTempFail, Common: true, Confidence: "A",
		Meaning: "The outgoing server is not available right now and closed the connection (SMTP 421).",
		Causes:  []string{"The server is overloaded or restarting.", "The server limits how often this address may connect or send."}},
	{Kind: KindOutlook, Code: "0x800CCC68", Name: "IXP_E_SMTP_450_MAILBOX_BUSY", Problem: ServerTemporary, Common: true, Confidence: "A",
		Meaning: "The action was refused for now; the mailbox is temporarily unavailable (SMTP 450).",
		Causes:  []string{"Greylisting: the receiving server asks new senders to retry later.", "A temporary block or rate limit."}},
	{Kind: KindOutlook, Code: "0x800CCC69", Name: "IXP_E_SMTP_550_MAILBOX_NOT_FOUND", Problem: RecipientRejected, Common: true, Confidence: "A",
		Meaning: "The server refused the action permanently, usually because the mailbox is unavailable (SMTP 550).",
		Causes:  []string{"The recipient address does not exist.", "The server refuses to relay because the client did not log in.", "A policy or spam block; the server response says which."}},
	{Kind: KindOutlook, Code: "0x800CCC6A", Name: "IXP_E_SMTP_451_ERROR_PROCESSING", Problem: ServerTemporary, Confidence: "A",
		Meaning: "The outgoing server hit a local error while processing the message (SMTP 451).",
		Causes:  []string{"A temporary fault on the server; a retry usually works."}},
	{Kind: KindOutlook, Code: "0x800CCC6B", Name: "IXP_E_SMTP_551_USER_NOT_LOCAL", Problem: RecipientRejected, Confidence: "A",
		Meaning: "The recipient is not local to this server and it will not forward the message (SMTP 551).",
		Causes:  []string{"The message went to a server that does not handle the recipient's domain."}},
	{Kind: KindOutlook, Code: "0x800CCC6C", Name: "IXP_E_SMTP_452_NO_SYSTEM_STORAGE", Problem: ServerTemporary, Confidence: "A",
		Meaning: "The server lacks storage for the message right now (SMTP 452), or there are too many recipients.",
		Causes:  []string{"The server's disk is full.", "The message has more recipients than the server accepts at once."}},
	{Kind: KindOutlook, Code: "0x800CCC6D", Name: "IXP_E_SMTP_552_STORAGE_OVERFLOW", Problem: MessageTooLarge, Common: true, Confidence: "A",
		Meaning: "The message exceeds the storage the server allows (SMTP 552).",
		Causes:  []string{"The message or its attachments are larger than the server's limit.", "The recipient's mailbox is full."}},
	{Kind: KindOutlook, Code: "0x800CCC6E", Name: "IXP_E_SMTP_553_MAILBOX_NAME_SYNTAX", Problem: SenderRejected, Confidence: "A",
		Meaning: "The server does not allow the mailbox name used (SMTP 553).",
		Causes:  []string{"The sender address is not one the logged-in user may send from.", "An address is malformed."}},
	{Kind: KindOutlook, Code: "0x800CCC6F", Name: "IXP_E_SMTP_554_TRANSACT_FAILED", Problem: PolicyRejected, Common: true, Confidence: "A",
		Meaning: "The outgoing server refused the transaction (SMTP 554).",
		Causes:  []string{"The sender address does not match the logged-in account.", "The message was rejected as spam or by policy.", "Relaying was refused."}},
	{Kind: KindOutlook, Code: "0x800CCC78", Name: "IXP_E_SMTP_REJECTED_SENDER", Problem: SenderRejected, Also: []string{AuthRequired}, Common: true, Confidence: "A",
		Meaning: "The outgoing server refused the sender address.",
		Causes:  []string{"The e-mail address in the account settings is not valid for this account.", "The server wants a login or STARTTLS before it accepts a sender.", "The sender address belongs to another provider."}},
	{Kind: KindOutlook, Code: "0x800CCC79", Name: "IXP_E_SMTP_REJECTED_RECIPIENTS", Problem: RelayDenied, Also: []string{RecipientRejected}, Common: true, Confidence: "A",
		Meaning: "The outgoing server refused one or more recipients.",
		Causes:  []string{"'My outgoing server requires authentication' is off, so the server refuses to relay to other domains.", "A firewall removes the login step.", "A recipient address does not exist."}},
	{Kind: KindOutlook, Code: "0x800CCC7A", Name: "IXP_E_SMTP_NO_SENDER", Problem: AddressSyntax, Confidence: "A",
		Meaning: "The message has no sender address.",
		Causes:  []string{"The e-mail address field of the account is empty or invalid."}},
	{Kind: KindOutlook, Code: "0x800CCC7B", Name: "IXP_E_SMTP_NO_RECIPIENTS", Problem: AddressSyntax, Confidence: "A",
		Meaning: "The message has no recipients.",
		Causes:  []string{"To, Cc and Bcc are all empty or unusable."}},
	{Kind: KindOutlook, Code: "0x800CCC7C", Name: "IXP_E_SMTP_530_STARTTLS_REQUIRED", Problem: AuthPlaintextRefused, Common: true, Confidence: "A",
		Meaning: "The outgoing server requires STARTTLS before anything else (SMTP 530).",
		Causes:  []string{"Encryption is switched off for the outgoing server."}},
	{Kind: KindOutlook, Code: "0x800CCC7D", Name: "IXP_E_SMTP_NO_STARTTLS_SUPPORT", Problem: STARTTLSNotOffered, Common: true, Confidence: "A",
		Meaning: "The mail program asked for an encrypted connection but the outgoing server does not offer STARTTLS.",
		Causes:  []string{"The port is wrong: the server offers encryption on another port (587 or 465).", "Antivirus, a firewall or the Internet provider strips STARTTLS from the connection."}},
	{Kind: KindOutlook, Code: "0x800CCC7E", Name: "IXP_S_SMTP_NO_DSN_SUPPORT", Info: true, Confidence: "A",
		Meaning: "The outgoing server does not support delivery status notifications (delivery receipts). The message itself is not affected.",
		Causes:  []string{"A delivery receipt was requested from a server that does not offer DSN."}},
	{Kind: KindOutlook, Code: "0x800CCC7F", Name: "IXP_E_SMTP_454_STARTTLS_FAILED", Problem: STARTTLSFailed, Common: true, Confidence: "A",
		Meaning: "The outgoing server could not start encryption (SMTP 454, TLS not available).",
		Causes:  []string{"The server's TLS set-up is broken, for example a missing certificate.", "A temporary server problem."}},
	{Kind: KindOutlook, Code: "0x800CCC80", Name: "Outlook: no common authentication method", Problem: AuthMechanism, Common: true, Confidence: "A",
		Meaning: "Outlook and the server share no authentication method ('None of the authentication methods supported by this client are supported by your server').",
		Causes:  []string{"The outgoing server settings do not match what the provider requires (for example SMTP authentication off, or 'log on to incoming mail server before sending' chosen instead).", "The server only offers OAuth2 (modern sign-in), which this Outlook cannot use.", "SPA is ticked but not offered."},
		Match:   []string{"None of the authentication methods supported by this client are supported by your server"}},

	// ----- Incoming mail (POP3) 0x800CCC90-97 -----
	{Kind: KindOutlook, Code: "0x800CCC90", Name: "IXP_E_POP3_RESPONSE_ERROR", Problem: AuthFailed, Generic: true, Confidence: "A",
		Meaning: "The POP3 server answered -ERR. It often appears as the 'Server Error' next to a more specific error number.",
		Causes:  []string{"Read the server response: most often it refuses the user name or password."}},
	{Kind: KindOutlook, Code: "0x800CCC91", Name: "IXP_E_POP3_INVALID_USER_NAME", Problem: AuthFailed, Confidence: "A",
		Meaning: "The POP3 server refused the user name.",
		Causes:  []string{"The user name has the wrong form: full e-mail address versus the part before the @.", "The account does not exist on this server."}},
	{Kind: KindOutlook, Code: "0x800CCC92", Name: "IXP_E_POP3_INVALID_PASSWORD", Problem: AuthFailed, Common: true, Confidence: "A",
		Meaning: "The POP3 server refused the password.",
		Causes:  []string{causeWrongPassword, causeAppPassword, "POP access is switched off for the account at the provider.", "Antivirus e-mail scanning interferes with the login."}},
	{Kind: KindOutlook, Code: "0x800CCC93", Name: "IXP_E_POP3_PARSE_FAILURE", Problem: ProtocolError, Confidence: "A",
		Meaning: "The mail program could not understand the POP3 server's answer.",
		Causes:  []string{"Something other than a POP3 server answers on this port.", "A proxy or antivirus scanner alters the answers."}},
	{Kind: KindOutlook, Code: "0x800CCC94", Name: "IXP_E_POP3_NEED_STAT", Problem: ProtocolError, Confidence: "A",
		Meaning: "The POP3 session was out of step (the mailbox status was needed first).",
		Causes:  []string{"The mail program and server do not work well together; a retry or client update helps."}},
	{Kind: KindOutlook, Code: "0x800CCC95", Name: "IXP_E_POP3_NO_MESSAGES", Info: true, Confidence: "A",
		Meaning: "There are no messages on the server. Nothing is wrong.",
		Causes:  []string{"The mailbox is empty."}},
	{Kind: KindOutlook, Code: "0x800CCC96", Name: "IXP_E_POP3_NO_MARKED_MESSAGES", Info: true, Confidence: "A",
		Meaning: "No messages were marked for download. Nothing is wrong.",
		Causes:  []string{"All messages were already downloaded."}},
	{Kind: KindOutlook, Code: "0x800CCC97", Name: "IXP_E_POP3_POPID_OUT_OF_RANGE", Problem: MailboxInUse, Confidence: "A",
		Meaning: "A message number was out of range: the mailbox changed during the session.",
		Causes:  []string{"Another device or program deleted or moved mail in the same mailbox at the same time."}},
	{Kind: KindOutlook, Code: "0x800420CB", Name: "POP3_NO_STORE", Problem: ServerTemporary, Confidence: "C",
		Meaning: "Mail could not be stored on the server (meaning known only from secondary lists).",
		Causes:  []string{"A storage problem on the server."}},

	// ----- Dial-up (RAS) 0x800CCCC2-C6 -----
	rasCode("0x800CCCC2", "IXP_E_RAS_NOT_INSTALLED", "Dial-up networking is not installed, but the account is set to dial."),
	rasCode("0x800CCCC3", "IXP_E_RAS_PROCS_NOT_FOUND", "Dial-up networking components are missing."),
	rasCode("0x800CCCC4", "IXP_E_RAS_ERROR", "The dial-up connection failed."),
	rasCode("0x800CCCC5", "IXP_E_RAS_INVALID_CONNECTOID", "The dial-up entry the account uses no longer exists."),
	rasCode("0x800CCCC6", "IXP_E_RAS_GET_DIAL_PARAMS", "The dial-up settings could not be read."),

	// ----- Incoming mail (IMAP) 0x800CCCD1-E0 -----
	{Kind: KindOutlook, Code: "0x800CCCD1", Name: "IXP_E_IMAP_LOGINFAILURE", Problem: AuthFailed, Common: true, Confidence: "A",
		Meaning: "The IMAP server refused the login.",
		Causes:  []string{causeWrongPassword, causeAppPassword, "The server refuses logins before encryption (LOGINDISABLED) and SSL is off.", "The server or user name points at the wrong mail system."}},
	{Kind: KindOutlook, Code: "0x800CCCD2", Name: "IXP_E_IMAP_TAGGED_NO_RESPONSE", Problem: PolicyRejected, Generic: true, Confidence: "A",
		Meaning: "The IMAP server answered NO: it refused the command. The server response says why.",
		Causes:  []string{"Read the server response: a missing folder, a full mailbox or missing permission are common reasons."}},
	{Kind: KindOutlook, Code: "0x800CCCD3", Name: "IXP_E_IMAP_BAD_RESPONSE", Problem: ProtocolError, Confidence: "A",
		Meaning: "The IMAP server answered BAD: it considered the mail program's command malformed.",
		Causes:  []string{"The mail program and server do not work well together.", "A proxy alters the commands."}},
	{Kind: KindOutlook, Code: "0x800CCCD4", Name: "IXP_E_IMAP_SVR_SYNTAXERR", Problem: ProtocolError, Confidence: "A",
		Meaning: "The IMAP server's answer had a syntax error.",
		Causes:  []string{"A faulty server or proxy."}},
	{Kind: KindOutlook, Code: "0x800CCCD5", Name: "IXP_E_IMAP_NOTIMAPSERVER", Problem: WrongProtocol, Common: true, Confidence: "A",
		Meaning: "The server on this port is not an IMAP server.",
		Causes:  []string{"The port belongs to another service, for example POP3 (110/995) or SMTP (25/587)."}},
	{Kind: KindOutlook, Code: "0x800CCCD6", Name: "IXP_E_IMAP_BUFFER_OVERFLOW", Problem: LocalSoftware, Confidence: "A",
		Meaning: "An internal buffer of the mail program overflowed.",
		Causes:  []string{causeInternalClient}, Step: stepRestartClient},
	{Kind: KindOutlook, Code: "0x800CCCD7", Name: "IXP_E_IMAP_RECVR_ERROR", Problem: LocalSoftware, Confidence: "A",
		Meaning: "The mail program's IMAP receiver failed internally.",
		Causes:  []string{causeInternalClient}, Step: stepRestartClient},
	{Kind: KindOutlook, Code: "0x800CCCD8", Name: "IXP_E_IMAP_INCOMPLETE_LINE", Problem: ConnectionClosed, Confidence: "A",
		Meaning: "An answer from the IMAP server was cut off.",
		Causes:  []string{"The connection dropped in the middle of an answer."}},
	{Kind: KindOutlook, Code: "0x800CCCD9", Name: "IXP_E_IMAP_CONNECTION_REFUSED", Problem: GreetingRejected, Common: true, Confidence: "A",
		Meaning: "The IMAP server said goodbye (BYE) instead of a greeting: it refuses this connection.",
		Causes:  []string{"The server is overloaded or in maintenance.", "The server blocks this address."}},
	{Kind: KindOutlook, Code: "0x800CCCDA", Name: "IXP_E_IMAP_UNRECOGNIZED_RESP", Problem: ProtocolError, Confidence: "A",
		Meaning: "The IMAP server sent an answer the mail program does not recognise.",
		Causes:  []string{"A non-standard server or a proxy."}},
	{Kind: KindOutlook, Code: "0x800CCCDB", Name: "IXP_E_IMAP_CHANGEDUID", Problem: ProtocolError, Confidence: "A",
		Meaning: "A message's unique ID changed unexpectedly on the IMAP server.",
		Causes:  []string{"The mailbox was rebuilt on the server."}, Step: "Resynchronise the folder (in Outlook Express: reset the folder or remove and re-add the account)."},
	{Kind: KindOutlook, Code: "0x800CCCDC", Name: "IXP_E_IMAP_UIDORDER", Problem: ProtocolError, Confidence: "A",
		Meaning: "The IMAP server listed message IDs out of order.",
		Causes:  []string{"A server bug or a rebuilt mailbox."}, Step: "Resynchronise the folder; report it to the provider if it keeps happening."},
	{Kind: KindOutlook, Code: "0x800CCCDD", Name: "IXP_E_IMAP_UNSOLICITED_BYE", Problem: ConnectionClosed, Confidence: "A",
		Meaning: "The IMAP server closed the session (BYE) without being asked.",
		Causes:  []string{"The session was idle too long.", "The server restarted.", "Too many connections from this account."}},
	{Kind: KindOutlook, Code: "0x800CCCDE", Name: "IXP_E_IMAP_IMPROPER_SVRSTATE", Problem: ProtocolError, Confidence: "A",
		Meaning: "The mail program sent an IMAP command in the wrong session state.",
		Causes:  []string{"A timing problem in the mail program; a retry usually works."}},
	{Kind: KindOutlook, Code: "0x800CCCDF", Name: "IXP_E_IMAP_AUTH_NOT_POSSIBLE", Problem: AuthMechanism, Confidence: "A",
		Meaning: "The IMAP server offers no login method this mail program supports.",
		Causes:  []string{"The server only allows OAuth2 (modern sign-in).", "The server disables password logins before encryption and SSL is off."}},
	{Kind: KindOutlook, Code: "0x800CCCE0", Name: "IXP_E_IMAP_OUT_OF_AUTH_METHODS", Problem: AuthFailed, Confidence: "A",
		Meaning: "Every login method was tried and none succeeded.",
		Causes:  []string{causeWrongPassword, causeAppPassword}},

	// ----- Outlook 2002-365 and MAPI codes in send/receive dialogs -----
	{Kind: KindOutlook, Code: "0x80042108", Name: "Outlook: cannot connect to the incoming (POP3) server", Problem: ConnectRefused, Also: []string{ConnectTimeout}, Confidence: "C",
		Meaning: "Outlook cannot connect to the incoming (POP3) server.",
		Causes:  []string{"Wrong incoming server name, port or SSL setting.", "No network connection.", "A firewall or antivirus blocks Outlook."}},
	{Kind: KindOutlook, Code: "0x80042109", Name: "Outlook: cannot connect to the outgoing (SMTP) server", Problem: ConnectTimeout, Also: []string{ConnectRefused}, Common: true, Confidence: "B",
		Meaning: "Outlook cannot connect to the outgoing (SMTP) server.",
		Causes:  []string{causePort25Blocked, "Wrong outgoing server name, port or encryption setting.", "A firewall or antivirus blocks Outlook."},
		Refine:  []Refinement{{When: Context{Ports: smtpPort25}, Step: stepPort25}}},
	{Kind: KindOutlook, Code: "0x8004210A", Name: "Outlook: incoming (POP3) server timed out", Problem: ResponseTimeout, Common: true, Confidence: "C",
		Meaning: "Outlook timed out waiting for the incoming (POP3) server.",
		Causes:  []string{"The server is slow or the mailbox is large.", "Antivirus scans incoming mail and delays it.", "The server time-out in Outlook is set too short."}},
	{Kind: KindOutlook, Code: "0x8004210B", Name: "Outlook: outgoing (SMTP) server timed out", Problem: ResponseTimeout, Common: true, Confidence: "B",
		Meaning: "Outlook timed out waiting for the outgoing (SMTP) server.",
		Causes:  []string{"A large attachment over a slow upload.", "Antivirus scans outgoing mail and delays it.", "The encryption setting does not match the port, so the server never answers.", "On Exchange: sending as another user without permission."}},
	{Kind: KindOutlook, Code: "0x800C0131", Name: "Outlook Express: unknown error (message store)", Problem: LocalStore, Confidence: "C",
		Meaning: "Outlook Express reports an unknown error that comes from its own message store (DBX files).",
		Causes:  []string{"Folders.dbx or another Outlook Express store file is damaged."}},
	{Kind: KindOutlook, Code: "0x800C0133", Name: "Outlook Express/Outlook: unknown error (data storage)", Problem: LocalStore, Also: []string{LocalSoftware}, Confidence: "C",
		Meaning: "An unknown error that secondary sources tie to the local message store or to antivirus integration.",
		Causes:  []string{"The local message store (DBX or PST) is damaged.", "Antivirus blocks access to the store."}},
	{Kind: KindOutlook, Code: "0x80040119", Name: "MAPI_E_EXTENDED_ERROR", Problem: LocalStore, Also: []string{LocalSoftware}, Common: true, Confidence: "A",
		Meaning: "A generic MAPI failure; Outlook shows 'An unknown error has occurred'.",
		Causes:  []string{"The Outlook data file (PST) is damaged.", "An antivirus add-in interferes with send/receive."},
		Step:    stepScanPST},
	{Kind: KindOutlook, Code: "0x80040600", Name: "MAPI_E_CORRUPT_STORE", Problem: LocalStore, Common: true, Confidence: "A",
		Meaning: "Outlook's data file is damaged.",
		Causes:  []string{"The PST file is corrupt.", "An old-format PST file is at or near its 2 GB limit."},
		Step:    stepScanPST},
	{Kind: KindOutlook, Code: "0x80040115", Name: "MAPI_E_NETWORK_ERROR", Problem: NetworkUnreachable, Confidence: "C",
		Meaning: "Outlook lost its connection to the Exchange server.",
		Causes:  []string{"The server cannot be reached from this network.", "Outlook is working offline."}},
	{Kind: KindOutlook, Code: "0x8004010F", Name: "MAPI_E_NOT_FOUND", Problem: LocalStore, Confidence: "C",
		Meaning: "Outlook could not find an object it needs, such as its data file or the address book.",
		Causes:  []string{"The profile points to a data file that was moved or deleted.", "The offline address book cannot be downloaded."}},

	// ----- Winsock errors ("Socket Error: N") -----
	{Kind: KindWinsock, Code: "10013", Name: "WSAEACCES", Problem: LocalSoftware, Common: true, Confidence: "A",
		Meaning: "Windows refused the program access to the network socket.",
		Causes:  []string{"A firewall or antivirus blocks the mail program, for example 'mass-mailing' protection on port 25."}},
	{Kind: KindWinsock, Code: "10024", Name: "WSAEMFILE", Problem: LocalResources, Confidence: "A",
		Meaning: "This computer has too many sockets open to open another one.",
		Causes:  []string{"A program on this computer holds very many connections open.", "Antivirus or firewall software leaks sockets."}},
	{Kind: KindWinsock, Code: "10048", Name: "WSAEADDRINUSE", Problem: LocalSoftware, Confidence: "A",
		Meaning: "The local network address or port is already in use.",
		Causes:  []string{"The computer ran out of local ports, or other software holds them."}},
	{Kind: KindWinsock, Code: "10050", Name: "WSAENETDOWN", Problem: NetworkUnreachable, Confidence: "A",
		Meaning: "The network is down on this computer.",
		Causes:  []string{"Wi-Fi or the network adapter is off.", "A VPN client broke the network stack."}},
	{Kind: KindWinsock, Code: "10051", Name: "WSAENETUNREACH", Problem: NetworkUnreachable, Common: true, Confidence: "A",
		Meaning: "The computer has no route to the server's network.",
		Causes:  []string{"No default gateway: the network connection is incomplete.", "A VPN changes the routes."}},
	{Kind: KindWinsock, Code: "10053", Name: "WSAECONNABORTED", Problem: LocalSoftware, Also: []string{ConnectionReset}, Common: true, Confidence: "A",
		Meaning: "Software on this computer aborted the connection.",
		Causes:  []string{causeAVScanner, "The encrypted connection could not be negotiated."}},
	{Kind: KindWinsock, Code: "10054", Name: "WSAECONNRESET", Problem: ConnectionReset, Common: true, Confidence: "A",
		Meaning: "The server, or something on the way, reset the connection.",
		Causes:  []string{"The encryption setting does not match the port.", "A firewall on the way cuts the connection.", "The server restarted.", "The server temporarily blocks the address after failed logins."}},
	{Kind: KindWinsock, Code: "10055", Name: "WSAENOBUFS", Problem: LocalResources, Confidence: "A",
		Meaning: "This computer has no buffer space left for another socket operation.",
		Causes:  []string{"Too many connections are open on this computer.", "A network filter or antivirus driver leaks buffers."}},
	{Kind: KindWinsock, Code: "10060", Name: "WSAETIMEDOUT", Problem: ConnectTimeout, Common: true, Confidence: "A",
		Meaning: "The connection attempt got no answer in time.",
		Causes:  []string{"A firewall or the Internet provider blocks the port.", "The server is down.", "The server name points to a wrong address."},
		Refine: []Refinement{
			{When: Context{Ports: smtpPort25}, Causes: []string{causePort25Blocked}, Step: stepPort25},
			{When: Context{Security: "plain", Ports: implicitTLSPorts}, Causes: []string{causePlainOnTLSPort}},
		}},
	{Kind: KindWinsock, Code: "10061", Name: "WSAECONNREFUSED", Problem: ConnectRefused, Common: true, Confidence: "A",
		Meaning: "The server's computer answered but refused the connection: nothing listens on that port.",
		Causes:  []string{"The port is wrong.", "SSL is ticked and the client connects to the SSL port, which this server does not offer.", "The mail service on the server is not running."},
		Refine:  []Refinement{{When: Context{Security: "tls"}, Causes: []string{"SSL is ticked and the server does not offer SSL on this port; the provider may only offer STARTTLS on 587/143/110."}}}},
	{Kind: KindWinsock, Code: "10064", Name: "WSAEHOSTDOWN", Problem: ConnectTimeout, Confidence: "A",
		Meaning: "The server's computer is down.",
		Causes:  []string{"The server is offline."}},
	{Kind: KindWinsock, Code: "10065", Name: "WSAEHOSTUNREACH", Problem: NetworkUnreachable, Common: true, Confidence: "A",
		Meaning: "There is no route to the server's computer.",
		Causes:  []string{"A routing, VPN or firewall problem."}},
	{Kind: KindWinsock, Code: "11001", Name: "WSAHOST_NOT_FOUND", Problem: DNSNotFound, Common: true, Confidence: "A",
		Meaning: "The server name does not exist: DNS answered that there is no such name.",
		Causes:  []string{"The server name is misspelt or is a short name such as 'pop3'.", "The domain does not exist or has expired.", "The computer is not connected to the Internet."}},
	{Kind: KindWinsock, Code: "11002", Name: "WSATRY_AGAIN", Problem: DNSServerFailure, Also: []string{DNSTimeout}, Common: true, Confidence: "A",
		Meaning: "The name lookup failed temporarily: the DNS server did not give a definite answer.",
		Causes:  []string{"The DNS server is unreachable or slow.", "A VPN changed the DNS servers."}},
	{Kind: KindWinsock, Code: "11003", Name: "WSANO_RECOVERY", Problem: DNSRefused, Common: true, Confidence: "A",
		Meaning: "The name lookup failed with an error that retrying will not fix.",
		Causes:  []string{"The DNS server is broken or refuses to answer this computer."}},
	{Kind: KindWinsock, Code: "11004", Name: "WSANO_DATA", Problem: DNSNoAddress, Common: true, Confidence: "A",
		Meaning: "The name exists but has no address of the kind requested.",
		Causes:  []string{"The bare domain was entered as the server name; it has mail (MX) records but no server address.", "The server's address record is missing."}},

	// ----- SMTP basic reply codes (RFC 5321 section 4.2; RFC 3207 STARTTLS; RFC 4954 AUTH) -----
	smtpInfo("211", "System status", "A status or help reply. Not an error."),
	smtpInfo("214", "Help message", "Help text from the server. Not an error."),
	smtpInfo("220", "Service ready", "The server greets the client and is ready (after STARTTLS: ready to start encryption). Not an error."),
	smtpInfo("221", "Closing channel", "The server ends the session normally. Not an error."),
	smtpInfo("235", "Authentication succeeded", "The login was accepted. Not an error."),
	smtpInfo("250", "Requested action OK", "The command succeeded. Not an error."),
	smtpInfo("251", "User not local, will forward", "The server accepted the recipient and will forward the message. Not an error."),
	smtpInfo("252", "Cannot verify, will attempt delivery", "The server cannot check the address but will try to deliver. Not an error."),
	smtpInfo("334", "Authentication continues", "The server asks for the next step of the login. Not an error."),
	smtpInfo("354", "Start mail input", "The server is ready for the message text. Not an error."),
	{Kind: KindSMTP, Code: "421", Name: "Service not available, closing channel", Problem: GreetingTempFail, Confidence: "A",
		Meaning: "The server is not available right now and is closing the connection; it may say this in answer to any command.",
		Causes:  []string{"The server is overloaded or restarting.", "The server throttles this address or account.", "The session was idle too long."}},
	{Kind: KindSMTP, Code: "432", Name: "A password transition is needed", Problem: AuthMechanism, Confidence: "A",
		Meaning: "The server needs the user to log in once with a plain password so it can convert the stored password.",
		Causes:  []string{"The provider changed how passwords are stored."}},
	{Kind: KindSMTP, Code: "450", Name: "Mailbox unavailable (temporary)", Problem: ServerTemporary, Confidence: "A",
		Meaning: "The action was refused for now: the mailbox is busy or temporarily blocked. A later retry may work.",
		Causes:  []string{"Greylisting: the receiving server asks new senders to retry later.", "A temporary policy block or rate limit."}},
	{Kind: KindSMTP, Code: "451", Name: "Local error in processing", Problem: ServerTemporary, Confidence: "A",
		Meaning: "The server hit a temporary error while handling the request.",
		Causes:  []string{"A temporary fault on the server.", "Microsoft 365 also uses 451 with 5.7.3 when STARTTLS was not used."}},
	{Kind: KindSMTP, Code: "452", Name: "Insufficient system storage", Problem: ServerTemporary, Also: []string{RateLimited}, Confidence: "A",
		Meaning: "The server cannot take the message now: it lacks storage, or the message has too many recipients.",
		Causes:  []string{"The message has more recipients than the server accepts at once.", "The server's disk is full."}},
	{Kind: KindSMTP, Code: "454", Name: "TLS not available / temporary authentication failure", Problem: AuthTemporary, Also: []string{STARTTLSFailed}, Confidence: "A",
		Meaning: "A temporary failure of encryption (after STARTTLS) or of the login system (after AUTH).",
		Causes:  []string{"The server's login back end is temporarily failing.", "The server's TLS set-up is temporarily broken."}},
	{Kind: KindSMTP, Code: "455", Name: "Server unable to accommodate parameters", Problem: ProtocolError, Confidence: "A",
		Meaning: "The server cannot handle a parameter of the sender or recipient command right now.",
		Causes:  []string{"The mail program uses an SMTP extension the server does not support."}},
	{Kind: KindSMTP, Code: "500", Name: "Syntax error, command unrecognised", Problem: ProtocolError, Confidence: "A",
		Meaning: "The server did not understand the command (or the line was too long).",
		Causes:  []string{"Something other than an SMTP server answers on this port.", "A proxy or antivirus scanner alters the commands."}},
	{Kind: KindSMTP, Code: "501", Name: "Syntax error in parameters", Problem: AddressSyntax, Confidence: "A",
		Meaning: "The server rejected the argument of a command, usually an address it cannot parse.",
		Causes:  []string{"An address contains a typo, space, quote or stray character.", "The account's e-mail address field is malformed."}},
	{Kind: KindSMTP, Code: "502", Name: "Command not implemented", Problem: ProtocolError, Confidence: "A",
		Meaning: "The server does not implement the command.",
		Causes:  []string{"The client uses a feature (often authentication or STARTTLS) that the server does not offer on this port."}},
	{Kind: KindSMTP, Code: "503", Name: "Bad sequence of commands", Problem: AuthRequired, Generic: true, Confidence: "A",
		Meaning: "The commands came in the wrong order, for example a recipient before a sender, or mail before the required login.",
		Causes:  []string{"The server wants a login first and outgoing authentication is off.", "A fault in the mail program or a proxy."}},
	{Kind: KindSMTP, Code: "504", Name: "Command parameter not implemented", Problem: AuthMechanism, Confidence: "A",
		Meaning: "The server does not support a parameter of the command, typically the requested login method.",
		Causes:  []string{"The chosen authentication method is not offered."}},
	{Kind: KindSMTP, Code: "530", Name: "Must issue STARTTLS first / Authentication required", Problem: AuthRequired, Confidence: "A",
		Meaning: "The server requires something first: encryption with STARTTLS (RFC 3207) or a login (RFC 4954). The text after the code says which.",
		Causes:  []string{"'My outgoing server requires authentication' is off.", "Encryption (STARTTLS) is off for the outgoing server."},
		Refine:  []Refinement{{When: Context{Security: "plain"}, Causes: []string{"Encryption is off for this server; it may want STARTTLS before anything else."}}}},
	{Kind: KindSMTP, Code: "534", Name: "Authentication mechanism is too weak", Problem: AuthAppPassword, Also: []string{AuthMechanism}, Confidence: "A",
		Meaning: "The login method is too weak for the server's policy. Gmail uses 534 when the normal password is refused and an app password or a browser sign-in is required.",
		Causes:  []string{causeAppPassword, "The provider wants the sign-in confirmed in a web browser first.", "The chosen login method is too weak for the server."}},
	{Kind: KindSMTP, Code: "535", Name: "Authentication credentials invalid", Problem: AuthFailed, Confidence: "A",
		Meaning: "The server refused the user name or password.",
		Causes:  []string{causeWrongPassword, "The user name has the wrong form (full address versus local part).", causeAppPassword, "The provider has switched password logins off (OAuth2 only)."}},
	{Kind: KindSMTP, Code: "538", Name: "Encryption required for requested authentication mechanism", Problem: AuthPlaintextRefused, Confidence: "A",
		Meaning: "The login method may only be used over an encrypted connection.",
		Causes:  []string{"Encryption (STARTTLS or SSL/TLS) is off for this server."}},
	{Kind: KindSMTP, Code: "550", Name: "Mailbox unavailable", Problem: RecipientRejected, Generic: true, Confidence: "A",
		Meaning: "The server permanently refused the action: the mailbox was not found, access was denied, or a policy blocked it. The enhanced code and text say which.",
		Causes:  []string{"The recipient address does not exist.", "The server refuses to relay because the client did not log in.", "A spam or policy block."}},
	{Kind: KindSMTP, Code: "551", Name: "User not local", Problem: RecipientRejected, Confidence: "A",
		Meaning: "The recipient is not handled by this server, which will not forward the message.",
		Causes:  []string{"The message was sent to the wrong server for that recipient."}},
	{Kind: KindSMTP, Code: "552", Name: "Exceeded storage allocation", Problem: MessageTooLarge, Confidence: "A",
		Meaning: "The message is larger than allowed, or the recipient's storage is used up.",
		Causes:  []string{"The attachments exceed the server's size limit.", "The recipient's mailbox is full."}},
	{Kind: KindSMTP, Code: "553", Name: "Mailbox name not allowed", Problem: SenderRejected, Also: []string{AddressSyntax}, Confidence: "A",
		Meaning: "The server does not allow the mailbox name: the sender is not permitted or an address is malformed.",
		Causes:  []string{"The sender address does not belong to the logged-in user.", "The client did not log in, so the server will not accept mail for other domains.", "An address is malformed."}},
	{Kind: KindSMTP, Code: "554", Name: "Transaction failed", Problem: PolicyRejected, Generic: true, Confidence: "A",
		Meaning: "The server refused the transaction; when sent as the greeting it means no SMTP service for this client.",
		Causes:  []string{"Spam filtering or a policy rule rejected the message.", "Relaying was refused because the client did not log in.", "The sending address is on a blocklist."}},
	{Kind: KindSMTP, Code: "555", Name: "MAIL FROM/RCPT TO parameters not recognised", Problem: ProtocolError, Confidence: "A",
		Meaning: "The server does not recognise a parameter of the sender or recipient command.",
		Causes:  []string{"The mail program uses an SMTP extension the server does not support."}},

	// ----- Enhanced status codes (RFC 3463, IANA registry): class, subject, then details -----
	{Kind: KindEnhanced, Code: "2.X.X", Name: "Success", Info: true, Generic: true, Confidence: "A",
		Meaning: "A 2 in front means success.", Causes: []string{"The action completed."}},
	{Kind: KindEnhanced, Code: "4.X.X", Name: "Persistent transient failure", Problem: ServerTemporary, Generic: true, Confidence: "A",
		Meaning: "A 4 in front means a temporary failure: the request was valid and a later retry may succeed.",
		Causes:  []string{"A temporary condition on the server or on the way."}},
	{Kind: KindEnhanced, Code: "5.X.X", Name: "Permanent failure", Problem: PolicyRejected, Generic: true, Confidence: "A",
		Meaning: "A 5 in front means a permanent failure: sending again unchanged will fail the same way.",
		Causes:  []string{"Read the text after the code: it names the reason."}},
	enhancedSubject("X.0.X", "Other or undefined status", PolicyRejected, "A status with no more specific category; the text says what happened."),
	enhancedSubject("X.1.X", "Addressing status", RecipientRejected, "A problem with an address, of the sender or of a recipient."),
	enhancedSubject("X.2.X", "Mailbox status", RecipientRejected, "A problem with the recipient's mailbox."),
	enhancedSubject("X.3.X", "Mail system status", ServerTemporary, "A problem with the receiving mail system."),
	enhancedSubject("X.4.X", "Network and routing status", ServerTemporary, "A network or routing problem between mail servers."),
	enhancedSubject("X.5.X", "Mail delivery protocol status", ProtocolError, "A problem in the SMTP conversation itself."),
	enhancedSubject("X.6.X", "Message content or media status", PolicyRejected, "A problem with the message's content or format."),
	enhancedSubject("X.7.X", "Security or policy status", PolicyRejected, "A security or policy decision: authentication, filtering or encryption."),

	enhanced("X.0.0", "Other undefined status", PolicyRejected, "An unspecified status; only the text after the code explains it.", "Read the server's text.").generic(),
	enhanced("X.1.0", "Other address status", RecipientRejected, "Something is wrong with an address, sender or recipient.", "An address is mistyped.").generic(),
	enhanced("X.1.1", "Bad destination mailbox address", RecipientRejected, "The recipient's mailbox (the part before the @) does not exist.", "The recipient address is misspelt.", "The recipient left or the mailbox was deleted."),
	enhanced("X.1.2", "Bad destination system address", RecipientRejected, "The recipient's domain (after the @) is invalid or cannot receive mail.", "The domain of the recipient is misspelt.", "The recipient's domain has no working mail servers."),
	enhanced("X.1.3", "Bad destination mailbox address syntax", AddressSyntax, "The recipient address is not a valid address.", "The address contains a space, quotes or stray characters.", "Angle brackets or the domain are missing."),
	enhanced("X.1.4", "Destination mailbox address ambiguous", RecipientRejected, "The recipient address matches more than one mailbox.", "The server's directory has duplicate entries."),
	enhancedInfo("X.1.5", "Destination address valid", "The recipient address was accepted. Not an error."),
	enhanced("X.1.6", "Destination mailbox has moved", RecipientRejected, "The recipient's mailbox moved and there is no forwarding address.", "The recipient changed address."),
	enhanced("X.1.7", "Bad sender's mailbox address syntax", AddressSyntax, "The sender address is not a valid address.", "The e-mail address field in the account settings is malformed."),
	enhanced("X.1.8", "Bad sender's system address", SenderRejected, "The sender's domain is invalid or cannot receive replies.", "The sender's domain is misspelt or has no mail servers."),
	enhancedInfo("X.1.9", "Message relayed to non-compliant mailer", "The message was passed on to a mail system that may not return full delivery reports."),
	enhanced("X.1.10", "Recipient address has null MX", RecipientRejected, "The recipient's domain says it accepts no mail at all (null MX).", "The recipient domain does not receive e-mail."),
	enhanced("X.2.0", "Other or undefined mailbox status", RecipientRejected, "Something is wrong with the recipient's mailbox.", "The mailbox is unavailable.").generic(),
	enhanced("X.2.1", "Mailbox disabled", RecipientRejected, "The recipient's mailbox is disabled and accepts no messages.", "The recipient's account was suspended or closed."),
	enhanced("X.2.2", "Mailbox full", MailboxFull, "The recipient's mailbox is full: it has used up its storage quota.", causeQuotaFull, causeQuotaLarge),
	enhanced("X.2.3", "Message length exceeds administrative limit", MessageTooLarge, "The message is larger than the recipient's mailbox allows.", "The attachments are too large."),
	enhanced("X.2.4", "Mailing list expansion problem", RecipientRejected, "The mailing list could not be expanded to its members.", "The list is misconfigured."),
	enhanced("X.3.0", "Other or undefined mail system status", ServerTemporary, "The receiving mail system has an unspecified problem.", "A fault on the receiving server.").generic(),
	enhanced("X.3.1", "Mail system full", ServerTemporary, "The receiving mail system is out of storage.", "The receiving server's disk is full."),
	enhanced("X.3.2", "System not accepting network messages", ServerTemporary, "The receiving system is not accepting mail now.", "Maintenance or overload on the receiving server."),
	enhanced("X.3.3", "System not capable of selected features", ProtocolError, "The receiving system does not support a feature the message needs.", "The message uses an extension the server lacks."),
	enhanced("X.3.4", "Message too big for system", MessageTooLarge, "The message is larger than the receiving system's size limit.", "The attachments are too large."),
	enhanced("X.3.5", "System incorrectly configured", ServerTemporary, "The receiving system is misconfigured.", "A configuration error at the provider."),
	enhancedInfo("X.3.6", "Requested priority was changed", "The server changed the priority of the message."),
	enhanced("X.4.0", "Other or undefined network or routing status", ServerTemporary, "A network or routing problem between mail servers.", "A temporary network problem.").generic(),
	enhanced("X.4.1", "No answer from host", ServerTemporary, "The next mail server did not answer.", "The recipient's mail server is down or unreachable."),
	enhanced("X.4.2", "Bad connection", ServerTemporary, "The connection to the next mail server broke during the transfer.", "A poor or interrupted network link."),
	enhanced("X.4.3", "Directory server failure", DNSServerFailure, "A directory (DNS) lookup failed, usually temporarily.", "The DNS servers of the sender or recipient are failing."),
	enhanced("X.4.4", "Unable to route", RecipientRejected, "There is no usable route (no DNS or MX data) to the recipient's domain.", "The recipient's domain is misspelt or has no mail servers."),
	enhanced("X.4.5", "Mail system congestion", RateLimited, "The mail system is congested or limiting traffic.", "Too many messages or connections in a short time."),
	enhanced("X.4.6", "Routing loop detected", ServerTemporary, "The message went round in a loop between servers.", "A forwarding loop between two addresses or servers."),
	enhanced("X.4.7", "Delivery time expired", ServerTemporary, "The message could not be delivered in time and was given up.", "The recipient's server was unreachable for days."),
	enhanced("X.5.0", "Other or undefined protocol status", ProtocolError, "An unspecified problem in the SMTP conversation.", "A fault in the client, a proxy or the server.").generic(),
	enhanced("X.5.1", "Invalid command", ProtocolError, "A command was invalid or out of sequence.", "The client sent commands in the wrong order."),
	enhanced("X.5.2", "Syntax error", ProtocolError, "A command had a syntax error or was not recognised.", "A proxy, scanner or faulty client."),
	enhanced("X.5.3", "Too many recipients", RateLimited, "The message has more recipients than allowed.", "Too many addresses in To, Cc and Bcc; split the message."),
	enhanced("X.5.4", "Invalid command arguments", ProtocolError, "A command's arguments were invalid.", "The client uses parameters the server does not accept."),
	enhanced("X.5.5", "Wrong protocol version", ProtocolError, "The protocol versions do not match.", "An old or unusual client or server."),
	enhanced("X.5.6", "Authentication exchange line is too long", ProtocolError, "A line of the login exchange was longer than the server allows.", "A very long login token (OAuth2) on a server with a short line limit."),
	enhanced("X.6.0", "Other or undefined media error", PolicyRejected, "An unspecified problem with the message's content.", "The content was refused.").generic(),
	enhanced("X.6.1", "Media not supported", PolicyRejected, "The message contains a content type the server does not accept.", "An attachment type is blocked."),
	enhanced("X.6.2", "Conversion required and prohibited", PolicyRejected, "The message would need converting, which is not allowed.", "The message format does not suit the receiving system."),
	enhanced("X.6.3", "Conversion required but not supported", PolicyRejected, "The message would need converting (for example from 8-bit), which the server cannot do.", "The message uses 8-bit or binary content."),
	enhancedInfo("X.6.4", "Conversion with loss performed", "The message was converted and lost some detail."),
	enhanced("X.6.5", "Conversion failed", PolicyRejected, "Converting the message failed.", "The message format is unusual or damaged."),
	enhanced("X.6.6", "Message content not available", PolicyRejected, "Content the message refers to could not be fetched.", "A referenced message part (BURL) is unavailable."),
	enhanced("X.6.7", "Non-ASCII addresses not permitted", AddressSyntax, "An address with non-ASCII (international) characters is not accepted.", "The address contains accented or non-Latin characters."),
	enhanced("X.6.8", "UTF-8 string reply is required, but not permitted by the SMTP client", ProtocolError, "The server would have to answer with UTF-8 text, which the client did not allow (RFC 6531).", "The client did not announce SMTPUTF8 for a message with international addresses."),
	enhanced("X.6.9", "UTF-8 header message cannot be transferred to one or more recipients", PolicyRejected, "The message has UTF-8 headers, which a server on the way to a recipient cannot take (RFC 6531).", "A recipient's server does not support SMTPUTF8."),
	enhanced("X.6.10", "UTF-8 string reply is required, but not permitted by the SMTP client", ProtocolError, "The same condition as X.6.8, registered again by RFC 6533 for delivery reports.", "The client did not announce SMTPUTF8."),
	enhanced("X.7.0", "Other or undefined security status", PolicyRejected, "A security or policy refusal without more detail; the text says whether encryption, a login or something else is missing.", "Read the server's text: 'Must issue a STARTTLS command first' and 'Authentication required' are common.").generic(),
	enhanced("X.7.1", "Delivery not authorized, message refused", PolicyRejected, "The server is not willing to take the message: relaying refused, spam or blocklist, or a sender that is not allowed.", "Relaying was refused because the client did not log in.", "Spam filtering or a blocklist.", "The sender is not permitted."),
	enhanced("X.7.2", "Mailing list expansion prohibited", PolicyRejected, "The sender may not send to this mailing list.", "The list only accepts its members or approved senders."),
	enhanced("X.7.3", "Security conversion required but not possible", PolicyRejected, "The message needs a security conversion that is not possible. Microsoft uses 5.7.3 differently: see that entry.", "A security requirement cannot be met."),
	enhanced("X.7.4", "Security features not supported", TLSHandshake, "A requested security feature (encryption or login) is not supported.", "The server lacks the requested TLS or login feature."),
	enhanced("X.7.5", "Cryptographic failure", TLSHandshake, "A cryptographic operation failed.", "Broken encryption set-up or certificates."),
	enhanced("X.7.6", "Cryptographic algorithm not supported", TLSHandshake, "A cryptographic algorithm is not supported.", "Old or unusual encryption settings."),
	enhanced("X.7.7", "Message integrity failure", PolicyRejected, "The message failed an integrity check.", "The message was altered on the way."),
	enhanced("X.7.8", "Authentication credentials invalid", AuthFailed, "The login was refused: the credentials are wrong or not enough.", causeWrongPassword, causeAppPassword, "The provider only accepts OAuth2 sign-in."),
	{Kind: KindEnhanced, Code: "X.7.9", Name: "Authentication mechanism is too weak", Problem: AuthMechanism, Confidence: "A",
		Meaning: "The login method is too weak for the server's policy. Gmail reuses 534 5.7.9 for 'Application-specific password required'.",
		Causes:  []string{"The provider requires an app password (Gmail) or a stronger login method."},
		Refine: []Refinement{
			{When: Context{ReplyCodes: []string{"534"}}, Problem: AuthAppPassword, Causes: []string{causeAppPassword}},
			// Yahoo and others answer a message (not a login) with 554 5.7.9 "not accepted for policy reasons".
			{When: Context{ReplyCodes: []string{"550", "554"}}, Problem: PolicyRejected,
				Meaning: "With 550 or 554 the server refuses the message, not a login: Yahoo and others use 5.7.9 for mail they do not accept for policy reasons.",
				Causes:  []string{"The message failed the receiver's content or spam checks.", "The sender's domain does not pass SPF, DKIM or DMARC for this server.", "The sending server or domain has a poor reputation with the receiver."}},
		}},
	enhanced("X.7.10", "Encryption needed", AuthPlaintextRefused, "The login method requires encryption first.", "Encryption is off for this server."),
	enhanced("X.7.11", "Encryption required for requested authentication mechanism", AuthPlaintextRefused, "The login method may only be used on an encrypted connection.", "Encryption is off for this server."),
	enhanced("X.7.12", "A password transition is needed", AuthMechanism, "The server needs one plain password login to convert the stored password.", "The provider changed how passwords are stored."),
	enhanced("X.7.13", "User account disabled", AuthAccountDisabled, "The user's account is disabled.", "The provider or administrator suspended the account."),
	enhanced("X.7.14", "Trust relationship required", AuthAppPassword, "The registry meaning is 'trust relationship required'; Gmail uses 534 5.7.14 to demand a sign-in through a web browser first.", "Google blocked the sign-in as unusual until it is confirmed in a browser.", causeAppPassword),
	enhanced("X.7.15", "Priority level is too low", PolicyRejected, "The message's priority is too low for the server.", "A server policy on message priority."),
	enhanced("X.7.16", "Message is too big for the specified priority", MessageTooLarge, "The message is too large for its priority level.", "Large attachments."),
	enhanced("X.7.17", "Mailbox owner has changed", RecipientRejected, "The recipient mailbox now belongs to someone else.", "The address was reassigned."),
	enhanced("X.7.18", "Domain owner has changed", RecipientRejected, "The recipient's domain has a new owner.", "The domain was transferred."),
	enhanced("X.7.19", "RRVS test cannot be completed", PolicyRejected, "The server could not check whether the recipient address was reassigned.", "The server does not support the check."),
	enhanced("X.7.20", "No passing DKIM signature found", AuthenticationPolicy, "The message has no DKIM signature that passes.", "The sending domain does not sign its mail with DKIM."),
	enhanced("X.7.21", "No acceptable DKIM signature found", AuthenticationPolicy, "The message has no DKIM signature the receiver accepts.", "The DKIM signature uses a weak key or wrong domain."),
	enhanced("X.7.22", "No valid author-matched DKIM signature found", AuthenticationPolicy, "No DKIM signature matches the From domain.", "The mail is signed by another domain than the one in From."),
	enhanced("X.7.23", "SPF validation failed", AuthenticationPolicy, "The sending server is not listed in the sender domain's SPF record.", "Mail is sent through a server the domain's SPF record does not include."),
	enhanced("X.7.24", "SPF validation error", AuthenticationPolicy, "The SPF check could not be completed.", "The sender domain's SPF record is broken or its DNS failed."),
	enhanced("X.7.25", "Reverse DNS validation failed", PolicyRejected, "The sending server's address has no matching reverse DNS name.", "Mail is sent directly from a home or office connection instead of the provider's server."),
	enhanced("X.7.26", "Multiple authentication checks failed", AuthenticationPolicy, "Several sender checks failed. Gmail uses 550 5.7.26 for unauthenticated mail and DMARC rejections.", "The sender domain's SPF and DKIM do not cover this sending server.", "The sender domain's DMARC policy rejects unaligned mail."),
	enhanced("X.7.27", "Sender address has null MX", SenderRejected, "The sender's domain says it accepts no mail, so it cannot receive replies.", "The sender domain publishes a null MX."),
	enhanced("X.7.28", "Mail flood detected", RateLimited, "The server detected a flood of similar messages.", "Too many messages in a short time."),
	enhanced("X.7.29", "ARC validation failure", AuthenticationPolicy, "The message's forwarding (ARC) signatures did not validate.", "A forwarding service broke the signatures."),
	enhanced("X.7.30", "REQUIRETLS support required", STARTTLSNotOffered, "The message requires encryption all the way, which a server on the path does not support.", "A server on the path lacks REQUIRETLS."),
	// Class-specific readings that differ from the registry.
	{Kind: KindEnhanced, Code: "4.7.0", Name: "Other security status (temporary)", Problem: ServerTemporary, Confidence: "A",
		Meaning: "A temporary security or policy refusal: throttling, greylisting or a temporary login failure.",
		Causes:  []string{"The server throttles this address or account.", "Greylisting.", "The login system is temporarily failing."},
		Refine: []Refinement{
			{When: Context{ReplyCodes: []string{"454"}}, Problem: AuthTemporary, Causes: []string{"The server's login back end is temporarily failing."}},
			{When: Context{ReplyCodes: []string{"421"}}, Problem: RateLimited, Causes: []string{"The server throttles this address or account (Gmail: 'Try again later')."}},
		}},
	{Kind: KindEnhanced, Code: "4.7.1", Name: "Delivery not authorized (temporary)", Problem: ServerTemporary, Confidence: "A",
		Meaning: "The server refuses the message for now, for a policy reason.",
		Causes:  []string{"Greylisting: the server asks new senders to retry later.", "The sending address has no reverse DNS name."}},
	{Kind: KindEnhanced, Code: "4.7.8", Name: "Authentication credentials invalid (temporary)", Problem: AuthFailed, Confidence: "B",
		Meaning: "A relay server keeps the message queued because its own login to the next server was refused.",
		Causes:  []string{"The relay's stored password for the outgoing provider is wrong or needs an app password."}},
	{Kind: KindEnhanced, Code: "5.7.3", Name: "Authentication unsuccessful (Microsoft)", Problem: AuthFailed, Confidence: "B",
		Meaning: "Microsoft 365 / Exchange Online uses 5.7.3 for a refused login ('535 5.7.3 Authentication unsuccessful') and, with 451, for a missing STARTTLS.",
		Causes:  []string{causeWrongPassword, "Multi-factor sign-in is on and no app password is used.", "SMTP authentication is disabled for the mailbox.", "A conditional-access rule blocks the sign-in."},
		Refine:  []Refinement{{When: Context{ReplyCodes: []string{"451"}}, Problem: AuthPlaintextRefused, Causes: []string{"The client did not start encryption with STARTTLS on port 587."}}}},
	{Kind: KindEnhanced, Code: "5.7.57", Name: "Client not authenticated to send mail (Microsoft)", Problem: AuthRequired, Confidence: "B",
		Meaning: "Microsoft 365 refuses to accept mail from a client that has not logged in.",
		Causes:  []string{"Outgoing authentication is off in the client or app.", "The login silently failed before sending."}},
	{Kind: KindEnhanced, Code: "5.7.139", Name: "Authentication unsuccessful, basic authentication disabled (Microsoft)", Problem: AuthBasicDisabled, Confidence: "B",
		Meaning: "Microsoft 365 / Outlook.com refuses password logins for SMTP: SMTP client authentication or basic authentication is switched off.",
		Causes:  []string{"Authenticated SMTP is disabled for the tenant or the mailbox.", "Outlook.com and Hotmail no longer accept passwords for SMTP; app passwords do not help."}},

	// ----- IMAP response codes (RFC 3501 section 7.1, RFC 5530 section 3) -----
	{Kind: KindIMAP, Code: "ALERT", Name: "Alert", Problem: AuthFailed, Generic: true, Confidence: "A",
		Meaning: "The server has a message the mail program must show to the user word for word.",
		Causes:  []string{"Read the alert text: Gmail uses it for app-password and browser sign-in notices, other servers for login failures."}},
	imapCode("BADCHARSET", ProtocolError, "The server does not support the character set of a search.", "The mail program and server disagree on character sets."),
	imapInfo("CAPABILITY", "The server lists what it supports. Not an error."),
	imapCode("PARSE", ProtocolError, "The server could not parse a message's headers or structure.", "A malformed message is stored on the server."),
	imapInfo("PERMANENTFLAGS", "The server lists which message flags can be stored. Not an error."),
	imapInfo("READ-ONLY", "The folder was opened read-only. If that is unexpected, the folder is shared without write permission."),
	imapInfo("READ-WRITE", "The folder was opened read-write. Not an error."),
	imapCode("TRYCREATE", PolicyRejected, "The target folder of a copy or save does not exist.", "The Sent or Drafts folder setting points at a folder that does not exist."),
	imapInfo("UIDNEXT", "Folder information. Not an error."),
	imapInfo("UIDVALIDITY", "Folder information; if it changes the mail program resynchronises the folder. Not an error."),
	imapInfo("UNSEEN", "Folder information. Not an error."),
	imapCode("UNAVAILABLE", AuthTemporary, "A back-end system the login needs is temporarily down; the password is not the problem.", "The provider's authentication or directory service is failing."),
	imapCode("AUTHENTICATIONFAILED", AuthFailed, "The login failed: typically an unknown user or a wrong password. Retrying with the same credentials will not help.", causeWrongPassword, causeAppPassword, "IMAP access is switched off for the account."),
	imapCode("AUTHORIZATIONFAILED", AuthFailed, "The login worked but the user may not act as the requested identity.", "A shared or delegated mailbox login is set up wrongly."),
	imapCode("EXPIRED", AuthAccountDisabled, "The credentials are no longer valid, for example an expired password.", "The password expired and must be changed."),
	imapCode("PRIVACYREQUIRED", AuthPlaintextRefused, "The operation is not allowed without encryption.", "Encryption is off; the server wants STARTTLS or SSL/TLS."),
	imapCode("CONTACTADMIN", AuthAccountDisabled, "The user should contact the administrator.", "The account is blocked or needs attention from the provider."),
	imapCode("NOPERM", PolicyRejected, "The access rights do not allow the operation.", "The folder is shared without the needed permission."),
	imapCode("INUSE", MailboxInUse, "Someone else holds a lock on the resource; it may work later.", "Another session is using the mailbox or folder."),
	imapInfo("EXPUNGEISSUED", "Another session deleted messages in this folder. Not an error."),
	imapCode("CORRUPTION", ServerTemporary, "The server found damaged data, for example a damaged mailbox.", "The provider must repair the mailbox."),
	imapCode("SERVERBUG", ServerTemporary, "The server hit an internal bug.", "A fault at the provider."),
	imapCode("CLIENTBUG", ProtocolError, "The server detected a bug in the mail program.", "The mail program needs an update."),
	imapCode("CANNOT", PolicyRejected, "The operation can never succeed on this server.", "An unsupported folder name or operation."),
	imapCode("LIMIT", PolicyRejected, "The operation hit a server limit.", "Too many items in one operation."),
	imapCode("OVERQUOTA", MailboxFull, "The mailbox is (or would be) over its storage quota (RFC 5530 section 3): a quota, not the size of one message.", "The mailbox is full; delete or archive mail."),
	imapCode("ALREADYEXISTS", PolicyRejected, "The folder or item already exists.", "A folder with that name exists."),
	imapCode("NONEXISTENT", PolicyRejected, "The folder or item does not exist.", "The folder was renamed or deleted elsewhere."),
	{Kind: KindIMAP, Code: "WEBALERT", Name: "Web alert (Gmail)", Problem: AuthAppPassword, Confidence: "B",
		Meaning: "Gmail asks the user to continue the sign-in in a web browser; it will not accept this login until then.",
		Causes:  []string{"Google blocked the sign-in as unusual.", causeAppPassword}},
	{Kind: KindIMAP, Code: "LOGINDISABLED", Name: "LOGINDISABLED capability", Problem: AuthPlaintextRefused, Confidence: "A",
		Meaning: "The server disables password logins on this unencrypted connection (RFC 3501 section 6.1.1, RFC 2595).",
		Causes:  []string{"The client connected on port 143 without STARTTLS."},
		Match:   []string{"LOGINDISABLED"}},

	// ----- POP3 extended response codes (RFC 2449 section 8, RFC 3206) -----
	{Kind: KindPOP3, Code: "IN-USE", Name: "Maildrop in use", Problem: MailboxInUse, Confidence: "A",
		Meaning: "The login worked but the mailbox is in use, probably by another POP3 client.",
		Causes:  []string{causeMailboxLocked, "A stale session still holds the lock; it expires after a few minutes."}},
	{Kind: KindPOP3, Code: "LOGIN-DELAY", Name: "Login delay", Problem: RateLimited, Confidence: "A",
		Meaning: "The user logged in too recently and must wait before logging in again.",
		Causes:  []string{"The mail program checks for mail more often than the provider allows."},
		Step:    "Lengthen the interval between mail checks in the account settings."},
	{Kind: KindPOP3, Code: "SYS/TEMP", Name: "Temporary system error", Problem: AuthTemporary, Confidence: "A",
		Meaning: "A temporary system error on the server, not a problem with the user's credentials.",
		Causes:  []string{"A resource on the server is locked, busy or out of capacity."}},
	{Kind: KindPOP3, Code: "SYS/PERM", Name: "Permanent system error", Problem: ServerTemporary, Confidence: "A",
		Meaning: "A system error on the server that will not clear without the provider stepping in.",
		Causes:  []string{"A damaged mailbox or a configuration error at the provider."}},
	{Kind: KindPOP3, Code: "AUTH", Name: "Authentication failure", Problem: AuthFailed, Confidence: "A",
		Meaning: "The failure is about the user's credentials: wrong password, unknown user, expired account or a policy.",
		Causes:  []string{causeWrongPassword, causeAppPassword, "POP3 access is switched off for the account."}},
	{Kind: KindPOP3, Code: "AUTH-RESP-CODE", Name: "AUTH-RESP-CODE capability", Info: true, Confidence: "A",
		Meaning: "The server promises to mark every credential failure with [AUTH]. Not an error.",
		Causes:  []string{"A capability announcement."}},

	// ----- Well-known provider and server messages -----
	{Kind: KindProvider, Code: "gmail-app-password", Name: "Gmail: application-specific password required", Problem: AuthAppPassword, Confidence: "B",
		Meaning: "Google refuses the normal password for this mail program because the account has 2-Step Verification; it needs an app password.",
		Causes:  []string{"2-Step Verification is on for the Google account and the normal password was used."},
		Step:    "Create an app password in the Google account's security settings (or use a mail program that signs in with OAuth2) and enter it instead of the normal password.",
		Match:   []string{"Application-specific password required", "InvalidSecondFactor"}},
	{Kind: KindProvider, Code: "gmail-bad-credentials", Name: "Gmail: username and password not accepted", Problem: AuthFailed, Confidence: "B",
		Meaning: "Google refused the user name or password.",
		Causes:  []string{causeWrongPassword, "The normal password was used where Google requires an app password (the 'less secure apps' option no longer exists).", "The user name is not the full Gmail address."},
		Match:   []string{"Username and Password not accepted", "p=BadCredentials"}},
	{Kind: KindProvider, Code: "gmail-web-login", Name: "Gmail: log in via your web browser", Problem: AuthAppPassword, Confidence: "B",
		Meaning: "Google blocked the sign-in as suspicious or unverified until the user signs in through a web browser.",
		Causes:  []string{"Google saw a sign-in from a new place or program and wants it confirmed.", causeAppPassword},
		Step:    "Sign in to the Google account in a web browser on the same network and confirm the activity; then use an app password or OAuth2.",
		Match:   []string{"Please log in via your web browser", "Please log in with your web browser", "Web login required", "WebLoginRequired", "ContinueSignIn"}},
	{Kind: KindProvider, Code: "gmail-try-again-later", Name: "Gmail: try again later, closing connection", Problem: RateLimited, Confidence: "B",
		Meaning: "Google temporarily refuses the connection, usually because of throttling.",
		Causes:  []string{"Too many connections or messages in a short time.", "For smtp-relay.gmail.com: the sending address is not on the relay allow-list."},
		Match:   []string{"Try again later, closing connection"}},
	{Kind: KindProvider, Code: "gmail-temporary-system-problem", Name: "Gmail: temporary system problem", Problem: ServerTemporary, Confidence: "C",
		Meaning: "Google reports a temporary problem on its side, sometimes because of bulk sending.",
		Causes:  []string{"A temporary failure at Google.", "Sending too much at once."},
		Match:   []string{"Temporary System Problem. Try again later"}},
	{Kind: KindProvider, Code: "gmail-too-many-recipients", Name: "Gmail: too many recipients", Problem: RateLimited, Confidence: "B",
		Meaning: "The message has more recipients than Google allows.",
		Causes:  []string{"Too many addresses in To, Cc and Bcc."},
		Match:   []string{"TooManyRecipientsError", "message has too many recipients"}},
	{Kind: KindProvider, Code: "dmarc-rejection", Name: "Rejected by the sender domain's DMARC policy", Problem: AuthenticationPolicy, Confidence: "B",
		Meaning: "The receiving server rejected the message because the From domain's DMARC policy says to reject mail that fails SPF and DKIM.",
		Causes:  []string{"The message was sent through a server the From domain does not authorise.", "The sender domain's SPF or DKIM does not align with its From address."},
		Match:   []string{"not accepted due to domain's DMARC policy", "DmarcRejection", "DMARC policy"}},
	{Kind: KindProvider, Code: "gmail-unauthenticated", Name: "Gmail: unauthenticated mail blocked", Problem: AuthenticationPolicy, Confidence: "B",
		Meaning: "Gmail blocked the message because neither SPF nor DKIM passed for the sender.",
		Causes:  []string{"The sender domain has no SPF record covering this server and does not sign with DKIM."},
		Match:   []string{"must authenticate with at least one of SPF or DKIM", "This mail is unauthenticated"}},
	{Kind: KindProvider, Code: "starttls-first", Name: "Must issue a STARTTLS command first", Problem: AuthPlaintextRefused, Confidence: "A",
		Meaning: "The server (Postfix, Gmail and others) requires encryption with STARTTLS before it accepts anything else.",
		Causes:  []string{"Encryption is off for the outgoing server on port 587 or 25."},
		Match:   []string{"Must issue a STARTTLS command first"}},
	{Kind: KindProvider, Code: "microsoft-smtp-auth-disabled", Name: "Microsoft 365: SmtpClientAuthentication is disabled", Problem: AuthBasicDisabled, Confidence: "B",
		Meaning: "Authenticated SMTP is switched off for the Microsoft 365 tenant or mailbox, so password logins to smtp.office365.com fail.",
		Causes:  []string{"The tenant administrator has not enabled authenticated SMTP for this mailbox (it is off by default)."},
		Step:    "Ask the Microsoft 365 administrator to enable 'Authenticated SMTP' for this mailbox, or move the program to OAuth2 or a relay connector.",
		Match:   []string{"SmtpClientAuthentication is disabled", "smtp_auth_disabled"}},
	{Kind: KindProvider, Code: "microsoft-basic-auth-disabled", Name: "Microsoft: basic authentication is disabled", Problem: AuthBasicDisabled, Confidence: "B",
		Meaning: "Microsoft no longer accepts passwords (basic authentication) for this protocol on this account; only OAuth2 sign-in works.",
		Causes:  []string{"Outlook.com, Hotmail or the Microsoft 365 tenant has retired basic authentication; app passwords go the same way and do not help."},
		Match:   []string{"basic authentication is disabled"}},
	{Kind: KindProvider, Code: "microsoft-auth-unsuccessful", Name: "Microsoft: authentication unsuccessful", Problem: AuthFailed, Confidence: "B",
		Meaning: "Microsoft 365 / Exchange Online refused the login.",
		Causes:  []string{causeWrongPassword, "Multi-factor sign-in is on and no app password is used.", "SMTP authentication is disabled for the mailbox.", "A conditional-access rule blocks the sign-in."},
		Match:   []string{"Authentication unsuccessful"}},
	{Kind: KindProvider, Code: "microsoft-client-not-authenticated", Name: "Microsoft: client not authenticated to send mail", Problem: AuthRequired, Confidence: "B",
		Meaning: "Microsoft 365 received mail from a client that has not logged in.",
		Causes:  []string{"Outgoing authentication is off in the client or app.", "The login failed silently before sending."},
		Match:   []string{"Client not authenticated to send mail"}},
	{Kind: KindProvider, Code: "microsoft-starttls-required", Name: "Microsoft: STARTTLS is required to send mail", Problem: AuthPlaintextRefused, Confidence: "B",
		Meaning: "Microsoft 365 requires the client to start encryption with STARTTLS before sending.",
		Causes:  []string{"Encryption is off, or set to SSL instead of STARTTLS (TLS), for port 587."},
		Match:   []string{"STARTTLS is required to send mail"}},
	{Kind: KindProvider, Code: "exchange-imap-login-failed", Name: "IMAP login refused without a reason", Problem: AuthFailed, Also: []string{AuthBasicDisabled}, Generic: true, Confidence: "B",
		Meaning: "The server refused the IMAP login and gave no reason (the wording of Exchange and Microsoft 365, among others). From Exchange Online it also means that password logins are switched off.",
		Causes:  []string{causeWrongPassword, "The server is Exchange Online (Microsoft 365), which refuses every password login for IMAP and POP in these words."},
		Match:   []string{"NO LOGIN failed", "NO AUTHENTICATE failed", "AUTHENTICATE failed", "LOGIN failed"}},
	{Kind: KindProvider, Code: "exchange-originator-mismatch", Name: "Exchange: originator address does not match", Problem: SenderNotPermitted, Confidence: "A",
		Meaning: "The From address of the account is not an address of the mailbox that logged in.",
		Causes:  []string{"The account's e-mail address differs from the mailbox's own address."},
		Match:   []string{"Originator address does not match authentication credentials"}},
	{Kind: KindProvider, Code: "exchange-logon-failure", Name: "Exchange: logon failure, unknown user name or bad password", Problem: AuthFailed, Confidence: "A",
		Meaning: "Exchange refused the POP3 or IMAP login.",
		Causes:  []string{causeWrongPassword, "On older Exchange servers the user name must have the form DOMAIN\\user\\alias.", "Microsoft 365 is throttling or refusing password logins."},
		Match:   []string{"Logon failure: unknown user name or bad password"}},
	{Kind: KindProvider, Code: "exchange-auth-cancelled", Name: "Exchange: AUTH exchange cancelled by the client", Problem: AuthMechanism, Confidence: "A",
		Meaning: "The Secure Password Authentication (SPA) login exchange was aborted.",
		Causes:  []string{"SPA is ticked but the server or account does not support it."},
		Step:    stepSPA,
		Match:   []string{"AUTH protocol exchange was canceled by the client", "AUTH protocol exchange was cancelled by the client"}},
	{Kind: KindProvider, Code: "exchange-item-not-found", Name: "Exchange: the requested item could not be found", Problem: ServerTemporary, Confidence: "A",
		Meaning: "A message the mail program asked for is missing in the server's store.",
		Causes:  []string{"A problem in the server's mailbox store."},
		Match:   []string{"The requested item could not be found"}},
	{Kind: KindProvider, Code: "mcis-no-account-information", Name: "Cannot find mail account information", Problem: AuthFailed, Confidence: "A",
		Meaning: "The server does not know the user: the login name or server points at the wrong mail system.",
		Causes:  []string{"The user name lacks the domain the server expects.", "The account is configured against the wrong server."},
		Match:   []string{"Cannot find mail account information"}},
	{Kind: KindProvider, Code: "yahoo-too-many-bad-auth", Name: "Yahoo: too many bad auth attempts", Problem: AuthAppPassword, Also: []string{RateLimited}, Confidence: "B",
		Meaning: "Yahoo refuses the normal password for mail programs and blocks logins after repeated failures.",
		Causes:  []string{"Yahoo wants an app password for third-party mail programs.", "A program keeps retrying a wrong password."},
		Step:    "Create a Yahoo app password, enter it in the mail program, and stop any program still retrying the old password.",
		Match:   []string{"Too many bad auth attempts", "#AUTH005"}},
	{Kind: KindProvider, Code: "yahoo-incorrect-credentials", Name: "Yahoo: incorrect username or password", Problem: AuthFailed, Confidence: "B",
		Meaning: "Yahoo refused the user name or password.",
		Causes:  []string{causeWrongPassword, "Yahoo wants an app password for third-party mail programs."},
		Match:   []string{"#MBR1212"}},
	{Kind: KindProvider, Code: "invalid-credentials", Name: "Invalid credentials", Problem: AuthFailed, Confidence: "B",
		Meaning: "The server refused the user name or password (the wording of Gmail and Yahoo IMAP).",
		Causes:  []string{causeWrongPassword, causeAppPassword, "IMAP access is switched off for the account."},
		Match:   []string{"Invalid credentials", "Incorrect username or password"}},
	{Kind: KindProvider, Code: "relay-access-denied", Name: "Relay access denied", Problem: RelayDenied, Confidence: "A",
		Meaning: "The server will not pass the message on to another domain for a client that has not logged in.",
		Causes:  []string{"'My outgoing server requires authentication' is off.", "The client sends from outside the provider's network without logging in."},
		Match:   []string{"Relay access denied", "Relaying denied", "Unable to relay", "relaying not permitted", "not allowed to relay", "list of allowed rcpthosts"}},
	{Kind: KindProvider, Code: "postfix-bad-recipient-syntax", Name: "Bad recipient address syntax", Problem: AddressSyntax, Confidence: "A",
		Meaning: "The server could not parse the recipient address.",
		Causes:  []string{"Stray characters, quotes or spaces in the recipient address."},
		Match:   []string{"Bad recipient address syntax"}},
	{Kind: KindProvider, Code: "postfix-bad-sender-syntax", Name: "Bad sender address syntax", Problem: AddressSyntax, Confidence: "A",
		Meaning: "The server could not parse the sender address.",
		Causes:  []string{"The e-mail address field in the account settings is malformed."},
		Match:   []string{"Bad sender address syntax"}},
	{Kind: KindProvider, Code: "postfix-need-mail-command", Name: "Need MAIL command", Problem: ProtocolError, Confidence: "A",
		Meaning: "The client named a recipient before the sender: the commands are out of order.",
		Causes:  []string{"A fault in the mail program, or the sender was refused earlier and the program carried on."},
		Match:   []string{"need MAIL command"}},
	{Kind: KindProvider, Code: "postfix-auth-not-enabled", Name: "Authentication not enabled", Problem: NoAuthMechanism, Confidence: "A",
		Meaning: "The server does not offer a login on this port or before encryption.",
		Causes:  []string{"The client uses port 25, which is for server-to-server mail, instead of 587 or 465.", "The server only offers a login after STARTTLS, and encryption is off."},
		Match:   []string{"authentication not enabled"}},
	{Kind: KindProvider, Code: "postfix-sasl-failed", Name: "SASL authentication failed", Problem: AuthFailed, Confidence: "A",
		Meaning: "The server's login check (SASL) refused the credentials.",
		Causes:  []string{causeWrongPassword, "The user name has the wrong form."},
		Match:   []string{"Error: authentication failed"}},
	{Kind: KindProvider, Code: "postfix-sender-not-owned", Name: "Sender address rejected: not owned by user", Problem: SenderNotPermitted, Confidence: "A",
		Meaning: "The logged-in user may not send with this From address.",
		Causes:  []string{"The message is sent from another address than the account's own."},
		Match:   []string{"not owned by user", "not owned by auth user"}},
	{Kind: KindProvider, Code: "postfix-no-reverse-dns", Name: "Client host rejected: cannot find your hostname", Problem: PolicyRejected, Confidence: "A",
		Meaning: "The receiving server refuses the sending address because it has no (or no matching) reverse DNS name.",
		Causes:  []string{"Mail is sent directly from a home or office connection instead of through the provider's outgoing server."},
		Match:   []string{"cannot find your hostname", "cannot find your reverse hostname"}},
	{Kind: KindProvider, Code: "authentication-required", Name: "Authentication required", Problem: AuthRequired, Confidence: "A",
		Meaning: "The server wants the client to log in before it accepts mail.",
		Causes:  []string{"'My outgoing server requires authentication' is off, or the login failed."},
		Match:   []string{"Authentication required", "SMTP authentication is required", "must be authenticated"}},
	{Kind: KindProvider, Code: "pop3-maildrop-locked", Name: "Unable to lock maildrop", Problem: MailboxInUse, Confidence: "A",
		Meaning: "The POP3 server could not lock the mailbox for this session because another session holds it.",
		Causes:  []string{causeMailboxLocked},
		Match:   []string{"Unable to lock maildrop", "maildrop already locked"}},
	{Kind: KindProvider, Code: "dovecot-plaintext-disallowed", Name: "Dovecot: plaintext authentication disallowed", Problem: AuthPlaintextRefused, Confidence: "B",
		Meaning: "Dovecot refuses passwords on a connection that is not encrypted.",
		Causes:  []string{"Encryption is off for the incoming server."},
		Match:   []string{"Plaintext authentication disallowed", "Plaintext authentication not allowed"}},
	{Kind: KindProvider, Code: "gmx-protocol-disabled", Name: "POP3/IMAP access disabled in the account", Problem: AuthFailed, Confidence: "C",
		Meaning: "Some providers (GMX, web.de) switch POP3/IMAP off until the user enables it in the web mail settings; logins fail until then.",
		Causes:  []string{"POP3/IMAP access is off in the provider's web settings."},
		Match:   []string{"POP3/IMAP access is disabled", "IMAP access is disabled", "POP3 access is disabled"}},

	// ----- TLS failures as libraries word them -----
	{Kind: KindTLS, Code: "go-first-record-not-tls", Name: "Go: first record does not look like a TLS handshake", Problem: TLSOnPlainPort, Confidence: "A",
		Meaning: "The client started TLS but the server answered in plain text (its greeting), so this port expects STARTTLS or no encryption.",
		Causes:  []string{"Implicit SSL/TLS is configured for a STARTTLS port (587, 25, 143, 110)."},
		Match:   []string{"first record does not look like a TLS handshake"}},
	{Kind: KindTLS, Code: "openssl-wrong-version-number", Name: "OpenSSL: wrong version number", Problem: TLSOnPlainPort, Confidence: "A",
		Meaning: "OpenSSL received something that is not TLS, usually the server's plain-text greeting: this port expects STARTTLS or no encryption.",
		Causes:  []string{"Implicit SSL/TLS ('secure: true') is configured for a STARTTLS port (587, 25, 143, 110)."},
		Match:   []string{"wrong version number", "WRONG_VERSION_NUMBER", "packet length too long", "Unrecognized SSL message, plaintext connection"}},
	{Kind: KindTLS, Code: "certificate-expired", Name: "Certificate has expired", Problem: CertExpired, Confidence: "A",
		Meaning: "The server's certificate is past its expiry date, or the device's clock is wrong.",
		Causes:  []string{"The server's certificate was not renewed.", "The device's date or time is wrong."},
		Match:   []string{"certificate has expired", "CERT_HAS_EXPIRED", "current time * is after"}},
	{Kind: KindTLS, Code: "certificate-not-yet-valid", Name: "Certificate is not yet valid", Problem: CertNotYetValid, Confidence: "A",
		Meaning: "The server's certificate is not valid yet, which almost always means a wrong clock.",
		Causes:  []string{"The device's date or time is wrong (often set in the past).", "The server's clock is wrong."},
		Match:   []string{"certificate is not yet valid", "CERT_NOT_YET_VALID", "current time * is before"}},
	{Kind: KindTLS, Code: "certificate-unknown-authority", Name: "Certificate signed by unknown authority", Problem: CertUntrusted, Confidence: "A",
		Meaning: "The server's certificate is self-signed, its chain is incomplete, or it comes from an authority the client does not trust.",
		Causes:  []string{"The server uses a self-signed certificate.", "The server does not send its intermediate certificate.", "Antivirus or a company proxy intercepts encrypted connections."},
		Match:   []string{"certificate signed by unknown authority", "self-signed certificate", "self signed certificate", "unable to get local issuer certificate", "unable to verify the first certificate", "PKIX path building failed", "unable to find valid certification path"}},
	{Kind: KindTLS, Code: "certificate-verify-failed", Name: "Certificate verify failed", Problem: CertUntrusted, Generic: true, Confidence: "A",
		Meaning: "The client could not verify the server's certificate; the text after it usually says why.",
		Causes:  []string{"The certificate is self-signed, expired or for another name.", "Antivirus or a company proxy intercepts encrypted connections."},
		Match:   []string{"certificate verify failed", "CERTIFICATE_VERIFY_FAILED", "failed to verify certificate"}},
	{Kind: KindTLS, Code: "certificate-name-mismatch", Name: "Certificate is for another name", Problem: CertHostMismatch, Confidence: "A",
		Meaning: "The server's certificate does not carry the server name the client connected to.",
		Causes:  []string{"The account uses a custom domain name on shared hosting; the certificate names the hosting server.", "The server is entered as an IP address."},
		Match:   []string{"certificate is valid for", "not valid for any names", "hostname mismatch", "does not match certificate's altnames", "doesn't match any of the subject alternative names"}},
	{Kind: KindTLS, Code: "go-server-old-tls-version", Name: "Go: server selected unsupported protocol version", Problem: TLSVersionOld, Confidence: "A",
		Meaning: "The server only offers an old TLS version (1.0 or 1.1) that the client no longer accepts.",
		Causes:  []string{"The server has not been updated to TLS 1.2 or newer."},
		Match:   []string{"server selected unsupported protocol version"}},
	{Kind: KindTLS, Code: "tls-no-common-version", Name: "TLS protocol version not supported", Problem: TLSVersionOld, Also: []string{TLSHandshake}, Confidence: "A",
		Meaning: "Client and server share no TLS version.",
		Causes:  []string{"The client or its operating system is too old for TLS 1.2 (Windows 7, Outlook 2010/2013).", "The server still only offers TLS 1.0/1.1."},
		Match:   []string{"protocol version not supported", "unsupported protocol", "no protocols available", "UNSUPPORTED_PROTOCOL", "alert protocol version"}},
	{Kind: KindTLS, Code: "tls-handshake-failure", Name: "TLS handshake failure", Problem: TLSHandshake, Confidence: "A",
		Meaning: "The encrypted connection could not be negotiated.",
		Causes:  []string{"Client and server share no TLS version or cipher.", "The server's TLS set-up is broken."},
		Match:   []string{"handshake failure", "handshake_failure", "no shared cipher"}},

	// ----- Network errors as operating systems and libraries word them -----
	{Kind: KindNetwork, Code: "no-such-host", Name: "No such host", Problem: DNSNotFound, Confidence: "A",
		Meaning: "The server name does not exist in DNS.",
		Causes:  []string{"The server name is misspelt.", "The domain does not exist or has expired."},
		Match:   []string{"no such host", "Name or service not known", "nodename nor servname provided", "getaddrinfo ENOTFOUND", "UnknownHostException", "getaddrinfo failed"}},
	{Kind: KindNetwork, Code: "dns-temporary-failure", Name: "Temporary failure in name resolution", Problem: DNSServerFailure, Confidence: "A",
		Meaning: "The name lookup failed temporarily: the DNS server did not give a definite answer.",
		Causes:  []string{"The DNS server is unreachable or failing.", "No network connection."},
		Match:   []string{"Temporary failure in name resolution", "getaddrinfo EAI_AGAIN", "server misbehaving"}},
	{Kind: KindNetwork, Code: "dns-timeout", Name: "DNS lookup timed out", Problem: DNSTimeout, Confidence: "A",
		Meaning: "The DNS server did not answer the name lookup in time.",
		Causes:  []string{"The configured DNS server is unreachable or blocked.", "A VPN changed the DNS servers."},
		Match:   []string{"lookup * i/o timeout"}},
	{Kind: KindNetwork, Code: "connection-refused", Name: "Connection refused", Problem: ConnectRefused, Confidence: "A",
		Meaning: "The server's computer refused the connection: nothing listens on that port.",
		Causes:  []string{"The port is wrong.", "The mail service on the server is not running."},
		Match:   []string{"connection refused", "ECONNREFUSED", "actively refused"}},
	{Kind: KindNetwork, Code: "connection-timed-out", Name: "Connection timed out", Problem: ConnectTimeout, Confidence: "A",
		Meaning: "The connection attempt got no answer.",
		Causes:  []string{"A firewall or the Internet provider blocks the port.", "The server is down or the address is wrong."},
		Refine:  []Refinement{{When: Context{Ports: smtpPort25}, Causes: []string{causePort25Blocked}, Step: stepPort25}},
		Match:   []string{"connection timed out", "ETIMEDOUT", "connect timed out", "did not properly respond after a period of time"}},
	{Kind: KindNetwork, Code: "go-dial-timeout", Name: "Go: dial tcp … i/o timeout", Problem: ConnectTimeout, Generic: true, Confidence: "A",
		Meaning: "Go gave up opening the connection (or the name lookup before it) because its deadline passed.",
		Causes:  []string{"A firewall or the Internet provider blocks the port.", "The server is down or the address is wrong."},
		Refine:  []Refinement{{When: Context{Ports: smtpPort25}, Causes: []string{causePort25Blocked}, Step: stepPort25}},
		Match:   []string{"dial tcp * i/o timeout"}},
	{Kind: KindNetwork, Code: "network-unreachable", Name: "Network is unreachable", Problem: NetworkUnreachable, Confidence: "A",
		Meaning: "The computer has no route to the server's network.",
		Causes:  []string{"No working network connection.", "A VPN changes the routes.", "An IPv6 address on a network without IPv6."},
		Match:   []string{"network is unreachable", "ENETUNREACH", "no route to host", "EHOSTUNREACH"}},
	{Kind: KindNetwork, Code: "connection-reset", Name: "Connection reset by peer", Problem: ConnectionReset, Confidence: "A",
		Meaning: "The server, or something on the way, reset the connection.",
		Causes:  []string{"The encryption setting does not match the port.", "A firewall cuts the connection.", "The server blocks the address after failed logins."},
		Match:   []string{"connection reset by peer", "ECONNRESET", "forcibly closed by the remote host", "broken pipe"}},
	{Kind: KindNetwork, Code: "connection-closed", Name: "Connection closed unexpectedly", Problem: ConnectionClosed, Confidence: "A",
		Meaning: "The server closed the connection before the conversation was over.",
		Causes:  []string{"The encryption setting does not match the port.", "The server refuses this client or is overloaded."},
		Match:   []string{"unexpected EOF", "EOF occurred in violation of protocol", "Connection closed by foreign host", "connection unexpectedly closed", "Connection closed unexpectedly"}},
	{Kind: KindNetwork, Code: "timed-out", Name: "Timed out", Problem: ResponseTimeout, Generic: true, Confidence: "A",
		Meaning: "An operation took too long and was given up.",
		Causes:  []string{"The encryption setting does not match the port, so both sides wait.", "The server is slow or a firewall holds the connection."},
		// A wait on a port that expects TLS from the first byte, with TLS off, is the classic stand-off.
		Refine: []Refinement{{When: Context{Security: "plain", Ports: implicitTLSPorts}, Problem: PlainOnTLSPort, Causes: []string{causePlainOnTLSPort}, Step: stepPlainOnTLSPort}},
		Match:  []string{"i/o timeout", "timed out"}},

	// ----- Mail programs' own messages -----
	{Kind: KindClient, Code: "thunderbird-smtp-unknown-server", Name: "Thunderbird: outgoing server is unknown", Problem: DNSNotFound, Confidence: "A",
		Meaning: "Thunderbird could not find the outgoing server's name.",
		Causes:  []string{"The outgoing server name is misspelt.", "No Internet connection."},
		Match:   []string{"Outgoing server (SMTP) * is unknown"}},
	{Kind: KindClient, Code: "thunderbird-failed-to-connect", Name: "Thunderbird: failed to connect to server", Problem: DNSNotFound, Confidence: "A",
		Meaning: "Thunderbird could not look up the server's name.",
		Causes:  []string{"The server name is misspelt.", "No Internet connection or DNS."},
		Match:   []string{"Failed to connect to server"}},
	{Kind: KindClient, Code: "thunderbird-connection-refused", Name: "Thunderbird: the connection was refused", Problem: ConnectRefused, Confidence: "A",
		Meaning: "The server refused Thunderbird's connection.",
		Causes:  []string{"The port or the connection security setting is wrong.", "A firewall blocks the port."},
		Match:   []string{"the connection was refused", "refusing SMTP connections"}},
	{Kind: KindClient, Code: "thunderbird-timeout", Name: "Thunderbird: connection timed out", Problem: ConnectTimeout, Also: []string{ResponseTimeout}, Confidence: "A",
		Meaning: "Thunderbird's connection to the server timed out.",
		Causes:  []string{"A firewall or the Internet provider blocks the port.", "The connection security setting does not match the port.", "The server is down."},
		Refine:  []Refinement{{When: Context{Ports: smtpPort25}, Causes: []string{causePort25Blocked}, Step: stepPort25}},
		Match:   []string{"Connection to server * timed out", "Outgoing server (SMTP) * timed out"}},
	{Kind: KindClient, Code: "thunderbird-connection-reset", Name: "Thunderbird: connection was reset", Problem: ConnectionReset, Confidence: "A",
		Meaning: "The server or something on the way reset Thunderbird's connection.",
		Causes:  []string{"The connection security setting does not match the port.", causeAVScanner},
		Match:   []string{"Connection to server * was reset"}},
	{Kind: KindClient, Code: "thunderbird-connection-lost", Name: "Thunderbird: connection interrupted", Problem: ConnectionClosed, Confidence: "A",
		Meaning: "The connection to the server was lost in the middle of the exchange.",
		Causes:  []string{"The network dropped.", "The server closed the connection."},
		Match:   []string{"was interrupted", "was lost in the middle of the transaction", "has disconnected. The server may have gone down"}},
	{Kind: KindClient, Code: "thunderbird-too-many-connections", Name: "Thunderbird: maximum number of connections", Problem: TooManyConnections, Confidence: "A",
		Meaning: "The IMAP server refused Thunderbird, probably because the account has too many connections open.",
		Causes:  []string{"Several devices and Thunderbird's cached connections exceed the provider's limit."},
		Step:    "Lower 'Maximum number of server connections to cache' in the account's advanced server settings.",
		Match:   []string{"exceeded the maximum number of connections"}},
	{Kind: KindClient, Code: "thunderbird-not-imap-server", Name: "Thunderbird: not an IMAP4 mail server", Problem: WrongProtocol, Confidence: "A",
		Meaning: "The server on this port is not an IMAP server.",
		Causes:  []string{"The port belongs to another service (POP3 or SMTP)."},
		Match:   []string{"is not an IMAP4 mail server"}},
	{Kind: KindClient, Code: "thunderbird-login-failed", Name: "Thunderbird: login failed", Problem: AuthFailed, Confidence: "A",
		Meaning: "The server refused Thunderbird's login.",
		Causes:  []string{causeWrongPassword, causeAppPassword, "The authentication method setting does not match the server."},
		Match:   []string{"Login to server * failed", "Login to account * failed", "Sending of password for user * did not succeed", "Sending of username did not succeed"}},
	{Kind: KindClient, Code: "thunderbird-smtp-auth-failure", Name: "Thunderbird: unable to authenticate to outgoing server", Problem: AuthFailed, Confidence: "A",
		Meaning: "The outgoing server refused Thunderbird's login.",
		Causes:  []string{causeWrongPassword, "The authentication method setting does not match the server."},
		Match:   []string{"Unable to authenticate to Outgoing server"}},
	{Kind: KindClient, Code: "thunderbird-auth-method", Name: "Thunderbird: authentication method not supported", Problem: AuthMechanism, Confidence: "A",
		Meaning: "The server does not support the authentication method chosen in Thunderbird.",
		Causes:  []string{"The 'Authentication method' setting does not match what the server offers (for example encrypted password versus normal password, or OAuth2)."},
		Match:   []string{"does not support the selected authentication method", "does not allow plaintext passwords"}},
	{Kind: KindClient, Code: "thunderbird-no-smtp-auth", Name: "Thunderbird: server does not support authentication", Problem: NoAuthMechanism, Confidence: "A",
		Meaning: "Thunderbird was set to log in but the outgoing server offers no login here.",
		Causes:  []string{"The port is 25 (server-to-server) instead of 587/465.", "The server only offers a login after STARTTLS and encryption is off."},
		Match:   []string{"does not support authentication (SMTP-AUTH)"}},
	{Kind: KindClient, Code: "thunderbird-starttls-not-advertised", Name: "Thunderbird: server doesn't advertise STARTTLS", Problem: STARTTLSNotOffered, Confidence: "A",
		Meaning: "Thunderbird is set to STARTTLS but the outgoing server does not offer it.",
		Causes:  []string{"The port is wrong: encryption is offered on another port.", "Something on the path strips STARTTLS."},
		Match:   []string{"using STARTTLS since it doesn't advertise that feature"}},
	{Kind: KindClient, Code: "thunderbird-pop3-tls", Name: "Thunderbird: unable to establish TLS connection to POP3 server", Problem: TLSHandshake, Confidence: "A",
		Meaning: "The encrypted connection to the POP3 server could not be set up.",
		Causes:  []string{"The connection security setting does not match the port.", "Certificate or TLS version problem."},
		Match:   []string{"Unable to establish TLS connection to POP3 server"}},
	{Kind: KindClient, Code: "thunderbird-size-limit", Name: "Thunderbird: message size exceeds limit", Problem: MessageTooLarge, Confidence: "A",
		Meaning: "The message is larger than the outgoing server accepts.",
		Causes:  []string{"The attachments are too large."},
		Match:   []string{"exceeds the global size limit", "exceeds a temporary size limit"}},
	{Kind: KindClient, Code: "thunderbird-sender-refused", Name: "Thunderbird: verify your email address", Problem: SenderRejected, Confidence: "A",
		Meaning: "The outgoing server refused the sender address.",
		Causes:  []string{"The e-mail address in the account settings is not one this login may send from."},
		Match:   []string{"Please verify that your email address is correct in your account settings"}},
	{Kind: KindClient, Code: "thunderbird-recipient-refused", Name: "Thunderbird: check the message recipient", Problem: RecipientRejected, Also: []string{RelayDenied}, Confidence: "A",
		Meaning: "The outgoing server refused a recipient.",
		Causes:  []string{"The recipient address is wrong.", "Outgoing authentication is off, so the server will not relay."},
		Match:   []string{"Please check the message recipient"}},
	{Kind: KindClient, Code: "apple-password-incorrect", Name: "Apple Mail: user name or password is incorrect", Problem: AuthFailed, Confidence: "C",
		Meaning: "The incoming server refused the user name or password.",
		Causes:  []string{causeWrongPassword, causeAppPassword},
		Match:   []string{"The user name or password for * is incorrect"}},
	{Kind: KindClient, Code: "apple-connection-failed", Name: "Apple Mail: the connection to the server failed", Problem: ConnectionClosed, Also: []string{AuthFailed}, Confidence: "A",
		Meaning: "Mail on iPhone, iPad or Mac could not complete the connection to the server.",
		Causes:  []string{"For Outlook.com/Hotmail accounts, the stored sign-in expired and must be entered again.", "The server name, port or SSL setting is wrong.", "No network connection."},
		Step:    "For Outlook.com or Hotmail accounts, open Settings > Mail > Accounts and enter the password again.",
		Match:   []string{"The connection to the server failed"}},
	{Kind: KindClient, Code: "apple-account-not-authenticated", Name: "Apple Mail: account not authenticated", Problem: AuthFailed, Confidence: "A",
		Meaning: "The stored sign-in for the account is no longer valid.",
		Causes:  []string{"The password was changed or the sign-in expired."},
		Match:   []string{"Account not authenticated"}},
	{Kind: KindClient, Code: "apple-relaying-refused", Name: "Apple Mail: server does not allow relaying", Problem: RelayDenied, Confidence: "C",
		Meaning: "The outgoing server refused the recipient because it will not relay for a client that has not logged in.",
		Causes:  []string{"The outgoing server's user name and password are not filled in."},
		Match:   []string{"does not allow relaying"}},
	{Kind: KindClient, Code: "apple-message-rejected", Name: "Apple Mail: the message was rejected by the server", Problem: PolicyRejected, Confidence: "C",
		Meaning: "The outgoing server refused the message.",
		Causes:  []string{"The outgoing login is missing or wrong.", "A policy or spam rule of the server."},
		Match:   []string{"The message was rejected by the server"}},
	{Kind: KindClient, Code: "apple-cannot-verify-identity", Name: "Apple Mail: cannot verify server identity", Problem: CertUntrusted, Also: []string{CertExpired, CertHostMismatch}, Confidence: "C",
		Meaning: "Mail does not trust the server's certificate: it is self-signed, expired or for another name.",
		Causes:  []string{"The certificate names another server (custom domain on shared hosting).", "The certificate is self-signed or expired.", "The device's date and time are wrong."},
		Match:   []string{"Cannot Verify Server Identity", "cannot be verified by Mail"}},
	{Kind: KindClient, Code: "smtp-host-connect-failed", Name: "Could not connect to SMTP host (PHPMailer, JavaMail)", Problem: ConnectRefused, Also: []string{ConnectTimeout}, Confidence: "C",
		Meaning: "The program could not open a connection to the outgoing server.",
		Causes:  []string{"Wrong host name, port or encryption setting.", "The hosting provider blocks outgoing mail ports.", "The server is down."},
		Match:   []string{"SMTP connect() failed", "Could not connect to SMTP host"}},
	{Kind: KindClient, Code: "outlook-encryption-type", Name: "Outlook: server does not support the encryption type", Problem: TLSHandshake, Confidence: "C",
		Meaning: "Outlook could not set up encryption with the server (the wording of 0x800CCC1A).",
		Causes:  []string{"The encryption type does not match the port.", "Outlook or Windows lacks TLS 1.2."},
		Match:   []string{"does not support the connection encryption type"}},
	{Kind: KindClient, Code: "dotnet-secure-connection-or-not-authenticated", Name: ".NET SmtpClient: requires a secure connection or the client was not authenticated", Problem: AuthRequired, Confidence: "B",
		Meaning: "The server refused mail because the program did not log in, or did not encrypt first.",
		Causes:  []string{"The program does not send credentials.", "EnableSsl is off, so no STARTTLS happens."},
		Match:   []string{"requires a secure connection or the client was not authenticated"}},
}, append(append(append(replyCodes, oauthCodes...), cueCodes...), daneStatuses...)...)

// preamble marks a catalogue entry as a preamble (see Code.Preamble).
func (c Code) preamble() Code {
	c.Preamble = true
	return c
}

// generic marks a catalogue entry as a catch-all (see Code.Generic).
func (c Code) generic() Code {
	c.Generic = true
	return c
}

// enhanced builds a detail entry of the IANA enhanced status code registry.
func enhanced(code, title, problem, meaning string, causes ...string) Code {
	return Code{Kind: KindEnhanced, Code: code, Name: title, Problem: problem, Meaning: meaning, Causes: causes, Confidence: "A"}
}

// enhancedInfo builds a registry entry that reports success or a harmless fact.
func enhancedInfo(code, title, meaning string) Code {
	return Code{Kind: KindEnhanced, Code: code, Name: title, Info: true, Meaning: meaning, Causes: []string{"Informational."}, Confidence: "A"}
}

// enhancedSubject builds the entry for a whole subject (X.7.X), used when the detail is unknown.
func enhancedSubject(code, title, problem, meaning string) Code {
	return Code{Kind: KindEnhanced, Code: code, Name: title, Problem: problem, Meaning: meaning, Generic: true,
		Causes: []string{"Read the text after the code; it names the reason."}, Confidence: "A"}
}

// smtpInfo builds a successful or intermediate SMTP reply.
func smtpInfo(code, name, meaning string) Code {
	return Code{Kind: KindSMTP, Code: code, Name: name, Info: true, Meaning: meaning, Causes: []string{"Informational."}, Confidence: "A"}
}

// imapCode builds an RFC 5530 / RFC 3501 response code entry.
func imapCode(code, problem, meaning string, causes ...string) Code {
	return Code{Kind: KindIMAP, Code: code, Name: code, Problem: problem, Meaning: meaning, Causes: causes, Confidence: "A"}
}

// imapInfo builds an informational IMAP response code.
func imapInfo(code, meaning string) Code {
	return Code{Kind: KindIMAP, Code: code, Name: code, Info: true, Meaning: meaning, Causes: []string{"Informational."}, Confidence: "A"}
}

// httpMail builds an entry for the HTTP statuses of Hotmail's retired HTTPMail (WebDAV) access.
func httpMail(code, status string) Code {
	return Code{Kind: KindOutlook, Code: code, Name: "HTTPMail: HTTP " + status, Problem: GreetingRejected, Confidence: "A",
		Meaning: "Hotmail's old HTTP mail access answered HTTP " + status + ". That access was retired long ago.",
		Causes:  []string{"The account is still set up with the retired Hotmail HTTP access type."},
		Step:    stepHTTPMail}
}

// winsockLayer builds an entry for the Winsock start-up failures wrapped as 0x800CCC40-45.
func winsockLayer(code, name, meaning string) Code {
	return Code{Kind: KindOutlook, Code: code, Name: name, Problem: LocalSoftware, Confidence: "A",
		Meaning: meaning,
		Causes:  []string{"The Windows network stack (Winsock) is damaged, often after removing VPN, antivirus or malware."},
		Step:    stepWinsockReset}
}

// rasCode builds an entry for the dial-up (RAS) failures 0x800CCCC2-C6.
func rasCode(code, name, meaning string) Code {
	return Code{Kind: KindOutlook, Code: code, Name: name, Problem: NetworkUnreachable, Confidence: "A",
		Meaning: meaning,
		Causes:  []string{"The account is still set to connect through a dial-up (modem) connection."},
		Step:    "In the account's connection settings choose 'Connect using my local area network (LAN)'."}
}
