package probe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/endpoint"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/probe/session"
)

// dataTermTimeout bounds the wait for the reply to the end of DATA (RFC 5321 section 4.5.3.2.6).
const dataTermTimeout = 10 * time.Minute

// SendRequest is a test message to submit.
type SendRequest struct {
	// Server is the submission endpoint.
	Server Endpoint
	// Address is the IP to dial; empty means resolve Server.Host.
	Address string
	From    string
	To      []string
	Subject string
	Body    string
	// DryRun stops before DATA (RSET), so nothing is delivered.
	DryRun bool
}

// SendStep is one SMTP command and the server's reply.
type SendStep struct {
	// Step names the stage: connect, greeting, starttls, auth, mail, rcpt, data, rset, quit.
	Step string `json:"step"`
	// Command is what was sent, secrets redacted.
	Command string `json:"command,omitempty"`
	// Reply is the server's answer.
	Reply string `json:"reply,omitempty"`
	OK    bool   `json:"ok"`
	// TimeMS is how long the step took.
	TimeMS float64 `json:"time_ms"`
}

// SendResult is the outcome of a send.
type SendResult struct {
	SchemaVersion int      `json:"schema_version"`
	Server        Endpoint `json:"server"`
	Address       string   `json:"address,omitempty"`
	From          string   `json:"from"`
	To            []string `json:"to"`
	DryRun        bool     `json:"dry_run"`
	// Delivered is true when the server accepted the message for delivery (250 after DATA).
	Delivered bool `json:"delivered"`
	// Accepted is true when every step up to the end (DATA, or RCPT in a dry run) was accepted.
	Accepted  bool       `json:"accepted"`
	MessageID string     `json:"message_id,omitempty"`
	Steps     []SendStep `json:"steps"`
	// Problem explains the refusal, when there was one.
	Problem    *Problem `json:"problem,omitempty"`
	Transcript []string `json:"transcript,omitempty"`
}

// Send submits a test message step by step, recording each reply, and explains the first refusal.
func (p *Prober) Send(ctx context.Context, req SendRequest) *SendResult {
	out := &SendResult{SchemaVersion: SchemaVersion, Server: req.Server, From: req.From, To: req.To, DryRun: req.DryRun, Steps: []SendStep{}}
	tr := session.NewTranscript(p.trBudget)
	defer func() { out.Transcript = tr.Snapshot() }()
	password, token := "", ""
	if p.cfg.Credentials != nil {
		password, token = p.cfg.Credentials.Password, p.cfg.Credentials.Token
	}
	red := session.NewRedactor(password)
	red.AddToken(token)
	fail := func(step string, err error) *SendResult {
		pr := p.sendProblem(ctx, step, err, req, red)
		out.Problem = &pr
		return out
	}
	if err := checkAddress(req.From); err != nil {
		return fail("mail", err)
	}
	for _, to := range req.To {
		if err := checkAddress(to); err != nil {
			return fail("rcpt", err)
		}
	}
	ctx = netpolicy.WithPorts(ctx, req.Server.Port) // the server was chosen with its port
	addr := req.Address
	if addr == "" {
		var err error
		if addr, err = p.firstAddress(ctx, req.Server.Host); err != nil {
			return fail("connect", err)
		}
	}
	out.Address = addr

	start := time.Now()
	conv := p.conversation(ctx, req.Server, addr, tr)
	conv.Strict, conv.Redactor = true, red
	defer conv.Close()
	if err := conv.WalkTo(conv.Secured()); err != nil {
		return fail("connect", err)
	}
	s := conv.Conn
	out.Steps = append(out.Steps, SendStep{Step: "connect", Reply: "connected, greeting received" + tlsNote(req.Server), OK: true, TimeMS: ms(time.Since(start))})

	rc := &session.RecordingConn{Conn: s.NetConn, Transcript: tr, Redactor: red}
	c := smtp.NewClient(&session.ResumedConn{Conn: rc, Greeting: strings.NewReader("220 resumed\r\n")})
	defer c.Close()
	c.CommandTimeout = p.cfg.Timeout
	// The answer to the end of the message waits for content filters, which often take longer than one
	// step; RFC 5321 section 4.5.3.2.6 suggests 10 minutes. The run's --max-time still ends it (open closes
	// the connection when ctx ends), and sendProblem then says the message may have been queued.
	c.SubmissionTimeout = dataTermTimeout

	// step runs one SMTP exchange and records it with the server's last reply line from the transcript.
	step := func(name, command string, f func() error) error {
		t := time.Now()
		tr.Mark()
		err := f()
		st := SendStep{Step: name, Command: command, OK: err == nil, TimeMS: ms(time.Since(t))}
		st.Reply = tr.StepReply()
		out.Steps = append(out.Steps, st)
		return err
	}
	if err := step("ehlo", "EHLO", func() error { return c.Hello(session.EHLOName(s.NetConn)) }); err != nil {
		return fail("ehlo", err)
	}
	if cr := p.cfg.Credentials; cr != nil {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fail("auth", &session.ReplyError{Command: "AUTH", Reply: "the server offers no AUTH on this connection"})
		}
		mech := "PLAIN"
		if !c.SupportsAuth("PLAIN") && c.SupportsAuth("LOGIN") {
			mech = "LOGIN"
		}
		if cr.Token != "" {
			_, offered := c.Extension("AUTH")
			if mech = chooseOAuthMechanism(strings.Fields(offered), cr.OAuthMechanism); mech == "" {
				return fail("auth", &session.ReplyError{Command: "AUTH", Reply: "the server offers no OAuth2 login (XOAUTH2, OAUTHBEARER): " + offered})
			}
		}
		sc := session.SASLClient(session.Login{User: cr.User, Password: cr.Password, Token: cr.Token, Mechanism: mech}, red)
		if err := step("auth", "AUTH "+mech+" "+session.Redacted, func() error { return session.WithChallenge(c.Auth(sc), sc) }); err != nil {
			return fail("auth", err)
		}
	}
	if err := step("mail", "MAIL FROM:<"+req.From+">", func() error { return c.Mail(req.From, nil) }); err != nil {
		return fail("mail", err)
	}
	for _, to := range req.To {
		if err := step("rcpt", "RCPT TO:<"+to+">", func() error { return c.Rcpt(to, nil) }); err != nil {
			return fail("rcpt", err)
		}
	}
	if req.DryRun {
		_ = step("rset", "RSET", c.Reset)
		out.Accepted = true
		_ = step("quit", "QUIT", c.Quit)
		return out
	}
	msg, id := buildMessage(req, p.now())
	out.MessageID = id
	if err := step("data", "DATA", func() error {
		w, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write(msg); err != nil {
			return err
		}
		return w.Close()
	}); err != nil {
		return fail("data", err)
	}
	out.Accepted, out.Delivered = true, true
	_ = step("quit", "QUIT", c.Quit)
	return out
}

func tlsNote(ep Endpoint) string {
	switch ep.Security {
	case TLS:
		return " over SSL/TLS"
	case STARTTLS:
		return ", STARTTLS done"
	}
	return " (unencrypted)"
}

// addressError says what is wrong with an address before a server has to.
type addressError struct {
	addr, why string
}

func (e *addressError) Error() string {
	return fmt.Sprintf("%q is not a valid address: %s", e.addr, e.why)
}

// CheckAddress says what is wrong with a bare e-mail address (no display name, no angle brackets), as
// send checks it before a server sees it; nil when nothing is.
func CheckAddress(a string) error { return checkAddress(a) }

// maxLocalPart is the longest local part RFC 5321 section 4.5.3.1.1 allows, in octets.
const maxLocalPart = 64

// checkAddress applies RFC 5321 section 4.1.2 mailbox syntax, as far as a client can know it.
func checkAddress(a string) error {
	for i, r := range a {
		if r < 0x20 && r != '\t' && r != '\r' && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return &addressError{a, fmt.Sprintf("it contains the control character U+%04X at byte %d", r, i)}
		}
	}
	switch {
	case a == "":
		return &addressError{a, "it is empty"}
	case strings.ContainsAny(a, " \t"):
		return &addressError{a, "it contains a space"}
	case strings.ContainsAny(a, "<>\r\n"):
		return &addressError{a, "it contains < > or a line break; give the bare address"}
	case !strings.Contains(a, "@"):
		return &addressError{a, "it has no @domain"}
	}
	if _, err := mail.ParseAddress(a); err != nil {
		return &addressError{a, "its syntax is wrong (" + strings.TrimPrefix(err.Error(), "mail: ") + ")"}
	}
	i := strings.LastIndexByte(a, '@')
	if local, dom := a[:i], a[i+1:]; local == "" || dom == "" || !strings.Contains(dom, ".") {
		return &addressError{a, "the domain after @ is incomplete"}
	} else if len(local) > maxLocalPart {
		return &addressError{a, fmt.Sprintf("the part before @ is %d octets long; RFC 5321 section 4.5.3.1.1 allows %d", len(local), maxLocalPart)}
	}
	// The one validator of addresses also checks the domain's length and labels.
	var ie *endpoint.InputError
	if err := endpoint.ValidAddress(a); errors.As(err, &ie) {
		return &addressError{a, ie.Why}
	}
	return nil
}

// buildMessage writes a small RFC 5322 message marked as a mailcheck test.
func buildMessage(req SendRequest, now time.Time) ([]byte, string) {
	var rnd [12]byte
	_, _ = rand.Read(rnd[:])
	dom := req.From[strings.LastIndexByte(req.From, '@')+1:]
	id := "<mailcheck." + hex.EncodeToString(rnd[:]) + "@" + dom + ">"
	subject := req.Subject
	if subject == "" {
		subject = "mailcheck test message"
	}
	body := req.Body
	if body == "" {
		body = "This is a test message sent by mailcheck to check that sending works.\nYou can delete it."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: %s\r\n", id)
	fmt.Fprintf(&b, "From: <%s>\r\n", req.From)
	fmt.Fprintf(&b, "To: %s\r\n", "<"+strings.Join(req.To, ">, <")+">")
	fmt.Fprintf(&b, "Subject: %s\r\n", mimeHeader(subject))
	b.WriteString("X-Mailer: mailcheck\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		b.WriteString(line + "\r\n")
	}
	return []byte(b.String()), id
}

func mimeHeader(s string) string {
	for _, r := range s {
		if r > 126 || r < 32 {
			return "=?utf-8?q?" + strings.NewReplacer("=", "=3D", "?", "=3F", "_", "=5F", " ", "_").Replace(qEncode(s)) + "?="
		}
	}
	return s
}

func qEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c > 126 || c < 32 {
			fmt.Fprintf(&b, "=%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// sendProblem explains a refusal during a send, by stage and by the typed SMTP error (RFC 5321 4.2,
// RFC 3463 enhanced codes).
func (p *Prober) sendProblem(ctx context.Context, stage string, err error, req SendRequest, red *session.Redactor) Problem {
	var (
		smtpErr *smtp.SMTPError
		addrErr *addressError
	)
	code := ""
	reply := err.Error()
	switch {
	case errors.As(err, &addrErr):
		code = catalog.AddressSyntax
	case errors.As(err, &smtpErr):
		reply = smtpReply(smtpErr)
		code = classifySMTPSend(stage, smtpErr, p.cfg.Credentials != nil)
	default:
		var opErr *net.OpError
		code = classifyIn(ctx, err, errors.As(err, &opErr) && opErr.Op == "dial")
	}
	if provider := catalog.MatchServerText(reply); provider != "" {
		code = provider
	}
	if cr := p.cfg.Credentials; stage == "auth" && cr != nil && cr.Token != "" && smtpErr != nil {
		code = p.classifyOAuth(code, err, &Result{Endpoint: req.Server})
		reply += oauthNote(err)
	}
	// A server may echo what it was sent; its words pass the redactor like the transcript does.
	reply = red.Scrub(reply)
	summary := fmt.Sprintf("the server refused %s: %s", stageName(stage), reply)
	if stage == "data" && (code == catalog.TimeLimit || code == catalog.ResponseTimeout) {
		summary = "no answer came to the end of the message before mailcheck stopped waiting; the server may " +
			"still have queued it, so look in the recipient's mailbox before sending again (a retry can duplicate it)"
	}
	if code == catalog.AddressSyntax && addrErr != nil {
		summary = addrErr.Error()
	} else if stage == "connect" {
		summary = fmt.Sprintf("cannot open a session with %s: %s", req.Server, red.Scrub(err.Error()))
	}
	return newProblem(code, summary, reply)
}

func stageName(stage string) string {
	return map[string]string{
		"ehlo": "the greeting (EHLO)", "auth": "the login (AUTH)", "mail": "the sender (MAIL FROM)",
		"rcpt": "a recipient (RCPT TO)", "data": "the message (DATA)",
	}[stage]
}

// classifySMTPSend reads a refusal of MAIL, RCPT or DATA.
func classifySMTPSend(stage string, e *smtp.SMTPError, authenticated bool) string {
	ec := e.EnhancedCode
	switch {
	case stage == "auth":
		return classifySMTPAuth(e, true)
	case e.Code == 530 || ec == smtp.EnhancedCode{5, 7, 0} && !authenticated:
		return catalog.AuthRequired
	case e.Code == 501 || ec == smtp.EnhancedCode{5, 1, 3} || ec == smtp.EnhancedCode{5, 1, 7}:
		return catalog.AddressSyntax
	case ec == smtp.EnhancedCode{5, 2, 2} || ec == smtp.EnhancedCode{4, 2, 2}:
		return catalog.MailboxFull
	case e.Code == 552 || ec == smtp.EnhancedCode{5, 3, 4} || ec == smtp.EnhancedCode{5, 2, 3}:
		return catalog.MessageTooLarge
	case ec == smtp.EnhancedCode{5, 4, 5}: // Gmail: daily sending limit
		return catalog.SendingLimit
	case ec == smtp.EnhancedCode{5, 7, 26} || ec == smtp.EnhancedCode{5, 7, 23} || ec == smtp.EnhancedCode{5, 7, 25}:
		return catalog.AuthenticationPolicy
	case e.Code == 421 || ec == smtp.EnhancedCode{4, 7, 0} || ec == smtp.EnhancedCode{4, 5, 3} || e.Code == 452:
		return catalog.RateLimited
	case e.Code/100 == 4:
		return catalog.ServerTemporary
	case e.Code == 553 || stage == "mail" && ec[1] == 7:
		return catalog.SenderRejected
	case stage == "rcpt" && ec == smtp.EnhancedCode{5, 7, 1} && !authenticated:
		return catalog.RelayDenied
	case stage == "rcpt" && (ec == smtp.EnhancedCode{5, 1, 1} || ec == smtp.EnhancedCode{5, 1, 2} || ec == smtp.EnhancedCode{5, 2, 1} || e.Code == 550 && ec[1] == 1):
		return catalog.RecipientRejected
	case ec[1] == 7:
		return catalog.PolicyRejected
	case stage == "rcpt":
		return catalog.RecipientRejected
	}
	return catalog.PolicyRejected
}

// firstAddress resolves a host to one address to dial, IPv4 first.
func (p *Prober) firstAddress(ctx context.Context, host string) (string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return ip.String(), nil
	}
	addrs, _, _, err4 := p.cfg.Resolver.LookupAddrs(ctx, host+".", dns.TypeA)
	if err4 == nil {
		return addrs[0], nil
	}
	addrs, _, _, err6 := p.cfg.Resolver.LookupAddrs(ctx, host+".", dns.TypeAAAA)
	if err6 == nil {
		return addrs[0], nil
	}
	return "", worseDNSError(err4, err6)
}
