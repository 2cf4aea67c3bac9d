package posture

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailcheck/mailcheck/probe"
)

// Limits on what is read from DNS: a TXT answer's records and each record's length (SPF, DMARC and DKIM
// records are a few hundred bytes; a 2048-bit DKIM key about 400).
const (
	maxTXTRecords = 32
	maxTXTLen     = 4096
	maxNames      = 16 // PTR names, MX hosts
)

// answer is one DNS answer, read: the records of the type asked, or why there are none.
type answer struct {
	// nxdomain: the name does not exist; nodata: it exists without records of the type.
	nxdomain, nodata bool
	err              error // a failure (SERVFAIL, REFUSED, timeout): the question is unanswered
}

// txt asks for the TXT records of name, each record's strings joined (RFC 7208 section 3.3), capped.
func txt(ctx context.Context, r *probe.Resolver, name string) ([]string, answer) {
	msg, a := query(ctx, r, name, dns.TypeTXT)
	if msg == nil {
		return nil, a
	}
	var out []string
	for _, rr := range msg.Answer {
		t, ok := rr.(*dns.TXT)
		if !ok {
			continue
		}
		s := strings.Join(t.Txt, "")
		if len(s) > maxTXTLen {
			s = s[:maxTXTLen]
		}
		if len(out) < maxTXTRecords {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		a.nodata = true
	}
	return out, a
}

// query asks one question and sorts the answer: nil message when the name has nothing (a says why).
func query(ctx context.Context, r *probe.Resolver, name string, qtype uint16) (*dns.Msg, answer) {
	if r == nil {
		return nil, answer{err: errors.New("no DNS resolver configured")}
	}
	msg, _, err := r.Query(ctx, name, qtype)
	if err != nil {
		return nil, answer{err: err}
	}
	switch msg.Rcode {
	case dns.RcodeSuccess:
		return msg, answer{}
	case dns.RcodeNameError:
		return nil, answer{nxdomain: true}
	default:
		return nil, answer{err: &probe.DNSError{Name: name, Type: dns.TypeToString[qtype], Rcode: msg.Rcode}}
	}
}

// addrs asks for the A and AAAA records of host.
func addrs(ctx context.Context, r *probe.Resolver, host string) ([]net.IP, answer) {
	var out []net.IP
	var last answer
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		msg, a := query(ctx, r, host, qt)
		if msg == nil {
			last = a
			continue
		}
		for _, rr := range msg.Answer {
			switch v := rr.(type) {
			case *dns.A:
				out = append(out, v.A)
			case *dns.AAAA:
				out = append(out, v.AAAA)
			}
		}
	}
	if len(out) == 0 && last.err == nil && !last.nxdomain {
		last.nodata = true
	}
	if len(out) > 0 {
		last = answer{}
	}
	return out, last
}

// mxHosts asks for the MX hosts of domain, by preference order of the answer, capped.
func mxHosts(ctx context.Context, r *probe.Resolver, domain string) ([]*net.MX, answer) {
	msg, a := query(ctx, r, domain, dns.TypeMX)
	if msg == nil {
		return nil, a
	}
	var out []*net.MX
	for _, rr := range msg.Answer {
		if mx, ok := rr.(*dns.MX); ok && len(out) < maxNames {
			out = append(out, &net.MX{Host: mx.Mx, Pref: mx.Preference})
		}
	}
	if len(out) == 0 {
		a.nodata = true
	}
	return out, a
}

// ptrNames asks for the PTR names of an address, capped.
func ptrNames(ctx context.Context, r *probe.Resolver, ip string) ([]string, answer) {
	rev, err := dns.ReverseAddr(ip)
	if err != nil {
		return nil, answer{err: err}
	}
	msg, a := query(ctx, r, rev, dns.TypePTR)
	if msg == nil {
		return nil, a
	}
	var out []string
	for _, rr := range msg.Answer {
		if p, ok := rr.(*dns.PTR); ok && len(out) < maxNames {
			out = append(out, p.Ptr)
		}
	}
	if len(out) == 0 {
		a.nodata = true
	}
	return out, a
}

// netResolver gives probe's Resolver the standard library's lookup shape, for blitiri.com.ar/go/spf. Its
// errors are *net.DNSError, which that package sorts: IsNotFound (NXDOMAIN, a void lookup, RFC 7208
// section 4.6.4) or IsTemporary (a temperror).
type netResolver struct{ r *probe.Resolver }

func (n netResolver) fail(name string, a answer) error {
	if a.err != nil {
		return &net.DNSError{Err: a.err.Error(), Name: name, IsTemporary: true}
	}
	if a.nxdomain {
		return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return nil // nodata: an empty answer, which the package counts as void itself
}

func (n netResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	out, a := txt(ctx, n.r, name)
	return out, n.fail(name, a)
}

func (n netResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	out, a := mxHosts(ctx, n.r, name)
	return out, n.fail(name, a)
}

func (n netResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	ips, a := addrs(ctx, n.r, host)
	out := make([]net.IPAddr, len(ips))
	for i, ip := range ips {
		out[i] = net.IPAddr{IP: ip}
	}
	return out, n.fail(host, a)
}

func (n netResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	out, a := ptrNames(ctx, n.r, addr)
	return out, n.fail(addr, a)
}

// dnsTrouble says why a question went unanswered, for a finding.
func dnsTrouble(name string, a answer) string {
	if a.err != nil {
		return fmt.Sprintf("the DNS question for %s got no answer (%v), so this could not be checked", name, a.err)
	}
	return ""
}

// records starts a check's finding from the TXT records at name that begin with prefix ("" keeps all):
// ok is false, with the finding "unknown" and why, when DNS gave no usable answer.
func records(ctx context.Context, env *Env, name, prefix string) (f Finding, ok bool) {
	f = Finding{Name: name}
	all, a := txt(ctx, env.Resolver, name)
	if s := dnsTrouble(name, a); s != "" {
		f.Verdict, f.Meaning = Unknown, s
		return f, false
	}
	for _, s := range all {
		if strings.HasPrefix(s, prefix) {
			f.Records = append(f.Records, s)
		}
	}
	return f, true
}
