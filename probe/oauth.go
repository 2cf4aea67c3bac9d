package probe

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/session"
)

// The OAuth2 login mechanisms. XOAUTH2 is Google's and Microsoft's own; OAUTHBEARER is RFC 7628.
const (
	MechXOAUTH2     = "XOAUTH2"
	MechOAUTHBEARER = "OAUTHBEARER"
)

// isOAuthMechanism says whether mech sends an access token rather than a password.
func isOAuthMechanism(mech string) bool {
	return strings.EqualFold(mech, MechXOAUTH2) || strings.EqualFold(mech, MechOAUTHBEARER)
}

// chooseOAuthMechanism picks the mechanism for an access token: the one asked for when the server offers
// it, else OAUTHBEARER (the standard, RFC 7628) before XOAUTH2 (which Microsoft 365 alone offers).
func chooseOAuthMechanism(offered []string, want string) string {
	if want != "" {
		if session.HasCap(offered, want) {
			return strings.ToUpper(want)
		}
		return ""
	}
	for _, m := range []string{MechOAUTHBEARER, MechXOAUTH2} {
		if session.HasCap(offered, m) {
			return m
		}
	}
	return ""
}

// xoauth2Client is the client side of XOAUTH2. go-sasl deliberately has none, and the format is short:
//
//	base64("user=" {User} "^Aauth=Bearer " {Access Token} "^A^A")
//
// as Google documents it (https://developers.google.com/workspace/gmail/imap/xoauth2-protocol, "The SASL
// XOAUTH2 Mechanism") and Microsoft repeats it for Exchange Online (https://learn.microsoft.com/exchange/
// client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth,
// "SASL XOAUTH2"). A refused token is answered with a challenge carrying a base64 JSON error; the client
// must then send an empty response, after which the server ends the exchange with its failure reply.
type xoauth2Client struct {
	user, token string
}

func (c *xoauth2Client) Start() (string, []byte, error) {
	return MechXOAUTH2, []byte("user=" + c.user + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	return []byte{}, nil
}

// oauthClient wraps either mechanism and keeps the server's error challenge, which the final refusal
// (NO, -ERR, 535) does not repeat but which says why the token was refused.
type oauthClient struct {
	inner     sasl.Client
	mech      string
	challenge *OAuthError
}

func (c *oauthClient) Start() (string, []byte, error) { return c.inner.Start() }

func (c *oauthClient) Next(challenge []byte) ([]byte, error) {
	c.challenge = parseOAuthChallenge(challenge)
	if c.mech == MechOAUTHBEARER {
		// RFC 7628 section 3.2.3: the client answers the error challenge with a single %x01. (go-sasl's
		// client returns an error here instead, which would cancel the exchange with "*" and lose the
		// server's own verdict.)
		return []byte{0x01}, nil
	}
	return []byte{}, nil
}

// newOAuthClient builds the SASL client for a token login and registers everything it sends with the
// redactor.
func newOAuthClient(mech string, cr *Credentials, red *session.Redactor) *oauthClient {
	var inner sasl.Client
	if mech == MechOAUTHBEARER {
		inner = sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: cr.User, Token: cr.Token})
	} else {
		inner = &xoauth2Client{user: cr.User, token: cr.Token}
	}
	if _, ir, err := inner.Start(); err == nil {
		red.Add(string(ir))
	}
	return &oauthClient{inner: inner, mech: mech}
}

// OAuthError is the error a server returns for a refused access token, decoded from its base64 JSON
// challenge (RFC 7628 section 3.2.2; Google's XOAUTH2 sends the same fields with an HTTP status).
type OAuthError struct {
	// Status is "invalid_token", "insufficient_scope", "invalid_request" (RFC 6750 section 3.1) or, for
	// XOAUTH2, an HTTP status such as "401".
	Status string `json:"status"`
	// Schemes are the token types the server accepts ("bearer").
	Schemes string `json:"schemes,omitempty"`
	// Scope is the scope the server requires.
	Scope string `json:"scope,omitempty"`
}

// maxOAuthChallenge bounds the JSON read from a challenge; real ones are under 200 bytes.
const maxOAuthChallenge = 4096

// parseOAuthChallenge decodes an error challenge, or returns nil when it is not one.
func parseOAuthChallenge(b []byte) *OAuthError {
	if len(b) == 0 || len(b) > maxOAuthChallenge {
		return nil
	}
	var e OAuthError
	if json.Unmarshal(b, &e) != nil || e.Status == "" {
		return nil
	}
	e.Status, e.Schemes, e.Scope = printable(e.Status), printable(e.Schemes), printable(e.Scope)
	return &e
}

// printable keeps a server-provided string to one line of printable characters of bounded length, so it
// can be shown on a terminal.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// describe renders the challenge for a problem summary.
func (e *OAuthError) describe() string {
	s := "error challenge status " + e.Status
	if e.Scope != "" {
		s += ", required scope " + e.Scope
	}
	return s
}

// oauthRefusal is a failed token login together with the error challenge that came before the refusal.
type oauthRefusal struct {
	err       error
	challenge *OAuthError
}

func (e *oauthRefusal) Error() string { return e.err.Error() }
func (e *oauthRefusal) Unwrap() error { return e.err }

// withChallenge attaches the error challenge a SASL client received to the login's error.
func withChallenge(err error, c sasl.Client) error {
	if oc, ok := c.(*oauthClient); ok && err != nil && oc.challenge != nil {
		return &oauthRefusal{err: err, challenge: oc.challenge}
	}
	return err
}

// challengeOf returns the error challenge behind a failed login, or nil.
func challengeOf(err error) *OAuthError {
	var r *oauthRefusal
	if errors.As(err, &r) {
		return r.challenge
	}
	return nil
}

// loginPOP3OAuth runs AUTH XOAUTH2 or AUTH OAUTHBEARER (RFC 5034). The initial response goes on the AUTH
// line only when the line stays within 255 octets (RFC 5034 section 4); access tokens are usually longer,
// so the client waits for the server's empty "+ " challenge and sends the response on a line of its own.
func (p *Prober) loginPOP3OAuth(s *session.Conn, mech string, red *session.Redactor) error {
	c := newOAuthClient(mech, p.cfg.Credentials, red)
	_, ir, _ := c.Start()
	resp := base64.StdEncoding.EncodeToString(ir)
	readAnswer := func() (string, error) {
		line, err := s.ReadLine()
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(line, "-ERR") {
			return "", withChallenge(parsePOP3Err(line), c)
		}
		return line, nil
	}
	if cmd := "AUTH " + mech + " " + resp; len(cmd)+2 <= 255 {
		if err := s.WriteLine(cmd); err != nil {
			return err
		}
	} else {
		if err := s.WriteLine("AUTH " + mech); err != nil {
			return err
		}
		line, err := readAnswer()
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "+") || strings.HasPrefix(line, "+OK") {
			return &session.ProtocolError{Msg: "unexpected POP3 answer to AUTH " + mech + ": " + session.QuoteLine(red.Scrub(line))}
		}
		if err := s.WriteLine(resp); err != nil {
			return err
		}
	}
	for range 2 { // at most one error challenge, then the verdict
		line, err := readAnswer()
		if err != nil {
			return err
		}
		if strings.HasPrefix(line, "+OK") {
			_ = s.WriteLine("QUIT")
			return nil
		}
		if !strings.HasPrefix(line, "+") {
			return &session.ProtocolError{Msg: "unexpected POP3 answer: " + session.QuoteLine(red.Scrub(line))}
		}
		challenge, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(line, "+")))
		answer, _ := c.Next(challenge)
		if err := s.WriteLine(base64.StdEncoding.EncodeToString(answer)); err != nil {
			return err
		}
	}
	return &session.ProtocolError{Msg: "the POP3 server kept the AUTH " + mech + " exchange going"}
}

// loginIMAPOAuth runs AUTHENTICATE XOAUTH2 or OAUTHBEARER (RFC 3501 section 6.2.2), with the initial
// response on the command line when the server offers SASL-IR (RFC 4959). It speaks the exchange itself
// rather than through imapclient, which encodes an empty response as "=": that is valid only as an
// initial response, and Dovecot answers the empty response XOAUTH2 requires after an error challenge with
// BAD when it comes as "=" — hiding the server's real verdict.
func (p *Prober) loginIMAPOAuth(s *session.Conn, mech string, red *session.Redactor) error {
	c := newOAuthClient(mech, p.cfg.Credentials, red)
	_, ir, _ := c.Start()
	if err := s.WriteLine("T1 CAPABILITY"); err != nil {
		return err
	}
	var caps []string
	if _, err := readIMAPTagged(s, "T1", func(line string) {
		if rest, ok := strings.CutPrefix(line, "* CAPABILITY "); ok {
			caps = strings.Fields(rest)
		}
	}); err != nil {
		return err
	}
	cmd := "T2 AUTHENTICATE " + mech
	if session.HasCap(caps, "SASL-IR") {
		cmd += " " + base64.StdEncoding.EncodeToString(ir)
		ir = nil
	}
	if err := s.WriteLine(cmd); err != nil {
		return err
	}
	for range 3 { // the request for the initial response, an error challenge, then the verdict
		line, err := readIMAPTagged(s, "T2", nil)
		if err == nil && line == "" {
			_ = s.WriteLine("T3 LOGOUT")
			return nil
		}
		if err != nil {
			return withChallenge(err, c)
		}
		answer := ir
		if ir == nil {
			challenge, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(line, "+")))
			answer, _ = c.Next(challenge)
		}
		ir = nil
		if err := s.WriteLine(base64.StdEncoding.EncodeToString(answer)); err != nil {
			return err
		}
	}
	return &session.ProtocolError{Msg: "the IMAP server kept the AUTHENTICATE " + mech + " exchange going"}
}

// readIMAPTagged reads until the tagged answer to tag, or a continuation request ("+ ...", returned as
// the line). The tagged OK returns ""; NO and BAD return an *imap.Error with the response code (RFC 3501
// section 7.1). Untagged lines go to untagged.
func readIMAPTagged(s *session.Conn, tag string, untagged func(string)) (string, error) {
	for range session.MaxReplyLines {
		line, err := s.ReadLine()
		if err != nil {
			return "", err
		}
		switch {
		case strings.HasPrefix(line, "+"):
			return line, nil
		case strings.HasPrefix(line, "* "):
			if untagged != nil {
				untagged(line)
			}
		case strings.HasPrefix(line, tag+" "):
			status, rest, _ := strings.Cut(strings.TrimPrefix(line, tag+" "), " ")
			switch strings.ToUpper(status) {
			case "OK":
				return "", nil
			case "NO", "BAD":
				e := &imap.Error{Type: imap.StatusResponseType(strings.ToUpper(status)), Text: rest}
				if code, text, ok := strings.Cut(rest, "]"); ok && strings.HasPrefix(code, "[") {
					name, _, _ := strings.Cut(code[1:], " ")
					e.Code, e.Text = imap.ResponseCode(strings.ToUpper(name)), strings.TrimSpace(text)
				}
				return "", e
			}
			return "", &session.ProtocolError{Msg: "unexpected IMAP answer: " + session.QuoteLine(s.Redactor.Scrub(line))}
		default:
			return "", &session.ProtocolError{Msg: "unexpected IMAP answer: " + session.QuoteLine(s.Redactor.Scrub(line))}
		}
	}
	return "", &session.ProtocolError{Msg: "the IMAP server sent more than " + fmt.Sprint(session.MaxReplyLines) + " lines without answering"}
}

// tokenClaims are the fields of a JWT access token (Microsoft's are JWTs; Google's are opaque) that tell
// why a token is refused. They are read without checking the signature: only to explain, never to decide.
type tokenClaims struct {
	Expires  int64           `json:"exp"`
	Audience json.RawMessage `json:"aud"`
	Scope    string          `json:"scp"`
	ScopeStd string          `json:"scope"`
	UPN      string          `json:"upn"`
	Username string          `json:"preferred_username"`
	Unique   string          `json:"unique_name"`
	Email    string          `json:"email"`
}

// maxTokenClaims bounds the JWT payload decoded.
const maxTokenClaims = 64 << 10

// readTokenClaims decodes the payload of a JWT, or returns nil for an opaque token.
func readTokenClaims(token string) *tokenClaims {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[1]) > maxTokenClaims {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var c tokenClaims
	if json.Unmarshal(b, &c) != nil {
		return nil
	}
	return &c
}

func (c *tokenClaims) user() string {
	for _, u := range []string{c.UPN, c.Username, c.Email, c.Unique} {
		if u != "" {
			return u
		}
	}
	return ""
}

func (c *tokenClaims) scopes() []string {
	return strings.Fields(c.Scope + " " + c.ScopeStd)
}

// protocolScopes are the scopes an Exchange Online token needs per protocol (IMAP.AccessAsUser.All,
// POP.AccessAsUser.All, SMTP.Send, optionally prefixed with https://outlook.office.com/).
var protocolScopes = map[Protocol][]string{
	IMAP: {"IMAP.AccessAsUser.All"},
	POP3: {"POP.AccessAsUser.All"},
	SMTP: {"SMTP.Send"},
}

// googleMailScope is Gmail's one scope for IMAP, POP3 and SMTP.
const googleMailScope = "https://mail.google.com/"

// exchangeAudiences name Exchange Online in a token's "aud" claim: its URLs and its application ID.
var exchangeAudiences = []string{"outlook.office.com", "outlook.office365.com", "00000002-0000-0ff1-ce00-000000000000"}

func (c *tokenClaims) forExchange() bool {
	aud := strings.ToLower(string(c.Audience))
	for _, a := range exchangeAudiences {
		if strings.Contains(aud, a) {
			return true
		}
	}
	return false
}

// lacksScope says whether an Exchange Online token's own scopes show it cannot be valid for proto. Other
// tokens are not judged: their scope names are the issuer's own (Google's are opaque anyway), and a
// server's challenge may name a scope that is not what the issuer writes.
func (c *tokenClaims) lacksScope(proto Protocol) bool {
	have := c.scopes()
	if len(have) == 0 || !c.forExchange() {
		return false
	}
	for _, s := range have {
		for _, want := range protocolScopes[proto] {
			if strings.EqualFold(s[strings.LastIndexByte(s, '/')+1:], want) {
				return false
			}
		}
	}
	return true
}

// classifyOAuth refines the diagnosis of a refused token login. code is what the server's reply codes
// and texts said; the error challenge and the token's own claims tell expiry, scope and account apart.
func (p *Prober) classifyOAuth(code string, err error, res *Result) string {
	switch code {
	case catalog.OAuthProtocolDisabled, catalog.OAuthSMTPAuthDisabled, catalog.OAuthConsent, catalog.OAuthScope,
		catalog.OAuthWrongAccount, catalog.OAuthTokenExpired:
		return code // the provider's own words were specific
	case catalog.AuthBasicDisabled:
		if res.Protocol == SMTP {
			// Microsoft 365 answers OAuth2 logins too with "SmtpClientAuthentication is disabled": SMTP
			// AUTH is off for the tenant or mailbox, whatever the login method.
			return catalog.OAuthSMTPAuthDisabled
		}
	case catalog.AuthFailed, catalog.AuthAccountDisabled:
	default:
		return code // temporary failures, mechanisms, connections: not about the token
	}
	cr := p.cfg.Credentials
	if claims := readTokenClaims(cr.Token); claims != nil {
		if claims.Expires > 0 && time.Unix(claims.Expires, 0).Before(p.now()) {
			return catalog.OAuthTokenExpired
		}
		if u := claims.user(); u != "" && !strings.EqualFold(u, cr.User) {
			return catalog.OAuthWrongAccount
		}
		if claims.lacksScope(res.Protocol) {
			return catalog.OAuthScope
		}
	}
	if ch := challengeOf(err); ch != nil {
		switch strings.ToLower(ch.Status) {
		case "insufficient_scope", "403":
			return catalog.OAuthScope
		case "invalid_token", "401":
			return catalog.OAuthTokenExpired
		}
	}
	return catalog.OAuthTokenRejected
}

// oauthVerdict says whether a token login's failure holds for every endpoint of the server: a refused
// token is refused everywhere there.
func oauthVerdict(code string) bool {
	switch code {
	case catalog.OAuthTokenExpired, catalog.OAuthScope, catalog.OAuthWrongAccount, catalog.OAuthConsent,
		catalog.OAuthTokenRejected, catalog.OAuthProtocolDisabled, catalog.OAuthSMTPAuthDisabled:
		return true
	}
	return false
}

// oauthNote is what a refused token login adds to the server's reply in the problem summary.
func oauthNote(err error) string {
	if ch := challengeOf(err); ch != nil {
		return fmt.Sprintf(" (%s)", ch.describe())
	}
	return ""
}

// secretName is what the login sends, for messages that say it was not sent.
func secretName(cr *Credentials) string {
	if cr.Token != "" {
		return "OAuth2 token"
	}
	return "password"
}

// plaintextRefusal says why nothing was sent on an unencrypted connection. A token never is: unlike a
// password it cannot be allowed with --allow-plaintext-auth.
func plaintextRefusal(cr *Credentials, ep Endpoint) string {
	if cr.Token != "" {
		return fmt.Sprintf("the OAuth2 token was not sent to %s because the connection is not encrypted; tokens go only over TLS with a valid certificate", ep)
	}
	return fmt.Sprintf("the password was not sent to %s because the connection is not encrypted (use --allow-plaintext-auth to test it anyway)", ep)
}
