package probe

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mailcheck/mailcheck/probe/catalog"
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
	// AllowPlaintext permits sending the password over an unencrypted connection.
	AllowPlaintext bool
}

// String hides the password if Credentials is ever printed.
func (c Credentials) String() string {
	return "Credentials{User: " + c.User + ", Password: " + redacted + ", Token: " + redacted + "}"
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
	case !encrypted && !cr.AllowPlaintext:
		return catalog.AuthNotAttempted, plaintextRefusal(cr, res.Endpoint), false
	case res.TLS != nil && hasProblemCode(res.Problems, catalog.TLSVersionOld):
		return catalog.AuthNotAttempted, fmt.Sprintf("the "+secretName(cr)+" was not sent to %s because it only speaks TLS older than 1.2 (%s)", res.Endpoint, res.TLS.Version), false
	case res.TLS != nil && !res.TLS.Verified:
		return catalog.AuthNotAttempted, fmt.Sprintf("the "+secretName(cr)+" was not sent to %s because its certificate is not valid (%s)", res.Endpoint, res.TLS.VerifyError), false
	}
	return "", "", false
}

// notTested records why the login was not tried.
func (p *Prober) notTested(res *Result, code, summary string) {
	pr := newProblem(code, summary, "")
	res.Auth = &AuthResult{User: p.cfg.Credentials.User, Problem: &pr}
}

// testLogin tries the credentials on a fresh connection of their own, so that a failed attempt cannot
// disturb the probe or another attempt (go-smtp ends a failed AUTH with "*", which Postfix answers by
// disconnecting). It fills res.Auth; the caller has checked loginBlocker.
func (p *Prober) testLogin(ctx context.Context, res *Result, tr *transcript) {
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
	if mech == "LOGIN" && res.Protocol == IMAP && hasCap(caps, "LOGINDISABLED") && !hasCap(res.AuthMechanisms, "LOGIN") {
		mech = "" // RFC 3501 6.2.3: the LOGIN command is refused on this connection
	}
	if mech == "" {
		pr := newProblem(catalog.AuthMechanism, fmt.Sprintf("%s offers no login method mailcheck can use (offered: %s)", res.Endpoint, strings.Join(res.AuthMechanisms, " ")), "")
		auth.Problem = &pr
		return
	}
	auth.Mechanism = mech
	tr.note("login test on a new connection, " + mech)
	start := time.Now()
	red := newRedactor(cr.Password)
	red.addToken(cr.Token)
	err := p.login(ctx, res, mech, tr, red)
	res.Timings.AuthMS = ms(time.Since(start))
	auth.Tested = true
	if err == nil {
		auth.OK = true
		return
	}
	pr := p.authProblem(ctx, err, res, mech, red)
	auth.Problem = &pr
	auth.OAuthError = challengeOf(err)
	if pr.Code == catalog.TimeLimit {
		auth.Tested = false // the run's deadline ended it: no verdict on anything
		return
	}
	if pr.Severity == catalog.Fail {
		res.Problems = append(res.Problems, pr)
	}
}

// loginStillPossible: some failures of the probe (a certificate problem) still leave a working connection.
func loginStillPossible(res Result) bool {
	for _, pr := range res.Problems {
		switch pr.Code {
		case catalog.CertExpired, catalog.CertNotYetValid, catalog.CertUntrusted, catalog.CertHostMismatch,
			catalog.STARTTLSNotOffered, catalog.TLSVersionOld:
		default:
			if pr.Severity == catalog.Fail {
				return false
			}
		}
	}
	return true
}

// chooseMechanism picks what a mail client would use: SASL PLAIN when offered (RFC 4616), else LOGIN;
// for IMAP without AUTH=PLAIN the LOGIN command (RFC 3501 6.2.3), for POP3 without SASL USER/PASS
// (RFC 1939 section 7), which every POP3 server has even when it lacks CAPA.
func chooseMechanism(proto Protocol, offered []string) string {
	switch {
	case hasCap(offered, "PLAIN"):
		return "PLAIN"
	case proto == IMAP:
		return "LOGIN"
	case proto == POP3:
		return "USER"
	case hasCap(offered, "LOGIN"):
		return "LOGIN"
	}
	return ""
}

func (p *Prober) login(ctx context.Context, res *Result, mech string, tr *transcript, red *redactor) error {
	s, err := p.open(ctx, res.Endpoint, res.Address, res.STARTTLS, tr, red)
	if err != nil {
		return err
	}
	defer s.close()
	// Servers delay the answer to a failed login on purpose (Dovecot's auth_failure_delay is 2 s and grows
	// with repeated failures), so the login exchange gets a longer limit than other steps. A watchdog
	// enforces it whatever deadlines the protocol library sets on the connection itself.
	limit := p.loginTimeout()
	s.step = limit
	var expired atomic.Bool
	watchdog := time.AfterFunc(limit, func() { expired.Store(true); s.conn.Close() })
	defer watchdog.Stop()
	rc := &recordingConn{Conn: s.conn, tr: tr, red: red}
	switch res.Protocol {
	case IMAP:
		err = p.loginIMAP(s, rc, mech, red)
	case SMTP:
		err = p.loginSMTP(s, rc, mech, red)
	default:
		err = p.loginPOP3(s, mech, red)
	}
	if err != nil && expired.Load() {
		return fmt.Errorf("no answer to the login within %v: %w", limit, os.ErrDeadlineExceeded)
	}
	return err
}

// loginTimeout is the limit for a login exchange: three steps, and never less than 5 s.
func (p *Prober) loginTimeout() time.Duration {
	return max(3*p.cfg.Timeout, 5*time.Second)
}

// open connects for a conversation that will carry secrets: certificate verified during the handshake,
// greeting read, STARTTLS done when upgrade is set. The returned session is ready for the next command.
func (p *Prober) open(ctx context.Context, ep Endpoint, addr string, upgrade bool, tr *transcript, red *redactor) (*session, error) {
	conn, err := p.dial(ctx, addr, ep.Port)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	s := newSession(ctx, conn, p.cfg.Timeout, tr)
	s.red = red
	s.onClose = func() { stop(); conn.Close() }
	fail := func(err error) (*session, error) {
		s.close()
		return nil, err
	}
	d := dialogues[ep.Protocol]
	tlsCfg := p.tlsConfig(ep.Host)
	tlsCfg.InsecureSkipVerify = false // now the certificate must hold, as in a mail client
	tlsCfg.RootCAs = p.cfg.RootCAs
	tlsCfg.MinVersion = tls.VersionTLS12
	if ep.Security == TLS {
		if _, err := s.startTLS(tlsCfg); err != nil {
			return fail(err)
		}
	}
	first, err := s.readLine()
	if err != nil {
		return fail(err)
	}
	if got := sniffProtocol(first); got != ep.Protocol {
		return fail(&protocolError{msg: "not a " + ep.Protocol.Name() + " greeting: " + quoteLine(first)})
	}
	if _, err := d.greeting(s, first); err != nil {
		return fail(err)
	}
	if upgrade {
		caps, err := d.capabilities(s, false)
		if err != nil {
			return fail(err)
		}
		if !d.offersSTARTTLS(caps) {
			return fail(&replyError{Command: "STARTTLS", Reply: "not offered"})
		}
		if err := d.startTLS(s); err != nil {
			return fail(err)
		}
		if _, err := s.startTLS(tlsCfg); err != nil {
			return fail(err)
		}
	}
	if s.r.Buffered() > 0 {
		return fail(&protocolError{msg: "the server sent data before the client spoke"})
	}
	return s, nil
}

// saslClient returns the go-sasl client for mech, registering what it will send with the redactor.
func saslClient(mech string, cr *Credentials, red *redactor) sasl.Client {
	switch mech {
	case MechXOAUTH2, MechOAUTHBEARER:
		return newOAuthClient(mech, cr, red)
	case "PLAIN":
		red.add("\x00" + cr.User + "\x00" + cr.Password)
		return sasl.NewPlainClient("", cr.User, cr.Password)
	default:
		return sasl.NewLoginClient(cr.User, cr.Password)
	}
}

// resumedConn lets a protocol library take over a session mailcheck opened (and possibly upgraded with
// STARTTLS) itself: the libraries begin by reading a greeting, which this conn supplies once, locally.
type resumedConn struct {
	net.Conn
	greeting *strings.Reader
}

func (c *resumedConn) Read(b []byte) (int, error) {
	if c.greeting.Len() > 0 {
		return c.greeting.Read(b)
	}
	return c.Conn.Read(b)
}

func (p *Prober) loginIMAP(s *session, rc *recordingConn, mech string, red *redactor) error {
	if isOAuthMechanism(mech) {
		return p.loginIMAPOAuth(s, mech, red)
	}
	cr := p.cfg.Credentials
	c := imapclient.New(&resumedConn{Conn: rc, greeting: strings.NewReader("* OK resumed\r\n")}, nil)
	defer c.Close()
	_ = rc.SetDeadline(s.deadline())
	var err error
	if mech == "LOGIN" && !hasCap(caps(c), "AUTH=LOGIN") {
		err = c.Login(cr.User, cr.Password).Wait()
	} else {
		sc := saslClient(mech, cr, red)
		err = withChallenge(c.Authenticate(sc), sc)
	}
	if err == nil {
		_ = c.Logout().Wait()
	}
	return err
}

func caps(c *imapclient.Client) []string {
	var out []string
	for cp := range c.Caps() {
		out = append(out, string(cp))
	}
	return out
}

func (p *Prober) loginSMTP(s *session, rc *recordingConn, mech string, red *redactor) error {
	cr := p.cfg.Credentials
	c := smtp.NewClient(&resumedConn{Conn: rc, greeting: strings.NewReader("220 resumed\r\n")})
	defer c.Close()
	// go-smtp sets its own deadline before every command; give it our limit, not its 5-minute default.
	c.CommandTimeout = s.step
	if err := c.Hello(strings.Trim(ehloName(s.conn), "[]")); err != nil {
		return err
	}
	sc := saslClient(mech, cr, red)
	if err := c.Auth(sc); err != nil {
		return withChallenge(err, sc)
	}
	_ = c.Quit()
	return nil
}

// pop3Error is a POP3 -ERR answer with its RFC 2449/3206 response code.
type pop3Error struct {
	Code string // "AUTH", "SYS/TEMP", "IN-USE", ...
	Text string
}

func (e *pop3Error) Error() string { return "-ERR " + e.Text }

func parsePOP3Err(line string) *pop3Error {
	text := strings.TrimSpace(strings.TrimPrefix(line, "-ERR"))
	e := &pop3Error{Text: text}
	if strings.HasPrefix(text, "[") {
		if i := strings.IndexByte(text, ']'); i > 0 {
			e.Code = strings.ToUpper(text[1:i])
		}
	}
	return e
}

func (p *Prober) loginPOP3(s *session, mech string, red *redactor) error {
	if isOAuthMechanism(mech) {
		return p.loginPOP3OAuth(s, mech, red)
	}
	cr := p.cfg.Credentials
	expectOK := func() error {
		line, err := s.readLine()
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "+OK") {
			if strings.HasPrefix(line, "-ERR") {
				return parsePOP3Err(line)
			}
			return &protocolError{msg: "unexpected POP3 answer: " + quoteLine(red.scrub(line))}
		}
		return nil
	}
	if mech == "PLAIN" {
		// RFC 5034 section 4: AUTH with an initial response.
		resp := "\x00" + cr.User + "\x00" + cr.Password
		red.add(resp)
		if err := s.writeLine("AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte(resp))); err != nil {
			return err
		}
	} else {
		if err := s.writeLine("USER " + cr.User); err != nil {
			return err
		}
		if err := expectOK(); err != nil {
			return err
		}
		if err := s.writeLine("PASS " + cr.Password); err != nil {
			return err
		}
	}
	if err := expectOK(); err != nil {
		return err
	}
	_ = s.writeLine("QUIT")
	return nil
}

// authProblem classifies a failed login by the server's typed answer: IMAP response codes (RFC 5530),
// SMTP reply and enhanced status codes (RFC 4954, RFC 3463), POP3 response codes (RFC 2449, RFC 3206).
// Provider-specific refusals (app passwords, basic auth disabled) are recognised by the catalogue's
// provider entries, which match the server's own words.
func (p *Prober) authProblem(ctx context.Context, err error, res *Result, mech string, red *redactor) Problem {
	var (
		imapErr *imap.Error
		smtpErr *smtp.SMTPError
		popErr  *pop3Error
	)
	code := ""
	reply := err.Error()
	answered := true // the server itself refused, rather than the connection failing
	switch {
	case errors.As(err, &imapErr):
		reply = strings.TrimSpace(fmt.Sprintf("%s [%s] %s", imapErr.Type, imapErr.Code, imapErr.Text))
		switch imapErr.Code {
		case imap.ResponseCodeAuthenticationFailed, imap.ResponseCodeAuthorizationFailed:
			code = catalog.AuthFailed
		case imap.ResponseCodeExpired, imap.ResponseCodeContactAdmin:
			code = catalog.AuthAccountDisabled
		case imap.ResponseCodePrivacyRequired:
			code = catalog.AuthPlaintextRefused
		case imap.ResponseCodeUnavailable:
			code = catalog.AuthTemporary
		case imap.ResponseCodeInUse:
			code = catalog.MailboxInUse
		case "":
			reply = strings.TrimSpace(fmt.Sprintf("%s %s", imapErr.Type, imapErr.Text))
			code = catalog.AuthFailed
		default:
			code = catalog.AuthFailed
		}
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
	if isOAuthMechanism(mech) && answered {
		code = p.classifyOAuth(code, err, res)
		reply += oauthNote(err)
	}
	// A server may echo what it was sent; its words pass the redactor like the transcript does.
	reply = red.scrub(reply)
	if !answered {
		return newProblem(code, fmt.Sprintf("the login test on %s failed before the server judged the password: %s", res.Endpoint, reply), reply)
	}
	return newProblem(code, fmt.Sprintf("%s refused the login of %s (%s): %s", res.Endpoint, p.cfg.Credentials.User, mech, reply), reply)
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
