package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/probe/session"
)

// Dialer opens TCP connections. *net.Dialer satisfies it; tests and the sandbox substitute their own.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// STARTTLSPolicy decides whether plain endpoints are upgraded.
type STARTTLSPolicy string

// DefaultCertWarnDays is the warning level for a certificate's remaining validity, the same for probe,
// check and the exporter: two weeks leaves time to renew one that failed to renew itself.
const DefaultCertWarnDays = 14

// The defaults of every command that probes (probe, check, send, demo, the exporter's modules, serve),
// defined here once: a step's limit, a whole run's, and what is done on a plain port.
const (
	// DefaultTimeout bounds one step: a DNS query, a connect, a handshake, a command and its answer.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxTime bounds a whole run.
	DefaultMaxTime = 30 * time.Second
	// DefaultSTARTTLS upgrades plain ports and fails an endpoint without STARTTLS.
	DefaultSTARTTLS = STARTTLSRequire
)

const (
	// STARTTLSNo never upgrades: the endpoint is probed in clear text.
	STARTTLSNo STARTTLSPolicy = "no"
	// STARTTLSTry upgrades when the server offers it and only warns when it does not.
	STARTTLSTry STARTTLSPolicy = "try"
	// STARTTLSRequire upgrades and fails the endpoint when the server does not offer it.
	STARTTLSRequire STARTTLSPolicy = "require"
)

// Config is everything a probe needs from outside; all of it is injectable for tests.
type Config struct {
	Resolver *Resolver
	Dialer   Dialer
	// RootCAs are the trusted roots; nil means the system pool (which honours SSL_CERT_FILE/SSL_CERT_DIR).
	RootCAs *x509.CertPool
	// Timeout bounds each step: one dial, one handshake, one command and its answer.
	Timeout time.Duration
	// STARTTLS is the upgrade policy for plain-port endpoints.
	STARTTLS STARTTLSPolicy
	// Transcript records the protocol exchange of each endpoint.
	Transcript bool
	// CertWarnDays warns when a certificate expires in fewer days than this (0: never);
	// DefaultCertWarnDays for probe, check and the exporter unless told otherwise.
	CertWarnDays int
	// Now is the clock, for certificate checks.
	Now func() time.Time
	// Credentials, when set, are tried on every reachable endpoint.
	Credentials *Credentials
	// Progress, when set, is told each step and verdict as it happens (progress.go).
	Progress Progress
	// ISPDB is where discovery asks Mozilla's ISPDB: an https:// URL prefix (discover.DefaultISPDB) or a
	// directory with one file per domain; empty never asks.
	ISPDB string
	// Policy, when set, is the connection policy of a prober whose targets others choose (the exporter):
	// every dial (probes, logins, discovery fetches and their redirects) is checked against it on the
	// resolved address, a refused one is the endpoint's address_not_allowed, and a service that is not a
	// mail server is reported without its words. Nil is the command line's: every address is dialled (a
	// helpdesk may test an internal server), and a public domain whose records lead to internal
	// addresses gets an internal_address warning.
	Policy *netpolicy.Policy
}

// Prober runs probes with one Config.
type Prober struct {
	cfg Config
	// trBudget is what the transcripts of this prober's runs may still keep, in bytes.
	trBudget *atomic.Int64
}

// NewProber fills in defaults.
func NewProber(cfg Config) *Prober {
	if cfg.Dialer == nil {
		cfg.Dialer = &net.Dialer{}
	}
	if cfg.Policy != nil {
		cfg.Dialer = cfg.Policy.Dialer(cfg.Dialer) // one wrapper, so no dial of this prober escapes it
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.STARTTLS == "" {
		cfg.STARTTLS = DefaultSTARTTLS
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Prober{cfg: cfg, trBudget: new(atomic.Int64)}
	p.trBudget.Store(session.MaxRunTranscriptBytes)
	return p
}

func (p *Prober) now() time.Time { return p.cfg.Now() }

// NewProblem builds a finding from the catalogue entry for code: its explanation, fix and the client
// errors users see for it. An unknown code is a programming error and panics (tests catch it).
func NewProblem(code, summary, detail string) Problem {
	return newProblem(code, summary, detail)
}

// newProblem builds a finding from the catalogue entry for code.
func newProblem(code, summary, detail string) Problem {
	entry, ok := catalog.Lookup(code)
	if !ok {
		panic("probe: problem code not in catalogue: " + code) // a programming error caught by tests
	}
	return Problem{
		Code:         code,
		Severity:     entry.Severity,
		Summary:      summary,
		Explanation:  entry.Explanation,
		Fix:          entry.Fix,
		ClientErrors: catalog.ClientErrorsFor(code),
		Detail:       detail,
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()/100) / 10 }

// ProbeEndpoint probes one endpoint at one address and returns what it learned, however far it got. With
// credentials it also tests the login there (the caller chose this endpoint, so it is trusted with them).
func (p *Prober) ProbeEndpoint(ctx context.Context, ep Endpoint, addr, source string) Result {
	res := p.probeConnection(ctx, ep, addr, source)
	if code, summary, skip := p.loginBlocker(&res); !skip {
		if code != "" {
			p.notTested(&res, code, summary)
		} else {
			p.loginOn(ctx, &res, nil)
		}
	}
	return res
}

// probeConnection is the probe without the login test.
func (p *Prober) probeConnection(ctx context.Context, ep Endpoint, addr, source string) Result {
	return p.probeConnectionThen(ctx, ep, addr, source, nil)
}

// parkHook may take over the probe's connection once TLS and capabilities are in, to test the login on
// it later (see run.park): tr is the probe's transcript and stop ends the watch that closes the
// connection when ctx ends. It returns true when it took the session, which it must then close.
type parkHook func(res *Result, s *session.Conn, tr *session.Transcript, stop func() bool) bool

// probeConnectionThen is probeConnection with a hook that runs before the probe ends its conversation.
func (p *Prober) probeConnectionThen(ctx context.Context, ep Endpoint, addr, source string, ready parkHook) Result {
	res := Result{Endpoint: ep, Address: addr, Source: source}
	var tr *session.Transcript
	if p.cfg.Transcript {
		tr = session.NewTranscript(p.trBudget)
	}
	start := time.Now()
	res.started = start
	p.converse(ctx, &res, tr, ready)
	res.Timings.TotalMS = ms(time.Since(start))
	res.Transcript = tr.Snapshot()
	res.Status = statusOf(res.Problems)
	// The source is not known yet (the run sets it at the end): live progress folds every refused port.
	res.Unoffered = unoffered(res)
	p.finished(EndpointDone, &res)
	return res
}

// loginOn tests the login on a probed endpoint, adding to its transcript, timings and status: on the
// session on when one is given (a parked probe's, ready for the login), else on a new connection.
func (p *Prober) loginOn(ctx context.Context, res *Result, on *session.Conn) {
	var tr *session.Transcript
	if p.cfg.Transcript {
		tr = session.NewTranscript(p.trBudget)
	}
	if on != nil {
		on.Transcript = tr // the probe's own transcript is already in res
	}
	start := time.Now()
	p.stepStarted(res, StepLogin)
	p.testLogin(ctx, res, tr, on)
	res.Timings.TotalMS += ms(time.Since(start))
	res.Transcript = append(res.Transcript, tr.Snapshot()...)
	res.Status = statusOf(res.Problems)
	p.finished(LoginDone, res)
}

// conversation starts a conversation with ep at addr with this prober's dialer, step limit and roots.
func (p *Prober) conversation(ctx context.Context, ep Endpoint, addr string, tr *session.Transcript) *session.Conversation {
	c := session.NewConversation(ctx, ep, addr, tr)
	c.Dial, c.Timeout, c.RootCAs, c.OnSpoke = p.dial, p.cfg.Timeout, p.cfg.RootCAs, func() { serverSpoke(ctx) }
	return c
}

func (p *Prober) dial(ctx context.Context, addr string, port int) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	c, err := p.cfg.Dialer.DialContext(dctx, "tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	return session.NewLimitedConn(c, session.MaxConnBytes), nil
}

// converse is the probe's conversation: it walks the connection phase by phase (conversation.go) and
// turns what each phase learned, or the way it failed, into the result.
func (p *Prober) converse(ctx context.Context, res *Result, tr *session.Transcript, ready parkHook) {
	ep := res.Endpoint
	c := p.conversation(ctx, ep, res.Address, tr)
	c.AskTLS = true
	c.OnStep = func(step string) { p.stepStarted(res, step) }
	parked := false // a session the hook took is the hook's to close
	defer func() {
		if !parked {
			c.Close()
		}
	}()
	for c.Phase != session.PhaseReady {
		if err := c.Advance(); err != nil {
			p.conversationFailed(c, res, err)
			p.withholdForeign(c, res, tr)
			return
		}
		took := ms(c.Took[c.Phase])
		switch c.Phase {
		case session.PhaseConnected:
			res.Timings.ConnectMS = took
		case session.PhaseEncrypted, session.PhaseUpgraded:
			res.Timings.TLSMS = took
			res.STARTTLS = c.Phase == session.PhaseUpgraded
			p.recordTLS(res, c.TLS)
			if res.STARTTLS && res.PlaintextLogin == "offered" {
				res.Problems = append(res.Problems, newProblem(catalog.PlaintextAuth,
					fmt.Sprintf("%s port %d offers password login before STARTTLS", ep.Host, ep.Port), ""))
			}
		case session.PhaseGreeted:
			res.Greeting = capText(c.Greeting, maxGreeting)
			res.Timings.GreetingMS = took
		case session.PhaseCapable:
			res.Timings.CapabilitiesMS += took
			if ep.Security == TLS {
				res.Capabilities.AfterTLS = capList(c.Caps)
				break
			}
			res.Capabilities.BeforeTLS = capList(c.Caps)
			if c.Dialogue.LoginDisabled(c.Caps) {
				res.PlaintextLogin = "refused"
			} else {
				res.PlaintextLogin = "offered"
				defer p.startPlaintextTest(ctx, res, c.Caps).apply(res, tr) // behaviour over claims
			}
			c.Upgrade = p.wantsUpgrade(res, c.Dialogue, c.Caps)
		case session.PhaseReady:
			if res.STARTTLS {
				res.Timings.CapabilitiesMS += took
				res.Capabilities.AfterTLS = capList(c.Caps)
			}
		}
	}
	res.AuthMechanisms = c.Dialogue.AuthMechanisms(c.Caps)
	p.judgeLogin(res)
	if ready != nil && c.Conn.Reader.Buffered() == 0 && ready(res, c.Conn, tr, c.Stop) {
		parked = true
		return
	}
	c.Quit()
}

// conversationFailed explains the failure of the step to c's next phase.
func (p *Prober) conversationFailed(c *session.Conversation, res *Result, err error) {
	ep := res.Endpoint
	fail := func(dialing bool, summary string) {
		res.Problems = append(res.Problems, newProblem(classifyIn(c.Ctx, err, dialing), summary, err.Error()))
	}
	var denied *netpolicy.DeniedError
	switch c.Next() {
	case session.PhaseConnected:
		if errors.As(err, &denied) {
			fail(true, fmt.Sprintf("not connecting to %s port %d (%s): %s", ep.Host, ep.Port, res.Address, denied.Reason))
			return
		}
		fail(true, fmt.Sprintf("cannot connect to %s port %d (%s)", ep.Host, ep.Port, res.Address))
	case session.PhaseEncrypted:
		p.handshakeFailed(c.Ctx, res, err, c.ReceivedCerts())
	case session.PhaseGreeted:
		p.greetingFailed(c, res, err)
	case session.PhaseCapable:
		res.Timings.CapabilitiesMS += ms(c.Took[session.PhaseCapable]) // the step ran: its time counts
		fail(false, fmt.Sprintf("asking %s for its capabilities failed: %v", ep.Host, err))
	case session.PhaseUpgraded:
		if c.Agreed {
			p.upgradeFailed(c.Ctx, res, err, c.ReceivedCerts())
			return
		}
		fail(false, fmt.Sprintf("%s port %d advertised STARTTLS but the upgrade failed", ep.Host, ep.Port))
	case session.PhaseReady:
		res.Timings.CapabilitiesMS += ms(c.Took[session.PhaseReady])
		fail(false, fmt.Sprintf("asking %s for its capabilities after STARTTLS failed: %v", ep.Host, err))
	}
}

// greetingFailed explains a greeting step that failed: silence (or a port that expects TLS), a line
// that is no mail server's greeting or another protocol's, a refusal, PREAUTH in clear text.
func (p *Prober) greetingFailed(c *session.Conversation, res *Result, err error) {
	ep := res.Endpoint
	var (
		plainOnTLS *session.PlainOnTLSError
		wrong      *session.GreetingError
		preauth    session.PreauthError
		refused    *session.ReplyError
	)
	if c.First != "" {
		res.Greeting = capText(c.Greeting, maxGreeting)
		res.Timings.GreetingMS = ms(c.Took[session.PhaseGreeted])
	}
	add := func(code, summary, detail string) {
		res.Problems = append(res.Problems, newProblem(code, summary, detail))
	}
	switch {
	case errors.As(err, &plainOnTLS):
		add(catalog.PlainOnTLSPort, fmt.Sprintf("%s port %d sent no greeting in clear text but answers a TLS handshake: it expects SSL/TLS from the start", ep.Host, ep.Port), err.Error())
	case errors.As(err, &wrong) && wrong.Got == "" && p.cfg.Policy != nil:
		// Whoever asked for this probe must not read another service's banner through it.
		add(catalog.NotMailService, fmt.Sprintf("%s port %d is not a mail service: its answer is no mail server's greeting (not shown)", ep.Host, ep.Port), "")
	case errors.As(err, &wrong) && wrong.Got == "":
		add(catalog.NotMailService, fmt.Sprintf("%s port %d is not a mail service: it answered with something that is not a mail server greeting: %s", ep.Host, ep.Port, session.QuoteLine(wrong.Line)), "")
	case errors.As(err, &wrong):
		add(catalog.WrongProtocol, fmt.Sprintf("an %s server answers on %s port %d, where %s was expected", wrong.Got.Name(), ep.Host, ep.Port, ep.Protocol.Name()), wrong.Line)
	case errors.As(err, &preauth):
		add(catalog.PreauthUnencrypted, fmt.Sprintf("%s port %d greeted the connection as already logged in (PREAUTH) before encryption, so STARTTLS is impossible", ep.Host, ep.Port), c.Greeting)
	case c.First == "":
		add(classifyIn(c.Ctx, err, false), greetingReadSummary(ep, err), err.Error())
	case errors.As(err, &refused):
		add(classifyIn(c.Ctx, err, false), fmt.Sprintf("%s refused the session in its greeting", ep.Host), err.Error())
	default:
		add(classifyIn(c.Ctx, err, false), fmt.Sprintf("%s port %d sent a greeting mailcheck cannot read: %v", ep.Host, ep.Port, err), err.Error())
	}
}

// withholdForeign keeps, under a connection policy (the exporter), nothing of what a server said when
// its first words were no mail server's greeting: not the greeting, not the transcript's server lines.
// Mail servers' words stay (they are what the probe is for); an SSH banner, a key-value store's greeting
// or an internal admin page's text must not be readable by whoever asks for probes.
func (p *Prober) withholdForeign(c *session.Conversation, res *Result, tr *session.Transcript) {
	if p.cfg.Policy == nil || c.Next() != session.PhaseGreeted || session.Sniff(c.First) != "" {
		return
	}
	res.Greeting = ""
	tr.WithholdServer("[not shown: not a mail server's greeting]")
}

// wantsUpgrade decides, from the capabilities in clear text, whether the probe runs STARTTLS, and notes
// why when it does not.
func (p *Prober) wantsUpgrade(res *Result, d session.Dialogue, caps []string) bool {
	ep := res.Endpoint
	if ep.Security == Plain || p.cfg.STARTTLS == STARTTLSNo {
		why := "--starttls=no"
		if ep.Security == Plain && res.Source == SourceAutoconfig {
			why = "the domain's autoconfig file lists it without encryption"
		}
		res.Problems = append(res.Problems, newProblem(catalog.STARTTLSSkipped,
			fmt.Sprintf("%s port %d was tested without encryption (%s)", ep.Host, ep.Port, why), ""))
		return false
	}
	if !d.OffersSTARTTLS(caps) {
		pr := newProblem(catalog.STARTTLSNotOffered,
			fmt.Sprintf("%s port %d does not offer STARTTLS; the connection stays unencrypted", ep.Host, ep.Port), "")
		if p.cfg.STARTTLS == STARTTLSTry {
			pr.Severity = catalog.Warn
		}
		res.Problems = append(res.Problems, pr)
		if res.PlaintextLogin == "offered" {
			res.Problems = append(res.Problems, newProblem(catalog.PlaintextAuth,
				fmt.Sprintf("%s port %d offers password login over an unencrypted connection", ep.Host, ep.Port), ""))
		}
		return false
	}
	return true
}

func (p *Prober) recordTLS(res *Result, tc *tls.Conn) {
	info, probs := p.inspectTLS(tc.ConnectionState(), res.Host)
	res.TLS = info
	res.Problems = append(res.Problems, probs...)
}

// upgradeFailed explains a failure after the server agreed to STARTTLS: the user chose STARTTLS rightly,
// so clear text or garbage instead of a TLS handshake is the server's broken upgrade, not
// tls_on_plain_port, whose fix would be to choose STARTTLS.
func (p *Prober) upgradeFailed(ctx context.Context, res *Result, err error, certs []*x509.Certificate) {
	ep := res.Endpoint
	var (
		rh tls.RecordHeaderError
		pe *session.ProtocolError
	)
	switch {
	case errors.As(err, &rh):
		res.Problems = append(res.Problems, newProblem(catalog.STARTTLSFailed,
			fmt.Sprintf("%s port %d agreed to STARTTLS but then did not start TLS (it sent %q…)", ep.Host, ep.Port, string(rh.RecordHeader[:])), err.Error()))
	case errors.As(err, &pe):
		res.Problems = append(res.Problems, newProblem(catalog.STARTTLSFailed,
			fmt.Sprintf("%s port %d: %s", ep.Host, ep.Port, pe.Msg), err.Error()))
	default:
		p.handshakeFailed(ctx, res, err, certs)
	}
}

// mailLike says whether the first bytes of a clear-text answer (the five a TLS record header holds) can
// be a mail server's greeting: IMAP's untagged "* ", POP3's "+OK"/"-ERR", an SMTP reply code.
func mailLike(start string) bool {
	return session.Sniff(start) != "" || strings.HasPrefix(start, "* ")
}

// greetingReadSummary says why no greeting line could be read: silence, or a line or stream too long.
func greetingReadSummary(ep Endpoint, err error) string {
	var (
		le *session.LineTooLongError
		re *session.ReadLimitError
	)
	switch {
	case errors.As(err, &le), errors.As(err, &re):
		return fmt.Sprintf("%s port %d sent a greeting mailcheck will not read: %v", ep.Host, ep.Port, err)
	}
	return fmt.Sprintf("%s port %d accepted the connection but sent no greeting", ep.Host, ep.Port)
}

// handshakeFailed reports a failed handshake. When the server's certificate arrived before the failure
// (some TLS stacks send it and then an alert), it is verified and reported next to the handshake error,
// as curl and openssl do: "certificate has expired" explains more than "handshake failed".
func (p *Prober) handshakeFailed(ctx context.Context, res *Result, err error, certs []*x509.Certificate) {
	ep := res.Endpoint
	if len(certs) > 0 {
		info, probs := p.inspectCerts(certs, ep.Host)
		info.Verified = false // no connection came of it
		res.TLS = info
		defer func() { res.Problems = append(res.Problems, probs...) }()
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) && !mailLike(string(rh.RecordHeader[:])) {
		// Clear text that no mail server starts with (an SSH banner, a web server's answer to the
		// ClientHello): the port serves something else, so "use STARTTLS" would be the wrong advice.
		summary := fmt.Sprintf("%s port %d is not a mail service: it answered the TLS handshake with %q…, no mail server's greeting", ep.Host, ep.Port, string(rh.RecordHeader[:]))
		if p.cfg.Policy != nil {
			summary = fmt.Sprintf("%s port %d is not a mail service: it answered the TLS handshake with clear text that is no mail server's greeting (not shown)", ep.Host, ep.Port)
		}
		res.Problems = append(res.Problems, newProblem(catalog.NotMailService, summary, ""))
		return
	}
	if errors.As(err, &rh) {
		banner := string(rh.RecordHeader[:])
		summary := fmt.Sprintf("%s port %d answered the TLS handshake in clear text", ep.Host, ep.Port)
		if got := session.Sniff(banner); got != "" {
			summary = fmt.Sprintf("%s port %d answered the TLS handshake with a clear-text %s greeting (%q…): this port expects STARTTLS or no encryption", ep.Host, ep.Port, got.Name(), banner)
		}
		res.Problems = append(res.Problems, newProblem(catalog.TLSOnPlainPort, summary, err.Error()))
		return
	}
	code := classifyIn(ctx, err, false)
	var pe *session.ProtocolError
	if code == catalog.ProtocolError && !errors.As(err, &pe) {
		// crypto/tls reports a broken server handshake (an oversized certificate chain, a malformed
		// message) with untyped errors: the server's TLS setup failed, not the mail protocol.
		code = catalog.TLSHandshake
	}
	res.Problems = append(res.Problems, newProblem(code,
		fmt.Sprintf("the TLS handshake with %s port %d failed: %v", ep.Host, ep.Port, err), err.Error()))
}

// judgeLogin notes endpoints where no login method is offered on the connection a client would use.
func (p *Prober) judgeLogin(res *Result) {
	if res.Protocol != SMTP || len(res.AuthMechanisms) > 0 || statusOf(res.Problems) == StatusFail {
		return
	}
	pr := newProblem(catalog.NoAuthMechanism,
		fmt.Sprintf("%s port %d offers no AUTH: it accepts mail for its own domain but is not a server to send from", res.Host, res.Port), "")
	if res.Port == 25 {
		pr.Severity = catalog.Info // normal for a server-to-server (MX) port
	}
	res.Problems = append(res.Problems, pr)
}

// statusOf rates a list of problems.
func statusOf(probs []Problem) Status {
	st := StatusOK
	for _, pr := range probs {
		switch pr.Severity {
		case catalog.Fail:
			return StatusFail
		case catalog.Warn:
			st = StatusWarn
		}
	}
	return st
}
