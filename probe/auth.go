package probe

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/session"
)

// Credentials are the login to test. The password never leaves this struct except on an encrypted
// connection (or with AllowPlaintext), and never reaches a report or transcript.
type Credentials struct {
	User     string
	Password string
	// Token is an OAuth2 access token; when set, the login uses XOAUTH2 or OAUTHBEARER instead of the
	// password (see oauth.go). It is a secret exactly like the password.
	Token string
	// OAuthMechanism forces XOAUTH2 or OAUTHBEARER; empty picks what the server offers.
	OAuthMechanism string
	// AllowPlaintext permits sending the password over a connection probed in clear text on purpose
	// (--starttls no, or an endpoint whose URL or source says plain); a missing or failed STARTTLS
	// never lets it through (loginBlocker).
	AllowPlaintext bool
	// Bound, when set, ties the credentials to their account (an exporter's login module): they go
	// only to targets inside it (see Binding and MayReceiveSecrets).
	Bound *Binding
}

// String hides the password if Credentials is ever printed.
func (c Credentials) String() string {
	return "Credentials{User: " + c.User + ", Password: " + session.Redacted + ", Token: " + session.Redacted + "}"
}

// GoString hides the password from %#v too.
func (c Credentials) GoString() string { return c.String() }

// loginBlocker says why the credentials must not (or cannot) be tried on an endpoint: skip means there is
// nothing to say (no connection, or an SMTP port without AUTH); otherwise a non-empty code is the
// finding that replaces the test.
func (p *Prober) loginBlocker(res *Result) (code, summary string, skip bool) {
	cr := p.cfg.Credentials
	if cr == nil || res.Address == "" || res.Greeting == "" || statusOf(res.Problems) == StatusFail && !loginStillPossible(*res) {
		return "", "", true
	}
	encrypted := res.Security == TLS || res.STARTTLS
	switch {
	case res.Protocol == SMTP && len(res.AuthMechanisms) == 0 && (encrypted || res.PlaintextLogin == "refused"):
		return "", "", true // port 25 style: no login here
	case !encrypted && res.PlaintextLogin == "refused":
		return catalog.AuthPlaintextRefused, fmt.Sprintf("%s refuses password login on an unencrypted connection; the password was not sent", res.Endpoint), false
	case !encrypted && !p.clearOnPurpose(res):
		return catalog.AuthNotAttempted, fmt.Sprintf("the "+secretName(cr)+" was not sent to %s: STARTTLS was to encrypt the connection and did not (a man in the middle who strips STARTTLS produces exactly this); --allow-plaintext-auth applies only to endpoints probed in clear text on purpose (--starttls no, or a plain URL)", res.Endpoint), false
	case !encrypted && !cr.AllowPlaintext:
		return catalog.AuthNotAttempted, plaintextRefusal(cr, res.Endpoint), false
	case res.TLS != nil && hasProblemCode(res.Problems, catalog.TLSVersionOld):
		return catalog.AuthNotAttempted, fmt.Sprintf("the "+secretName(cr)+" was not sent to %s because it only speaks TLS older than 1.2 (%s)", res.Endpoint, res.TLS.Version), false
	case res.TLS != nil && !res.TLS.Verified:
		return catalog.AuthNotAttempted, fmt.Sprintf("the "+secretName(cr)+" was not sent to %s because its certificate is not valid (%s)", res.Endpoint, res.TLS.VerifyError), false
	}
	return "", "", false
}

// clearOnPurpose says whether an endpoint was probed without encryption on purpose: its URL or source
// says plain, or --starttls no. A STARTTLS endpoint whose upgrade was not offered, was refused or
// failed is not: the password never goes there in clear text, whatever --allow-plaintext-auth says,
// because a missing STARTTLS is what a man in the middle produces (RFC 3207 section 6, RFC 8314
// section 3.3).
func (p *Prober) clearOnPurpose(res *Result) bool {
	return res.Security == Plain || p.cfg.STARTTLS == STARTTLSNo
}

// notTested records why the login was not tried.
func (p *Prober) notTested(res *Result, code, summary string) {
	pr := newProblem(code, summary, "")
	res.Auth = &AuthResult{User: p.cfg.Credentials.User, Problem: &pr}
}

// testLogin tries the credentials on a fresh connection of their own, or, when on is set, on the probe's
// own connection once its TLS and capabilities are in (then the login costs no new connect and
// handshake). Either way it is the last thing on that connection, so a failed attempt cannot disturb
// anything else (go-smtp ends a failed AUTH with "*", which Postfix answers by disconnecting). It fills
// res.Auth; the caller has checked loginBlocker.
func (p *Prober) testLogin(ctx context.Context, res *Result, tr *session.Transcript, on *session.Conn) {
	cr := p.cfg.Credentials
	auth := &AuthResult{User: cr.User}
	res.Auth = auth
	mech := chooseMechanism(res.Protocol, res.AuthMechanisms)
	if cr.Token != "" {
		mech = chooseOAuthMechanism(res.AuthMechanisms, cr.OAuthMechanism)
	}
	caps := res.Capabilities.AfterTLS
	if res.Security != TLS && !res.STARTTLS {
		caps = res.Capabilities.BeforeTLS
	}
	if mech == "LOGIN" && res.Protocol == IMAP && session.HasCap(caps, "LOGINDISABLED") && !session.HasCap(res.AuthMechanisms, "LOGIN") {
		mech = "" // RFC 3501 6.2.3: the LOGIN command is refused on this connection
	}
	if mech == "" {
		pr := newProblem(catalog.AuthMechanism, fmt.Sprintf("%s offers no login method mailcheck can use (offered: %s)", res.Endpoint, strings.Join(res.AuthMechanisms, " ")), "")
		auth.Problem = &pr
		return
	}
	auth.Mechanism = mech
	start := time.Now()
	auth.started = start
	red := session.NewRedactor(cr.Password)
	red.AddToken(cr.Token)
	var err error
	if on != nil {
		tr.Note("login test on this connection, " + mech)
		err = p.loginOnSession(on, res, mech, tr, red)
	} else {
		tr.Note("login test on a new connection, " + mech)
		err = p.login(ctx, res, mech, tr, red)
	}
	res.Timings.AuthMS = ms(time.Since(start))
	auth.Tested = true
	if err == nil {
		auth.OK = true
		return
	}
	pr := p.authProblem(ctx, err, res, mech, red)
	auth.Problem = &pr
	auth.OAuthError = session.ChallengeOf(err)
	if pr.Code == catalog.TimeLimit {
		auth.Tested = false // the run's deadline ended it: no verdict on anything
		return
	}
	if pr.Severity == catalog.Fail {
		res.Problems = append(res.Problems, pr)
	}
}

// loginStillPossible: some failures of the probe (a certificate problem) still leave a working connection;
// the catalogue marks them.
func loginStillPossible(res Result) bool {
	for _, pr := range res.Problems {
		if a, _ := catalog.Is(pr.Code); pr.Severity == catalog.Fail && !a.LoginStillPossible {
			return false
		}
	}
	return true
}

// chooseMechanism picks what a mail client would use: SASL PLAIN when offered (RFC 4616), else LOGIN;
// for IMAP without AUTH=PLAIN the LOGIN command (RFC 3501 6.2.3), for POP3 without SASL USER/PASS
// (RFC 1939 section 7), which every POP3 server has even when it lacks CAPA.
func chooseMechanism(proto Protocol, offered []string) string {
	switch {
	case session.HasCap(offered, "PLAIN"):
		return "PLAIN"
	case proto == IMAP:
		return "LOGIN"
	case proto == POP3:
		return "USER"
	case session.HasCap(offered, "LOGIN"):
		return "LOGIN"
	}
	return ""
}

func (p *Prober) login(ctx context.Context, res *Result, mech string, tr *session.Transcript, red *session.Redactor) error {
	c := p.conversation(ctx, res.Endpoint, res.Address, tr)
	c.Strict, c.Upgrade, c.Redactor = true, res.STARTTLS, red
	defer c.Close()
	target := c.Secured()
	if res.Protocol == SMTP {
		// A new connection (or one just upgraded with STARTTLS, RFC 3207 section 4.2) starts with EHLO.
		target = session.PhaseReady
	}
	if err := c.WalkTo(target); err != nil {
		return err
	}
	if res.Protocol == SMTP && c.Caps == nil {
		// EHLO refused (the session fell back to HELO) or without extensions: no AUTH on this connection.
		return &session.ReplyError{Command: "EHLO", Reply: "the server lists no extensions (no AUTH) on this connection"}
	}
	return p.loginOnSession(c.Conn, res, mech, tr, red)
}

// loginOnSession runs the login exchange (session.Conn.Login) on a session that is ready for it
// (encrypted as the endpoint demands, greeting and capabilities done), with the capabilities the probe
// read on that connection.
func (p *Prober) loginOnSession(s *session.Conn, res *Result, mech string, tr *session.Transcript, red *session.Redactor) error {
	res.Auth.sent = true // from here on the server may count the attempt (see logins)
	caps := res.Capabilities.AfterTLS
	if res.Security != TLS && !res.STARTTLS {
		caps = res.Capabilities.BeforeTLS
	}
	cr := p.cfg.Credentials
	// Servers delay the answer to a failed login on purpose (Dovecot's auth_failure_delay is 2 s and grows
	// with repeated failures), so the exchange gets loginTimeout, longer than other steps.
	return s.Login(res.Protocol, session.Login{User: cr.User, Password: cr.Password, Token: cr.Token, Mechanism: mech, Caps: caps, Limit: p.loginTimeout()}, tr, red)
}

// loginTimeout is the limit for a login exchange: three steps, and never less than 5 s.
func (p *Prober) loginTimeout() time.Duration {
	return max(3*p.cfg.Timeout, 5*time.Second)
}

// authProblem classifies a failed login by the server's typed answer: IMAP response codes (RFC 5530),
// SMTP reply and enhanced status codes (RFC 4954, RFC 3463), POP3 response codes (RFC 2449, RFC 3206).
// Provider-specific refusals (app passwords, basic auth disabled) are recognised by the catalogue's
// provider entries, which match the server's own words.
func (p *Prober) authProblem(ctx context.Context, err error, res *Result, mech string, red *session.Redactor) Problem {
	var (
		imapErr *imap.Error
		smtpErr *smtp.SMTPError
		popErr  *session.POP3Error
	)
	code := ""
	reply := err.Error()
	answered := true // the server itself refused, rather than the connection failing
	switch {
	case errors.As(err, &imapErr):
		reply = strings.TrimSpace(fmt.Sprintf("%s [%s] %s", imapErr.Type, imapErr.Code, imapErr.Text))
		if imapErr.Code == "" {
			reply = strings.TrimSpace(fmt.Sprintf("%s %s", imapErr.Type, imapErr.Text))
		}
		code = classifyIMAPAuth(imapErr)
	case errors.As(err, &smtpErr):
		reply = smtpReply(smtpErr)
		code = classifySMTPAuth(smtpErr, res.Security == TLS || res.STARTTLS)
	case errors.As(err, &popErr):
		reply = popErr.Error()
		switch popErr.Code {
		case "SYS/TEMP", "LOGIN-DELAY":
			code = catalog.AuthTemporary
		case "IN-USE":
			code = catalog.MailboxInUse
		case "SYS/PERM":
			code = catalog.AuthAccountDisabled
		default:
			code = catalog.AuthFailed
		}
	default:
		code = classifyIn(ctx, err, false)
		answered = false
	}
	if provider := catalog.MatchServerText(reply); provider != "" && answered {
		code = provider
	}
	// The provider decides what a generic refusal means (Exchange Online: password logins switched off);
	// an OAuth2 refusal is read from its own error challenge and token instead.
	policy := ""
	switch {
	case isOAuthMechanism(mech) && answered:
		code = p.classifyOAuth(code, err, res)
		reply += oauthNote(err)
	case answered:
		code, policy = catalog.ProviderMeaning(catalog.ServerRefusal{Problem: code, Host: res.Endpoint.Host, Protocol: string(res.Endpoint.Protocol), Greeting: res.Greeting})
	}
	// A server may echo what it was sent; its words pass the redactor like the transcript does.
	reply = red.Scrub(reply)
	if !answered {
		return newProblem(code, fmt.Sprintf("the login test on %s failed before the server judged the password: %s", res.Endpoint, reply), reply)
	}
	summary := fmt.Sprintf("%s refused the login of %s (%s): %s", res.Endpoint, p.cfg.Credentials.User, mech, reply)
	if policy != "" {
		summary += ". " + policy
	}
	return newProblem(code, summary, reply)
}

// classifyIMAPAuth reads an IMAP login refusal. Only NO answers about the account judge the credentials
// (RFC 5530 section 3): BAD is a command the server did not understand (RFC 3501 section 7.1.3), and
// SERVERBUG, LIMIT, UNAVAILABLE and CANNOT say the server could not decide, not that the password is wrong.
func classifyIMAPAuth(e *imap.Error) string {
	if e.Type == imap.StatusResponseTypeBad {
		return catalog.ProtocolError
	}
	switch e.Code {
	case imap.ResponseCodeExpired, imap.ResponseCodeContactAdmin:
		return catalog.AuthAccountDisabled
	case imap.ResponseCodePrivacyRequired:
		return catalog.AuthPlaintextRefused
	case imap.ResponseCodeUnavailable, imap.ResponseCodeServerBug, imap.ResponseCodeLimit:
		return catalog.AuthTemporary
	case imap.ResponseCodeCannot:
		return catalog.ProtocolError
	case imap.ResponseCodeInUse:
		return catalog.MailboxInUse
	}
	// AUTHENTICATIONFAILED, AUTHORIZATIONFAILED, and a bare NO ("NO Login failed"), which is how most
	// servers refuse a wrong password.
	return catalog.AuthFailed
}

// smtpReply renders an SMTP refusal as the server wrote it: "535 5.7.8 Authentication failed".
func smtpReply(e *smtp.SMTPError) string {
	if e.EnhancedCode == smtp.NoEnhancedCode || e.EnhancedCode[0] == 0 {
		return strconv.Itoa(e.Code) + " " + e.Message
	}
	ec := e.EnhancedCode
	return fmt.Sprintf("%d %d.%d.%d %s", e.Code, ec[0], ec[1], ec[2], e.Message)
}

// classifySMTPAuth reads an SMTP AUTH refusal (RFC 4954 section 6, RFC 3463 / RFC 5248 status codes).
func classifySMTPAuth(e *smtp.SMTPError, encrypted bool) string {
	ec := e.EnhancedCode
	switch {
	case e.Code/100 == 4:
		return catalog.AuthTemporary
	case ec == smtp.EnhancedCode{5, 7, 9}, ec == smtp.EnhancedCode{5, 7, 14}:
		return catalog.AuthAppPassword
	case ec == smtp.EnhancedCode{5, 7, 13}:
		return catalog.AuthAccountDisabled
	case e.Code == 538, ec == smtp.EnhancedCode{5, 7, 11}, ec == smtp.EnhancedCode{5, 7, 10}:
		return catalog.AuthPlaintextRefused
	case e.Code == 530 && !encrypted:
		return catalog.AuthPlaintextRefused
	case e.Code == 504, ec == smtp.EnhancedCode{5, 5, 4}, ec == smtp.EnhancedCode{5, 7, 4}:
		return catalog.AuthMechanism
	case e.Code == 503:
		return catalog.AuthMechanism // AUTH not enabled on this port
	}
	return catalog.AuthFailed
}

func hasProblemCode(probs []Problem, code string) bool {
	for _, p := range probs {
		if p.Code == code {
			return true
		}
	}
	return false
}
