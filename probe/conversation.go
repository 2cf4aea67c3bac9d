package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"strconv"
	"time"
)

// phase is how far a conversation with a mail server has got. Every conversation (the probe, a login on
// a connection of its own, send, the plaintext test) walks the same phases in the same order through
// conversation.advance, so what the probe diagnoses is exactly what a login or a send then goes through:
//
//	connected → [encrypted] → greeted → capable → [upgraded] → ready
//
// encrypted is the handshake of an SSL/TLS endpoint, upgraded the STARTTLS command and its handshake;
// on a connection that is not upgraded, capable is already ready.
type phase int

const (
	phaseNone phase = iota
	// phaseConnected: the TCP connection is open.
	phaseConnected
	// phaseEncrypted: the implicit TLS handshake is done (SSL/TLS endpoints only).
	phaseEncrypted
	// phaseGreeted: the greeting is read, and it is the expected protocol's.
	phaseGreeted
	// phaseCapable: the capability list is known (IMAP CAPABILITY or the greeting's, POP3 CAPA, SMTP EHLO).
	phaseCapable
	// phaseUpgraded: the server agreed to STARTTLS and the handshake is done.
	phaseUpgraded
	// phaseReady: the capabilities of the connection the login would use are known.
	phaseReady
)

// conversation is one connection to a mail server and how far it has got. The caller sets the policy
// fields, then moves it on with advance (one phase, for a caller that judges each) or walkTo.
type conversation struct {
	p    *Prober
	ctx  context.Context
	ep   Endpoint
	addr string
	d    dialogue
	tr   *transcript

	// strict is set when secrets follow (a login, a send): each handshake then verifies the certificate
	// against the trusted roots and the host name and requires TLS 1.2, as a mail client does. Otherwise
	// the handshake accepts any certificate and the caller judges what it got (Prober.inspectTLS), so one
	// connection can report every certificate problem at once and still read the greeting behind them.
	strict bool
	// upgrade says whether phaseUpgraded runs: STARTTLS after the capabilities. It may be changed until
	// the connection is capable (the probe decides from the capability list).
	upgrade bool
	// askTLS asks, when a connection in clear text stays silent, whether the port answers TLS instead
	// (the probe's plain_on_tls_port); the greeting step then fails with a *plainOnTLSError.
	askTLS bool
	// onStep, when set, is told each step as it starts, by its progress name (progress.go).
	onStep func(step string)
	// red, when set, removes secrets before lines reach the transcript.
	red *redactor

	phase phase
	s     *session
	// stop ends the watch that closes the connection when ctx ends.
	stop func() bool

	// What the phases learned: the greeting's first line and all of it, the latest capability list (and
	// the one before STARTTLS), the latest handshake and the certificates it received, even when it failed.
	first, greeting  string
	caps, capsBefore []string
	tls              *tls.Conn
	certs            *peerCerts
	// agreed is set once the server accepted the STARTTLS command (a later failure is the handshake's).
	agreed bool
	// took is how long each phase's step took.
	took [phaseReady + 1]time.Duration
}

// conversation starts a conversation with ep at addr; nothing is sent until advance.
func (p *Prober) conversation(ctx context.Context, ep Endpoint, addr string, tr *transcript) *conversation {
	return &conversation{p: p, ctx: ctx, ep: ep, addr: addr, d: dialogues[ep.Protocol], tr: tr, upgrade: ep.Security == STARTTLS}
}

// next is the phase that advance would reach.
func (c *conversation) next() phase {
	switch c.phase {
	case phaseNone:
		return phaseConnected
	case phaseConnected:
		if c.ep.Security == TLS {
			return phaseEncrypted
		}
		return phaseGreeted
	case phaseEncrypted:
		return phaseGreeted
	case phaseGreeted:
		return phaseCapable
	case phaseCapable:
		if c.upgrade && c.ep.Security != TLS {
			return phaseUpgraded
		}
	}
	return phaseReady
}

// advance runs the step to the next phase. On failure the phase stays where it was, so next names the
// step that failed.
func (c *conversation) advance() error {
	to := c.next()
	t := time.Now()
	var err error
	switch to {
	case phaseConnected:
		c.step(StepConnect)
		err = c.connect()
	case phaseEncrypted:
		c.step(StepTLS)
		err = c.handshake()
		if err == nil {
			serverSpoke(c.ctx)
		}
	case phaseGreeted:
		c.step(StepGreeting)
		err = c.greet()
	case phaseCapable:
		err = c.capabilities(false)
	case phaseUpgraded:
		c.step(StepSTARTTLS)
		err = c.startTLS()
	case phaseReady:
		if c.phase == phaseUpgraded {
			c.step(StepCapabilities)
			err = c.capabilities(true)
		}
	}
	c.took[to] += time.Since(t)
	if err == nil {
		c.phase = to
	}
	return err
}

// walkTo advances until the conversation has reached target (or the phase that stands for it on this
// endpoint: an SSL/TLS connection is never upgraded), for a caller that goes on with a command of its
// own. A server that has sent something nobody asked for yet is refused: whatever comes next would be
// read as the answer to that command.
func (c *conversation) walkTo(target phase) error {
	for c.phase < target && c.phase != phaseReady {
		if err := c.advance(); err != nil {
			return err
		}
	}
	if c.s.r.Buffered() > 0 {
		return &protocolError{msg: "the server sent data before the client spoke"}
	}
	return nil
}

// secured is the phase where the connection is as encrypted as the endpoint says and ready for the
// next command: after the greeting, or after STARTTLS when the conversation upgrades.
func (c *conversation) secured() phase {
	if c.upgrade && c.ep.Security != TLS {
		return phaseUpgraded
	}
	return phaseGreeted
}

func (c *conversation) step(name string) {
	if c.onStep != nil {
		c.onStep(name)
	}
}

func (c *conversation) connect() error {
	c.tr.note("connecting to " + net.JoinHostPort(c.addr, strconv.Itoa(c.ep.Port)))
	conn, err := c.p.dial(c.ctx, c.addr, c.ep.Port)
	if err != nil {
		return err
	}
	// Whatever a step is doing, the overall deadline ends it.
	c.stop = context.AfterFunc(c.ctx, func() { conn.Close() })
	c.s = newSession(c.ctx, conn, c.p.cfg.Timeout, c.tr)
	c.s.red = c.red
	c.s.onClose = func() { c.stop(); conn.Close() }
	return nil
}

// close ends the connection (without a goodbye; see quit).
func (c *conversation) close() {
	if c.s != nil {
		c.s.close()
	}
}

// quit says the protocol's goodbye, without waiting for the answer (close still ends the connection).
func (c *conversation) quit() {
	if c.s != nil && c.phase >= phaseGreeted {
		c.d.quit(c.s)
	}
}

// tlsConfig is the configuration of the next handshake, by the conversation's policy.
func (c *conversation) tlsConfig() *tls.Config {
	if !c.strict {
		cfg, seen := c.p.watchedTLSConfig(c.ep.Host)
		c.certs = seen
		return cfg
	}
	cfg := c.p.tlsConfig(c.ep.Host)
	cfg.InsecureSkipVerify = false // the certificate must hold, as in a mail client
	cfg.RootCAs = c.p.cfg.RootCAs
	cfg.MinVersion = tls.VersionTLS12
	c.certs = nil
	return cfg
}

func (c *conversation) handshake() error {
	tc, err := c.s.startTLS(c.tlsConfig())
	if err != nil {
		return err
	}
	c.tls = tc
	return nil
}

// receivedCerts are the certificates the latest handshake received, even when it then failed.
func (c *conversation) receivedCerts() []*x509.Certificate {
	if c.certs == nil {
		return nil
	}
	return c.certs.certs()
}

// greetingError is a first line that is not the expected protocol's greeting: got is the protocol it
// belongs to, "" when it is none.
type greetingError struct {
	got  Protocol
	line string
}

func (e *greetingError) Error() string {
	return "not a greeting of the expected protocol: " + quoteLine(e.line)
}

// preauthError is an IMAP PREAUTH greeting on a connection in clear text.
type preauthError struct{}

func (preauthError) Error() string { return "PREAUTH greeting before encryption" }

// plainOnTLSError is a connection in clear text that stayed silent on a port that answers TLS.
type plainOnTLSError struct{ silence error }

func (e *plainOnTLSError) Error() string { return e.silence.Error() }
func (e *plainOnTLSError) Unwrap() error { return e.silence }

func (c *conversation) greet() error {
	if c.askTLS && c.ep.Security != TLS {
		q := c.askTLSWhenSlow(c.s.deadline())
		defer q.cancel()
		first, err := c.s.readLine()
		if err != nil && isTimeout(err) && c.ctx.Err() == nil && q.answer() {
			return &plainOnTLSError{silence: err}
		}
		return c.greeted(first, err)
	}
	return c.greeted(c.s.readLine())
}

// greeted judges the greeting's first line (or the error that came instead) and reads the rest.
func (c *conversation) greeted(first string, err error) error {
	if err != nil {
		return err
	}
	serverSpoke(c.ctx)
	c.first = first
	if got := sniffProtocol(first); got != c.ep.Protocol {
		c.greeting = first
		return &greetingError{got: got, line: first}
	}
	c.greeting, err = c.d.greeting(c.s, first)
	if err != nil {
		return err
	}
	if c.ep.Protocol == IMAP && c.ep.Security != TLS && isPreauth(c.greeting) {
		// RFC 3501 section 6.2.1 / RFC 9051 section 7.1.4: STARTTLS is only possible before
		// authentication, so a clear-text PREAUTH leaves no way to encrypt; a client that requires TLS
		// must close the connection (and an attacker can inject PREAUTH to strip STARTTLS).
		return preauthError{}
	}
	return nil
}

// capabilities asks for the capability list, or takes it from an IMAP greeting that carries one.
func (c *conversation) capabilities(afterTLS bool) error {
	caps := greetingCaps(c.greeting)
	if c.ep.Protocol != IMAP || caps == nil || afterTLS {
		if !afterTLS {
			c.step(StepCapabilities)
		}
		var err error
		if caps, err = c.d.capabilities(c.s, afterTLS || c.ep.Security == TLS); err != nil {
			return err
		}
	}
	if !afterTLS {
		c.capsBefore = caps
	}
	c.caps = caps
	return nil
}

// startTLS sends the upgrade command and, once the server agrees, runs the handshake.
func (c *conversation) startTLS() error {
	if !c.d.offersSTARTTLS(c.caps) {
		return &replyError{Command: "STARTTLS", Reply: "not offered"}
	}
	if err := c.d.startTLS(c.s); err != nil {
		return err
	}
	c.agreed = true
	return c.handshake()
}
