// Package check turns probe results into pass/warn/fail verdicts on stated expectations, for CI pipelines
// and monitoring (`mailcheck check`). Evaluate is a pure function of a Target and the probe's results, so
// every rule is unit-testable without a network; the command runs the probes and renders.
package check

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/catalog"
)

// Status is the verdict of one check, one target or a whole run.
type Status string

const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
)

var statusRank = map[Status]int{Pass: 0, Warn: 1, Fail: 2}

// Worse returns the worse of two statuses.
func Worse(a, b Status) Status {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

// Presence says whether a service must answer or must not.
const (
	// Present: the service must answer (the default).
	Present = "present"
	// Absent: nothing may offer the service there; a refused, filtered or unroutable port passes.
	Absent = "absent"
)

// Plaintext-login expectations: the values of plaintext_login and --plaintext-login.
const (
	PlaintextRefused = "refused"
	PlaintextOffered = "offered"
)

// Check names, in the fixed order in which a target's checks are listed. They are a stable API: JUnit
// test case names, JSON "check" fields and nagios long output use them.
const (
	// CheckReachable: the server accepts connections and speaks the expected protocol.
	CheckReachable = "reachable"
	// CheckAbsent replaces every other check of a target with expect = "absent".
	CheckAbsent = "absent"
	// CheckTLS: SSL/TLS or STARTTLS works, TLS 1.2 or newer, certificate trusted and valid for the name.
	CheckTLS = "tls"
	// CheckCertDays: the certificate stays valid for at least the warning and critical numbers of days.
	CheckCertDays = "cert_days"
	// CheckPlaintextLogin: password login before TLS is refused (or offered) as expected.
	CheckPlaintextLogin = "plaintext_login"
	// CheckAuthMechanisms: every listed login method is offered on the connection a client would use.
	CheckAuthMechanisms = "auth_mechanisms"
	// CheckLogin: the test account logs in.
	CheckLogin = "login"
)

// Target is one endpoint with everything expected of it. Zero values mean "not checked".
type Target struct {
	// Name identifies the target in every output (JUnit classname); it defaults to the endpoint URL.
	Name     string
	Endpoint probe.Endpoint
	// Expect is Present or Absent.
	Expect string
	// CertMinDays fails the target when its certificate expires in fewer days (nagios critical level).
	CertMinDays int
	// CertWarnDays warns when the certificate expires in fewer days (nagios warning level).
	CertWarnDays int
	// PlaintextLogin is PlaintextRefused, PlaintextOffered or "" (not checked).
	PlaintextLogin string
	// AuthMechanisms must all be offered (upper case, e.g. PLAIN).
	AuthMechanisms []string
	// Login asks for a login test with User.
	Login bool
	// User is the login name; empty means the command's --user.
	User string
	// PasswordEnv names the environment variable with the password; empty means the command's default.
	PasswordEnv string
	// TokenEnv names the environment variable with an OAuth2 access token for an OAuth2 login.
	TokenEnv string
	// OAuth says the login uses an OAuth2 token (TokenEnv, or the command's token sources).
	OAuth bool
	// Where says where the target was defined, for error messages: "check.toml:12" or "argument 2".
	Where string
	// Domain, when set, makes this a domain target: discovery runs for it (Address, when the config
	// gave one) and Incoming/Outgoing are the settings it must recommend (nil: not checked).
	Domain, Address    string
	Incoming, Outgoing *probe.Endpoint
	// AnySettings: where Incoming or Outgoing is nil, discovery must recommend some setting (Spec.AnySettings).
	AnySettings bool
	// Posture, for a domain target, are the posture assertions (posture.go); nil: none.
	Posture *PostureExpect
}

// Result is one expectation's verdict.
type Result struct {
	// Check is the check's name (CheckReachable, ...).
	Check  string `json:"check"`
	Status Status `json:"status"`
	// Expected says what the check wanted, Found what the probe saw.
	Expected string `json:"expected"`
	Found    string `json:"found"`
	// Message is "expected ...; found ...", one line.
	Message string `json:"message"`
	// Problem is the catalogue's explanation and fix for a warning or failure, when one applies.
	Problem *probe.Problem `json:"problem,omitempty"`
	// TimeMS is how long the step the check judges took (connect and greeting, TLS, login); 0 when the
	// check judges no step of its own.
	TimeMS float64 `json:"time_ms"`
}

// TargetResult is every check of one target.
type TargetResult struct {
	// Index is the target's position in the run, from 0 (file order, then argument order).
	Index    int    `json:"index"`
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	// Domain is set for a domain target (Endpoint then holds the domain too).
	Domain string `json:"domain,omitempty"`
	Expect string `json:"expect"`
	// Status is the worst of the checks.
	Status Status `json:"status"`
	// TimeMS is how long probing the endpoint took (connect, TLS, capabilities, login).
	TimeMS float64 `json:"time_ms"`
	// CertDaysLeft is the whole days until the leaf certificate expires, when a certificate was seen.
	CertDaysLeft *int `json:"cert_days_left,omitempty"`
	// CertWarnDays and CertMinDays are the thresholds the target was judged by (0: none).
	CertWarnDays int      `json:"cert_warn_days,omitempty"`
	CertMinDays  int      `json:"cert_min_days,omitempty"`
	Checks       []Result `json:"checks"`
	// Probe is the probe's full result per address, only when asked for (-v).
	Probe []probe.Result `json:"probe,omitempty"`
}

// Counts are the checks by verdict.
type Counts struct {
	Pass int `json:"pass"`
	Warn int `json:"warn"`
	Fail int `json:"fail"`
}

// Total is the number of checks.
func (c Counts) Total() int { return c.Pass + c.Warn + c.Fail }

// Run is a whole `mailcheck check`: the --json document.
type Run struct {
	// SchemaVersion changes only when a field changes meaning or disappears.
	SchemaVersion int            `json:"schema_version"`
	Status        Status         `json:"status"`
	DurationMS    float64        `json:"duration_ms"`
	Counts        Counts         `json:"counts"`
	Targets       []TargetResult `json:"targets"`
}

// SchemaVersion of Run.
const SchemaVersion = 1

// Summarize builds the run from its targets' results (in target order).
func Summarize(targets []TargetResult, took time.Duration) *Run {
	run := &Run{SchemaVersion: SchemaVersion, Status: Pass, Targets: targets, DurationMS: float64(took.Milliseconds())}
	if run.Targets == nil {
		run.Targets = []TargetResult{}
	}
	for _, t := range targets {
		for _, c := range t.Checks {
			run.Status = Worse(run.Status, c.Status)
			switch c.Status {
			case Pass:
				run.Counts.Pass++
			case Warn:
				run.Counts.Warn++
			default:
				run.Counts.Fail++
			}
		}
	}
	return run
}

// Problem codes owned by each check, read from the catalogue's areas. A failure that belongs to no check
// below reachable is reachable's, so that no broken endpoint passes.
var (
	// The probe's own expiry warning is replaced by cert_days and its thresholds.
	certDaysCodes  = codeSet(catalog.CertExpiringSoon)
	plaintextCodes = codeSet(catalog.PlaintextAuth)
)

// ownedByTLS: the TLS area, but for the expiry warning that cert_days owns.
func ownedByTLS(code string) bool {
	return catalog.InArea(code, catalog.AreaTLS) && !certDaysCodes[code]
}

// ownedByLogin: the login area, but for the plain-text login offer that the plaintext check owns.
func ownedByLogin(code string) bool {
	return catalog.InArea(code, catalog.AreaLogin) && !plaintextCodes[code]
}

// isAbsent: the outcomes that show nothing serves the port, the pass conditions of expect = "absent".
func isAbsent(code string) bool {
	a, _ := catalog.Is(code)
	return a.NotOffered
}

func codeSet(codes ...string) map[string]bool {
	m := map[string]bool{}
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// Evaluate judges one target by the probe's results for its endpoint (one per address the name resolved
// to). It is pure: the same inputs give the same output. Checks come in a fixed order: reachable (or
// absent), tls, cert_days, plaintext_login, auth_mechanisms, login.
func Evaluate(t Target, results []probe.Result) TargetResult {
	tr := TargetResult{Name: t.Name, Endpoint: t.Endpoint.URL(), Expect: t.Expect, Status: Pass,
		CertWarnDays: t.CertWarnDays, CertMinDays: t.CertMinDays}
	if tr.Expect == "" {
		tr.Expect = Present
	}
	if tr.Name == "" {
		tr.Name = tr.Endpoint
	}
	// Results of an IPv6 address that cannot be connected to where IPv4 works carry only the probe's
	// ipv6_unreachable warning (clients fall back for the connect only): reachable reports it, and the
	// other checks judge every address that connected, IPv6 included.
	var usable []probe.Result
	for _, r := range results {
		if !degradedIPv6(r) {
			usable = append(usable, r)
		}
	}
	if len(usable) == 0 {
		usable = results
	}
	if len(usable) > 0 {
		tr.TimeMS = usable[0].Timings.TotalMS
		if tls := usable[0].TLS; tls != nil && len(tls.Chain) > 0 && tr.Expect != Absent {
			days := tls.Chain[0].DaysLeft
			tr.CertDaysLeft = &days
		}
	}
	add := func(r Result) {
		r.Message = "expected " + r.Expected + "; found " + r.Found
		tr.Checks = append(tr.Checks, r)
		tr.Status = Worse(tr.Status, r.Status)
	}
	if len(results) == 0 {
		add(Result{Check: CheckReachable, Status: Fail, Expected: describeService(t.Endpoint), Found: "no result: the probe did not finish in time"})
		return tr
	}
	if tr.Expect == Absent {
		add(absent(t, results))
		return tr
	}
	add(merge(results, true, func(r probe.Result) Result { return reachable(t, r) }))
	if t.Endpoint.Security != probe.Plain {
		add(merge(usable, false, func(r probe.Result) Result { return tlsCheck(t, r) }))
		if t.CertMinDays > 0 || t.CertWarnDays > 0 {
			add(merge(usable, false, func(r probe.Result) Result { return certDays(t, r) }))
		}
	}
	if t.PlaintextLogin != "" {
		add(merge(usable, false, func(r probe.Result) Result { return plaintextLogin(t, r) }))
	}
	if len(t.AuthMechanisms) > 0 {
		add(merge(usable, false, func(r probe.Result) Result { return authMechanisms(t, r) }))
	}
	if t.Login {
		add(merge(usable, false, func(r probe.Result) Result { return login(t, r) }))
	}
	return tr
}

func degradedIPv6(r probe.Result) bool {
	for _, p := range r.Problems {
		if p.Code == catalog.IPv6Unreachable {
			return true
		}
	}
	return false
}

// merge judges each address and keeps the worst verdict. Findings shared by every address are given once;
// when addresses disagree, each finding names its addresses. withAddr adds the addresses to a pass.
func merge(results []probe.Result, withAddr bool, judge func(probe.Result) Result) Result {
	outs := make([]Result, len(results))
	worst := Pass
	for i, r := range results {
		outs[i] = judge(r)
		worst = Worse(worst, outs[i].Status)
	}
	type group struct {
		found string
		addrs []string
	}
	var groups []*group
	byFound := map[string]*group{}
	first, covered := -1, 0
	for i, o := range outs {
		if o.Status != worst {
			continue
		}
		if first < 0 {
			first = i
		}
		covered++
		g := byFound[o.Found]
		if g == nil {
			g = &group{found: o.Found}
			byFound[o.Found] = g
			groups = append(groups, g)
		}
		if a := results[i].Address; a != "" {
			g.addrs = append(g.addrs, a)
		}
	}
	res := outs[first]
	if len(groups) == 1 && covered == len(results) {
		if withAddr && worst == Pass && len(groups[0].addrs) > 0 {
			res.Found += " at " + strings.Join(groups[0].addrs, ", ")
		}
		return res
	}
	var parts []string
	for _, g := range groups {
		parts = append(parts, "at "+strings.Join(g.addrs, ", ")+": "+g.found)
	}
	res.Found = strings.Join(parts, "; ")
	return res
}

// withArticle is "an IMAP", "a POP3", "an SMTP".
func withArticle(p probe.Protocol) string {
	if p == probe.POP3 {
		return "a " + p.Name()
	}
	return "an " + p.Name()
}

func hostPort(ep probe.Endpoint) string {
	return fmt.Sprintf("%s:%d", ep.Host, ep.Port)
}

func describeService(ep probe.Endpoint) string {
	return fmt.Sprintf("%s server on %s (%s)", withArticle(ep.Protocol), hostPort(ep), ep.Security.Label())
}

// firstProblem returns the first problem whose code passes the filter and whose severity is at least min.
// The login's own failure is the login check's, whatever its code (a login connection that times out is
// no failure of the probe's connection).
func firstProblem(r probe.Result, min catalog.Severity, owned func(code string) bool) *probe.Problem {
	for i := range r.Problems {
		p := r.Problems[i]
		if !owned(p.Code) || isLoginProblem(r, p) {
			continue
		}
		if p.Severity == catalog.Fail || (min == catalog.Warn && p.Severity == catalog.Warn) {
			return &p
		}
	}
	return nil
}

func isLoginProblem(r probe.Result, p probe.Problem) bool {
	return r.Auth != nil && r.Auth.Problem != nil && r.Auth.Problem.Code == p.Code && r.Auth.Problem.Summary == p.Summary
}

// ownedByReachable: every code that no later check owns.
func ownedByReachable(code string) bool {
	return !ownedByTLS(code) && !certDaysCodes[code] && !plaintextCodes[code] && !ownedByLogin(code)
}

// blocker is the failure that kept the probe from getting as far as a later check needs.
func blocker(r probe.Result, includeTLS bool) *probe.Problem {
	if p := firstProblem(r, catalog.Fail, ownedByReachable); p != nil {
		return p
	}
	if includeTLS {
		return firstProblem(r, catalog.Fail, ownedByTLS)
	}
	return nil
}

// notVerified is the verdict of a check the probe could not reach.
func notVerified(check, expected string, p *probe.Problem) Result {
	return Result{Check: check, Status: Fail, Expected: expected, Found: "not verified: " + p.Title(), Problem: p}
}

func problemFound(p *probe.Problem) string {
	return p.Title() + ": " + p.Summary
}

func reachable(t Target, r probe.Result) Result {
	// Timings are in tenths of milliseconds; the sum is rounded so that it prints as one.
	res := Result{Check: CheckReachable, Expected: describeService(t.Endpoint), TimeMS: math.Round((r.Timings.ConnectMS+r.Timings.GreetingMS)*10) / 10}
	if p := firstProblem(r, catalog.Warn, ownedByReachable); p != nil {
		res.Status, res.Problem, res.Found = Fail, p, problemFound(p)
		if p.Severity != catalog.Fail {
			res.Status = Warn
		}
		return res
	}
	res.Status, res.Found = Pass, "it answers"
	if r.Greeting == "" {
		res.Found = "it accepts connections"
	}
	return res
}

func absent(t Target, results []probe.Result) Result {
	res := Result{Check: CheckAbsent, Status: Pass,
		Expected: fmt.Sprintf("no %s service on %s", t.Endpoint.Protocol.Name(), hostPort(t.Endpoint))}
	var found []string
	for _, r := range results {
		var pr *probe.Problem
		for i := range r.Problems {
			if r.Problems[i].Severity == catalog.Fail {
				pr = &r.Problems[i]
				break
			}
		}
		switch {
		case pr != nil && catalog.InArea(pr.Code, catalog.AreaDNS):
			// The name does not resolve: nothing could be tried, so absence is not shown.
			res.Status, res.Problem = Fail, pr
			found = append(found, "cannot tell: "+problemFound(pr))
		case pr != nil && isAbsent(pr.Code) && (r.Greeting == "" || pr.Code == catalog.GreetingRejected):
			found = append(found, absentReason(pr.Code)+" at "+r.Address)
		case r.Greeting != "":
			res.Status = Fail
			found = append(found, fmt.Sprintf("%s server answers at %s", withArticle(t.Endpoint.Protocol), r.Address))
		default:
			res.Status = Fail
			what := "something accepts connections"
			if pr != nil {
				what += " (" + pr.Title() + ")"
			}
			found = append(found, what+" at "+r.Address)
		}
	}
	res.Found = strings.Join(found, "; ")
	return res
}

func absentReason(code string) string {
	switch code {
	case catalog.ConnectRefused:
		return "connection refused"
	case catalog.ConnectTimeout:
		return "no answer (filtered)"
	case catalog.NetworkUnreachable:
		return "no route"
	case catalog.GreetingRejected:
		return "the server refuses the service in its greeting"
	}
	return "the connection is closed without a greeting"
}

func tlsCheck(t Target, r probe.Result) Result {
	ep := t.Endpoint
	expected := fmt.Sprintf("SSL/TLS with a trusted certificate valid for %s", ep.Host)
	if ep.Security == probe.STARTTLS {
		expected = fmt.Sprintf("STARTTLS, then a trusted certificate valid for %s", ep.Host)
	}
	res := Result{Check: CheckTLS, Expected: expected, TimeMS: r.Timings.TLSMS}
	if p := firstProblem(r, catalog.Warn, ownedByTLS); p != nil {
		res.Status, res.Problem, res.Found = Fail, p, problemFound(p)
		if p.Severity != catalog.Fail {
			res.Status = Warn
		}
		return res
	}
	if r.TLS == nil {
		if p := blocker(r, false); p != nil {
			return notVerified(CheckTLS, expected, p)
		}
		return Result{Check: CheckTLS, Status: Fail, Expected: expected, Found: "no TLS connection was made"}
	}
	res.Status = Pass
	how := r.TLS.Version
	if r.STARTTLS {
		how = "STARTTLS to " + how
	}
	res.Found = how + ", certificate trusted and valid for " + ep.Host
	return res
}

func certDays(t Target, r probe.Result) Result {
	expected := fmt.Sprintf("a certificate valid for at least %d days", max(t.CertMinDays, t.CertWarnDays))
	switch {
	case t.CertMinDays > 0 && t.CertWarnDays > t.CertMinDays:
		expected = fmt.Sprintf("a certificate valid for at least %d days (warning below %d)", t.CertMinDays, t.CertWarnDays)
	case t.CertMinDays > 0:
		expected = fmt.Sprintf("a certificate valid for at least %d days", t.CertMinDays)
	case t.CertWarnDays > 0:
		expected = fmt.Sprintf("a certificate valid for at least %d days (warning only)", t.CertWarnDays)
	}
	if r.TLS == nil || len(r.TLS.Chain) == 0 {
		if p := blocker(r, true); p != nil {
			return notVerified(CheckCertDays, expected, p)
		}
		return Result{Check: CheckCertDays, Status: Fail, Expected: expected, Found: "no certificate was received"}
	}
	leaf := r.TLS.Chain[0]
	days := leaf.DaysLeft
	res := Result{Check: CheckCertDays, Status: Pass, Expected: expected,
		Found: fmt.Sprintf("%s left (expires %s)", nDays(days), leaf.NotAfter.UTC().Format(time.DateOnly))}
	if days < 0 {
		res.Found = fmt.Sprintf("expired %s ago (%s)", nDays(-days), leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	switch {
	case days < 0:
		res.Status = Fail
		res.Problem = catalogProblem(catalog.CertExpired, catalog.Fail, fmt.Sprintf("the certificate for %s expired on %s", t.Endpoint.Host, leaf.NotAfter.UTC().Format(time.DateOnly)))
	case days < t.CertMinDays:
		res.Status = Fail
		res.Problem = catalogProblem(catalog.CertExpiringSoon, catalog.Fail,
			fmt.Sprintf("the certificate for %s expires in %d days, fewer than the %d required", t.Endpoint.Host, days, t.CertMinDays))
	case days < t.CertWarnDays:
		res.Status = Warn
		res.Problem = catalogProblem(catalog.CertExpiringSoon, catalog.Warn,
			fmt.Sprintf("the certificate for %s expires in %d days (warning below %d)", t.Endpoint.Host, days, t.CertWarnDays))
	}
	return res
}

func nDays(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

func plaintextLogin(t Target, r probe.Result) Result {
	expected := "no password login before TLS"
	if t.PlaintextLogin == PlaintextOffered {
		expected = "password login offered before TLS"
	}
	res := Result{Check: CheckPlaintextLogin, Expected: expected, Status: Pass}
	found := r.PlaintextLogin
	if t.Endpoint.Security == probe.TLS {
		// Implicit TLS (RFC 8314): the first byte is already encrypted, so there is no phase to log in
		// without TLS, as long as a server answers at all.
		if p := blocker(r, false); p != nil {
			return notVerified(CheckPlaintextLogin, expected, p)
		}
		found = PlaintextRefused
		res.Found = "no unencrypted phase: SSL/TLS from the first byte"
	}
	switch {
	case found == "":
		if p := blocker(r, false); p != nil {
			return notVerified(CheckPlaintextLogin, expected, p)
		}
		res.Status, res.Found = Fail, "the capabilities before TLS were not received"
	case found == t.PlaintextLogin:
		if res.Found == "" {
			res.Found = found + " (capabilities before TLS: " + capsOrNone(r.Capabilities.BeforeTLS) + ")"
		}
	case found == PlaintextOffered:
		res.Status, res.Found = Fail, "offered (capabilities before TLS: "+capsOrNone(r.Capabilities.BeforeTLS)+")"
		res.Problem = firstProblem(r, catalog.Warn, func(c string) bool { return plaintextCodes[c] })
		if res.Problem == nil {
			res.Problem = catalogProblem(catalog.PlaintextAuth, catalog.Fail,
				fmt.Sprintf("%s offers password login before TLS", hostPort(t.Endpoint)))
		}
	default:
		res.Status = Fail
		if res.Found == "" {
			res.Found = "refused (capabilities before TLS: " + capsOrNone(r.Capabilities.BeforeTLS) + ")"
		}
		res.Problem = catalogProblem(catalog.AuthPlaintextRefused, catalog.Fail,
			fmt.Sprintf("%s refuses password login without TLS", hostPort(t.Endpoint)))
	}
	return res
}

func capsOrNone(caps []string) string {
	if len(caps) == 0 {
		return "none"
	}
	return strings.Join(caps, " ")
}

func authMechanisms(t Target, r probe.Result) Result {
	expected := "login methods " + strings.Join(t.AuthMechanisms, " ") + " offered"
	if len(t.AuthMechanisms) == 1 {
		expected = "login method " + t.AuthMechanisms[0] + " offered"
	}
	if len(r.AuthMechanisms) == 0 {
		if p := blocker(r, true); p != nil {
			return notVerified(CheckAuthMechanisms, expected, p)
		}
		return Result{Check: CheckAuthMechanisms, Status: Fail, Expected: expected, Found: "no login method offered",
			Problem: catalogProblem(catalog.NoAuthMechanism, catalog.Fail, fmt.Sprintf("%s offers no login method", hostPort(t.Endpoint)))}
	}
	var missing []string
	for _, want := range t.AuthMechanisms {
		ok := false
		for _, have := range r.AuthMechanisms {
			ok = ok || strings.EqualFold(want, have)
		}
		if !ok {
			missing = append(missing, want)
		}
	}
	res := Result{Check: CheckAuthMechanisms, Status: Pass, Expected: expected, Found: "offered: " + strings.Join(r.AuthMechanisms, " ")}
	if len(missing) > 0 {
		res.Status = Fail
		res.Found += " (missing " + strings.Join(missing, " ") + ")"
		res.Problem = catalogProblem(catalog.AuthMechanism, catalog.Fail,
			fmt.Sprintf("%s does not offer %s (offered: %s)", hostPort(t.Endpoint), strings.Join(missing, " "), strings.Join(r.AuthMechanisms, " ")))
	}
	return res
}

func login(t Target, r probe.Result) Result {
	user := t.User
	if r.Auth != nil && r.Auth.User != "" {
		user = r.Auth.User
	}
	kind := "login"
	if t.OAuth {
		kind = "OAuth2 login"
	}
	expected := "the " + kind + " to work"
	if user != "" {
		expected = "the " + kind + " of " + user + " to work"
	}
	res := Result{Check: CheckLogin, Expected: expected, TimeMS: r.Timings.AuthMS}
	switch {
	case r.Auth == nil:
		if p := blocker(r, true); p != nil {
			return notVerified(CheckLogin, expected, p)
		}
		res.Status, res.Found = Fail, "no login was possible"
		res.Problem = catalogProblem(catalog.NoAuthMechanism, catalog.Fail, fmt.Sprintf("%s offers no login method", hostPort(t.Endpoint)))
	case r.Auth.OK:
		res.Status, res.Found = Pass, "accepted ("+r.Auth.Mechanism+")"
	case r.Auth.Problem != nil:
		p := *r.Auth.Problem
		res.Status, res.Problem = Fail, &p
		res.Found = problemFound(&p)
	default:
		res.Status, res.Found = Fail, "the login was not tested"
	}
	return res
}

// catalogProblem builds a finding from the catalogue, as the probe does, with check's own severity.
func catalogProblem(code string, sev catalog.Severity, summary string) *probe.Problem {
	pr := probe.NewProblem(code, summary, "")
	pr.Severity = sev
	return &pr
}
