package check

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/probe"
)

// Checks of a domain target.
const (
	// CheckIncoming: discovery recommends the expected incoming setting.
	CheckIncoming = "incoming"
	// CheckOutgoing: discovery recommends the expected outgoing setting.
	CheckOutgoing = "outgoing"
)

// domainTarget validates a domain target: domain (or an address) and the incoming and/or outgoing
// setting, as endpoint URLs, that discovery must recommend. The endpoint checks do not apply.
func (s Spec) domainTarget() (Target, error) {
	bad := func(key, format string, a ...any) (Target, error) {
		return Target{}, &FieldError{Key: key, Msg: fmt.Sprintf(format, a...)}
	}
	if strings.TrimSpace(s.Domain) == "" {
		return bad("domain", `is missing: incoming and outgoing belong to a domain target, e.g. domain = "example.com"`)
	}
	for _, set := range []struct {
		key string
		on  bool
	}{
		{"endpoint", s.Endpoint != ""}, {"expect", s.Expect != ""}, {"cert_min_days", s.CertMinDays != nil},
		{"cert_warn_days", s.CertWarnDays != nil}, {"plaintext_login", s.PlaintextLogin != ""},
		{"auth_mechanisms", len(s.AuthMechanisms) > 0}, {"login", s.Login}, {"user", s.User != ""},
		{"password_env", s.PasswordEnv != ""},
	} {
		if set.on {
			return bad(set.key, "cannot be combined with domain: a domain target checks what discovery recommends; give the endpoint a target of its own")
		}
	}
	domain, address, err := probe.ParseTarget(s.Domain)
	if err != nil {
		return bad("domain", "%v", err)
	}
	t := Target{Name: strings.TrimSpace(s.Name), Domain: domain, Address: address, Expect: Present, AnySettings: s.AnySettings}
	if t.Name == "" {
		t.Name = strings.TrimSpace(s.Domain)
	}
	if s.Incoming == "" && s.Outgoing == "" && !s.AnySettings && !s.hasPosture() {
		return bad("incoming", `and outgoing are both missing: give the settings discovery must recommend, e.g. incoming = "imaps://imap.example.com:993", or a posture assertion such as dmarc_policy = "reject"`)
	}
	pe, err := s.postureExpect()
	if err != nil {
		return Target{}, err
	}
	t.Posture = pe
	for _, f := range []struct {
		key, raw string
		dst      **probe.Endpoint
		ok       func(probe.Protocol) bool
	}{
		{"incoming", s.Incoming, &t.Incoming, probe.Protocol.Incoming},
		{"outgoing", s.Outgoing, &t.Outgoing, probe.Protocol.Outgoing},
	} {
		if f.raw == "" {
			continue
		}
		ep, err := probe.ParseEndpoint(f.raw)
		if err != nil {
			return bad(f.key, "%v", err)
		}
		if !f.ok(ep.Protocol) {
			return bad(f.key, "%q is not an %s server URL", f.raw, map[string]string{"incoming": "IMAP or POP3", "outgoing": "SMTP"}[f.key])
		}
		*f.dst = &ep
	}
	return t, nil
}

// EvaluateDomain judges a domain target by the settings discovery recommended: the incoming and outgoing
// checks fail when they differ from the expected URLs (a changed recommendation is what CI should
// notice), and the run's own verdict is reported alongside. With AnySettings, a setting without an
// expected URL passes when discovery recommends one at all (only working endpoints with a valid
// certificate become a setting) and fails when it recommends none.
func EvaluateDomain(t Target, rep *probe.Report) TargetResult {
	tr := TargetResult{Name: t.Name, Endpoint: t.Domain, Domain: t.Domain, Expect: Present, Status: Pass, TimeMS: rep.DurationMS}
	for _, c := range []struct {
		check string
		want  *probe.Endpoint
		got   *probe.Setting
	}{{CheckIncoming, t.Incoming, rep.Settings.Incoming}, {CheckOutgoing, t.Outgoing, rep.Settings.Outgoing}} {
		if c.want == nil && !t.AnySettings {
			continue
		}
		r := Result{Check: c.check, Status: Pass, Expected: "a working " + c.check + " setting", Found: "no " + c.check + " setting"}
		if c.want != nil {
			r.Expected = c.check + " setting " + c.want.URL()
		}
		if c.got != nil {
			got := probe.Endpoint{Protocol: c.got.Protocol, Host: c.got.Server, Port: c.got.Port, Security: c.got.Security}
			r.Found = got.URL()
			if c.got.Warning != "" {
				r.Found += " (unconfirmed: " + c.got.Warning + ")"
			} else if c.got.Provider != "" {
				r.Found += " (the provider's, from " + c.got.Source + ")"
			} else if c.got.Source != "" {
				r.Found += " (from " + c.got.Source + ")"
			}
			if c.want != nil && got.URL() != c.want.URL() {
				r.Status = Fail
			}
		} else {
			r.Status = Fail
		}
		r.Message = "expected " + r.Expected + "; found " + r.Found
		tr.Checks = append(tr.Checks, r)
		tr.Status = Worse(tr.Status, r.Status)
	}
	return tr
}

// CarriesSecrets says whether a target's run may use the password or token: only an endpoint target,
// which the user named by URL. A domain target's servers are discovery's choice, and check judges what
// discovery recommends without logging in there.
func CarriesSecrets(t Target) bool { return t.Domain == "" }

// Probe runs one target with p, discovery for a domain target and the one endpoint otherwise, and
// judges it; the report is returned for callers that show the probe's results (--verbose). A domain
// target never carries the password or token, whatever p holds: check logs in only on the endpoints the
// user names by URL (README "Who receives your password or token").
func Probe(ctx context.Context, p *probe.Prober, t Target) (TargetResult, *probe.Report) {
	if !CarriesSecrets(t) {
		p = p.WithoutSecrets()
	}
	if t.Domain != "" {
		postureDone := startPosture(ctx, p, t) // beside the discovery: the target costs its slowest part
		rep := p.Run(ctx, probe.Request{Target: t.Name, Domain: t.Domain, Address: t.Address})
		tr := EvaluateDomain(t, rep)
		if post := postureDone(rep); post != nil {
			EvaluatePosture(&tr, t.Posture, post)
		}
		return tr, rep
	}
	rep := p.Run(ctx, probe.Request{Target: t.Name, Endpoints: []probe.Endpoint{t.Endpoint}})
	return Evaluate(t, rep.Endpoints), rep
}
