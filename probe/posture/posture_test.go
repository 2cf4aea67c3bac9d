package posture

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

// world is one sandbox zone holding a domain of every verdict, its blocklists in zones of their own.
func world(t *testing.T, extra ...string) *sandbox.Sandbox {
	t.Helper()
	recs := []string{
		// good.posture.test: everything right.
		`good.posture.test. 300 IN MX 10 mx.good.posture.test.`,
		`mx.good.posture.test. 300 IN A 192.0.2.25`,
		`good.posture.test. 300 IN TXT "v=spf1 ip4:192.0.2.25 include:_spf.posture.test -all"`,
		`_spf.posture.test. 300 IN TXT "v=spf1 ip4:198.51.100.0/24 -all"`,
		`_dmarc.good.posture.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.posture.test,mailto:r@reports.example"`,
		`_mta-sts.good.posture.test. 300 IN TXT "v=STSv1; id=2026a"`,
		`_smtp._tls.good.posture.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:tls@good.posture.test"`,
		`25.2.0.192.in-addr.arpa. 300 IN PTR mx.good.posture.test.`,
		// Blocklists: bl.test healthy, lists 192.0.2.66; refuse.test answers 127.255.255.254 to everything;
		// nx.test answers NXDOMAIN to everything.
		`2.0.0.127.bl.test. 300 IN A 127.0.0.2`,
		`66.2.0.192.bl.test. 300 IN A 127.0.0.3`,
		`66.2.0.192.bl.test. 300 IN TXT "listed for spam"`,
		`9.2.0.192.bl.test. 300 IN A 127.255.255.255`,
		`2.0.0.127.refuse.test. 300 IN A 127.255.255.254`,
		`1.0.0.127.refuse.test. 300 IN A 127.255.255.254`,
		`25.2.0.192.refuse.test. 300 IN A 127.255.255.254`,
	}
	return sandboxtest.Start(t, sandbox.World{
		Domain:     "posture.test",
		OtherZones: []string{"in-addr.arpa", "bl.test", "refuse.test", "nx.test", "reports.example", "ext.example"},
		Records:    append(recs, extra...),
	})
}

// env asks the sandbox's DNS; get serves MTA-STS policies from an in-process HTTPS server.
func env(t *testing.T, sb *sandbox.Sandbox, policies map[string]string) *Env {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := policies[r.Host]
		if !ok || r.URL.Path != "/.well-known/mta-sts.txt" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	get := func(ctx context.Context, url string, limit int64) ([]byte, error) {
		tr := &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
			},
			// httptest's certificate names example.com: the test checks the policy logic, not the name.
			TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "example.com"},
		}
		defer tr.CloseIdleConnections()
		c := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("HTTP %s", resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, limit))
	}
	return &Env{
		Resolver:   &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 10 * time.Second},
		Get:        get,
		Blocklists: []string{"bl.test"},
	}
}

func finding(t *testing.T, rep *Report, check string) Finding {
	t.Helper()
	f := rep.Find(check)
	if f == nil {
		t.Fatalf("no %s finding in %+v", check, rep)
	}
	return *f
}

func want(t *testing.T, f Finding, v Verdict, value string) {
	t.Helper()
	if f.Verdict != v || (value != "" && f.Value != value) {
		t.Errorf("%s: verdict %s value %q, want %s %q\nmeaning: %s\ntrace: %q", f.Check, f.Verdict, f.Value, v, value, f.Meaning, f.Trace)
	}
	if f.Meaning == "" {
		t.Errorf("%s: no meaning", f.Check)
	}
	if (v == Fail || v == Absent) && len(f.Instructions) == 0 {
		t.Errorf("%s: %s without instructions", f.Check, v)
	}
}

const goodPolicy = "version: STSv1\r\nmode: enforce\r\nmx: *.good.posture.test\r\nmax_age: 604800\r\n"

func TestGoodDomain(t *testing.T) {
	sb := world(t, `good.posture.test._report._dmarc.reports.example. 300 IN TXT "v=DMARC1"`)
	e := env(t, sb, map[string]string{"mta-sts.good.posture.test": goodPolicy})
	rep := Run(context.Background(), e, Target{Domain: "good.posture.test", SendingIP: netip.MustParseAddr("192.0.2.25")})
	want(t, finding(t, rep, "spf"), OK, "pass")
	if m := finding(t, rep, "spf").Meaning; !strings.Contains(m, "by ip4:192.0.2.25") {
		t.Errorf("SPF meaning %q does not name the matching mechanism", m)
	}
	want(t, finding(t, rep, "dmarc"), OK, "reject") // reports.example authorised its address
	want(t, finding(t, rep, "mta_sts"), OK, "enforce")
	want(t, finding(t, rep, "tls_rpt"), OK, "mailto:tls@good.posture.test")
	want(t, finding(t, rep, "reverse_dns"), OK, "mx.good.posture.test")
	want(t, finding(t, rep, "dnsbl"), OK, "clean")
	if !strings.Contains(finding(t, rep, "dnsbl").Meaning, sb.DNSAddr) {
		t.Errorf("the blocklist finding does not name the resolver %s: %q", sb.DNSAddr, finding(t, rep, "dnsbl").Meaning)
	}
	if rep.Find("dkim") != nil {
		t.Errorf("DKIM ran without a selector")
	}
}

func TestSPFIncludedIPAndFailingIP(t *testing.T) {
	sb := world(t)
	e := env(t, sb, nil)
	rep := Run(context.Background(), e, Target{Domain: "good.posture.test", SendingIP: netip.MustParseAddr("198.51.100.9")})
	f := finding(t, rep, "spf")
	want(t, f, OK, "pass")
	if !strings.Contains(f.Meaning, "through include:_spf.posture.test") {
		t.Errorf("meaning %q does not say which include", f.Meaning)
	}
	rep = Run(context.Background(), e, Target{Domain: "good.posture.test", SendingIP: netip.MustParseAddr("203.0.113.5")})
	want(t, finding(t, rep, "spf"), Fail, "fail")
}

func TestSPFBroken(t *testing.T) {
	var recs []string
	var incs []string
	for i := range 11 {
		incs = append(incs, fmt.Sprintf("include:i%d.posture.test", i))
		recs = append(recs, fmt.Sprintf(`i%d.posture.test. 300 IN TXT "v=spf1 ip4:192.0.2.%d -all"`, i, 100+i))
	}
	recs = append(recs,
		`many.posture.test. 300 IN TXT "v=spf1 `+strings.Join(incs, " ")+` -all"`,
		`void.posture.test. 300 IN TXT "v=spf1 a:nx1.posture.test a:nx2.posture.test a:nx3.posture.test -all"`,
		`two.posture.test. 300 IN TXT "v=spf1 mx -all"`,
		`two.posture.test. 300 IN TXT "v=spf1 a -all"`,
		`open.posture.test. 300 IN TXT "v=spf1 mx +all"`,
		`bare.posture.test. 300 IN TXT "v=spf1 mx all"`,
		`syntax.posture.test. 300 IN TXT "v=spf1 ip4:300.1.1.1 -all"`,
		`junk.posture.test. 300 IN TXT "v=spf1 \000\033[31m -all"`,
	)
	e := env(t, world(t, recs...), nil)
	for _, tc := range []struct {
		domain string
		want   Verdict
		words  string
	}{
		{"many.posture.test", Fail, "more than 10 DNS lookups"},
		{"void.posture.test", Fail, "more than 2 lookups that find nothing"},
		{"two.posture.test", Fail, "2 SPF records"},
		{"open.posture.test", Fail, `"+all"`},
		{"bare.posture.test", Fail, `"+all"`},
		{"syntax.posture.test", Fail, "syntax error"},
		{"junk.posture.test", Fail, "syntax error"},
		{"nothing.posture.test", Absent, "no SPF record"},
	} {
		t.Run(tc.domain, func(t *testing.T) {
			f := checkSPF(context.Background(), e, Target{Domain: tc.domain})
			f.Check = "spf"
			want(t, f, tc.want, "")
			if !strings.Contains(f.Meaning, tc.words) {
				t.Errorf("meaning %q lacks %q", f.Meaning, tc.words)
			}
		})
	}
}

func TestDMARC(t *testing.T) {
	e := env(t, world(t,
		`_dmarc.posture.test. 300 IN TXT "v=DMARC1; p=reject; sp=quarantine; adkim=s"`,
		`_dmarc.none.posture.test. 300 IN TXT "v=DMARC1; p=none"`,
		`_dmarc.bad.posture.test. 300 IN TXT "v=DMARC1; p=bogus"`,
		`_dmarc.two.posture.test. 300 IN TXT "v=DMARC1; p=none"`,
		`_dmarc.two.posture.test. 300 IN TXT "v=DMARC1; p=reject"`,
		`_dmarc.pct.posture.test. 300 IN TXT "v=DMARC1; p=reject; pct=20; rua=mailto:r@ext.example"`,
		`pct.posture.test._report._dmarc.ext.example. 300 IN TXT "v=DMARC1"`,
	), nil)
	// Fallback: sub.posture.test has no record; the organisational domain's sp= applies.
	f := checkDMARC(context.Background(), e, Target{Domain: "sub.posture.test"})
	f.Check = "dmarc"
	want(t, f, OK, "quarantine")
	if f.Name != "_dmarc.posture.test" {
		t.Errorf("record read from %s, want the organisational domain's", f.Name)
	}
	for _, tc := range []struct {
		domain, value string
		v             Verdict
	}{
		{"none.posture.test", "none", Warn},
		{"bad.posture.test", "", Fail},
		{"two.posture.test", "", Fail},
		{"pct.posture.test", "reject", Warn},
	} {
		f := checkDMARC(context.Background(), e, Target{Domain: tc.domain})
		f.Check = "dmarc " + tc.domain
		want(t, f, tc.v, tc.value)
	}
	f = checkDMARC(context.Background(), e, Target{Domain: "pct.posture.test"})
	if !strings.Contains(strings.Join(f.Trace, "\n"), "ext.example authorises reports") {
		t.Errorf("external report authorisation not seen: %q", f.Trace)
	}
}

// The absent case needs a world without the organisational domain's record.
func TestDMARCAbsent(t *testing.T) {
	e := env(t, world(t), nil)
	f := checkDMARC(context.Background(), e, Target{Domain: "nothing.posture.test"})
	f.Check = "dmarc"
	want(t, f, Absent, "")
}

func TestMTASTS(t *testing.T) {
	recs := []string{
		`_mta-sts.test1.posture.test. 300 IN TXT "v=STSv1; id=1"`,
		`test1.posture.test. 300 IN MX 10 mx.elsewhere.example.`,
		`_mta-sts.bad.posture.test. 300 IN TXT "v=STSv1; id=1"`,
		`_mta-sts.badid.posture.test. 300 IN TXT "v=STSv1; id=not-ok!"`,
		`_mta-sts.nofile.posture.test. 300 IN TXT "v=STSv1; id=1"`,
		`_mta-sts.testing.posture.test. 300 IN TXT "v=STSv1; id=1"`,
		`testing.posture.test. 300 IN MX 10 mx.testing.posture.test.`,
	}
	e := env(t, world(t, recs...), map[string]string{
		"mta-sts.good.posture.test":    goodPolicy,
		"mta-sts.test1.posture.test":   "version: STSv1\nmode: enforce\nmx: mx.test1.posture.test\nmax_age: 604800\n",
		"mta-sts.bad.posture.test":     "version: STSv1\nmode: maybe\n",
		"mta-sts.testing.posture.test": "version: STSv1\nmode: testing\nmx: mx.testing.posture.test\nmax_age: 604800\n",
	})
	for _, tc := range []struct {
		domain, value string
		v             Verdict
		words         string
	}{
		{"good.posture.test", "enforce", OK, "enforce"},
		{"test1.posture.test", "enforce", Fail, "mx.elsewhere.example matches none"},
		{"bad.posture.test", "", Fail, "malformed"},
		{"badid.posture.test", "", Fail, "malformed"},
		{"nofile.posture.test", "", Fail, "could not be fetched"},
		{"testing.posture.test", "testing", Warn, "testing"},
		{"nothing.posture.test", "", Absent, "no MTA-STS"},
	} {
		f := checkMTASTS(context.Background(), e, Target{Domain: tc.domain})
		f.Check = "mta_sts " + tc.domain
		want(t, f, tc.v, tc.value)
		if !strings.Contains(f.Meaning, tc.words) {
			t.Errorf("%s: meaning %q lacks %q", tc.domain, f.Meaning, tc.words)
		}
	}
}

func TestDKIM(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	p := base64.StdEncoding.EncodeToString(der)
	e := env(t, world(t,
		// A 2048-bit key is split into 255-byte strings, as published.
		fmt.Sprintf(`s1._domainkey.good.posture.test. 300 IN TXT "v=DKIM1; k=rsa; " "p=%s" "%s"`, p[:200], p[200:]),
		`old._domainkey.good.posture.test. 300 IN TXT "v=DKIM1; p="`,
		`bad._domainkey.good.posture.test. 300 IN TXT "v=DKIM1; p=!!notbase64"`,
		`ed._domainkey.good.posture.test. 300 IN TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="`,
	), nil)
	for _, tc := range []struct {
		sel, value string
		v          Verdict
	}{
		{"s1", "rsa-2048", OK},
		{"old", "revoked", Fail},
		{"bad", "", Fail},
		{"ed", "ed25519-256", OK},
		{"missing", "", Absent},
	} {
		f := checkDKIM(context.Background(), e, Target{Domain: "good.posture.test", DKIMSelector: tc.sel})
		f.Check = "dkim " + tc.sel
		want(t, f, tc.v, tc.value)
	}
}

// A list that refuses the resolver (Spamhaus's 127.255.255.254) or answers NXDOMAIN to everything, its
// own test entry included, is "could not check", never "listed".
func TestDNSBLRefusingResolver(t *testing.T) {
	sb := world(t)
	e := env(t, sb, nil)
	ip := netip.MustParseAddr("192.0.2.25")
	for _, list := range []string{"refuse.test", "nx.test"} {
		e.Blocklists = []string{list}
		f := checkDNSBL(context.Background(), e, Target{Domain: "good.posture.test", SendingIP: ip})
		f.Check = "dnsbl " + list
		want(t, f, Unknown, "")
		if !strings.Contains(f.Meaning, "not a listing") || !strings.Contains(f.Meaning, sb.DNSAddr) {
			t.Errorf("%s: meaning %q", list, f.Meaning)
		}
		t.Logf("%s: %s / %q", list, f.Meaning, f.Trace)
	}
	// A healthy list that answers "too many queries" about the address itself: still not a listing.
	e.Blocklists = []string{"bl.test"}
	f := checkDNSBL(context.Background(), e, Target{SendingIP: netip.MustParseAddr("192.0.2.9")})
	f.Check = "dnsbl rate-limited"
	want(t, f, Unknown, "")
	if !strings.Contains(strings.Join(f.Trace, "\n"), "too many queries") {
		t.Errorf("the trace does not say why: %q", f.Trace)
	}
	e.Blocklists = []string{"bl.test", "refuse.test"}
	f = checkDNSBL(context.Background(), e, Target{SendingIP: netip.MustParseAddr("192.0.2.66")})
	f.Check = "dnsbl listed"
	want(t, f, Fail, "bl.test")
	if !strings.Contains(strings.Join(f.Trace, "\n"), "listed for spam") {
		t.Errorf("the listing's reason is missing: %q", f.Trace)
	}
}

func TestReverseDNS(t *testing.T) {
	e := env(t, world(t,
		`7.2.0.192.in-addr.arpa. 300 IN PTR liar.posture.test.`,
		`liar.posture.test. 300 IN A 192.0.2.8`,
	), nil)
	for _, tc := range []struct {
		ip string
		v  Verdict
	}{{"192.0.2.25", OK}, {"192.0.2.7", Fail}, {"192.0.2.9", Fail}} {
		f := checkReverseDNS(context.Background(), e, Target{Domain: "good.posture.test", SendingIP: netip.MustParseAddr(tc.ip)})
		f.Check = "reverse_dns " + tc.ip
		want(t, f, tc.v, "")
	}
}

// A resolver that fails makes every check "unknown", never a verdict about the records.
func TestDNSFailureIsUnknown(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.World{Domain: "posture.test", ServFail: []string{"down.posture.test", "_dmarc.down.posture.test", "_mta-sts.down.posture.test", "_smtp._tls.down.posture.test"}})
	e := &Env{Resolver: &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 10 * time.Second}}
	rep := Run(context.Background(), e, Target{Domain: "down.posture.test"})
	for _, f := range rep.Checks {
		if f.Verdict != Unknown {
			t.Errorf("%s: %s (%s), want unknown", f.Check, f.Verdict, f.Meaning)
		}
	}
}

// An include that does not match ends in its own "all:" line; the decision is the later term.
func TestSPFMatchedByAfterAnUnmatchedInclude(t *testing.T) {
	e := env(t, world(t,
		`inc.posture.test. 300 IN TXT "v=spf1 include:other.posture.test ip4:192.0.2.77 -all"`,
		`other.posture.test. 300 IN TXT "v=spf1 ip4:198.51.100.1 ~all"`,
	), nil)
	f := checkSPF(context.Background(), e, Target{Domain: "inc.posture.test", SendingIP: netip.MustParseAddr("192.0.2.77")})
	if f.Value != "pass" || !strings.HasSuffix(f.Meaning, "by ip4:192.0.2.77") {
		t.Errorf("%s %q, want pass by ip4:192.0.2.77 (trace %q)", f.Value, f.Meaning, f.Trace)
	}
	f = checkSPF(context.Background(), e, Target{Domain: "inc.posture.test", SendingIP: netip.MustParseAddr("203.0.113.1")})
	if f.Value != "fail" || !strings.Contains(f.Meaning, "by all") {
		t.Errorf("%s %q, want fail by all (trace %q)", f.Value, f.Meaning, f.Trace)
	}
}
