package probe

import (
	"context"
	"crypto/tls"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
	"github.com/mailcheck/mailcheck/probe/session"
)

const ttl = " 300 IN "

// world starts a sandbox and a prober that uses its DNS, dialer and CA.
func world(t *testing.T, w sandbox.World, creds *Credentials) (*sandbox.Sandbox, *Prober) {
	t.Helper()
	sb := sandboxtest.Start(t, w)
	p := NewProber(Config{
		Resolver:    &Resolver{Servers: []string{sb.DNSAddr}, Timeout: answeringBudget},
		Dialer:      sb,
		RootCAs:     sb.RootCAs,
		Timeout:     answeringBudget,
		Transcript:  true,
		Credentials: creds,
	})
	return sb, p
}

func find(rep *Report, proto Protocol, host string, port int) []Result {
	var out []Result
	for _, e := range rep.Endpoints {
		if e.Protocol == proto && e.Host == host && e.Port == port {
			out = append(out, e)
		}
	}
	return out
}

func topProblem(rep *Report, code string) *Problem {
	for i := range rep.Problems {
		if rep.Problems[i].Code == code {
			return &rep.Problems[i]
		}
	}
	return nil
}

func TestDiscoverySRVMXAndGuess(t *testing.T) {
	_, p := world(t, sandbox.World{
		Domain: "d.test",
		Records: []string{
			"d.test." + ttl + "MX 10 mx.d.test.",
			"_imaps._tcp.d.test." + ttl + "SRV 0 1 993 mbox.d.test.",
			"_submissions._tcp.d.test." + ttl + "SRV 0 1 465 out.d.test.",
			"_pop3._tcp.d.test." + ttl + "SRV 0 0 0 .",
			"mbox.d.test." + ttl + "A 127.0.0.20",
			"out.d.test." + ttl + "A 127.0.0.21",
			"mx.d.test." + ttl + "A 127.0.0.22",
			"imap.d.test." + ttl + "A 127.0.0.23",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.20", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS},
			{IP: "127.0.0.21", Port: 465, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeTLS},
			{IP: "127.0.0.22", Port: 25, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS},
			{IP: "127.0.0.23", Port: 143, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeSTARTTLS},
		},
	}, nil)
	rep := p.Run(context.Background(), Request{Target: "d.test", Domain: "d.test"})
	if rep.Status == StatusFail {
		t.Fatalf("status fail: %+v", rep.Problems)
	}
	checks := []struct {
		proto        Protocol
		host         string
		port         int
		source       string
		wantProblems []string
	}{
		{IMAP, "mbox.d.test", 993, SourceSRV, nil},
		{SMTP, "out.d.test", 465, SourceSRV, nil},
		{SMTP, "mx.d.test", 25, SourceMX, nil},
		{IMAP, "imap.d.test", 143, SourceGuess, nil},
		{IMAP, "imap.d.test", 993, SourceGuess, []string{catalog.ConnectRefused}},
	}
	for _, c := range checks {
		rs := find(rep, c.proto, c.host, c.port)
		if len(rs) != 1 {
			t.Errorf("%s %s:%d: %d results, want 1", c.proto, c.host, c.port, len(rs))
			continue
		}
		if rs[0].Source != c.source {
			t.Errorf("%s %s:%d: source %s, want %s", c.proto, c.host, c.port, rs[0].Source, c.source)
		}
		for _, code := range c.wantProblems {
			if !hasProblem(rs[0], code) {
				t.Errorf("%s %s:%d: problems %v, want %s", c.proto, c.host, c.port, problemCodes(rs[0]), code)
			}
		}
		if c.wantProblems == nil && rs[0].Status != StatusOK {
			t.Errorf("%s %s:%d: status %s problems %v", c.proto, c.host, c.port, rs[0].Status, problemCodes(rs[0]))
		}
	}
	// POP3 is declared not offered: no guessed POP3 endpoints on port 110, and a finding that says so.
	if topProblem(rep, catalog.ServiceNotOffered) == nil {
		t.Errorf("no service_not_offered finding: %+v", rep.Problems)
	}
	for _, e := range rep.Endpoints {
		if e.Protocol == POP3 && e.Port == 110 {
			t.Errorf("probed %s although _pop3._tcp says it is not offered", e.Endpoint)
		}
	}
	in, out := rep.Settings.Incoming, rep.Settings.Outgoing
	if in == nil || in.Server != "mbox.d.test" || in.Port != 993 || in.Security != TLS {
		t.Errorf("incoming = %+v", in)
	}
	if out == nil || out.Server != "out.d.test" || out.Port != 465 || out.Security != TLS {
		t.Errorf("outgoing = %+v", out)
	}
	// Each DNS question is asked and recorded once.
	seen := map[string]bool{}
	for _, q := range rep.DNS {
		k := q.Name + " " + q.Type
		if seen[k] {
			t.Errorf("DNS %s recorded twice", k)
		}
		seen[k] = true
	}
}

func TestNoMailServersAndBrokenMX(t *testing.T) {
	_, p := world(t, sandbox.World{
		Domain:  "empty.test",
		Records: []string{"empty.test." + ttl + "MX 10 gone.empty.test.", "empty.test." + ttl + `TXT "nothing here"`},
	}, nil)
	rep := p.Run(context.Background(), Request{Target: "empty.test", Domain: "empty.test"})
	if rep.Status != StatusFail {
		t.Errorf("status %s, want fail", rep.Status)
	}
	if topProblem(rep, catalog.NoMailServers) == nil {
		t.Errorf("no no_mail_servers: %+v", rep.Problems)
	}
	if pr := topProblem(rep, catalog.DNSNotFound); pr == nil || !strings.Contains(pr.Summary, "gone.empty.test") {
		t.Errorf("the MX that does not resolve is not reported as dns_not_found: %+v", rep.Problems)
	}
	if rep.Settings.Incoming != nil || rep.Settings.Outgoing != nil {
		t.Errorf("settings recommended for a domain without servers: %+v", rep.Settings)
	}
}

func TestExplicitEndpointDNSFailures(t *testing.T) {
	_, p := world(t, sandbox.World{
		Domain:   "x.test",
		Records:  []string{"x.test." + ttl + "MX 10 mx.x.test.", "noaddr.x.test." + ttl + `TXT "no address"`},
		ServFail: []string{"broken.x.test."},
	}, nil)
	cases := map[string]string{
		"pop3":          catalog.DNSRefused, // outside the zone: the sandbox's DNS refuses, as a non-recursive server does
		"nope.x.test":   catalog.DNSNotFound,
		"noaddr.x.test": catalog.DNSNoAddress,
		"x.test":        catalog.DNSNoAddress,
		"broken.x.test": catalog.DNSServerFailure,
	}
	for host, want := range cases {
		rep := p.Run(context.Background(), Request{Target: host, Endpoints: []Endpoint{{Protocol: POP3, Host: host, Port: 110, Security: STARTTLS}}})
		if len(rep.Endpoints) != 1 || !hasProblem(rep.Endpoints[0], want) {
			t.Errorf("%s: endpoints %+v, want problem %s", host, rep.Endpoints, want)
			continue
		}
		if rep.Status != StatusFail {
			t.Errorf("%s: status %s", host, rep.Status)
		}
	}
}

func TestDNSTimeoutIsClassified(t *testing.T) {
	sb, p := world(t, sandbox.World{Domain: "slow.test", DNSDelayUntilTimeout: []string{"mail.slow.test."}}, nil)
	p.cfg.Resolver = &Resolver{Servers: []string{sb.DNSAddr}, Timeout: 200 * time.Millisecond}
	rep := p.Run(context.Background(), Request{Endpoints: []Endpoint{{Protocol: IMAP, Host: "mail.slow.test", Port: 993, Security: TLS}}})
	if len(rep.Endpoints) != 1 || !hasProblem(rep.Endpoints[0], catalog.DNSTimeout) {
		t.Fatalf("endpoints %+v, want dns_timeout", rep.Endpoints)
	}
}

func TestResolverFallsBackToTCPOnTruncation(t *testing.T) {
	var recs []string
	for i := 1; i <= 60; i++ {
		recs = append(recs, "big.t.test."+ttl+"A 127.0.1."+itoa(i))
	}
	sb, _ := world(t, sandbox.World{Domain: "t.test", Records: recs}, nil)
	r := &Resolver{Servers: []string{sb.DNSAddr}, Timeout: answeringBudget}
	addrs, msg, _, err := r.LookupAddrs(context.Background(), "big.t.test.", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Truncated || len(addrs) != 60 {
		t.Errorf("got %d addresses (truncated=%v), want all 60 over TCP", len(addrs), msg.Truncated)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestCertificateProblems(t *testing.T) {
	_, p := world(t, sandbox.World{
		Domain: "c.test",
		Records: []string{
			"expired.c.test." + ttl + "A 127.0.0.30", "future.c.test." + ttl + "A 127.0.0.31",
			"self.c.test." + ttl + "A 127.0.0.32", "wrong.c.test." + ttl + "A 127.0.0.33",
			"old.c.test." + ttl + "A 127.0.0.34", "good.c.test." + ttl + "A 127.0.0.35",
		},
		Services: []sandbox.Service{
			{IP: "127.0.0.30", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS, Cert: sandbox.CertExpired},
			{IP: "127.0.0.31", Port: 995, Proto: sandbox.ProtoPOP3, Mode: sandbox.ModeTLS, Cert: sandbox.CertNotYetValid},
			{IP: "127.0.0.32", Port: 465, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeTLS, Cert: sandbox.CertSelfSigned},
			{IP: "127.0.0.33", Port: 587, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeSTARTTLS, Cert: sandbox.CertWrongHost, CertHost: "other.example.net"},
			{IP: "127.0.0.34", Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS, TLSMaxVersion: tls.VersionTLS11},
			{IP: "127.0.0.35", Port: 143, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeSTARTTLS},
		},
	}, nil)
	cases := []struct {
		ep    Endpoint
		want  string
		avoid string
	}{
		{Endpoint{Protocol: IMAP, Host: "expired.c.test", Port: 993, Security: TLS}, catalog.CertExpired, catalog.CertUntrusted},
		{Endpoint{Protocol: POP3, Host: "future.c.test", Port: 995, Security: TLS}, catalog.CertNotYetValid, catalog.CertUntrusted},
		{Endpoint{Protocol: SMTP, Host: "self.c.test", Port: 465, Security: TLS}, catalog.CertUntrusted, catalog.CertHostMismatch},
		{Endpoint{Protocol: SMTP, Host: "wrong.c.test", Port: 587, Security: STARTTLS}, catalog.CertHostMismatch, catalog.CertUntrusted},
		{Endpoint{Protocol: IMAP, Host: "old.c.test", Port: 993, Security: TLS}, catalog.TLSVersionOld, catalog.CertUntrusted},
	}
	for _, c := range cases {
		rep := p.Run(context.Background(), Request{Endpoints: []Endpoint{c.ep}})
		res := rep.Endpoints[0]
		if !hasProblem(res, c.want) || hasProblem(res, c.avoid) {
			t.Errorf("%s: problems %v, want %s and not %s", c.ep, problemCodes(res), c.want, c.avoid)
		}
		if res.TLS == nil || res.TLS.Verified == (c.want != catalog.TLSVersionOld) || len(res.TLS.Chain) == 0 {
			t.Errorf("%s: tls %+v", c.ep, res.TLS)
		}
		if res.Greeting == "" {
			t.Errorf("%s: the greeting behind the bad certificate was not read", c.ep)
		}
	}
	rep := p.Run(context.Background(), Request{Endpoints: []Endpoint{{Protocol: IMAP, Host: "good.c.test", Port: 143, Security: STARTTLS}}})
	res := rep.Endpoints[0]
	if res.Status != StatusOK || !res.STARTTLS || res.PlaintextLogin != "refused" || !session.HasCap(res.Capabilities.BeforeTLS, "LOGINDISABLED") {
		t.Errorf("good STARTTLS endpoint: status %s starttls %v plaintext %q caps %v problems %v",
			res.Status, res.STARTTLS, res.PlaintextLogin, res.Capabilities.BeforeTLS, problemCodes(res))
	}
	if rep.Status != StatusOK {
		t.Errorf("explicit working endpoint: report status %s", rep.Status)
	}
}

// TestBlackholedPortsCostOneTimeout checks the probe's bound, not its speed: ten filtered ports are dialled
// side by side, so together they cost one step timeout, never ten. The dials give up only once all ten
// are waiting at once (barrierDialer), so the test needs no clock and passes on any machine.
func TestBlackholedPortsCostOneTimeout(t *testing.T) {
	var recs []string
	var eps []Endpoint
	for i := 0; i < 10; i++ {
		host := "h" + itoa(i) + ".b.test"
		recs = append(recs, host+"."+ttl+"A 127.0.0."+itoa(40+i))
		eps = append(eps, Endpoint{Protocol: SMTP, Host: host, Port: 25, Security: STARTTLS})
	}
	_, p := world(t, sandbox.World{Domain: "b.test", Records: recs}, nil)
	barrier := newBarrierDialer(len(eps))
	p.cfg.Dialer = barrier
	p.cfg.Timeout = silenceWait // what each dial would wait, one after another, if they were not side by side
	rep := p.Run(context.Background(), Request{Endpoints: eps})
	for _, e := range rep.Endpoints {
		if !hasProblem(e, catalog.ConnectTimeout) {
			t.Errorf("%s: %v, want connect_timeout", e.Endpoint, problemCodes(e))
		}
	}
	if got := barrier.released.Load(); got != int32(len(eps)) {
		t.Errorf("only %d of %d black-holed dials were ever waiting at the same time: they did not run in parallel", got, len(eps))
	}
}

func TestOverallDeadlineEndsEverything(t *testing.T) {
	_, p := world(t, sandbox.World{
		Domain:   "s.test",
		Records:  []string{"mail.s.test." + ttl + "A 127.0.0.60"},
		Services: []sandbox.Service{{IP: "127.0.0.60", Port: 993, Behavior: sandbox.BehaveSilent}},
	}, nil)
	p.cfg.Timeout = time.Minute // a step alone would take a minute
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep := p.Run(ctx, Request{Endpoints: []Endpoint{{Protocol: IMAP, Host: "mail.s.test", Port: 993, Security: TLS}}})
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("the run outlived its 300 ms deadline: %v", took)
	}
	if len(rep.Endpoints) != 1 || !hasProblem(rep.Endpoints[0], catalog.TimeLimit) {
		t.Errorf("a run cut short by its own deadline must say so (time_limit), not blame the server: %v", problemCodes(rep.Endpoints[0]))
	}
}

func TestMissingDomainSaysWhy(t *testing.T) {
	_, p := world(t, sandbox.World{Domain: "z.test", Records: []string{"z.test." + ttl + `TXT "x"`}}, nil)
	rep := p.Run(context.Background(), Request{Target: "nope.z.test", Domain: "nope.z.test"})
	if pr := topProblem(rep, catalog.DNSNotFound); pr == nil || !strings.Contains(pr.Summary, "does not exist") {
		t.Errorf("a domain that does not exist: problems %+v, want dns_not_found", rep.Problems)
	}
	if topProblem(rep, catalog.NoMailServers) == nil {
		t.Errorf("no no_mail_servers: %+v", rep.Problems)
	}
	rep = p.Run(context.Background(), Request{Target: "example.com", Domain: "example.com"})
	if topProblem(rep, catalog.DNSRefused) == nil {
		t.Errorf("a resolver that refuses: problems %+v, want dns_refused", rep.Problems)
	}
}

func TestSettingsPreferTheConventionalName(t *testing.T) {
	var svcs []sandbox.Service
	for ip, names := range map[string][2]string{"127.0.0.80": {"mail.g.test", "mail.g.test"}, "127.0.0.81": {"imap.g.test", "smtp.g.test"}} {
		svcs = append(svcs,
			sandbox.Service{IP: ip, Port: 993, Proto: sandbox.ProtoIMAP, Mode: sandbox.ModeTLS, CertHost: names[0]},
			sandbox.Service{IP: ip, Port: 465, Proto: sandbox.ProtoSMTP, Mode: sandbox.ModeTLS, CertHost: names[1]})
	}
	_, p := world(t, sandbox.World{
		Domain:   "g.test",
		Records:  []string{"mail.g.test." + ttl + "A 127.0.0.80", "smtp.g.test." + ttl + "A 127.0.0.81", "imap.g.test." + ttl + "A 127.0.0.81"},
		Services: svcs,
	}, nil)
	rep := p.Run(context.Background(), Request{Target: "g.test", Domain: "g.test"})
	if in := rep.Settings.Incoming; in == nil || in.Server != "imap.g.test" {
		t.Errorf("incoming %+v, want imap.g.test", in)
	}
	if out := rep.Settings.Outgoing; out == nil || out.Server != "smtp.g.test" {
		t.Errorf("outgoing %+v, want smtp.g.test", out)
	}
}

// TestNothingListeningSaysWhy: a domain whose names resolve but where nothing listens fails with a
// reason, not just "FAILED" (issue 23: problems were empty because every endpoint was a refused guess).
func TestNothingListeningSaysWhy(t *testing.T) {
	_, p := world(t, sandbox.World{Domain: "quiet.test", Records: []string{
		"quiet.test." + ttl + "A 127.0.9.9", "mail.quiet.test." + ttl + "A 127.0.9.9",
	}}, nil)
	rep := p.Run(context.Background(), Request{Target: "quiet.test", Domain: "quiet.test"})
	if rep.Status != StatusFail {
		t.Errorf("status %s, want fail", rep.Status)
	}
	for _, code := range []string{catalog.NoIncomingServer, catalog.NoOutgoingServer} {
		pr := topProblem(rep, code)
		if pr == nil || !strings.Contains(pr.Summary, "nothing answers on the") || !strings.Contains(pr.Summary, "mail.quiet.test") ||
			!strings.Contains(pr.Summary, "connection refused") {
			t.Errorf("%s: %+v; want the endpoints tried and 'nothing answers'", code, pr)
		}
	}
	if topProblem(rep, catalog.NoMailServers) != nil {
		t.Errorf("no_mail_servers with %d endpoints probed", len(rep.Endpoints))
	}
}

// TestTimelineOffsets: every DNS query, discovery fetch, probe and login carries when it started, counted
// from the run's start, and a probe starts after its host's address was asked for.
func TestTimelineOffsets(t *testing.T) {
	w := sandbox.DemoWorld()
	_, p := world(t, w, &Credentials{User: "alice@sandbox.test", Password: w.Users["alice@sandbox.test"]})
	rep := p.Run(context.Background(), Request{Target: "alice@sandbox.test", Domain: "sandbox.test", Address: "alice@sandbox.test"})
	asked := map[string]float64{}
	for _, q := range rep.DNS {
		if q.StartedMS < 0 || q.StartedMS > rep.DurationMS {
			t.Errorf("DNS %s %s started at %v of %v ms", q.Type, q.Name, q.StartedMS, rep.DurationMS)
		}
		if q.Type == "A" {
			asked[strings.TrimSuffix(q.Name, ".")] = q.StartedMS
		}
	}
	for _, l := range rep.Discovery {
		if l.StartedMS <= 0 && l.TimeMS > 0 {
			t.Errorf("%s %s has no start", l.Source, l.URL)
		}
	}
	logins := 0
	for _, e := range rep.Endpoints {
		if e.StartedMS <= 0 || e.StartedMS > rep.DurationMS {
			t.Errorf("%s %s started at %v of %v ms", e.Endpoint, e.Address, e.StartedMS, rep.DurationMS)
		}
		if a, ok := asked[e.Host]; ok && isIPv4(e.Address) && e.StartedMS < a {
			t.Errorf("%s started at %v, before its address was asked for at %v", e.Endpoint, e.StartedMS, a)
		}
		if e.Auth != nil && e.Auth.Tested {
			logins++
			if e.Auth.StartedMS < e.StartedMS {
				t.Errorf("the login of %s started at %v, before its probe at %v", e.Endpoint, e.Auth.StartedMS, e.StartedMS)
			}
		}
	}
	if logins == 0 {
		t.Error("no login to place on the timeline")
	}
}
