package session

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"strconv"
	"time"

	"github.com/mailcheck/mailcheck/probe/endpoint"
)

// Phase is how far a conversation with a mail server has got. Every conversation (the probe, a login on
// a connection of its own, send, the plaintext test) walks the same phases in the same order through
// Conversation.Advance, so what the probe diagnoses is exactly what a login or a send then goes through:
//
//	connected → [encrypted] → greeted → capable → [upgraded] → ready
//
// encrypted is the handshake of an SSL/TLS endpoint, upgraded the STARTTLS command and its handshake;
// on a connection that is not upgraded, capable is already ready.
type Phase int

const (
	PhaseNone Phase = iota
	// PhaseConnected: the TCP connection is open.
	PhaseConnected
	// PhaseEncrypted: the implicit TLS handshake is done (SSL/TLS endpoints only).
	PhaseEncrypted
	// PhaseGreeted: the greeting is read, and it is the expected protocol's.
	PhaseGreeted
	// PhaseCapable: the capability list is known (IMAP CAPABILITY or the greeting's, POP3 CAPA, SMTP EHLO).
	PhaseCapable
	// PhaseUpgraded: the server agreed to STARTTLS and the handshake is done.
	PhaseUpgraded
	// PhaseReady: the capabilities of the connection the login would use are known.
	PhaseReady
)

// Conversation is one connection to a mail server and how far it has got. The caller sets the policy
// fields, then moves it on with Advance (one phase, for a caller that judges each) or WalkTo.
type Conversation struct {
	Ctx      context.Context
	ep       endpoint.Endpoint
	addr     string
	Dialogue Dialogue
	tr       *Transcript

	// Strict is set when secrets follow (a login, a send): each handshake then verifies the certificate
	// against the trusted roots and the host name and requires TLS 1.2, as a mail client does. Otherwise
	// the handshake accepts any certificate and the caller judges what it got (probe inspects it), so one
	// connection can report every certificate problem at once and still read the greeting behind them.
	Strict bool
	// Upgrade says whether PhaseUpgraded runs: STARTTLS after the capabilities. It may be changed until
	// the connection is capable (the probe decides from the capability list).
	Upgrade bool
	// AskTLS asks, when a connection in clear text stays silent, whether the port answers TLS instead
	// (the probe's plain_on_tls_port); the greeting step then fails with a *PlainOnTLSError.
	AskTLS bool
	// OnStep, when set, is told each step as it starts, by its progress name (steps.go).
	OnStep func(step string)
	// Redactor, when set, removes secrets before lines reach the transcript.
	Redactor *Redactor

	// What the conversation needs from its prober: how to dial (byte-bounded), the limit of each step,
	// the trusted roots for strict handshakes, and whom to tell when the server first speaks.
	Dial    func(ctx context.Context, addr string, port int) (net.Conn, error)
	Timeout time.Duration
	RootCAs *x509.CertPool
	OnSpoke func()

	Phase Phase
	Conn  *Conn
	// Stop ends the watch that closes the connection when ctx ends.
	Stop func() bool

	// What the phases learned: the greeting's first line and all of it, the latest capability list (and
	// the one before STARTTLS), the latest handshake and the certificates it received, even when it failed.
	First, Greeting  string
	Caps, capsBefore []string
	TLS              *tls.Conn
	certs            *PeerCerts
	// Agreed is set once the server accepted the STARTTLS command (a later failure is the handshake's).
	Agreed bool
	// Took is how long each phase's step took.
	Took [PhaseReady + 1]time.Duration
}

// NewConversation starts a conversation with ep at addr, recorded in tr (nil: not recorded); nothing is
// sent until Advance. The caller sets Dial and Timeout, and the policy fields it needs.
func NewConversation(ctx context.Context, ep endpoint.Endpoint, addr string, tr *Transcript) *Conversation {
	return &Conversation{Ctx: ctx, ep: ep, addr: addr, Dialogue: Dialogues[ep.Protocol], tr: tr, Upgrade: ep.Security == endpoint.STARTTLS}
}

// Next is the phase that Advance would reach.
func (c *Conversation) Next() Phase {
	switch c.Phase {
	case PhaseNone:
		return PhaseConnected
	case PhaseConnected:
		if c.ep.Security == endpoint.TLS {
			return PhaseEncrypted
		}
		return PhaseGreeted
	case PhaseEncrypted:
		return PhaseGreeted
	case PhaseGreeted:
		return PhaseCapable
	case PhaseCapable:
		if c.Upgrade && c.ep.Security != endpoint.TLS {
			return PhaseUpgraded
		}
	}
	return PhaseReady
}

// Advance runs the step to the next phase. On failure the phase stays where it was, so Next names the
// step that failed.
func (c *Conversation) Advance() error {
	to := c.Next()
	t := time.Now()
	var err error
	switch to {
	case PhaseConnected:
		c.step(StepConnect)
		err = c.connect()
	case PhaseEncrypted:
		c.step(StepTLS)
		err = c.handshake()
		if err == nil {
			c.spoke()
		}
	case PhaseGreeted:
		c.step(StepGreeting)
		err = c.greet()
	case PhaseCapable:
		err = c.capabilities(false)
	case PhaseUpgraded:
		c.step(StepSTARTTLS)
		err = c.startTLS()
	case PhaseReady:
		if c.Phase == PhaseUpgraded {
			c.step(StepCapabilities)
			err = c.capabilities(true)
		}
	}
	c.Took[to] += time.Since(t)
	if err == nil {
		c.Phase = to
	}
	return err
}

// WalkTo advances until the conversation has reached target (or the phase that stands for it on this
// endpoint: an SSL/TLS connection is never upgraded), for a caller that goes on with a command of its
// own. A server that has sent something nobody asked for yet is refused: whatever comes next would be
// read as the answer to that command.
func (c *Conversation) WalkTo(target Phase) error {
	for c.Phase < target && c.Phase != PhaseReady {
		if err := c.Advance(); err != nil {
			return err
		}
	}
	if c.Conn.Reader.Buffered() > 0 {
		return &ProtocolError{Msg: "the server sent data before the client spoke"}
	}
	return nil
}

// Secured is the phase where the connection is as encrypted as the endpoint says and ready for the
// next command: after the greeting, or after STARTTLS when the conversation upgrades.
func (c *Conversation) Secured() Phase {
	if c.Upgrade && c.ep.Security != endpoint.TLS {
		return PhaseUpgraded
	}
	return PhaseGreeted
}

func (c *Conversation) spoke() {
	if c.OnSpoke != nil {
		c.OnSpoke()
	}
}

func (c *Conversation) step(name string) {
	if c.OnStep != nil {
		c.OnStep(name)
	}
}

func (c *Conversation) connect() error {
	c.tr.Note("connecting to " + net.JoinHostPort(c.addr, strconv.Itoa(c.ep.Port)))
	conn, err := c.Dial(c.Ctx, c.addr, c.ep.Port)
	if err != nil {
		return err
	}
	// Whatever a step is doing, the overall deadline ends it.
	c.Stop = context.AfterFunc(c.Ctx, func() { conn.Close() })
	c.Conn = NewConn(c.Ctx, conn, c.Timeout, c.tr)
	c.Conn.Redactor = c.Redactor
	c.Conn.onClose = func() { c.Stop(); conn.Close() }
	return nil
}

// Close ends the connection (without a goodbye; see quit).
func (c *Conversation) Close() {
	if c.Conn != nil {
		c.Conn.Close()
	}
}

// Quit says the protocol's goodbye, without waiting for the answer (close still ends the connection).
func (c *Conversation) Quit() {
	if c.Conn != nil && c.Phase >= PhaseGreeted {
		c.Dialogue.Quit(c.Conn)
	}
}

// tlsConfig is the configuration of the next handshake, by the conversation's policy.
func (c *Conversation) tlsConfig() *tls.Config {
	if !c.Strict {
		cfg, seen := WatchedTLSConfig(c.ep.Host)
		c.certs = seen
		return cfg
	}
	cfg := ClientTLSConfig(c.ep.Host)
	cfg.InsecureSkipVerify = false // the certificate must hold, as in a mail client
	cfg.RootCAs = c.RootCAs
	cfg.MinVersion = tls.VersionTLS12
	c.certs = nil
	return cfg
}

func (c *Conversation) handshake() error {
	tc, err := c.Conn.StartTLS(c.tlsConfig())
	if err != nil {
		return err
	}
	c.TLS = tc
	return nil
}

// ReceivedCerts are the certificates the latest handshake received, even when it then failed.
func (c *Conversation) ReceivedCerts() []*x509.Certificate {
	if c.certs == nil {
		return nil
	}
	return c.certs.Certs()
}

// GreetingError is a first line that is not the expected protocol's greeting: got is the protocol it
// belongs to, "" when it is none.
type GreetingError struct {
	Got  endpoint.Protocol
	Line string
}

func (e *GreetingError) Error() string {
	return "not a greeting of the expected protocol: " + QuoteLine(e.Line)
}

// PreauthError is an IMAP PREAUTH greeting on a connection in clear text.
type PreauthError struct{}

func (PreauthError) Error() string { return "PREAUTH greeting before encryption" }

// PlainOnTLSError is a connection in clear text that stayed silent on a port that answers TLS.
type PlainOnTLSError struct{ silence error }

func (e *PlainOnTLSError) Error() string { return e.silence.Error() }
func (e *PlainOnTLSError) Unwrap() error { return e.silence }

func (c *Conversation) greet() error {
	if c.AskTLS && c.ep.Security != endpoint.TLS {
		q := c.askTLSWhenSlow(c.Conn.Deadline())
		first, err := c.Conn.ReadLine()
		// The question is about silence: it ends with the first line (the rest of a multi-line SMTP
		// banner may take its time, as postscreen's does, and must never meet a ClientHello).
		plainOnTLS := err != nil && IsTimeout(err) && c.Ctx.Err() == nil && q.answer()
		q.cancel()
		if plainOnTLS {
			return &PlainOnTLSError{silence: err}
		}
		return c.greeted(first, err)
	}
	return c.greeted(c.Conn.ReadLine())
}

// greeted judges the greeting's first line (or the error that came instead) and reads the rest.
func (c *Conversation) greeted(first string, err error) error {
	if err != nil {
		return err
	}
	c.spoke()
	c.First = first
	if got := Sniff(first); got != c.ep.Protocol {
		c.Greeting = first
		return &GreetingError{Got: got, Line: first}
	}
	c.Greeting, err = c.Dialogue.Greeting(c.Conn, first)
	if err != nil {
		return err
	}
	if c.ep.Protocol == endpoint.IMAP && c.ep.Security != endpoint.TLS && IsPreauth(c.Greeting) {
		// RFC 3501 section 6.2.1 / RFC 9051 section 7.1.4: STARTTLS is only possible before
		// authentication, so a clear-text PREAUTH leaves no way to encrypt; a client that requires TLS
		// must close the connection (and an attacker can inject PREAUTH to strip STARTTLS).
		return PreauthError{}
	}
	return nil
}

// capabilities asks for the capability list, or takes it from an IMAP greeting that carries one.
func (c *Conversation) capabilities(afterTLS bool) error {
	caps := GreetingCaps(c.Greeting)
	if c.ep.Protocol != endpoint.IMAP || caps == nil || afterTLS {
		if !afterTLS {
			c.step(StepCapabilities)
		}
		var err error
		if caps, err = c.Dialogue.Capabilities(c.Conn, afterTLS || c.ep.Security == endpoint.TLS); err != nil {
			return err
		}
	}
	if !afterTLS {
		c.capsBefore = caps
	}
	c.Caps = caps
	return nil
}

// startTLS sends the upgrade command and, once the server agrees, runs the handshake.
func (c *Conversation) startTLS() error {
	if !c.Dialogue.OffersSTARTTLS(c.Caps) {
		return &ReplyError{Command: "STARTTLS", Reply: "not offered"}
	}
	if err := c.Dialogue.StartTLS(c.Conn); err != nil {
		return err
	}
	c.Agreed = true
	return c.handshake()
}
