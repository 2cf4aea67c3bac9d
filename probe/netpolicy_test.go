package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

// publicWorld is a domain under an ICANN top-level domain whose MX record points at a private address.
// Nothing real is dialled: the sandbox serves its DNS and maps 10.1.2.3:25 to a loopback listener.
func publicWorld() sandbox.World {
	return sandbox.World{
		Domain:   "shop-example.com",
		Records:  []string{"shop-example.com." + ttl + "MX 10 mx.shop-example.com.", "mx.shop-example.com." + ttl + "A 10.1.2.3"},
		Services: []sandbox.Service{{IP: "10.1.2.3", Port: 25, Proto: sandbox.ProtoSMTP}},
	}
}

func policyProber(sb *sandbox.Sandbox, d Dialer, policy *netpolicy.Policy) *Prober {
	return NewProber(Config{Resolver: &Resolver{Servers: []string{sb.DNSAddr}, Timeout: answeringBudget}, Dialer: d,
		RootCAs: sb.RootCAs, Timeout: answeringBudget, Transcript: true, Policy: policy})
}

// TestPolicyMXAtPrivateAddress: under the exporter's policy an MX record pointing at 10.x is refused before
// any connection, as address_not_allowed; on the command line it is probed, with an internal_address
// warning for a public domain, and none for an endpoint the user typed or for a .test domain.
func TestPolicyMXAtPrivateAddress(t *testing.T) {
	sb := sandboxtest.Start(t, publicWorld())
	req := Request{Target: "shop-example.com", Domain: "shop-example.com"}

	cd := newCountingDialer(sb)
	rep := policyProber(sb, cd, netpolicy.New(nil)).Run(context.Background(), req)
	if len(cd.dials) != 0 {
		t.Errorf("the exporter's policy let dials through: %v", cd.dials)
	}
	mx := find(rep, SMTP, "mx.shop-example.com", 25)
	if len(mx) != 1 || !hasProblem(mx[0], catalog.AddressNotAllowed) || !strings.Contains(mx[0].Problems[0].Summary, "private-use") {
		t.Errorf("the MX endpoint under the policy: %+v", mx)
	}
	if topProblem(rep, catalog.InternalAddress) != nil {
		t.Error("the exporter warns as the command line does; it refuses instead")
	}

	cd = newCountingDialer(sb)
	rep = policyProber(sb, cd, nil).Run(context.Background(), req)
	if cd.dials["10.1.2.3:25"] != 1 {
		t.Errorf("the command line did not probe the internal MX: %v", cd.dials)
	}
	pr := topProblem(rep, catalog.InternalAddress)
	if pr == nil || pr.Severity != catalog.Warn || !strings.Contains(pr.Summary, "mx.shop-example.com (named by the domain's MX records) resolves to 10.1.2.3, a private-use address") {
		t.Errorf("no internal_address warning for the public domain: %v", rep.Problems)
	}
	if mx := find(rep, SMTP, "mx.shop-example.com", 25); len(mx) != 1 || mx[0].Greeting == "" || hasProblem(mx[0], catalog.AddressNotAllowed) {
		t.Errorf("the command line's probe of the internal MX: %+v", mx)
	}

	explicit := Request{Target: "smtp://mx.shop-example.com:25", Endpoints: []Endpoint{{Protocol: SMTP, Host: "mx.shop-example.com", Port: 25, Security: STARTTLS}}}
	if rep := policyProber(sb, sb, nil).Run(context.Background(), explicit); topProblem(rep, catalog.InternalAddress) != nil {
		t.Errorf("a warning for an endpoint the user typed: %v", rep.Problems)
	}

	w := publicWorld()
	w.Domain = "shop.test"
	w.Records = []string{"shop.test." + ttl + "MX 10 mx.shop.test.", "mx.shop.test." + ttl + "A 10.1.2.3"}
	sbt := sandboxtest.Start(t, w)
	if rep := policyProber(sbt, sbt, nil).Run(context.Background(), Request{Target: "shop.test", Domain: "shop.test"}); topProblem(rep, catalog.InternalAddress) != nil {
		t.Errorf("a warning for a .test domain: %v", rep.Problems)
	}
}

// recordingDialer answers dials to one address with a TLS server and records every other address asked
// for, failing it.
type recordingDialer struct {
	serve  string
	target string
	mu     sync.Mutex
	others []string
}

func (d *recordingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if addr == d.serve {
		var nd net.Dialer
		return nd.DialContext(ctx, "tcp", d.target)
	}
	d.mu.Lock()
	d.others = append(d.others, addr)
	d.mu.Unlock()
	return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("the test dialled it")}
}

// TestPolicyRedirectRefusedAtDial: an autoconfig server the operator allowed redirects to loopback and to
// the cloud metadata address; under the policy those are refused when the redirect is dialled (nothing
// reaches the dialer), on the command line they are dialled.
func TestPolicyRedirectRefusedAtDial(t *testing.T) {
	for _, to := range []string{"127.0.0.1", "169.254.169.254", "[::ffff:127.0.0.1]", "[::1]"} {
		cert, roots := testCert(t, "autoconfig.shop-example.com", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://"+to+"/mail/config-v1.1.xml", http.StatusFound)
		}))
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		sb := sandboxtest.Start(t, sandbox.World{Domain: "shop-example.com",
			Records: []string{"autoconfig.shop-example.com." + ttl + "A 192.0.2.10"}})
		allow, _ := netpolicy.ParseAllow([]string{"192.0.2.10/32"})
		for _, guarded := range []bool{true, false} {
			d := &recordingDialer{serve: "192.0.2.10:443", target: srv.Listener.Addr().String()}
			var policy *netpolicy.Policy
			if guarded {
				policy = netpolicy.New(allow)
			}
			p := NewProber(Config{Resolver: &Resolver{Servers: []string{sb.DNSAddr}, Timeout: answeringBudget}, Dialer: d,
				RootCAs: roots, Timeout: answeringBudget, Policy: policy})
			rep := p.Run(context.Background(), Request{Target: "shop-example.com", Domain: "shop-example.com"})
			var fetched *AutoconfigLookup
			for i, l := range rep.Discovery {
				if strings.HasPrefix(l.URL, "https://autoconfig.shop-example.com/") {
					fetched = &rep.Discovery[i]
				}
			}
			if fetched == nil || len(fetched.Redirects) != 1 {
				t.Fatalf("to %s: the autoconfig fetch was not redirected: %+v", to, rep.Discovery)
			}
			dialled := false
			for _, a := range d.others {
				ap, err := netip.ParseAddrPort(a)
				if err == nil && ap.Port() == 443 {
					if real, _ := netpolicy.Embedded(ap.Addr()); real.IsLoopback() || real.IsLinkLocalUnicast() {
						dialled = true
					}
				}
			}
			if guarded {
				pr := topProblem(rep, catalog.AddressNotAllowed)
				if dialled || !strings.Contains(fetched.Error, "not connecting to") || pr == nil || pr.Severity != catalog.Warn {
					t.Errorf("to %s under the policy: dialled %v (%v), error %q, problems %v", to, dialled, d.others, fetched.Error, rep.Problems)
				}
			} else if !dialled {
				t.Errorf("to %s on the command line: not dialled (%v): the test would not see a missing policy", to, d.others)
			}
		}
	}
}

// TestPolicyWithholdsForeignBanner: under the policy an SSH banner, in clear text or met by a TLS
// handshake, is "not a mail service" and none of its words reach the result (greeting, summary, detail,
// transcript); the command line quotes it.
func TestPolicyWithholdsForeignBanner(t *testing.T) {
	const banner = "SSH-2.0-OpenSSH_9.2 internal-secret-7f3a"
	addr := scripted(t, func(c net.Conn, r *bufio.Reader) error {
		_, err := fmt.Fprintf(c, "%s\r\n", banner)
		return err
	})
	host, port, _ := net.SplitHostPort(addr)
	allow, _ := netpolicy.ParseAllow([]string{"127.0.0.0/8"})
	for _, sec := range []Security{STARTTLS, TLS} {
		ep := Endpoint{Protocol: IMAP, Host: "imap.shop-example.com", Port: atoiPort(port), Security: sec}
		for _, guarded := range []bool{true, false} {
			var policy *netpolicy.Policy
			if guarded {
				policy = netpolicy.New(allow)
			}
			p := NewProber(Config{Dialer: &net.Dialer{}, Timeout: answeringBudget, Transcript: true, Policy: policy})
			ctx := netpolicy.WithPorts(context.Background(), ep.Port)
			res := p.ProbeEndpoint(ctx, ep, host, SourceExplicit)
			all := res.Greeting + strings.Join(res.Transcript, "\n")
			for _, pr := range res.Problems {
				all += pr.Summary + pr.Detail
			}
			if !hasProblem(res, catalog.NotMailService) {
				t.Errorf("%s, guarded %v: %v, want %s", sec, guarded, problemCodes(res), catalog.NotMailService)
			}
			if leaked := strings.Contains(all, "internal-secret") || strings.Contains(all, "SSH-2"); leaked == guarded {
				t.Errorf("%s, guarded %v: the banner shown %v:\n%s", sec, guarded, leaked, all)
			}
		}
	}
}

func atoiPort(s string) int {
	var n int
	fmt.Sscanf(s, "%d", &n)
	return n
}

// TestPolicyRefusalOfOneFamilyIsAWarning: an address the policy refused was never tried, so when the
// endpoint's other address works the endpoint works, and the refusal is a warning. (Under a policy that
// allowed only IPv4 loopback, the demo's imap.sandbox.test:993 failed for its IPv6 address and POP3 was
// recommended instead.)
func TestPolicyRefusalOfOneFamilyIsAWarning(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.DemoWorld())
	allow, err := netpolicy.ParseAllow([]string{"127.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	rep := policyProber(sb, sb, netpolicy.New(allow)).Run(context.Background(), Request{Target: "sandbox.test", Domain: "sandbox.test"})
	if in := rep.Settings.Incoming; in == nil || in.Server != "imap.sandbox.test" || in.Port != 993 {
		t.Fatalf("incoming %+v, want imap.sandbox.test:993 (its IPv4 address works)", in)
	}
	refused := 0
	for _, e := range find(rep, IMAP, "imap.sandbox.test", 993) {
		if isIPv4(e.Address) {
			continue
		}
		refused++
		if e.Status != StatusWarn || !hasProblem(e, catalog.AddressNotAllowed) || e.Problems[0].Severity != catalog.Warn {
			t.Errorf("%s: status %s, problems %+v; want a warning address_not_allowed", e.Address, e.Status, e.Problems)
		}
	}
	if refused == 0 {
		t.Error("no IPv6 address was refused: the test proves nothing")
	}
}
