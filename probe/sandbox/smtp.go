package sandbox

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// maxMessageBytes is the SIZE the SMTP servers announce (RFC 1870).
const maxMessageBytes = 10 << 20

// serveSMTP runs go-smtp's server on ln. STARTTLS is offered in ModeSTARTTLS (RFC 3207); AUTH PLAIN and
// LOGIN are offered after TLS, or before it with PlaintextAuth, except on port 25, which is an MX.
func (s *Sandbox) serveSMTP(ep *endpoint, ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{sb: s, ep: ep}, nil
	}))
	srv.Domain = ep.host
	srv.ReadTimeout = idleTimeout
	srv.WriteTimeout = idleTimeout
	srv.MaxMessageBytes = maxMessageBytes
	srv.MaxRecipients = 100
	srv.AllowInsecureAuth = ep.svc.PlaintextAuth
	srv.ErrorLog = discardLogger{}
	if ep.svc.Mode == ModeSTARTTLS {
		srv.TLSConfig = ep.tlsConfig
	}
	ep.smtp = srv
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		// Serve returns when Close closes the listener; Close then calls srv.Shutdown, which waits for
		// go-smtp's connection goroutines.
		_ = srv.Serve(ln)
	}()
}

// smtpSession is one SMTP transaction state: who logged in, the envelope.
type smtpSession struct {
	sb   *Sandbox
	ep   *endpoint
	user string
	from string
	to   []string
}

var _ smtp.AuthSession = (*smtpSession)(nil)

// AuthMechanisms lists PLAIN and LOGIN (RFC 4954), none on port 25: an MX takes mail without AUTH.
func (x *smtpSession) AuthMechanisms() []string {
	if x.ep.svc.Port == 25 {
		return nil
	}
	return append([]string{sasl.Plain, sasl.Login}, x.sb.oauthMechanisms()...)
}

// Auth starts a SASL exchange; a wrong password answers 535 5.7.8 (RFC 4954 section 6).
func (x *smtpSession) Auth(mech string) (sasl.Server, error) {
	if len(x.AuthMechanisms()) == 0 {
		return nil, smtp.ErrAuthUnsupported
	}
	check := func(identity, username, password string) error {
		if identity != "" && !strings.EqualFold(identity, username) {
			return smtp.ErrAuthFailed
		}
		x.sb.heard(x.ep, ProtoSMTP, password)
		if !x.sb.checkPassword(username, password) {
			x.sb.loginFailed(ProtoSMTP)
			return smtp.ErrAuthFailed
		}
		x.user = strings.ToLower(username)
		return nil
	}
	switch strings.ToUpper(mech) {
	case sasl.Plain:
		return sasl.NewPlainServer(check), nil
	case sasl.Login:
		return newLoginServer(func(u, p string) error { return check("", u, p) }), nil
	case mechXOAUTH2, mechOAUTHBEARER:
		return x.sb.newOAuthServer(x.ep, ProtoSMTP, mech, smtp.ErrAuthFailed, func(user string) error {
			x.user = user
			return nil
		}), nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// Mail starts a transaction. An authenticated user may only send as themselves, as Postfix's
// reject_sender_login_mismatch does.
func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if x.user != "" && !strings.EqualFold(from, x.user) {
		return &smtp.SMTPError{
			Code:         553,
			EnhancedCode: smtp.EnhancedCode{5, 7, 1},
			Message:      fmt.Sprintf("<%s>: Sender address rejected: not owned by user %s", from, x.user),
		}
	}
	x.from = from
	return nil
}

// Rcpt accepts local users, and other domains only from an authenticated user (no open relay).
func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	domain := ""
	if i := strings.LastIndexByte(to, '@'); i >= 0 {
		domain = to[i+1:]
	}
	local := strings.EqualFold(strings.TrimSuffix(domain, "."), strings.TrimSuffix(x.sb.zone.origin, "."))
	switch {
	case !local && x.user == "":
		return &smtp.SMTPError{
			Code:         554,
			EnhancedCode: smtp.EnhancedCode{5, 7, 1},
			Message:      fmt.Sprintf("<%s>: Relay access denied", to),
		}
	case local:
		if _, ok := x.sb.users[strings.ToLower(to)]; !ok {
			return &smtp.SMTPError{
				Code:         550,
				EnhancedCode: smtp.EnhancedCode{5, 1, 1},
				Message:      fmt.Sprintf("<%s>: Recipient address rejected: User unknown in virtual mailbox table", to),
			}
		}
	}
	x.to = append(x.to, to)
	return nil
}

// Data stores the message for every recipient (mail for other domains stays here too: nothing leaves).
func (x *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	for _, to := range x.to {
		x.sb.deliver(to, string(b))
	}
	return nil
}

// Reset forgets the envelope (RSET, or a new EHLO).
func (x *smtpSession) Reset() {
	x.from = ""
	x.to = nil
}

// Logout ends the session.
func (x *smtpSession) Logout() error { return nil }

// checkPassword compares a login's password.
func (s *Sandbox) checkPassword(login, password string) bool {
	pw, ok := s.users[strings.ToLower(login)]
	return ok && pw == password
}

// loginFailed counts one refused login, as the server's log would show it.
func (s *Sandbox) loginFailed(proto Proto) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed[proto]++
}

// heard records a secret (password or token) a login sent the server ep of proto, right or wrong.
func (s *Sandbox) heard(ep *endpoint, proto Proto, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secrets == nil {
		s.secrets = map[string]int{}
	}
	s.secrets[string(proto)+"\x00"+secret]++
	s.secrets["ip\x00"+ep.virtual.Addr().String()+"\x00"+secret]++
}

// Heard is how many logins sent secret (a password or an OAuth2 token) to the servers of proto, accepted
// or refused: a test that must prove a secret never reached a server asks it.
func (s *Sandbox) Heard(proto Proto, secret string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.secrets[string(proto)+"\x00"+secret]
}

// HeardAt is how many logins sent secret to the services of the address ip (as a Service names it), any
// protocol.
func (s *Sandbox) HeardAt(ip, secret string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, err := netip.ParseAddr(ip); err == nil {
		ip = a.Unmap().WithZone("").String()
	}
	return s.secrets["ip\x00"+ip+"\x00"+secret]
}

// FailedLogins is how many logins the servers of proto refused so far: what fail2ban counts.
func (s *Sandbox) FailedLogins(proto Proto) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed[proto]
}
