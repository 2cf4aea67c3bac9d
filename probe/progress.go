package probe

import (
	"time"

	"github.com/mailcheck/mailcheck/probe/session"
)

// Progress is told what a run is doing while it does it, for a live display (Config.Progress; nil means
// nobody is told). It is called from many goroutines at once, must return quickly and must not keep the
// Event's Result beyond the call. It changes nothing in the report.
type Progress func(Event)

// EventKind says what an Event reports.
type EventKind string

const (
	// StepStarted: a step of the connection to Endpoint at Address began; it ends when the next step of
	// that connection starts or its verdict (EndpointDone, LoginDone) arrives.
	StepStarted EventKind = "step"
	// EndpointDone: the probe of Endpoint at Address is over; Result is its verdict. The login test
	// reports LoginDone: in a run it runs after the probes, on the probe's own connection when the probe
	// kept it for the login, otherwise on a new one.
	EndpointDone EventKind = "endpoint"
	// LoginDone: the login test on Endpoint at Address is over; Result.Auth is its verdict.
	LoginDone EventKind = "login"
)

// Steps of one connection, as StepStarted names them: the phases of probe/session's conversation, and
// the login test after them.
const (
	StepConnect      = session.StepConnect
	StepTLS          = session.StepTLS
	StepGreeting     = session.StepGreeting
	StepCapabilities = session.StepCapabilities
	StepSTARTTLS     = session.StepSTARTTLS
	// StepTLSCheck is the TLS handshake asked on a second connection when a port in clear text is slow to
	// greet, to see whether it expects SSL/TLS. It runs inside the greeting's step and ends with it: a
	// silent plain port costs one step timeout.
	StepTLSCheck = session.StepTLSCheck
	StepLogin    = "login"
)

// Event is one thing that happened in a run.
type Event struct {
	Kind     EventKind
	Endpoint Endpoint
	// Address is the IP address dialled.
	Address string
	// Step is the step that started (StepStarted only).
	Step string
	// Limit is how long the step may take before it fails (StepStarted only).
	Limit time.Duration
	// Result is the verdict (EndpointDone and LoginDone only).
	Result *Result
}

// stepStarted tells the Progress hook, if any, that res's connection began a step.
func (p *Prober) stepStarted(res *Result, step string) {
	if p.cfg.Progress == nil {
		return
	}
	limit := p.cfg.Timeout
	switch step {
	case StepLogin:
		limit = p.loginTimeout()
	case StepTLSCheck:
		limit -= session.TLSQuestionAfter(limit) // what is left of the greeting's step
	}
	p.cfg.Progress(Event{Kind: StepStarted, Endpoint: res.Endpoint, Address: res.Address, Step: step, Limit: limit})
}

// finished tells the Progress hook, if any, the verdict of res (kind EndpointDone or LoginDone).
func (p *Prober) finished(kind EventKind, res *Result) {
	if p.cfg.Progress == nil {
		return
	}
	p.cfg.Progress(Event{Kind: kind, Endpoint: res.Endpoint, Address: res.Address, Result: res})
}
