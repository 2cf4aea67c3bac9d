package sandbox

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func query(t *testing.T, sb *Sandbox, network, name string, qtype uint16, edns uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	if edns != 0 {
		m.SetEdns0(edns, false)
	}
	c := &dns.Client{Net: network, Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, sb.DNSAddr)
	if err != nil {
		t.Fatalf("%s %s over %s: %v", name, dns.TypeToString[qtype], network, err)
	}
	return r
}

func TestDNSAnswers(t *testing.T) {
	sb := start(t)
	if host, _, _ := net.SplitHostPort(sb.DNSAddr); host != "127.0.0.1" {
		t.Fatalf("DNSAddr %s is not on 127.0.0.1", sb.DNSAddr)
	}
	tests := []struct {
		name    string
		qtype   uint16
		rcode   int
		answers int
		aa      bool
		check   func(t *testing.T, r *dns.Msg)
	}{
		{"sandbox.test", dns.TypeMX, dns.RcodeSuccess, 1, true, func(t *testing.T, r *dns.Msg) {
			if mx := r.Answer[0].(*dns.MX); mx.Mx != "mx.sandbox.test." || mx.Preference != 10 {
				t.Errorf("MX = %v", mx)
			}
		}},
		{"_imaps._tcp.sandbox.test", dns.TypeSRV, dns.RcodeSuccess, 1, true, func(t *testing.T, r *dns.Msg) {
			if srv := r.Answer[0].(*dns.SRV); srv.Target != "imap.sandbox.test." || srv.Port != 993 {
				t.Errorf("SRV = %v", srv)
			}
		}},
		{"_pop3._tcp.sandbox.test", dns.TypeSRV, dns.RcodeSuccess, 1, true, func(t *testing.T, r *dns.Msg) {
			if srv := r.Answer[0].(*dns.SRV); srv.Target != "." || srv.Port != 0 {
				t.Errorf("SRV = %v", srv)
			}
		}},
		{"IMAP.sandbox.test", dns.TypeA, dns.RcodeSuccess, 1, true, func(t *testing.T, r *dns.Msg) {
			if a := r.Answer[0].(*dns.A); a.A.String() != "127.0.0.2" {
				t.Errorf("A = %v", a)
			}
		}},
		{"imap.sandbox.test", dns.TypeAAAA, dns.RcodeSuccess, 1, true, func(t *testing.T, r *dns.Msg) {
			if a := r.Answer[0].(*dns.AAAA); a.AAAA.String() != "2001:db8::2" {
				t.Errorf("AAAA = %v", a)
			}
		}},
		{"alias.sandbox.test", dns.TypeA, dns.RcodeSuccess, 2, true, nil},
		// The bare domain has no address: NODATA, with the SOA for negative caching.
		{"sandbox.test", dns.TypeA, dns.RcodeSuccess, 0, true, func(t *testing.T, r *dns.Msg) {
			if len(r.Ns) != 1 || r.Ns[0].Header().Rrtype != dns.TypeSOA {
				t.Errorf("authority = %v, want the SOA", r.Ns)
			}
		}},
		{"deep.sandbox.test", dns.TypeA, dns.RcodeSuccess, 0, true, nil}, // empty non-terminal
		{"nope.sandbox.test", dns.TypeA, dns.RcodeNameError, 0, true, func(t *testing.T, r *dns.Msg) {
			if len(r.Ns) != 1 || r.Ns[0].Header().Rrtype != dns.TypeSOA {
				t.Errorf("authority = %v, want the SOA", r.Ns)
			}
		}},
		{"_imap._tcp.sandbox.test", dns.TypeSRV, dns.RcodeNameError, 0, true, nil},
		{"example.com", dns.TypeA, dns.RcodeRefused, 0, false, nil},
		{"broken.sandbox.test", dns.TypeMX, dns.RcodeServerFailure, 0, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+dns.TypeToString[tc.qtype], func(t *testing.T) {
			r := query(t, sb, "udp", tc.name, tc.qtype, 0)
			if r.Rcode != tc.rcode || len(r.Answer) != tc.answers || r.Authoritative != tc.aa {
				t.Fatalf("rcode %s, %d answers, AA %v; want %s, %d, %v\n%v", dns.RcodeToString[r.Rcode], len(r.Answer),
					r.Authoritative, dns.RcodeToString[tc.rcode], tc.answers, tc.aa, r)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestDNSTruncationAndTCPFallback(t *testing.T) {
	sb := start(t)
	udp := query(t, sb, "udp", "many.sandbox.test", dns.TypeTXT, 0)
	if !udp.Truncated || len(udp.Answer) >= 40 {
		t.Fatalf("UDP: TC %v with %d answers, want TC and fewer than 40", udp.Truncated, len(udp.Answer))
	}
	udp.Compress = true // as the server packed it
	if n := udp.Len(); n > dns.MinMsgSize {
		t.Fatalf("UDP answer is %d bytes, more than %d", n, dns.MinMsgSize)
	}
	tcp := query(t, sb, "tcp", "many.sandbox.test", dns.TypeTXT, 0)
	if tcp.Truncated || len(tcp.Answer) != 40 {
		t.Fatalf("TCP: TC %v with %d answers, want all 40", tcp.Truncated, len(tcp.Answer))
	}
	// A client announcing a big EDNS0 buffer gets everything over UDP.
	big := query(t, sb, "udp", "many.sandbox.test", dns.TypeTXT, 4096)
	if big.Truncated || len(big.Answer) != 40 || big.IsEdns0() == nil {
		t.Fatalf("UDP with EDNS0 4096: TC %v with %d answers, OPT %v", big.Truncated, len(big.Answer), big.IsEdns0())
	}
}

func TestDNSNoAnswerTimesOut(t *testing.T) {
	sb := start(t)
	m := new(dns.Msg)
	m.SetQuestion("slow.sandbox.test.", dns.TypeA)
	c := &dns.Client{Net: "udp", Timeout: 100 * time.Millisecond}
	_, _, err := c.Exchange(m, sb.DNSAddr)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
}
