package sandbox

import (
	"bytes"
	"net"
	"strings"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

// setUpMailboxes gives every World user an IMAP account whose INBOX holds the welcome message. All IMAP
// services share the accounts, and SMTP delivers into them.
func (s *Sandbox) setUpMailboxes() {
	s.imapMem = imapmemserver.New()
	for login, pw := range s.users {
		u := imapmemserver.NewUser(login, pw)
		// Create fails only for an existing mailbox, and this user is new.
		_ = u.Create("INBOX", nil)
		appendMessage(u, welcomeMessage(s.zone.origin, login))
		s.imapMem.AddUser(u)
		s.imapUsers[login] = u
	}
}

// appendMessage puts a message in a user's INBOX.
func appendMessage(u *imapmemserver.User, msg string) {
	// Append fails only when INBOX is missing, and setUpMailboxes made it.
	_, _ = u.Append("INBOX", literal{bytes.NewReader([]byte(msg))}, &imap.AppendOptions{})
}

// literal is an IMAP literal read from memory.
type literal struct{ *bytes.Reader }

// serveIMAP runs go-imap's server (imapserver with the in-memory backend) on ln. STARTTLS is offered in
// ModeSTARTTLS; LOGINDISABLED shows before TLS unless PlaintextAuth (RFC 9051 section 6.2.3).
//
// imapserver does not wait for its connection goroutines, so the sandbox counts them itself: one in s.wg
// per accepted connection (tl.accepted), released when imapserver closes that connection's session, the
// last thing its goroutine does.
func (s *Sandbox) serveIMAP(ep *endpoint, tl *trackedListener, ln net.Listener) {
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &imapSession{Session: s.imapMem.NewSession(), sb: s, ep: ep, done: s.wg.Done}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		Logger:       discardLogger{},
		InsecureAuth: ep.svc.PlaintextAuth,
	}
	if ep.svc.Mode == ModeSTARTTLS {
		opts.TLSConfig = ep.tlsConfig
	}
	srv := imapserver.New(opts)
	tl.accepted = func() { s.wg.Add(1) }
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		// Serve returns when Close closes the listener. The sandbox never calls srv.Close: it closes the
		// connections itself (connTracker), which ends their goroutines.
		_ = srv.Serve(ln)
	}()
}

// imapSession is the in-memory session plus SASL PLAIN and LOGIN, case-insensitive logins, and the
// goroutine accounting of serveIMAP.
type imapSession struct {
	imapserver.Session
	sb   *Sandbox
	ep   *endpoint
	once sync.Once
	done func()
}

var _ imapserver.SessionSASL = (*imapSession)(nil)

// Login checks a user's password; failure answers NO [AUTHENTICATIONFAILED] (RFC 5530).
func (x *imapSession) Login(username, password string) error {
	x.sb.heard(x.ep, ProtoIMAP, password)
	err := x.Session.Login(strings.ToLower(username), password)
	if err != nil {
		x.sb.loginFailed(ProtoIMAP)
	}
	return err
}

// AuthenticateMechanisms lists the SASL mechanisms, as Dovecot does by default.
func (x *imapSession) AuthenticateMechanisms() []string {
	return append([]string{sasl.Plain, sasl.Login}, x.sb.oauthMechanisms()...)
}

// Authenticate starts a SASL exchange.
func (x *imapSession) Authenticate(mech string) (sasl.Server, error) {
	check := func(identity, username, password string) error {
		if identity != "" && !strings.EqualFold(identity, username) {
			return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthorizationFailed, Text: "Authorization identity not supported"}
		}
		return x.Login(username, password)
	}
	switch strings.ToUpper(mech) {
	case sasl.Plain:
		return sasl.NewPlainServer(check), nil
	case sasl.Login:
		return newLoginServer(func(u, p string) error { return check("", u, p) }), nil
	case mechXOAUTH2, mechOAUTHBEARER:
		refused := &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "Authentication failed."}
		return x.sb.newOAuthServer(x.ep, ProtoIMAP, mech, refused, func(user string) error {
			return x.Session.Login(user, x.sb.users[user])
		}), nil
	}
	return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Unsupported authentication mechanism"}
}

// Close ends the session and tells the sandbox this connection's goroutine is done.
func (x *imapSession) Close() error {
	err := x.Session.Close()
	x.once.Do(x.done)
	return err
}

// discardLogger silences the servers' logs: a probe that hangs up early is normal here.
type discardLogger struct{}

func (discardLogger) Printf(string, ...interface{}) {}
func (discardLogger) Println(...interface{})        {}
