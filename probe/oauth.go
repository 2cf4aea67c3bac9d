package probe

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/session"
)

// The OAuth2 login mechanisms (probe/session speaks them). XOAUTH2 is Google's and Microsoft's own;
// OAUTHBEARER is RFC 7628.
const (
	MechXOAUTH2     = session.MechXOAUTH2
	MechOAUTHBEARER = session.MechOAUTHBEARER
)

// OAuthError is the error a server returns for a refused access token, decoded from its error challenge.
type OAuthError = session.OAuthError

// isOAuthMechanism says whether mech sends an access token rather than a password.
var isOAuthMechanism = session.IsOAuthMechanism

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
	// The scopes an Exchange Online token needs per protocol (IMAP.AccessAsUser.All, POP.AccessAsUser.All,
	// SMTP.Send, optionally prefixed with https://outlook.office.com/) are the protocol's traits.
	t, _ := TraitsOf(proto)
	for _, s := range have {
		for _, want := range t.OAuthScopes {
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
	if ch := session.ChallengeOf(err); ch != nil {
		switch strings.ToLower(ch.Status) {
		case "insufficient_scope", "403":
			return catalog.OAuthScope
		case "invalid_token", "401":
			return catalog.OAuthTokenExpired
		}
	}
	return catalog.OAuthTokenRejected
}

// oauthNote is what a refused token login adds to the server's reply in the problem summary.
func oauthNote(err error) string {
	if ch := session.ChallengeOf(err); ch != nil {
		return fmt.Sprintf(" (%s)", ch.Describe())
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
