package session

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"
)

// The OAuth2 login mechanisms. XOAUTH2 is Google's and Microsoft's own; OAUTHBEARER is RFC 7628.
const (
	MechXOAUTH2     = "XOAUTH2"
	MechOAUTHBEARER = "OAUTHBEARER"
)

// IsOAuthMechanism says whether mech sends an access token rather than a password.
func IsOAuthMechanism(mech string) bool {
	return strings.EqualFold(mech, MechXOAUTH2) || strings.EqualFold(mech, MechOAUTHBEARER)
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
	// red scrubs the challenge's fields: a server may echo the token there too.
	red *Redactor
}

func (c *oauthClient) Start() (string, []byte, error) { return c.inner.Start() }

func (c *oauthClient) Next(challenge []byte) ([]byte, error) {
	c.challenge = parseOAuthChallenge(challenge)
	if c.challenge != nil && c.red != nil {
		c.challenge.Status, c.challenge.Schemes, c.challenge.Scope = c.red.Scrub(c.challenge.Status), c.red.Scrub(c.challenge.Schemes), c.red.Scrub(c.challenge.Scope)
	}
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
func newOAuthClient(l Login, red *Redactor) *oauthClient {
	mech := l.Mechanism
	var inner sasl.Client
	if mech == MechOAUTHBEARER {
		inner = sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: l.User, Token: l.Token})
	} else {
		inner = &xoauth2Client{user: l.User, token: l.Token}
	}
	if _, ir, err := inner.Start(); err == nil {
		red.Add(string(ir))
	}
	return &oauthClient{inner: inner, mech: mech, red: red}
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
	e.Status, e.Schemes, e.Scope = Printable(e.Status), Printable(e.Schemes), Printable(e.Scope)
	return &e
}

// Printable keeps a server-provided string to one line of printable characters of bounded length, so it
// can be shown on a terminal.
func Printable(s string) string {
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

// Describe renders the challenge for a problem summary.
func (e *OAuthError) Describe() string {
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

// WithChallenge attaches the error challenge a SASL client received to the login's error.
func WithChallenge(err error, c sasl.Client) error {
	if oc, ok := c.(*oauthClient); ok && err != nil && oc.challenge != nil {
		return &oauthRefusal{err: err, challenge: oc.challenge}
	}
	return err
}

// ChallengeOf returns the error challenge behind a failed login, or nil.
func ChallengeOf(err error) *OAuthError {
	var r *oauthRefusal
	if errors.As(err, &r) {
		return r.challenge
	}
	return nil
}

// loginPOP3OAuth runs AUTH XOAUTH2 or AUTH OAUTHBEARER (RFC 5034). The initial response goes on the AUTH
// line only when the line stays within 255 octets (RFC 5034 section 4); access tokens are usually longer,
// so the client waits for the server's empty "+ " challenge and sends the response on a line of its own.
func loginPOP3OAuth(s *Conn, l Login, red *Redactor) error {
	mech := l.Mechanism
	c := newOAuthClient(l, red)
	_, ir, _ := c.Start()
	resp := base64.StdEncoding.EncodeToString(ir)
	readAnswer := func() (string, error) {
		line, err := s.ReadLine()
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(line, "-ERR") {
			return "", WithChallenge(ParsePOP3Err(line), c)
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
			return &ProtocolError{Msg: "unexpected POP3 answer to AUTH " + mech + ": " + QuoteLine(red.Scrub(line))}
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
			return &ProtocolError{Msg: "unexpected POP3 answer: " + QuoteLine(red.Scrub(line))}
		}
		challenge, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(line, "+")))
		answer, _ := c.Next(challenge)
		if err := s.WriteLine(base64.StdEncoding.EncodeToString(answer)); err != nil {
			return err
		}
	}
	return &ProtocolError{Msg: "the POP3 server kept the AUTH " + mech + " exchange going"}
}

// loginIMAPOAuth runs AUTHENTICATE XOAUTH2 or OAUTHBEARER (RFC 3501 section 6.2.2), with the initial
// response on the command line when the server offers SASL-IR (RFC 4959). It speaks the exchange itself
// rather than through imapclient, which encodes an empty response as "=": that is valid only as an
// initial response, and Dovecot answers the empty response XOAUTH2 requires after an error challenge with
// BAD when it comes as "=" — hiding the server's real verdict.
func loginIMAPOAuth(s *Conn, l Login, red *Redactor) error {
	mech := l.Mechanism
	c := newOAuthClient(l, red)
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
	if HasCap(caps, "SASL-IR") {
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
			return WithChallenge(err, c)
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
	return &ProtocolError{Msg: "the IMAP server kept the AUTHENTICATE " + mech + " exchange going"}
}

// readIMAPTagged reads until the tagged answer to tag, or a continuation request ("+ ...", returned as
// the line). The tagged OK returns ""; NO and BAD return an *imap.Error with the response code (RFC 3501
// section 7.1). Untagged lines go to untagged.
func readIMAPTagged(s *Conn, tag string, untagged func(string)) (string, error) {
	for range MaxReplyLines {
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
			return "", &ProtocolError{Msg: "unexpected IMAP answer: " + QuoteLine(s.Redactor.Scrub(line))}
		default:
			return "", &ProtocolError{Msg: "unexpected IMAP answer: " + QuoteLine(s.Redactor.Scrub(line))}
		}
	}
	return "", &ProtocolError{Msg: "the IMAP server sent more than " + fmt.Sprint(MaxReplyLines) + " lines without answering"}
}
