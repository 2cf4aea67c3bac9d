//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The world is described by e2e/run.sh through E2E_* variables (see testdata/e2e/world.env).
type world struct {
	bin, netns, caFile, mailRoot, work, password string
	dnsIP                                        string

	domainSRV, domainMX, domainGuess, domainNoMail, domainBadMX, domainBlocked, domainLegacy string
	domainSRVMX, domainOneBox, domainShared, v6Cert                                          string

	imapProvider, popProvider, smtpProvider, mxHost, imapGuess, smtpGuess, mailGuess string
	expired, wrongHost, wrongHostCert, plain, refused, dropped, badMXTarget          string
	user                                                                             string

	domainWeb, ispdbHost string
}

var w world

func TestMain(m *testing.M) {
	var missing []string
	get := func(name string) string {
		v := os.Getenv("E2E_" + name)
		if v == "" {
			missing = append(missing, "E2E_"+name)
		}
		return v
	}
	w = world{
		bin: get("BIN"), netns: get("NS_CLIENT"), caFile: get("CA_FILE"), mailRoot: get("MAIL_ROOT"),
		work: get("WORK"), password: get("MAIL_PASSWORD"), dnsIP: get("DNS_IP"),
		domainSRV: get("DOMAIN_SRV"), domainMX: get("DOMAIN_MX"), domainGuess: get("DOMAIN_GUESS"),
		domainNoMail: get("DOMAIN_NOMAIL"), domainBadMX: get("DOMAIN_BADMX"),
		domainBlocked: get("DOMAIN_BLOCKED"), domainLegacy: get("DOMAIN_LEGACY"),
		imapProvider: get("HOST_IMAP_PROVIDER"), popProvider: get("HOST_POP_PROVIDER"),
		smtpProvider: get("HOST_SMTP_PROVIDER"), mxHost: get("HOST_MX_MXONLY"),
		imapGuess: get("HOST_IMAP_GUESS"), smtpGuess: get("HOST_SMTP_GUESS"), mailGuess: get("HOST_MAIL_GUESS"),
		expired: get("HOST_EXPIRED"), wrongHost: get("HOST_WRONGHOST"), wrongHostCert: get("HOST_WRONGHOST_CERT"),
		plain: get("HOST_PLAIN"), refused: get("HOST_REFUSED"), dropped: get("HOST_DROPPED"),
		badMXTarget: get("HOST_BADMX_TARGET"), domainWeb: get("DOMAIN_WEB"), ispdbHost: get("HOST_ISPDB"),
		domainSRVMX: get("DOMAIN_SRVMX"), domainOneBox: get("DOMAIN_ONEBOX"), domainShared: get("DOMAIN_SHARED"),
		v6Cert: get("HOST_V6CERT"),
	}
	w.user = get("MAIL_USER_LOCAL") + "@" + w.domainSRV
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: the test world is not set up (missing %s).\n"+
			"Run the suite with `make e2e` (bash e2e/run.sh, as root), which builds the world and sets them.\n",
			strings.Join(missing, ", "))
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// ---- The JSON a user sees (only the fields the suite asserts on; package probe is deliberately not imported).

type problem struct {
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
}

type certificate struct {
	Subject  string    `json:"subject"`
	NotAfter time.Time `json:"not_after"`
	DaysLeft int       `json:"days_left"`
}

type tlsInfo struct {
	Version     string        `json:"version"`
	Verified    bool          `json:"verified"`
	VerifyError string        `json:"verify_error"`
	Chain       []certificate `json:"chain"`
}

type authResult struct {
	Tested   bool     `json:"tested"`
	OK       bool     `json:"ok"`
	User     string   `json:"user"`
	Problem  *problem `json:"problem"`
	SameAs   string   `json:"same_as"`
	SharedBy []string `json:"shared_by"`
}

type endpoint struct {
	Protocol     string   `json:"protocol"`
	Host         string   `json:"host"`
	Port         int      `json:"port"`
	Security     string   `json:"security"`
	Address      string   `json:"address"`
	Source       string   `json:"source"`
	Status       string   `json:"status"`
	Greeting     string   `json:"greeting"`
	STARTTLS     bool     `json:"starttls"`
	TLS          *tlsInfo `json:"tls"`
	Capabilities struct {
		BeforeTLS []string `json:"before_tls"`
		AfterTLS  []string `json:"after_tls"`
	} `json:"capabilities"`
	AuthMechanisms []string    `json:"auth_mechanisms"`
	PlaintextLogin string      `json:"plaintext_login"`
	Auth           *authResult `json:"auth"`
	Problems       []problem   `json:"problems"`
}

func (e endpoint) String() string {
	return fmt.Sprintf("%s %s:%d (%s)", e.Protocol, e.Host, e.Port, e.Security)
}

type dnsQuery struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Rcode   string   `json:"rcode"`
	Answers []string `json:"answers"`
	Problem *problem `json:"problem"`
}

type setting struct {
	Protocol      string `json:"protocol"`
	Server        string `json:"server"`
	Port          int    `json:"port"`
	Security      string `json:"security"`
	Source        string `json:"source"`
	Username      string `json:"username"`
	RequiresAuth  bool   `json:"requires_auth"`
	LoginVerified bool   `json:"login_verified"`
	Warning       string `json:"warning"`
}

func (s *setting) String() string {
	if s == nil {
		return "none"
	}
	return fmt.Sprintf("%s %s:%d (%s) user %q", s.Protocol, s.Server, s.Port, s.Security, s.Username)
}

type report struct {
	Status    string     `json:"status"`
	Domain    string     `json:"domain"`
	DNS       []dnsQuery `json:"dns"`
	Endpoints []endpoint `json:"endpoints"`
	Settings  struct {
		Incoming *setting `json:"incoming"`
		Outgoing *setting `json:"outgoing"`
	} `json:"settings"`
	Problems  []problem `json:"problems"`
	Discovery []lookup  `json:"discovery"`
}

// lookup is one discovery source's record.
type lookup struct {
	Source     string `json:"source"`
	URL        string `json:"url"`
	Method     string `json:"method"`
	HTTPStatus int    `json:"http_status"`
	Forgeable  bool   `json:"forgeable"`
	Servers    []struct {
		Protocol string `json:"protocol"`
		Host     string `json:"host"`
		Port     int    `json:"port"`
		Username string `json:"username"`
	} `json:"servers"`
	Error string `json:"error"`
}

// summary is a compact view of a report for failure messages.
func (r *report) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "status %q, incoming %v, outgoing %v, problems %v\n", r.Status, r.Settings.Incoming, r.Settings.Outgoing, codes(r.Problems))
	for _, e := range r.Endpoints {
		verified := "no TLS"
		if e.TLS != nil {
			verified = fmt.Sprintf("TLS verified=%v", e.TLS.Verified)
		}
		fmt.Fprintf(&b, "  %-40s %-16s source=%-8s status=%-4s %s problems=%v\n", e, e.Address, e.Source, e.Status, verified, codes(e.Problems))
	}
	return b.String()
}

type sendStep struct {
	Step    string `json:"step"`
	Command string `json:"command"`
	Reply   string `json:"reply"`
	OK      bool   `json:"ok"`
}

type sendReport struct {
	Server struct {
		Host string `json:"host"`
		Port int    `json:"port"`
	} `json:"server"`
	DryRun    bool       `json:"dry_run"`
	Accepted  bool       `json:"accepted"`
	Delivered bool       `json:"delivered"`
	MessageID string     `json:"message_id"`
	Problem   *problem   `json:"problem"`
	Steps     []sendStep `json:"steps"`
}

// ---- Running mailcheck inside the client namespace, as a user would.

type run struct {
	args           []string
	stdout, stderr []byte
	exit           int
	elapsed        time.Duration
}

func (r run) String() string {
	return fmt.Sprintf("mailcheck %s\nexit %d after %v\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.exit,
		r.elapsed.Round(time.Millisecond), clip(r.stdout), clip(r.stderr))
}

func clip(b []byte) string {
	if len(b) > 6000 {
		return string(b[:6000]) + "\n…(cut)"
	}
	return string(b)
}

type runOpts struct {
	// untrusted leaves SSL_CERT_FILE unset, so the test CA is not trusted (the system roots are).
	untrusted bool
	env       []string
}

// mailcheck runs `ip netns exec <client> mailcheck args...` with a clean environment.
func mailcheck(t *testing.T, o runOpts, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", w.netns, w.bin}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8", "NO_COLOR=1"}
	if !o.untrusted {
		cmd.Env = append(cmd.Env, "SSL_CERT_FILE="+w.caFile)
	}
	cmd.Env = append(cmd.Env, o.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := run{args: args, stdout: stdout.Bytes(), stderr: stderr.Bytes(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.exit = ee.ExitCode()
	default:
		t.Fatalf("cannot run mailcheck %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("mailcheck %s did not finish in 90 s", strings.Join(args, " "))
	}
	return r
}

// probe runs `mailcheck probe ARGS --json` and decodes the report.
func probe(t *testing.T, o runOpts, args ...string) (*report, run) {
	t.Helper()
	r := mailcheck(t, o, append(append([]string{"probe"}, args...), "--json")...)
	var rep report
	if err := json.Unmarshal(r.stdout, &rep); err != nil {
		t.Fatalf("the output of probe --json is not a report: %v\n%s", err, r)
	}
	return &rep, r
}

func wantExit(t *testing.T, r run, code int, rep *report) {
	t.Helper()
	if r.exit != code {
		extra := ""
		if rep != nil {
			extra = "\n" + rep.summary()
		}
		t.Fatalf("exit code %d, want %d%s\n%s", r.exit, code, extra, r)
	}
}

func codes(ps []problem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func findProblem(ps []problem, code string) *problem {
	for i := range ps {
		if ps[i].Code == code {
			return &ps[i]
		}
	}
	return nil
}

// find returns the endpoint for protocol host:port, failing the test with the whole report when absent.
func find(t *testing.T, rep *report, protocol, host string, port int) endpoint {
	t.Helper()
	for _, e := range rep.Endpoints {
		if e.Protocol == protocol && e.Host == host && e.Port == port {
			return e
		}
	}
	t.Fatalf("no endpoint %s %s:%d in the report\n%s", protocol, host, port, rep.summary())
	return endpoint{}
}

func wantProblem(t *testing.T, where string, ps []problem, code string, rep *report) {
	t.Helper()
	if findProblem(ps, code) == nil {
		t.Errorf("%s: problem %s missing; got %v\n%s", where, code, codes(ps), rep.summary())
	}
}

func wantNoProblem(t *testing.T, where string, ps []problem, code string, rep *report) {
	t.Helper()
	if p := findProblem(ps, code); p != nil {
		t.Errorf("%s: unexpected problem %s (%s)\n%s", where, code, p.Summary, rep.summary())
	}
}

func wantSetting(t *testing.T, what string, got *setting, protocol string, servers []string, port int, security, user string, rep *report) {
	t.Helper()
	if got == nil {
		t.Errorf("%s setting: none recommended, want %s %v:%d (%s)\n%s", what, protocol, servers, port, security, rep.summary())
		return
	}
	if got.Protocol != protocol || !slices.Contains(servers, got.Server) || got.Port != port || got.Security != security {
		t.Errorf("%s setting: got %v, want %s on one of %v port %d (%s)\n%s", what, got, protocol, servers, port, security, rep.summary())
	}
	if user != "" && got.Username != user {
		t.Errorf("%s setting: user name %q, want %q", what, got.Username, user)
	}
}

// wantWorking checks that an endpoint worked with a verified certificate.
func wantWorking(t *testing.T, rep *report, e endpoint, source string) {
	t.Helper()
	if e.Status != "ok" {
		t.Errorf("%s: status %q, want ok; problems %v\n%s", e, e.Status, codes(e.Problems), rep.summary())
	}
	if e.Source != source {
		t.Errorf("%s: source %q, want %q", e, e.Source, source)
	}
	if e.TLS == nil || !e.TLS.Verified {
		t.Errorf("%s: TLS not verified: %+v", e, e.TLS)
	}
}

// =====================================================================================================
// Scenarios

func TestDiscovery(t *testing.T) {
	t.Run("srv records", func(t *testing.T) {
		t.Parallel()
		addr := "alice@" + w.domainSRV
		rep, r := probe(t, runOpts{}, addr)
		wantExit(t, r, 0, rep)
		// The SRV targets lie outside srv.test and only DNS names them: the settings work but carry the
		// warning to confirm them (README "Who receives your password or token").
		if rep.Status != "warn" {
			t.Errorf("status %q, want warn (settings_unconfirmed)\n%s", rep.Status, rep.summary())
		}
		wantProblem(t, w.domainSRV, rep.Problems, "settings_unconfirmed", rep)
		for _, s := range []*setting{rep.Settings.Incoming, rep.Settings.Outgoing} {
			if s != nil && !strings.Contains(s.Warning, "the domain's SRV records, which can be forged") {
				t.Errorf("setting %v: warning %q, want the SRV warning", s, s.Warning)
			}
		}
		for _, ep := range []struct {
			protocol, host string
			port           int
			security       string
		}{
			{"imap", w.imapProvider, 993, "tls"}, {"imap", w.imapProvider, 143, "starttls"},
			{"pop3", w.popProvider, 995, "tls"}, {"pop3", w.popProvider, 110, "starttls"},
			{"smtp", w.smtpProvider, 465, "tls"}, {"smtp", w.smtpProvider, 587, "starttls"},
		} {
			e := find(t, rep, ep.protocol, ep.host, ep.port)
			wantWorking(t, rep, e, "srv")
			if e.Security != ep.security {
				t.Errorf("%s: security %q, want %q", e, e.Security, ep.security)
			}
		}
		for _, e := range rep.Endpoints {
			if e.Source != "srv" {
				t.Errorf("%s: source %q, but %s publishes only SRV records", e, e.Source, w.domainSRV)
			}
		}
		// RFC 8314 section 3: implicit TLS is preferred for both.
		wantSetting(t, "incoming", rep.Settings.Incoming, "imap", []string{w.imapProvider}, 993, "tls", addr, rep)
		wantSetting(t, "outgoing", rep.Settings.Outgoing, "smtp", []string{w.smtpProvider}, 465, "tls", addr, rep)
		found := false
		for _, q := range rep.DNS {
			if q.Type == "SRV" && strings.TrimSuffix(q.Name, ".") == "_imaps._tcp."+w.domainSRV {
				found = slices.ContainsFunc(q.Answers, func(a string) bool { return strings.Contains(a, "993 "+w.imapProvider+".") })
			}
		}
		if !found {
			t.Errorf("dns[] has no SRV answer for _imaps._tcp.%s naming %s:993: %+v", w.domainSRV, w.imapProvider, rep.DNS)
		}
	})

	t.Run("mx only", func(t *testing.T) {
		t.Parallel()
		addr := "alice@" + w.domainMX
		rep, r := probe(t, runOpts{}, addr)
		wantExit(t, r, 0, rep)
		for _, ep := range []struct {
			protocol string
			port     int
		}{{"imap", 993}, {"imap", 143}, {"pop3", 995}, {"pop3", 110}, {"smtp", 465}, {"smtp", 587}, {"smtp", 25}} {
			wantWorking(t, rep, find(t, rep, ep.protocol, w.mxHost, ep.port), "mx")
		}
		wantSetting(t, "incoming", rep.Settings.Incoming, "imap", []string{w.mxHost}, 993, "tls", addr, rep)
		// Port 25 of an MX offers no AUTH: never the recommended sending setting.
		wantSetting(t, "outgoing", rep.Settings.Outgoing, "smtp", []string{w.mxHost}, 465, "tls", addr, rep)
		mx := find(t, rep, "smtp", w.mxHost, 25)
		if len(mx.AuthMechanisms) != 0 {
			t.Errorf("%s: auth mechanisms %v, but Postfix offers no AUTH on 25", mx, mx.AuthMechanisms)
		}
	})

	t.Run("guessed host names", func(t *testing.T) {
		t.Parallel()
		addr := "alice@" + w.domainGuess
		rep, r := probe(t, runOpts{}, addr)
		wantExit(t, r, 0, rep)
		wantWorking(t, rep, find(t, rep, "imap", w.imapGuess, 993), "guess")
		wantWorking(t, rep, find(t, rep, "smtp", w.smtpGuess, 465), "guess")
		wantWorking(t, rep, find(t, rep, "smtp", w.smtpGuess, 587), "guess")
		wantWorking(t, rep, find(t, rep, "imap", w.mailGuess, 993), "guess")
		wantWorking(t, rep, find(t, rep, "smtp", w.mailGuess, 465), "guess")
		for _, e := range rep.Endpoints {
			if e.Source != "guess" {
				t.Errorf("%s: source %q, but %s has only guessable names", e, e.Source, w.domainGuess)
			}
		}
		// Both names serve the same thing; either is a correct recommendation.
		wantSetting(t, "incoming", rep.Settings.Incoming, "imap", []string{w.imapGuess, w.mailGuess}, 993, "tls", addr, rep)
		wantSetting(t, "outgoing", rep.Settings.Outgoing, "smtp", []string{w.smtpGuess, w.mailGuess}, 465, "tls", addr, rep)
	})

	t.Run("resolver flag", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, "alice@"+w.domainMX, "--resolver", w.dnsIP+":53")
		wantExit(t, r, 0, rep)
		wantSetting(t, "incoming", rep.Settings.Incoming, "imap", []string{w.mxHost}, 993, "tls", "", rep)
	})
}

func TestExplicitEndpoints(t *testing.T) {
	t.Run("all work", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, "imaps://"+w.imapProvider+":993", "submission://"+w.smtpProvider+":587")
		wantExit(t, r, 0, rep)
		wantWorking(t, rep, find(t, rep, "imap", w.imapProvider, 993), "explicit")
		wantWorking(t, rep, find(t, rep, "smtp", w.smtpProvider, 587), "explicit")
		if len(rep.Endpoints) != 2 {
			t.Errorf("%d endpoints probed, want exactly the 2 given\n%s", len(rep.Endpoints), rep.summary())
		}
	})

	t.Run("ca-file flag instead of SSL_CERT_FILE", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{untrusted: true}, "imaps://"+w.imapProvider, "--ca-file", w.caFile)
		wantExit(t, r, 0, rep)
		wantWorking(t, rep, find(t, rep, "imap", w.imapProvider, 993), "explicit")
	})

	t.Run("bad usage", func(t *testing.T) {
		t.Parallel()
		for _, args := range [][]string{{"probe"}, {"probe", "ftp://" + w.imapProvider}, {"probe", "imaps://" + w.imapProvider, "--timeout", "0s"}} {
			if r := mailcheck(t, runOpts{}, args...); r.exit != 2 {
				t.Errorf("exit %d, want 2 (bad usage)\n%s", r.exit, r)
			}
		}
	})
}

func TestFaults(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, "imaps://"+w.refused+":993", "--timeout", "5s")
		wantExit(t, r, 1, rep)
		e := find(t, rep, "imap", w.refused, 993)
		if e.Status != "fail" {
			t.Errorf("%s: status %q, want fail", e, e.Status)
		}
		wantProblem(t, e.String(), e.Problems, "connect_refused", rep)
		// A reset answers at once: the probe must not wait for the timeout (the bound is the timeout
		// itself, not a guess at how fast a busy machine starts the binary).
		if r.elapsed >= 5*time.Second {
			t.Errorf("a refused connection took %v (timeout 5s): it should fail at once", r.elapsed)
		}
	})

	t.Run("dropped port times out within one timeout", func(t *testing.T) {
		t.Parallel()
		const timeout = 2 * time.Second
		rep, r := probe(t, runOpts{}, "smtp://"+w.dropped+":25", "--timeout", timeout.String())
		wantExit(t, r, 1, rep)
		e := find(t, rep, "smtp", w.dropped, 25)
		wantProblem(t, e.String(), e.Problems, "connect_timeout", rep)
		// At least the one timeout it waits for; less than the two a serial retry would cost.
		if r.elapsed < timeout-200*time.Millisecond || r.elapsed >= 2*timeout {
			t.Errorf("the probe took %v with --timeout %v: want one timeout, not two", r.elapsed, timeout)
		}
	})

	t.Run("discovery with a dropped MX port finishes within one timeout", func(t *testing.T) {
		t.Parallel()
		const timeout = 2 * time.Second
		rep, r := probe(t, runOpts{}, "alice@"+w.domainBlocked, "--timeout", timeout.String())
		wantExit(t, r, 1, rep)
		e := find(t, rep, "smtp", w.dropped, 25)
		if e.Source != "mx" {
			t.Errorf("%s: source %q, want mx", e, e.Source)
		}
		wantProblem(t, e.String(), e.Problems, "connect_timeout", rep)
		// Sequential probes of the MX's ports (and the other guessed names) would cost several timeouts.
		if r.elapsed >= 2*timeout {
			t.Errorf("discovery took %v with --timeout %v: the probes must run concurrently, within one timeout", r.elapsed, timeout)
		}
	})

	t.Run("no mail servers", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, "alice@"+w.domainNoMail)
		wantExit(t, r, 1, rep)
		wantProblem(t, "top level", rep.Problems, "no_mail_servers", rep)
		if len(rep.Endpoints) != 0 {
			t.Errorf("%d endpoints for a domain without servers\n%s", len(rep.Endpoints), rep.summary())
		}
		if rep.Settings.Incoming != nil || rep.Settings.Outgoing != nil {
			t.Errorf("settings recommended for a domain without servers: %v / %v", rep.Settings.Incoming, rep.Settings.Outgoing)
		}
		if rep.Status != "fail" {
			t.Errorf("status %q, want fail", rep.Status)
		}
	})

	t.Run("MX target does not resolve", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, "alice@"+w.domainBadMX)
		wantExit(t, r, 1, rep)
		p := findProblem(rep.Problems, "dns_not_found")
		if p == nil {
			t.Fatalf("top-level problems %v lack dns_not_found\n%s", codes(rep.Problems), rep.summary())
		}
		if !strings.Contains(p.Summary, w.badMXTarget) {
			t.Errorf("dns_not_found summary %q does not name the MX host %s", p.Summary, w.badMXTarget)
		}
		nx := slices.ContainsFunc(rep.DNS, func(q dnsQuery) bool {
			return strings.TrimSuffix(q.Name, ".") == w.badMXTarget && q.Rcode == "NXDOMAIN"
		})
		if !nx {
			t.Errorf("dns[] has no NXDOMAIN answer for %s: %+v", w.badMXTarget, rep.DNS)
		}
	})

	t.Run("plain-text-only server", func(t *testing.T) {
		t.Parallel()
		logFile := filepath.Join(w.work, "log", "dovecot-plain.log")
		before, _ := os.ReadFile(logFile)
		rep, r := probe(t, runOpts{}, "imap://"+w.plain, "pop3://"+w.plain, "submission://"+w.plain)
		wantExit(t, r, 1, rep)
		// The capabilities offer a login before TLS, so mailcheck started one without credentials and
		// cancelled it, on a connection of its own: Dovecot must log no failed login for it. Wait for the
		// login processes' lines of this run (the probe's and the test's connection, IMAP and POP3).
		var fresh string
		deadline := time.Now().Add(15 * time.Second)
		for {
			b, _ := os.ReadFile(logFile)
			if len(b) >= len(before) {
				fresh = string(b[len(before):])
			}
			if strings.Count(fresh, "imap-login:") >= 2 && strings.Count(fresh, "pop3-login:") >= 2 || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if strings.Count(fresh, "imap-login:") < 2 || strings.Count(fresh, "pop3-login:") < 2 {
			t.Errorf("Dovecot logged fewer login-process lines than connections:\n%s", fresh)
		}
		if strings.Contains(fresh, "auth failed") {
			t.Errorf("the plaintext login test caused a failed login in Dovecot's log:\n%s", fresh)
		}
		t.Logf("dovecot-plain.log for this run:\n%s", fresh)
		for _, ep := range []struct {
			protocol string
			port     int
		}{{"imap", 143}, {"pop3", 110}, {"smtp", 587}} {
			e := find(t, rep, ep.protocol, w.plain, ep.port)
			wantProblem(t, e.String(), e.Problems, "starttls_not_offered", rep)
			wantProblem(t, e.String(), e.Problems, "plaintext_auth_offered", rep)
			if e.PlaintextLogin != "offered" {
				t.Errorf("%s: plaintext_login %q, want offered", e, e.PlaintextLogin)
			}
			if e.STARTTLS || e.TLS != nil {
				t.Errorf("%s: reports TLS (starttls=%v, tls=%+v) on a server without TLS", e, e.STARTTLS, e.TLS)
			}
			if e.Status != "fail" {
				t.Errorf("%s: status %q, want fail", e, e.Status)
			}
		}
	})

	t.Run("plain-text-only domain gets no recommendation", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, "alice@"+w.domainLegacy)
		wantExit(t, r, 1, rep)
		if rep.Settings.Incoming != nil || rep.Settings.Outgoing != nil {
			t.Errorf("settings recommended although no endpoint has TLS: %v / %v\n%s", rep.Settings.Incoming, rep.Settings.Outgoing, rep.summary())
		}
		e := find(t, rep, "imap", "mail."+w.domainLegacy, 143)
		wantProblem(t, e.String(), e.Problems, "starttls_not_offered", rep)
	})

	t.Run("login refused before TLS", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, "imap://"+w.imapProvider, "pop3://"+w.popProvider, "submission://"+w.smtpProvider)
		wantExit(t, r, 0, rep)
		for _, ep := range []struct {
			protocol, host string
			port           int
		}{{"imap", w.imapProvider, 143}, {"pop3", w.popProvider, 110}, {"smtp", w.smtpProvider, 587}} {
			e := find(t, rep, ep.protocol, ep.host, ep.port)
			if e.PlaintextLogin != "refused" {
				t.Errorf("%s: plaintext_login %q, want refused (the server hides logins until STARTTLS)", e, e.PlaintextLogin)
			}
			if !e.STARTTLS || e.TLS == nil || !e.TLS.Verified {
				t.Errorf("%s: STARTTLS upgrade not done or not verified (starttls=%v, tls=%+v)", e, e.STARTTLS, e.TLS)
			}
			wantNoProblem(t, e.String(), e.Problems, "plaintext_auth_offered", rep)
			if len(e.AuthMechanisms) == 0 {
				t.Errorf("%s: no auth mechanisms after STARTTLS", e)
			}
		}
		imap := find(t, rep, "imap", w.imapProvider, 143)
		if !slices.Contains(imap.Capabilities.BeforeTLS, "LOGINDISABLED") || !slices.Contains(imap.Capabilities.BeforeTLS, "STARTTLS") {
			t.Errorf("%s: capabilities before TLS %v lack LOGINDISABLED and STARTTLS (Dovecot sends both)", imap, imap.Capabilities.BeforeTLS)
		}
		if slices.Contains(imap.Capabilities.AfterTLS, "LOGINDISABLED") || !slices.Contains(imap.Capabilities.AfterTLS, "AUTH=PLAIN") {
			t.Errorf("%s: capabilities after TLS %v: want AUTH=PLAIN and no LOGINDISABLED", imap, imap.Capabilities.AfterTLS)
		}
	})

	t.Run("implicit TLS set on a STARTTLS port", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, "imaps://"+w.imapProvider+":143", "pop3s://"+w.popProvider+":110", "submissions://"+w.smtpProvider+":587")
		wantExit(t, r, 1, rep)
		for _, ep := range []struct {
			protocol, host string
			port           int
		}{{"imap", w.imapProvider, 143}, {"pop3", w.popProvider, 110}, {"smtp", w.smtpProvider, 587}} {
			e := find(t, rep, ep.protocol, ep.host, ep.port)
			wantProblem(t, e.String(), e.Problems, "tls_on_plain_port", rep)
		}
	})

	t.Run("no encryption set on an implicit TLS port", func(t *testing.T) {
		t.Parallel()
		const timeout = 2 * time.Second
		rep, r := probe(t, runOpts{}, "imap://"+w.imapProvider+":993", "submission://"+w.smtpProvider+":465", "--timeout", timeout.String())
		wantExit(t, r, 1, rep)
		for _, ep := range []struct {
			protocol, host string
			port           int
		}{{"imap", w.imapProvider, 993}, {"smtp", w.smtpProvider, 465}} {
			e := find(t, rep, ep.protocol, ep.host, ep.port)
			wantProblem(t, e.String(), e.Problems, "plain_on_tls_port", rep)
		}
		// The server waits silently for a TLS handshake: the TLS check starts after a quarter of the
		// timeout, on a second connection, inside the greeting's wait, so the probe costs one timeout, not two.
		if r.elapsed > timeout+time.Second {
			t.Errorf("the probe took %v with --timeout %v", r.elapsed, timeout)
		}
	})

	t.Run("IMAP set on the SMTP port", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, "imaps://"+w.smtpProvider+":465")
		wantExit(t, r, 1, rep)
		e := find(t, rep, "imap", w.smtpProvider, 465)
		wantProblem(t, e.String(), e.Problems, "wrong_protocol", rep)
	})

	t.Run("expired certificate", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, "imaps://"+w.expired, "submissions://"+w.expired)
		wantExit(t, r, 1, rep)
		for _, ep := range []struct {
			protocol string
			port     int
		}{{"imap", 993}, {"smtp", 465}} {
			e := find(t, rep, ep.protocol, w.expired, ep.port)
			wantProblem(t, e.String(), e.Problems, "cert_expired", rep)
			// The chain is otherwise fine: only the date is wrong.
			wantNoProblem(t, e.String(), e.Problems, "cert_untrusted", rep)
			wantNoProblem(t, e.String(), e.Problems, "cert_hostname_mismatch", rep)
			if e.TLS == nil || len(e.TLS.Chain) == 0 {
				t.Errorf("%s: no certificate chain reported", e)
				continue
			}
			if e.TLS.Verified || e.TLS.VerifyError == "" {
				t.Errorf("%s: verified=%v verify_error=%q, want false and a reason", e, e.TLS.Verified, e.TLS.VerifyError)
			}
			leaf := e.TLS.Chain[0]
			if !leaf.NotAfter.Before(time.Now()) || leaf.DaysLeft > -29 || leaf.DaysLeft < -31 {
				t.Errorf("%s: leaf not_after %v, days_left %d; the certificate expired 30 days ago", e, leaf.NotAfter, leaf.DaysLeft)
			}
		}
	})

	t.Run("certificate for another host", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, "imaps://"+w.wrongHost, "imap://"+w.wrongHost, "submission://"+w.wrongHost)
		wantExit(t, r, 1, rep)
		for _, ep := range []struct {
			protocol string
			port     int
		}{{"imap", 993}, {"imap", 143}, {"smtp", 587}} {
			e := find(t, rep, ep.protocol, w.wrongHost, ep.port)
			p := findProblem(e.Problems, "cert_hostname_mismatch")
			if p == nil {
				t.Errorf("%s: problems %v lack cert_hostname_mismatch\n%s", e, codes(e.Problems), rep.summary())
				continue
			}
			if !strings.Contains(p.Summary, w.wrongHostCert) {
				t.Errorf("%s: summary %q does not name the certificate's host %s", e, p.Summary, w.wrongHostCert)
			}
			wantNoProblem(t, e.String(), e.Problems, "cert_expired", rep)
			wantNoProblem(t, e.String(), e.Problems, "cert_untrusted", rep)
			if e.TLS == nil || e.TLS.Verified {
				t.Errorf("%s: tls %+v, want verified=false", e, e.TLS)
			}
		}
	})

	t.Run("certificate from an untrusted CA", func(t *testing.T) {
		t.Parallel()
		// Without SSL_CERT_FILE only the system roots are trusted, which do not include the test CA.
		rep, r := probe(t, runOpts{untrusted: true}, "imaps://"+w.imapProvider)
		wantExit(t, r, 1, rep)
		e := find(t, rep, "imap", w.imapProvider, 993)
		wantProblem(t, e.String(), e.Problems, "cert_untrusted", rep)
		wantNoProblem(t, e.String(), e.Problems, "cert_hostname_mismatch", rep)
	})
}

// TestSwaksAgreesOnEHLO compares the EHLO keywords of the submission port before and after STARTTLS as swaks
// sees them and as mailcheck reports them.
func TestSwaksAgreesOnEHLO(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", w.netns, "swaks", "--server", w.smtpProvider, "--port", "587",
		"--tls", "--tls-verify", "--tls-ca-path", w.caFile, "--quit-after", "HELO", "--ehlo", "swaks.client.test")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("swaks failed: %v\n%s", err, out)
	}
	swaksBefore, swaksAfter := parseSwaksEHLO(string(out))
	if len(swaksBefore) == 0 || len(swaksAfter) == 0 {
		t.Fatalf("could not read the EHLO replies from swaks' output:\n%s", out)
	}
	t.Logf("swaks: EHLO before STARTTLS %q, after %q", swaksBefore, swaksAfter)
	if !slices.Contains(swaksAfter, "AUTH PLAIN LOGIN") || slices.Contains(swaksBefore, "AUTH PLAIN LOGIN") {
		t.Fatalf("the world is wrong: swaks should see AUTH only after STARTTLS; before %v, after %v", swaksBefore, swaksAfter)
	}

	rep, r := probe(t, runOpts{}, "submission://"+w.smtpProvider+":587")
	wantExit(t, r, 0, rep)
	e := find(t, rep, "smtp", w.smtpProvider, 587)
	if !slices.Equal(e.Capabilities.AfterTLS, swaksAfter) {
		t.Errorf("EHLO keywords after STARTTLS differ:\n  mailcheck %q\n  swaks     %q", e.Capabilities.AfterTLS, swaksAfter)
	}
	if !slices.Equal(e.Capabilities.BeforeTLS, swaksBefore) {
		t.Errorf("EHLO keywords before STARTTLS differ:\n  mailcheck %q\n  swaks     %q", e.Capabilities.BeforeTLS, swaksBefore)
	}
}

// parseSwaksEHLO reads the keyword lines of the EHLO replies from swaks' transcript: "<-" lines are in clear
// text, "<~" lines inside TLS. The first line of a reply (the server's name) is not a keyword.
func parseSwaksEHLO(out string) (before, after []string) {
	var cur *[]string
	first := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "-> EHLO"):
			cur, first = &before, true
		case strings.HasPrefix(line, "~> EHLO"):
			cur, first = &after, true
		case cur != nil && (strings.HasPrefix(line, "<-") || strings.HasPrefix(line, "<~")):
			reply := strings.TrimSpace(line[2:])
			if len(reply) < 4 || !strings.HasPrefix(reply, "250") {
				cur = nil
				continue
			}
			if !first {
				*cur = append(*cur, strings.TrimSpace(reply[4:]))
			}
			first = false
			if reply[3] == ' ' {
				cur = nil
			}
		}
	}
	return before, after
}

func TestLogin(t *testing.T) {

	// The provider's servers are named explicitly: srv.test's SRV records point outside srv.test, and
	// discovery does not send a password to hosts that only DNS named (see "not to SRV targets" below).
	provider := []string{"imaps://" + w.imapProvider, "imap://" + w.imapProvider, "pop3s://" + w.popProvider,
		"pop3://" + w.popProvider, "submissions://" + w.smtpProvider, "submission://" + w.smtpProvider}

	t.Run("right password", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{env: []string{"MAILCHECK_PASSWORD=" + w.password}}, append(provider, "--user", w.user)...)
		wantExit(t, r, 0, rep)
		if len(rep.Endpoints) != len(provider) {
			t.Errorf("%d endpoints, want %d", len(rep.Endpoints), len(provider))
		}
		for _, e := range rep.Endpoints {
			if e.Auth == nil || !(e.Auth.Tested || e.Auth.SameAs != "") || !e.Auth.OK {
				t.Errorf("%s: auth %+v, want tested (or same_as a test) and ok", e, e.Auth)
			}
		}
	})

	t.Run("not to SRV targets outside the domain", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{env: []string{"MAILCHECK_PASSWORD=" + w.password}}, w.user, "--user", w.user)
		wantExit(t, r, 0, rep)
		for _, e := range rep.Endpoints {
			if e.Auth == nil || e.Auth.Tested || e.Auth.Problem == nil || e.Auth.Problem.Code != "auth_not_attempted" {
				t.Errorf("%s: auth %+v, want not attempted (the host is outside %s)", e, e.Auth, w.domainSRV)
			}
		}
		for _, s := range []*setting{rep.Settings.Incoming, rep.Settings.Outgoing} {
			if s == nil || s.LoginVerified {
				t.Errorf("setting %v: found, but not login-verified", s)
			}
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		// --timeout 1s: Dovecot answers a failed login only after 2 s (auth_failure_delay); the login
		// exchange must wait for it rather than call it a timeout.
		rep, r := probe(t, runOpts{env: []string{"MAILCHECK_PASSWORD=not the password"}}, append(provider, "--user", w.user, "--timeout", "1s")...)
		wantExit(t, r, 1, rep)
		for _, e := range rep.Endpoints {
			// One login per server (address) and protocol: the other port of the server points at it.
			if e.Auth == nil || !(e.Auth.Tested || e.Auth.SameAs != "") || e.Auth.OK {
				t.Errorf("%s: auth %+v, want tested (or same_as a test) and refused", e, e.Auth)
				continue
			}
			if e.Auth.Problem == nil || e.Auth.Problem.Code != "auth_failed" || e.Auth.Tested && findProblem(e.Problems, "auth_failed") == nil {
				t.Errorf("%s: no auth_failed problem (auth %+v, problems %v)", e, e.Auth, codes(e.Problems))
			}
		}
	})

	t.Run("password never sent in clear text", func(t *testing.T) {
		t.Parallel()
		// A user name that exists nowhere: had the password been sent, Dovecot would log a failed login for it.
		ghost := "ghost-" + fmt.Sprint(time.Now().UnixNano()) + "@" + w.domainLegacy
		rep, r := probe(t, runOpts{env: []string{"MAILCHECK_PASSWORD=" + w.password}}, "imap://"+w.plain, "pop3://"+w.plain, "submission://"+w.plain, "--user", ghost)
		wantExit(t, r, 1, rep)
		for _, e := range rep.Endpoints {
			if e.Auth != nil && e.Auth.Tested {
				t.Errorf("%s: the password was sent over an unencrypted connection (auth %+v)", e, e.Auth)
			}
		}
		for _, log := range []string{"dovecot-plain.log", "postfix.log"} {
			b, err := os.ReadFile(filepath.Join(w.work, "log", log))
			if err != nil {
				t.Fatalf("reading the server log: %v", err)
			}
			if bytes.Contains(b, []byte(ghost)) {
				t.Errorf("%s mentions %s: the server received a login attempt over clear text", log, ghost)
			}
		}
	})
}

func TestSend(t *testing.T) {
	withPassword := runOpts{env: []string{"MAILCHECK_PASSWORD=" + w.password}}

	send := func(t *testing.T, o runOpts, args ...string) (*sendReport, run) {
		t.Helper()
		r := mailcheck(t, o, append(append([]string{"send"}, args...), "--json")...)
		var rep sendReport
		if err := json.Unmarshal(r.stdout, &rep); err != nil {
			t.Fatalf("the output of send --json is not a send report: %v\n%s", err, r)
		}
		return &rep, r
	}
	mailbox := filepath.Join(w.mailRoot, w.user, "Maildir")

	t.Run("delivers through submission", func(t *testing.T) {
		t.Parallel()
		subject := fmt.Sprintf("mailcheck e2e delivery %d", time.Now().UnixNano())
		rep, r := send(t, withPassword, "--from", w.user, "--to", w.user, "--user", w.user,
			"--server", "submission://"+w.smtpProvider+":587", "--subject", subject)
		if r.exit != 0 || !rep.Accepted || !rep.Delivered {
			t.Fatalf("send: exit %d, accepted %v, delivered %v, problem %+v\n%s", r.exit, rep.Accepted, rep.Delivered, rep.Problem, r)
		}
		if !waitForMessage(mailbox, subject, 10*time.Second) {
			t.Errorf("the server accepted the message but %q never arrived in %s", subject, mailbox)
		}
	})

	t.Run("dry run delivers nothing", func(t *testing.T) {
		t.Parallel()
		subject := fmt.Sprintf("mailcheck e2e dry run %d", time.Now().UnixNano())
		rep, r := send(t, withPassword, "--from", w.user, "--to", w.user, "--user", w.user,
			"--server", "submissions://"+w.smtpProvider+":465", "--subject", subject, "--dry-run")
		if r.exit != 0 || !rep.Accepted || rep.Delivered || !rep.DryRun {
			t.Fatalf("send --dry-run: exit %d, accepted %v, delivered %v, dry_run %v\n%s", r.exit, rep.Accepted, rep.Delivered, rep.DryRun, r)
		}
		if waitForMessage(mailbox, subject, 2*time.Second) {
			t.Errorf("--dry-run delivered %q", subject)
		}
	})

	t.Run("relaying refused without login", func(t *testing.T) {
		t.Parallel()
		rep, r := send(t, runOpts{}, "--from", w.user, "--to", "bob@elsewhere.example", "--server", "smtp://"+w.mxHost+":25")
		if r.exit != 1 {
			t.Fatalf("exit %d, want 1\n%s", r.exit, r)
		}
		if rep.Problem == nil || rep.Problem.Code != "relay_denied" {
			t.Errorf("problem %+v, want relay_denied\n%s", rep.Problem, r)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		rep, r := send(t, runOpts{env: []string{"MAILCHECK_PASSWORD=not the password"}}, "--from", w.user, "--to", w.user,
			"--user", w.user, "--server", "submission://"+w.smtpProvider+":587")
		if r.exit != 1 {
			t.Fatalf("exit %d, want 1\n%s", r.exit, r)
		}
		if rep.Problem == nil || rep.Problem.Code != "auth_failed" {
			t.Errorf("problem %+v, want auth_failed\n%s", rep.Problem, r)
		}
	})
}

// waitForMessage looks for a message with the subject in a Maildir (new/ or cur/: a POP3 or IMAP login by another
// test may have moved it) until the deadline.
func waitForMessage(maildir, subject string, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for {
		for _, sub := range []string{"new", "cur"} {
			files, _ := os.ReadDir(filepath.Join(maildir, sub))
			for _, f := range files {
				b, err := os.ReadFile(filepath.Join(maildir, sub, f.Name()))
				if err == nil && bytes.Contains(b, []byte("Subject: "+subject)) {
					return true
				}
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCheck runs the CI/monitoring mode against the real servers: a passing run in JUnit and nagios
// form, and a failing one (expired certificate, POP3 that should be absent but answers).
func TestCheck(t *testing.T) {
	t.Run("passing, nagios and junit", func(t *testing.T) {
		t.Parallel()
		junit := filepath.Join(w.work, "check-pass.xml")
		r := mailcheck(t, runOpts{env: []string{"MAILCHECK_PASSWORD=" + w.password}}, "check",
			"imaps://"+w.imapProvider, "submission://"+w.smtpProvider,
			"--cert-crit", "7", "--cert-warn", "14", "--plaintext-login", "refused", "--login", "--user", w.user,
			"--nagios", "--junit", junit)
		if r.exit != 0 || !strings.HasPrefix(string(r.stdout), "MAILCHECK OK - ") || !strings.Contains(string(r.stdout), "|") {
			t.Fatalf("want exit 0 and a MAILCHECK OK line with performance data\n%s", r)
		}
		b, err := os.ReadFile(junit)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `<testsuites`) || strings.Contains(string(b), "<failure") {
			t.Errorf("JUnit of a passing run:\n%s", b)
		}
		if strings.Contains(string(r.stdout)+string(b), w.password) {
			t.Errorf("the password appears in the output")
		}
	})
	t.Run("failing, nagios", func(t *testing.T) {
		t.Parallel()
		r := mailcheck(t, runOpts{}, "check", "imaps://"+w.expired, "--cert-crit", "7", "--nagios")
		if r.exit != 2 || !strings.HasPrefix(string(r.stdout), "MAILCHECK CRITICAL - ") {
			t.Fatalf("an expired certificate: want exit 2 and MAILCHECK CRITICAL\n%s", r)
		}
		r = mailcheck(t, runOpts{}, "check", "--expect", "absent", "pop3s://"+w.popProvider, "--json")
		if r.exit != 1 || !strings.Contains(string(r.stdout), `"absent"`) {
			t.Fatalf("POP3 that answers where it must be absent: want exit 1\n%s", r)
		}
	})
}

// TestDiscoverySources: a real web server (nginx) serves the autoconfig file, Autodiscover (POST) and an
// ISPDB mirror; mailcheck reads each, probes what they list, and reports that the ISPDB disagrees.
func TestDiscoverySources(t *testing.T) {
	addr := "alice@" + w.domainWeb
	rep, r := probe(t, runOpts{}, addr, "--ispdb", "https://"+w.ispdbHost+"/v1.1/")
	if rep.Settings.Incoming == nil || rep.Settings.Incoming.Server != w.imapProvider || rep.Settings.Incoming.Port != 993 {
		t.Errorf("incoming %v, want %s:993 from the autoconfig file\n%s", rep.Settings.Incoming, w.imapProvider, rep.summary())
	}
	if rep.Settings.Outgoing == nil || rep.Settings.Outgoing.Server != w.smtpProvider || rep.Settings.Outgoing.Port != 587 {
		t.Errorf("outgoing %v, want %s:587\n%s", rep.Settings.Outgoing, w.smtpProvider, rep.summary())
	}
	got := map[string]lookup{}
	for _, l := range rep.Discovery {
		got[l.URL] = l
	}
	want := []struct {
		url, source, method string
		forgeable           bool
		servers             int
	}{
		{"https://autoconfig." + w.domainWeb + "/mail/config-v1.1.xml?emailaddress=alice%40" + w.domainWeb, "autoconfig", "", false, 2},
		{"http://autoconfig." + w.domainWeb + "/mail/config-v1.1.xml?emailaddress=alice%40" + w.domainWeb, "autoconfig-http", "", true, 2},
		{"https://autodiscover." + w.domainWeb + "/autodiscover/autodiscover.xml", "autodiscover", "POST", false, 2},
		{"https://" + w.ispdbHost + "/v1.1/" + w.domainWeb, "ispdb", "", false, 1},
	}
	for _, wl := range want {
		l, ok := got[wl.url]
		if !ok || l.Source != wl.source || l.Method != wl.method || l.Forgeable != wl.forgeable || len(l.Servers) != wl.servers || l.HTTPStatus != 200 {
			t.Errorf("%s: %+v, want source %s, %d servers, HTTP 200\n%s", wl.url, l, wl.source, wl.servers, r)
		}
	}
	if l := got["https://autoconfig."+w.domainWeb+"/mail/config-v1.1.xml?emailaddress=alice%40"+w.domainWeb]; len(l.Servers) > 0 && l.Servers[0].Username != addr {
		t.Errorf("%%EMAILADDRESS%% not applied: %+v", l.Servers[0])
	}
	p := findProblem(rep.Problems, "sources_disagree")
	if p == nil || !strings.Contains(p.Summary, "Mozilla's ISPDB says "+w.imapProvider+":143 STARTTLS") {
		t.Errorf("no disagreement reported for the ISPDB's 143: %v\n%s", rep.Problems, rep.summary())
	}
}

// TestSettingsLikeAMailClient: the recommended settings follow the sources the way mail clients rank them.
func TestSettingsLikeAMailClient(t *testing.T) {
	t.Run("SRV publishes 587 while the MX serves 465", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, w.domainSRVMX)
		wantExit(t, r, 0, rep)
		srvHost, mxHost := "smtp."+w.domainSRVMX, "mx."+w.domainSRVMX
		// The MX machine does answer on 465 with a valid certificate: it is a candidate, and it loses.
		wantWorking(t, rep, find(t, rep, "smtp", mxHost, 465), "mx")
		wantSetting(t, "outgoing", rep.Settings.Outgoing, "smtp", []string{srvHost}, 587, "starttls", "", rep)
		wantSetting(t, "incoming", rep.Settings.Incoming, "imap", []string{"imap." + w.domainSRVMX}, 993, "tls", "", rep)
		if out := rep.Settings.Outgoing; out != nil && out.Source != "srv" {
			t.Errorf("outgoing source %q, want srv", out.Source)
		}
		if in := rep.Settings.Incoming; in != nil && in.Source != "guess" {
			t.Errorf("incoming source %q, want guess", in.Source)
		}
		human := mailcheck(t, runOpts{}, "probe", w.domainSRVMX)
		if human.exit != 0 || !strings.Contains(string(human.stdout), "published in SRV") {
			t.Errorf("the human report does not say the setting is published in SRV:\n%s", human)
		}
		t.Logf("mailcheck probe %s:\n%s", w.domainSRVMX, human.stdout)
	})

	t.Run("shared hosting: the name on the certificate", func(t *testing.T) {
		t.Parallel()
		rep, r := probe(t, runOpts{}, w.domainShared)
		wantExit(t, r, 0, rep)
		mail := "mail." + w.domainShared
		wantProblem(t, mail, find(t, rep, "imap", mail, 993).Problems, "cert_hostname_mismatch", rep)
		wantSetting(t, "incoming", rep.Settings.Incoming, "imap", []string{w.wrongHostCert}, 993, "tls", "", rep)
		wantSetting(t, "outgoing", rep.Settings.Outgoing, "smtp", []string{w.wrongHostCert}, 587, "starttls", "", rep)
		for _, s := range []*setting{rep.Settings.Incoming, rep.Settings.Outgoing} {
			if s != nil && s.Source != "cert_name" {
				t.Errorf("%v: source %q, want cert_name", s, s.Source)
			}
		}
		human := mailcheck(t, runOpts{}, "probe", w.domainShared)
		if !strings.Contains(string(human.stdout), "the name on the server's certificate") {
			t.Errorf("the human report does not label the certificate's name:\n%s", human)
		}
	})
}

// TestOneFailedLoginPerServer: a wrong password against a domain whose names all point at one Dovecot (and
// one Postfix, which asks that Dovecot) costs one failed login per protocol, as Dovecot's log shows.
func TestOneFailedLoginPerServer(t *testing.T) {
	user := "alice@" + w.domainOneBox
	rep, r := probe(t, runOpts{env: []string{"MAILCHECK_PASSWORD=not the password"}}, user, "--user", user)
	wantExit(t, r, 1, rep)
	tested := 0
	for _, e := range rep.Endpoints {
		if e.Auth != nil && e.Auth.Tested {
			tested++
		}
	}
	if tested != 3 {
		t.Errorf("%d login tests, want 3 (IMAP, POP3, SMTP on one machine)\n%s", tested, rep.summary())
	}
	logFile := filepath.Join(w.work, "log", "dovecot.log")
	// The login processes write their line when the client has gone; mailcheck has exited, so wait for
	// the IMAP and POP3 lines to appear, then count.
	var counts map[string]int
	deadline := time.Now().Add(15 * time.Second)
	for {
		counts = failedLogins(t, logFile, user)
		if counts["imap"] > 0 && counts["pop3"] > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("failed logins for %s in Dovecot's log: IMAP %d, POP3 %d, SMTP (Postfix through Dovecot's auth) %d; password checks that failed: %d",
		user, counts["imap"], counts["pop3"], counts["smtp"], counts["mismatch"])
	for _, proto := range []string{"imap", "pop3", "smtp"} {
		if counts[proto] != 1 {
			t.Errorf("%s: %d failed logins in Dovecot's log, want exactly 1", proto, counts[proto])
		}
	}
}

// failedLogins counts a user's failed logins in Dovecot's log: the login processes' "auth failed, N
// attempts" lines for IMAP and POP3, and for SMTP the password checks ("Password mismatch", auth_verbose)
// that no IMAP or POP3 login accounts for (Postfix authenticates through Dovecot's auth service).
func failedLogins(t *testing.T, path, user string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading Dovecot's log: %v", err)
	}
	counts := map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.Contains(line, user) {
			continue
		}
		if strings.Contains(line, "Password mismatch") {
			counts["mismatch"]++
			continue
		}
		i := strings.Index(line, "auth failed, ")
		if i < 0 {
			continue
		}
		n := 0
		fmt.Sscanf(line[i+len("auth failed, "):], "%d attempts", &n)
		for _, proto := range []string{"imap", "pop3"} {
			if strings.Contains(line, proto+"-login:") {
				counts[proto] += n
			}
		}
	}
	counts["smtp"] = counts["mismatch"] - counts["imap"] - counts["pop3"]
	return counts
}

// TestIPv6CertificateFailure: IPv4 works, but over IPv6 the same name presents an expired certificate. A
// device on IPv6 shows that error (only a failed connect falls back), so the endpoint fails.
func TestIPv6CertificateFailure(t *testing.T) {
	rep, r := probe(t, runOpts{}, "imaps://"+w.v6Cert)
	wantExit(t, r, 1, rep)
	var v4, v6 *endpoint
	for i, e := range rep.Endpoints {
		if strings.Contains(e.Address, ":") {
			v6 = &rep.Endpoints[i]
		} else {
			v4 = &rep.Endpoints[i]
		}
	}
	if v4 == nil || v6 == nil {
		t.Fatalf("want an IPv4 and an IPv6 result\n%s", rep.summary())
	}
	if v4.Status != "ok" {
		t.Errorf("IPv4 %s: status %s, want ok\n%s", v4.Address, v4.Status, rep.summary())
	}
	if v6.Status != "fail" || findProblem(v6.Problems, "cert_expired") == nil || findProblem(v6.Problems, "ipv6_unreachable") != nil {
		t.Errorf("IPv6 %s: status %s, problems %v; want fail with cert_expired, not ipv6_unreachable\n%s", v6.Address, v6.Status, codes(v6.Problems), rep.summary())
	}
}
