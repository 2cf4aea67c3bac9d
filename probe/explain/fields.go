package explain

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

// Fields are the facts read from a pasted error: where it happened and what the server said.
type Fields struct {
	// Client is the program whose message this is: "Outlook Express", "Outlook", "Thunderbird", "Go", ...
	Client string `json:"client,omitempty"`
	// Account is the account name of the dialog (Outlook Express "Account: '…'", Outlook "Task '… - Sending'").
	Account string `json:"account,omitempty"`
	// Server is the server name (or address) the error is about.
	Server string `json:"server,omitempty"`
	// Protocol is smtp, imap or pop3 (nntp or httpmail when an old dialog says so).
	Protocol string `json:"protocol,omitempty"`
	// Port is the server port the client used.
	Port int `json:"port,omitempty"`
	// SSL is the dialog's "Secure(SSL)" setting; nil when the paste does not say.
	SSL *bool `json:"ssl,omitempty"`
	// SocketError is the Winsock error number ("11001").
	SocketError string `json:"socket_error,omitempty"`
	// ErrorNumber is the Outlook-style error number ("0x800CCC0D").
	ErrorNumber string `json:"error_number,omitempty"`
	// ServerError is the dialog's "Server Error" (an SMTP reply code or a second HRESULT).
	ServerError string `json:"server_error,omitempty"`
	// ServerResponse is the server's own words.
	ServerResponse string `json:"server_response,omitempty"`
	// ReplyCode is the SMTP reply code ("535").
	ReplyCode string `json:"reply_code,omitempty"`
	// EnhancedCode is the enhanced status code ("5.7.8").
	EnhancedCode string `json:"enhanced_code,omitempty"`
	// ResponseCodes are the IMAP or POP3 response codes in brackets ("AUTHENTICATIONFAILED", "IN-USE").
	ResponseCodes []string `json:"response_codes,omitempty"`
	// Provider is the mail provider whose server the text is about ("microsoft", "google", ...): from the
	// server name, Exchange Online's greeting, or host names and help addresses in the reply. Some
	// providers give generic refusals a meaning of their own (catalog.ProviderRules).
	Provider string `json:"provider,omitempty"`
	// Bounce is true when the text is a delivery report or log between mail servers (a DSN, an NDR, a
	// Postfix "host … said:" line): the server it names is the recipient's MX, not one the user's mail
	// program connected to, so there is no client setting to re-test.
	Bounce bool `json:"bounce,omitempty"`
}

// maxInput bounds how much of a paste is read; error dialogs and bounce excerpts are far shorter.
const maxInput = 64 << 10

// normalise makes pasted text uniform: one kind of line break and quote, no non-breaking spaces, Python's
// escaped line breaks ("…Learn more at\n5.7.8 https://…") as real ones, and at most maxInput bytes.
func normalise(s string) string {
	if len(s) > maxInput {
		cut := maxInput
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	r := strings.NewReplacer(
		"\r\n", "\n", "\r", "\n",
		`\r\n`, "\n", `\n`, "\n",
		"\u2018", "'", "\u2019", "'", "\u201C", `"`, "\u201D", `"`,
		"\u00A0", " ", "\u202F", " ", "\t", " ",
	)
	return strings.TrimSpace(r.Replace(s))
}

// hostName is a server name or address as it appears in error texts.
const hostName = `[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*`

// fieldRule reads one field from the text; rules run in order and never overwrite a field already set,
// so the most explicit source (a dialog's own "Server: '…'") wins over inference.
type fieldRule struct {
	// hint is a lowercase text the rule needs; the expression runs only when the text contains it, which
	// keeps long pastes fast.
	hint string
	re   *regexp.Regexp
	set  func(f *Fields, m []string)
}

func rule(hint, expr string, set func(f *Fields, m []string)) fieldRule {
	return fieldRule{hint, regexp.MustCompile(expr), set}
}

var fieldRules = []fieldRule{
	// Outlook Express / Windows Live Mail / Outlook 2000-2003 dialogs (IXPRESULT fields).
	rule("account:", `(?i)\bAccount:\s*'([^'\n]*)'`, setAccount),
	rule("server:", `(?i)\bServer:\s*'([^'\n]*)'`, setServer),
	rule("protocol:", `(?i)\bProtocol:\s*(SMTP|POP3|IMAP|NNTP|HTTPMail)\b`, func(f *Fields, m []string) { setProtocol(f, m[1]) }),
	rule("port:", `(?i)\bPort:\s*(\d{1,5})\b`, func(f *Fields, m []string) { setPort(f, m[1]) }),
	rule("secure", `(?i)\bSecure\s*\(SSL\):\s*(Yes|No)\b`, func(f *Fields, m []string) {
		if f.SSL == nil {
			v := strings.EqualFold(m[1], "yes")
			f.SSL = &v
		}
	}),
	// JavaMail/Jakarta Mail debug output: trying to connect to host "h", port 465, isSSL false.
	rule("isssl", `(?i)\bport:?\s*(\d{1,5}),\s*isSSL\s+(true|false)\b`, func(f *Fields, m []string) {
		setPort(f, m[1])
		if f.SSL == nil {
			v := strings.EqualFold(m[2], "true")
			f.SSL = &v
		}
	}),
	rule("socket error:", `(?i)\bSocket Error:\s*(\d{1,6})\b`, func(f *Fields, m []string) { setOnce(&f.SocketError, m[1]) }),
	rule("error ", `(?i)\bError (?:Number|ID):\s*(?:0x)?([0-9a-f]{8})\b`, func(f *Fields, m []string) { setOnce(&f.ErrorNumber, "0x"+strings.ToUpper(m[1])) }),
	rule("server error:", `(?i)\bServer Error:\s*(0x[0-9a-f]{8}|\d{1,5})\b`, func(f *Fields, m []string) {
		if strings.HasPrefix(strings.ToLower(m[1]), "0x") {
			m[1] = "0x" + strings.ToUpper(m[1][2:])
		}
		setOnce(&f.ServerError, m[1])
	}),
	// Outlook 2002 and later: Task 'account - Sending' reported error (0x80042109) : '…'
	rule("task ", `(?i)\bTask '(.+?) - (Sending|Receiving|Sending and Receiving)' reported error \((?:0x)?([0-9a-f]{8})\)`, func(f *Fields, m []string) {
		setAccount(f, []string{"", m[1]})
		if strings.EqualFold(m[2], "Sending") {
			setProtocol(f, "smtp")
		}
		setOnce(&f.ErrorNumber, "0x"+strings.ToUpper(m[3]))
	}),
	rule("reported error", `(?i)\breported error \((?:0x)?([0-9a-f]{8})\)`, func(f *Fields, m []string) { setOnce(&f.ErrorNumber, "0x"+strings.ToUpper(m[1])) }),
	// URLs and host:port with a mail port.
	rule("://", `(?i)\b(imaps?|pop3s?|pops?|smtps?|submissions?)://(`+hostName+`)(?::(\d{1,5}))?`, func(f *Fields, m []string) {
		if svc, ok := probe.ServiceByScheme(m[1]); ok {
			setProtocol(f, string(svc.Protocol))
			if m[3] == "" {
				m[3] = strconv.Itoa(svc.Port)
			}
		}
		setServer(f, []string{"", m[2]})
		setPort(f, m[3])
	}),
	// Thunderbird: Outgoing server (SMTP) smtp.example.com …
	rule("outgoing server (smtp)", `(?i)\bOutgoing server \(SMTP\) (`+hostName+`\.[A-Za-z]{2,})\b`, func(f *Fields, m []string) {
		setProtocol(f, "smtp")
		setServer(f, m)
	}),
	// Thunderbird: Login to account "x" failed. / Login to server x with username y failed.
	rule("login to account", `(?i)\bLogin to account "([^"\n]+)"`, setAccount),
	rule("with username", `(?i)\bwith username (\S+) failed`, setAccount),
	// Apple Mail: The identity of "mail.example.com" cannot be verified.
	rule("identity of", `(?i)\bidentity of "(`+hostName+`)"`, setServer),
	// Go: x509: certificate is valid for a, b, not mail.example.com
	rule("certificate is valid for", `(?i)\bcertificate is valid for .{1,300}?, not (`+hostName+`)`, setServer),
	// Go: dial tcp: lookup smtp.example.com on 127.0.0.53:53: no such host
	rule("lookup ", `(?i)\blookup (`+hostName+`)(?: on [^\s:]+:\d+)?:`, setServer),
	// Postfix logs and bounces: host mx.example.com[192.0.2.1] said: …
	rule("] said:", `(?i)\bhost (`+hostName+`)\[[0-9A-Fa-f.:]+\] said:`, setServer),
	// Node.js: getaddrinfo ENOTFOUND smtp.example.com / connect ECONNREFUSED 192.0.2.1:587
	rule(" e", `\b(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET) (`+hostName+`)(?::(\d{1,5}))?`, func(f *Fields, m []string) {
		setServer(f, m)
		setPort(f, m[2])
	}),
	// Go: dial tcp 192.0.2.1:25: connect: connection refused / read tcp 10.0.0.2:5123->192.0.2.1:993: …
	rule(" tcp", `(?i)\b(?:dial|read|write) tcp[46]? (?:[^\s>]+->)?(\[[0-9A-Fa-f:]+\]|`+hostName+`):(\d{1,5})\b`, func(f *Fields, m []string) {
		setServer(f, []string{"", strings.Trim(m[1], "[]")})
		setPort(f, m[2])
	}),
	// Any name.domain:port with a mail port.
	rule(":", `(?i)\b(`+hostName+`\.[A-Za-z]{2,}):(25|465|587|110|995|143|993)\b`, func(f *Fields, m []string) {
		setServer(f, m)
		setPort(f, m[2])
	}),
	// Java and PHP: "Could not connect to SMTP host: smtp.example.com, port: 465".
	rule("host:", `(?i)\bhost:\s*(`+hostName+`\.[A-Za-z]{2,})\b`, setServer),
	// Thunderbird and others: "to server imap.example.com", "Mail server pop.example.com responded".
	rule("server ", `(?i)\bserver (`+hostName+`\.[A-Za-z]{2,})\b`, setServer),
	// Library and tool logs: "Error login on [outlook.office365.com]", "connection to imap.example.com;".
	rule("on [", `(?i)\b(?:login|connect(?:ing|ion)?) (?:on|to) \[(`+hostName+`\.[A-Za-z]{2,})\]`, setServer),
	rule("connection to ", `(?i)\b(?:SSL )?connection to (`+hostName+`\.[A-Za-z]{2,})\b`, setServer),
	rule("hosted in ", `(?i)\bhosted (?:in|at|on) (`+hostName+`\.[A-Za-z]{2,})\b`, setServer),
	rule("on port", `(?i)\bon port (\d{1,5})\b`, func(f *Fields, m []string) { setPort(f, m[1]) }),
}

func setOnce(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func setAccount(f *Fields, m []string) { setOnce(&f.Account, strings.TrimSpace(m[1])) }

func setServer(f *Fields, m []string) {
	host := strings.TrimSuffix(strings.TrimSpace(m[1]), ".")
	if f.Server != "" || host == "" || probe.ValidateHost(host) != nil {
		return
	}
	f.Server = strings.ToLower(host)
}

func setPort(f *Fields, s string) {
	if f.Port != 0 || s == "" {
		return
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n <= 65535 {
		f.Port = n
	}
}

func setProtocol(f *Fields, p string) {
	p = strings.ToLower(p)
	if p == "pop" {
		p = "pop3"
	}
	setOnce(&f.Protocol, p)
}

// clientMarkers name the program behind a paste by texts only it produces; the first that matches wins.
var clientMarkers = []struct {
	client  string
	markers []string
}{
	{"Windows Live Mail", []string{"Windows Live Mail"}},
	{"Outlook", []string{"reported error (", "Outlook cannot", "Outlook is unable", ".pst has reached", "[.ost] has reached", "The OST has reached", "Errors in background synchronization"}},
	{"MailKit", []string{"MailKit."}},
	{"Thunderbird for Android / K-9 Mail", []string{"com.fsck.k9", "Command continuation aborted", "Checking incoming server settings failed"}},
	{"Android", []string{"com.android.org.conscrypt", "Trust anchor for certification path not found"}},
	{"Delta Chat", []string{"DeltaChat", "DC_EVENT_"}},
	{"NeoMutt", []string{"mutt_socket", "curses_message()"}},
	{"Outlook Express", []string{"Secure(SSL)", "Error Number: 0x"}},
	{"Thunderbird", []string{"Outgoing server (SMTP)", "Login to server", "Login to account", "Failed to connect to server", "Could not connect to server", "Could not connect to mail server", "Alert from account", "The current command did not succeed", "Sending of password for user", "Sending of username", "is not an IMAP4 mail server", "Unable to establish TLS connection to POP3 server", "The mail server responded", "Sending of the message failed"}},
	{"Apple Mail", []string{"Cannot Get Mail", "Cannot Send Mail", "Cannot Verify Server Identity", "cannot be verified by Mail", "Account not authenticated", "placed in your Outbox"}},
	{"Python", []string{"smtplib.", "imaplib.", "poplib.", "Traceback (most recent call last)", "[Errno ", "ssl.SSLError", "SSLCertVerificationError", "_ssl.c:", "socket.gaierror"}},
	{"Java", []string{"javax.mail", "jakarta.mail", "java.net.", "javax.net.ssl"}},
	{".NET", []string{"System.Net.Mail", "SmtpException", "The server response was:"}},
	{"Node.js", []string{"nodemailer", "Invalid login:", "getaddrinfo ENOTFOUND", "code: 'E", "ECONNREFUSED", "ETIMEDOUT"}},
	{"PHPMailer", []string{"SMTP Error:", "PHPMailer"}},
	{"Go", []string{"dial tcp", "x509: ", "tls: ", "read tcp", "write tcp"}},
	{"OpenSSL", []string{"SSL routines", "ssl3_get_record", "routines:"}},
	{"Postfix log", []string{"status=bounced", "status=deferred", "postfix/"}},
	{"Bounce message", []string{"Diagnostic-Code:", "Final-Recipient:", "Delivery Status Notification", "Mail Delivery Subsystem", "Undelivered Mail Returned to Sender", "Remote Server returned", "Mail delivery failed"}},
}

// bounceMarker finds the fields and phrases of delivery reports and server logs (RFC 3464 fields,
// Exchange's "Remote Server returned", Postfix's "host … said:" and "relay=…, status=", Exim's "SMTP error
// from remote mail server").
var bounceMarker = regexp.MustCompile(`(?im)^\s*(?:Diagnostic-Code|Final-Recipient|Remote-MTA|Reporting-MTA|Original-Recipient)\s*:|Remote Server returned|\bhost \S+\[[0-9A-Fa-f.:]+\] said:|\bstatus=(?:bounced|deferred)|SMTP error from remote mail server|Delivery Status Notification|Undelivered Mail Returned to Sender|Mail Delivery (?:System|Subsystem)|Delivery has failed to these recipients`)

func detectClient(text string) string {
	lower := strings.ToLower(text)
	for _, c := range clientMarkers {
		for _, m := range c.markers {
			if strings.Contains(lower, strings.ToLower(m)) {
				return c.client
			}
		}
	}
	return ""
}

// Where the server's own words are quoted, in order of preference: the expression's group 1 is the reply,
// and it runs only when the text contains the hint.
var responseRules = []struct {
	hint string
	re   *regexp.Regexp
}{
	{"responded:", regexp.MustCompile(`(?i)\b(?:server|mail server \S+) responded:\s*(.+)`)},
	{"response was:", regexp.MustCompile(`(?i)\bThe server response was:\s*(.+)`)},
	{"said:", regexp.MustCompile(`(?i)\bsaid:\s*(.+)`)},
	{"diagnostic-code:", regexp.MustCompile(`(?i)\bDiagnostic-Code:\s*smtp;\s*(.+)`)},
	{"returned '", regexp.MustCompile(`(?i)\bRemote Server returned '([^'\n]+)'`)},
	{":", regexp.MustCompile(`(?i)\b(?:Invalid login|command failed|SMTP Error|Alert from account [^:\n]{1,200}):\s*(.+)`)},
}

// k9Response is the IMAP reply inside Thunderbird for Android's / K-9 Mail's wrapper
// "(Command: LOGIN; response: #3# [NO, LOGIN failed.])": the tag number, the status and the server's text.
var k9Response = regexp.MustCompile(`#\d{1,6}# \[(NO|BAD|BYE), ([^\]\n]{1,400})\]`)

// oeResponse finds an Outlook Express "Server Response: '…'" field. The reply may itself contain quotes, so
// it ends at the quote that is followed by the dialog's next field.
var (
	oeResponseStart = regexp.MustCompile(`(?i)\bServer Response:\s*'`)
	oeResponseEnd   = regexp.MustCompile(`(?i)'\s*,\s*(?:Port|Secure|Server Error|Socket Error|Error Number|Account|Server|Protocol)\b`)
	pythonReply     = regexp.MustCompile(`\((\d{3}),\s*b?['"]((?s).{1,1000}?)['"]\s*[,)]`)
	trailingAdvice  = regexp.MustCompile(`(?i)[.,]?\s*(?:Please (?:verify|check)|\(in reply to)\b.*$`)
	// A line of a raw protocol exchange that reports a failure.
	serverLine    = regexp.MustCompile(`(?m)^\s*(?:[SC]:\s*|<+\s*)?((?:[45]\d\d[ -]\S.*)|(?:-ERR\b.*)|(?:(?:(?:\*|[A-Za-z0-9.]+) )?(?:NO|BAD|BYE) .*))$`)
	smtpContinued = regexp.MustCompile(`^([45]\d\d)-(?:[245]\.\d{1,3}\.\d{1,3}\s+)?`)
)

func serverResponse(text string) string {
	lower := lowerASCII(text)
	if r, ok := oeServerResponse(text, lower); ok {
		return r
	}
	if m := k9Response.FindStringSubmatch(text); m != nil {
		return cleanResponse(m[1] + " " + m[2])
	}
	if m := pythonReply.FindStringSubmatch(text); m != nil {
		return cleanResponse(m[1] + " " + m[2])
	}
	for _, r := range responseRules {
		if !strings.Contains(lower, r.hint) {
			continue
		}
		if m := r.re.FindStringSubmatch(text); m != nil {
			if r := cleanResponse(trailingAdvice.ReplaceAllString(m[1], "")); r != "" {
				return r
			}
		}
	}
	return rawServerReply(text)
}

// oeServerResponse reads the "Server Response: '…'" field of an Outlook Express dialog.
func oeServerResponse(text, lower string) (string, bool) {
	if !strings.Contains(lower, "server response:") {
		return "", false
	}
	loc := oeResponseStart.FindStringIndex(text)
	if loc == nil {
		return "", false
	}
	rest := text[loc[1]:]
	if end := oeResponseEnd.FindStringIndex(rest); end != nil {
		return cleanResponse(rest[:end[0]]), true
	}
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	return cleanResponse(strings.TrimSuffix(strings.TrimSpace(rest), "'")), true
}

// rawServerReply finds the first failing line of a pasted protocol exchange and joins an SMTP multi-line
// reply ("535-5.7.8 …" lines followed by "535 5.7.8 …") into one.
func rawServerReply(text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		m := serverLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		reply := strings.TrimSpace(m[1])
		if c := smtpContinued.FindStringSubmatch(reply); c != nil {
			parts := []string{reply}
			for _, next := range lines[i+1:] {
				next = strings.TrimSpace(next)
				if !strings.HasPrefix(next, c[1]) {
					break
				}
				rest := strings.TrimSpace(strings.TrimPrefix(next, c[1]))
				rest = strings.TrimLeft(rest, "- ")
				if e := enhancedPrefix.FindString(rest); e != "" {
					rest = strings.TrimSpace(rest[len(e):])
				}
				parts = append(parts, rest)
				if len(next) > 3 && next[3] == ' ' {
					break
				}
			}
			reply = strings.Join(parts, " ")
		}
		return cleanResponse(reply)
	}
	return ""
}

var enhancedPrefix = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}\b`)

func cleanResponse(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Trim(s, `'"`)
	s = strings.TrimSuffix(s, ".'")
	s = strings.TrimSpace(s)
	const max = 400
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// extractFields reads every field it can from normalised text.
func extractFields(text string) Fields {
	var f Fields
	lower := lowerASCII(text)
	for _, r := range fieldRules {
		if !strings.Contains(lower, r.hint) {
			continue
		}
		for _, m := range r.re.FindAllStringSubmatch(text, 4) {
			r.set(&f, m)
		}
	}
	f.Client = detectClient(text)
	f.Bounce = bounceMarker.MatchString(text)
	f.ServerResponse = serverResponse(text)
	if f.Provider = catalog.ProviderOf(f.Server); f.Provider == "" {
		f.Provider = catalog.ProviderInText(text)
	}
	return f
}
